import { normalizeChannel, normalizeLevel } from '../record/channel.js';
import type { FormatDefinition, NpsRecord, ParseContext, ParseSink, RecordParser } from '../record/types.js';
import { parseLocalTime } from '../time/parse.js';
import { isNpsSecurityEvent, securityFieldsFromMessage } from './security-message.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const MAX_RAW = 64 * 1024;
/** A record whose Message never ends (no further timestamp line) must not hold the whole input in memory. */
const MAX_RECORD_CHARS = 1024 * 1024;

/** The line that opens every classic WinEventLog record: `09/20/2024 10:37:17 AM`, local time. */
export const SPLUNK_TIMESTAMP_LINE = /^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}:\d{2} [AP]M$/;
const KEY = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Cheap length/first/last-char test before the regex: most lines are Key=Value or message text. */
function isTimestampLine(line: string): boolean {
  const n = line.length;
  if (n < 19 || n > 22 || line.charCodeAt(n - 1) !== 77 /* M */) return false;
  const c = line.charCodeAt(0);
  return c >= 48 && c <= 57 && SPLUNK_TIMESTAMP_LINE.test(line);
}

function integer(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return /^\s*\d{1,15}\s*$/.test(text) ? Number(text) : Number.NaN;
}

/** Splunk writes `Type=Audit Success|Audit Failure` for Security events on older forwarders; those are level 0. */
function level(type: string | undefined, eventType: string | undefined): string | undefined {
  const raw = type ?? eventType;
  if (raw === undefined) return undefined;
  const lower = raw.trim().toLowerCase();
  if (lower === 'audit success' || lower === 'audit failure') return 'information';
  return normalizeLevel(raw);
}

interface Pending {
  readonly line: number;
  /** Every line of the record, the timestamp first (kept for the dead-letter copy). */
  readonly lines: string[];
  readonly keys: Map<string, string>;
  /** Index in `lines` of the `Message=` line, -1 before it. */
  messageAt: number;
  chars: number;
  /** First line that is neither Key=Value nor blank before `Message=`. */
  badLine?: number;
}

/**
 * Streaming parser for Splunk's classic `WinEventLog` rendering: a local-time timestamp line, `Key=Value` lines,
 * then `Message=` running to the next timestamp line (it may contain blank lines).
 */
export function createSplunkWinEventLogParser(ctx: ParseContext, sink: ParseSink): RecordParser {
  const { file, timeZone } = ctx;
  let cur: Pending | undefined;
  let skipping = false;
  let stray: { line: number; lines: string[]; chars: number } | undefined;

  const reject = (line: number, lines: readonly string[], reason: string, field?: string): void => {
    const raw = lines.join('\n');
    sink.reject({
      file,
      line,
      ...(field === undefined ? {} : { field }),
      reason,
      raw: raw.length > MAX_RAW ? raw.slice(0, MAX_RAW) : raw,
      format: 'splunk-wineventlog',
    });
  };

  const flushStray = (): void => {
    if (stray === undefined) return;
    reject(stray.line, stray.lines, 'text outside a record (no timestamp line before it)');
    stray = undefined;
  };

  const finish = (p: Pending): void => {
    const time = parseLocalTime(p.lines[0]!, 'M/d/yyyy h:mm:ss a', timeZone);
    if (time === undefined) {
      reject(p.line, p.lines, `invalid timestamp "${p.lines[0]}"`, 'timestamp');
      return;
    }
    if (p.badLine !== undefined) {
      reject(p.line, p.lines, `line ${p.badLine} is not Key=Value`);
      return;
    }
    const keys = p.keys;
    const eventId = integer(keys.get('EventCode'));
    if (Number.isNaN(eventId)) {
      reject(p.line, p.lines, `EventCode "${keys.get('EventCode')}" is not an integer`, 'EventCode');
      return;
    }
    const recordId = integer(keys.get('RecordNumber'));
    if (Number.isNaN(recordId)) {
      reject(p.line, p.lines, `RecordNumber "${keys.get('RecordNumber')}" is not an integer`, 'RecordNumber');
      return;
    }

    const record: Mutable<NpsRecord> = { format: 'splunk-wineventlog', position: { file, line: p.line }, time };
    const host = keys.get('ComputerName')?.trim();
    if (host) record.host = host;
    const channel = normalizeChannel(keys.get('LogName'));
    if (channel !== undefined) record.channel = channel;
    const provider = keys.get('SourceName')?.trim();
    if (provider) record.provider = provider;
    if (eventId !== undefined) record.eventId = eventId;
    if (recordId !== undefined) record.recordId = recordId;
    const lvl = level(keys.get('Type'), keys.get('EventType'));
    if (lvl !== undefined) record.level = lvl;
    if (p.messageAt >= 0) {
      let last = p.lines.length - 1;
      // The blank separator line(s) before the next record belong to no one.
      while (last > p.messageAt && p.lines[last]!.trim() === '') last--;
      const body = p.lines.slice(p.messageAt, last + 1);
      body[0] = body[0]!.slice('Message='.length);
      const message = body.join('\n');
      if (message !== '') record.message = message;
    }
    if (record.message !== undefined && isNpsSecurityEvent(record.eventId, record.channel)) {
      const fields = securityFieldsFromMessage(record.message);
      if (Object.keys(fields).length > 0) record.fields = fields;
    }
    sink.record(record);
  };

  const flush = (): void => {
    if (cur !== undefined) finish(cur);
    cur = undefined;
  };

  return {
    push(line: string, lineNo: number): void {
      if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);

      if (isTimestampLine(line)) {
        flush();
        flushStray();
        skipping = false;
        cur = { line: lineNo, lines: [line], keys: new Map(), messageAt: -1, chars: line.length };
        return;
      }
      if (cur === undefined) {
        if (skipping || line.trim() === '') return;
        if (stray === undefined) stray = { line: lineNo, lines: [], chars: 0 };
        // Keep only what the dead-letter copy can hold.
        if (stray.chars < MAX_RAW) stray.lines.push(line);
        stray.chars += line.length + 1;
        return;
      }

      cur.lines.push(line);
      cur.chars += line.length + 1;
      if (cur.chars > MAX_RECORD_CHARS) {
        reject(cur.line, cur.lines, 'record larger than 1 MiB; skipped to the next timestamp line');
        cur = undefined;
        skipping = true;
        return;
      }
      if (cur.messageAt >= 0) return;
      if (line.startsWith('Message=')) {
        cur.messageAt = cur.lines.length - 1;
        return;
      }
      const eq = line.indexOf('=');
      if (eq > 0) {
        const key = line.slice(0, eq);
        if (KEY.test(key)) {
          cur.keys.set(key, line.slice(eq + 1));
          return;
        }
      }
      if (line.trim() !== '') cur.badLine ??= lineNo;
    },
    end(): void {
      flush();
      flushStray();
    },
  };
}

/** First non-empty line is a `MM/DD/YYYY hh:mm:ss AM` timestamp and a `LogName=` line follows. */
export function sniffSplunkWinEventLog(head: readonly string[]): boolean {
  const lines = head.map((l) => l.replace(/^\uFEFF/, '').replace(/\r$/, '')).filter((l) => l.trim() !== '');
  return (
    lines.length > 0 &&
    SPLUNK_TIMESTAMP_LINE.test(lines[0]!) &&
    lines.slice(1, 16).some((l) => l.startsWith('LogName='))
  );
}

export const SPLUNK_WINEVENTLOG_FORMAT: FormatDefinition = {
  id: 'splunk-wineventlog',
  description: 'Splunk classic WinEventLog (timestamp line, Key=Value lines, multi-line Message=)',
  sniff: sniffSplunkWinEventLog,
  create: createSplunkWinEventLogParser,
};
