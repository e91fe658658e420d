import { normalizeChannel, normalizeLevel } from '../record/channel.js';
import type { FormatDefinition, NpsRecord, ParseContext, ParseSink, RecordParser } from '../record/types.js';
import { parseTimestamp } from '../time/parse.js';
import { isNpsSecurityEvent, securityFieldsFromMessage } from './security-message.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const MAX_RAW = 64 * 1024;
/** A Description that never ends (no further `Event[N]:`) must not hold the whole input in memory. */
const MAX_RECORD_CHARS = 1024 * 1024;

const EVENT_LINE = /^Event\[\d+\]:\s*$/;
/** `  Log Name: AuthZOptCh` — indented label, colon, value (the value may hold colons: `Date: 10:37:17`). */
const HEADER = /^\s+([A-Za-z][A-Za-z ]*?)\s*:\s?(.*)$/;

function isEventLine(line: string): boolean {
  return line.startsWith('Event[') && EVENT_LINE.test(line);
}

function integer(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return /^\s*\d{1,15}\s*$/.test(text) ? Number(text) : Number.NaN;
}

/** `N/A` is wevtutil's way of saying "none". */
function value(text: string | undefined): string | undefined {
  const t = text?.trim();
  return t === undefined || t === '' || t === 'N/A' ? undefined : t;
}

interface Pending {
  readonly line: number;
  readonly lines: string[];
  readonly keys: Map<string, string>;
  /** Index in `lines` where the Description text starts, -1 while still in the header. */
  messageAt: number;
  /** Text after `Description:` on its own line, when the build writes it there. */
  inline?: string;
  chars: number;
  badLine?: number;
}

/**
 * Streaming parser for `wevtutil qe <log> /f:text`: `Event[N]:`, indented `Label: value` lines, then
 * `Description:` followed by the message up to the next `Event[N]:`. Dates without an offset are local
 * (ctx.timeZone). wevtutil prints no record number, so `recordId` stays undefined.
 */
export function createWevtutilTextParser(ctx: ParseContext, sink: ParseSink): RecordParser {
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
      format: 'wevtutil-text',
    });
  };

  const flushStray = (): void => {
    if (stray === undefined) return;
    reject(stray.line, stray.lines, 'text outside an Event[N] block');
    stray = undefined;
  };

  const finish = (p: Pending): void => {
    const keys = p.keys;
    if (p.badLine !== undefined) {
      reject(p.line, p.lines, `line ${p.badLine} is not an indented "Label: value" line`);
      return;
    }
    const date = value(keys.get('Date'));
    if (date === undefined) {
      reject(p.line, p.lines, 'missing Date', 'Date');
      return;
    }
    const time = parseTimestamp(date, timeZone);
    if (time === undefined) {
      reject(p.line, p.lines, `invalid Date "${date}"`, 'Date');
      return;
    }
    const eventId = integer(value(keys.get('Event ID')));
    if (Number.isNaN(eventId)) {
      reject(p.line, p.lines, `Event ID "${keys.get('Event ID')}" is not an integer`, 'Event ID');
      return;
    }

    const record: Mutable<NpsRecord> = { format: 'wevtutil-text', position: { file, line: p.line }, time };
    const host = value(keys.get('Computer'));
    if (host !== undefined) record.host = host;
    const channel = normalizeChannel(value(keys.get('Log Name')));
    if (channel !== undefined) record.channel = channel;
    const provider = value(keys.get('Source'));
    if (provider !== undefined) record.provider = provider;
    if (eventId !== undefined) record.eventId = eventId;
    const level = normalizeLevel(value(keys.get('Level')));
    if (level !== undefined) record.level = level;
    if (p.messageAt >= 0) {
      let last = p.lines.length - 1;
      while (last >= p.messageAt && p.lines[last]!.trim() === '') last--;
      const body = p.lines.slice(p.messageAt, last + 1);
      if (p.inline !== undefined) body.unshift(p.inline);
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

      if (isEventLine(line)) {
        flush();
        flushStray();
        skipping = false;
        cur = { line: lineNo, lines: [line], keys: new Map(), messageAt: -1, chars: line.length };
        return;
      }
      if (cur === undefined) {
        if (skipping || line.trim() === '') return;
        if (stray === undefined) stray = { line: lineNo, lines: [], chars: 0 };
        if (stray.chars < MAX_RAW) stray.lines.push(line);
        stray.chars += line.length + 1;
        return;
      }

      cur.chars += line.length + 1;
      if (cur.chars > MAX_RECORD_CHARS) {
        cur.lines.push(line);
        reject(cur.line, cur.lines, 'record larger than 1 MiB; skipped to the next Event[N]');
        cur = undefined;
        skipping = true;
        return;
      }
      if (cur.messageAt >= 0) {
        cur.lines.push(line);
        return;
      }
      const m = HEADER.exec(line);
      if (m === null) {
        if (line.trim() !== '') cur.badLine ??= lineNo;
        cur.lines.push(line);
        return;
      }
      const label = m[1]!;
      const text = m[2]!;
      cur.lines.push(line);
      if (label === 'Description') {
        // The message normally starts on the next line; some builds put its first line after the label.
        cur.messageAt = cur.lines.length;
        if (text.trim() !== '') cur.inline = text;
        return;
      }
      cur.keys.set(label, text);
    },
    end(): void {
      flush();
      flushStray();
    },
  };
}

/** First non-empty line is `Event[N]:` and an indented `Log Name:` or `Source:` line follows. */
export function sniffWevtutilText(head: readonly string[]): boolean {
  const lines = head.map((l) => l.replace(/^\uFEFF/, '').replace(/\r$/, '')).filter((l) => l.trim() !== '');
  return (
    lines.length > 0 &&
    EVENT_LINE.test(lines[0]!) &&
    lines.slice(1, 14).some((l) => /^\s+(?:Log Name|Source|Event ID):/.test(l))
  );
}

export const WEVTUTIL_TEXT_FORMAT: FormatDefinition = {
  id: 'wevtutil-text',
  description: 'wevtutil qe <log> /f:text (Event[N]: blocks with indented Label: value lines)',
  sniff: sniffWevtutilText,
  create: createWevtutilTextParser,
};
