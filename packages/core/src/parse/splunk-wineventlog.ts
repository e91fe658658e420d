import { normalizeChannel, normalizeLevel, normalizeProvider } from '../record/channel.js';
import type { FormatDefinition, NpsRecord, ParseContext, ParseSink, RecordParser } from '../record/types.js';
import { parseLocalTime } from '../time/parse.js';
import {
  type HeaderRecord,
  headerRecordParser,
  integer,
  joinMessage,
  type LineRejection,
  notAnInteger,
  present,
  rejection,
  sniffOpeningLine,
  windowsRecord,
} from './text-records.js';

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

/** Splunk writes `Type=Audit Success|Audit Failure` for Security events on older forwarders; those are level 0. */
function level(type: string | undefined, eventType: string | undefined): string | undefined {
  const raw = type ?? eventType;
  if (raw === undefined) return undefined;
  const lower = raw.trim().toLowerCase();
  if (lower === 'audit success' || lower === 'audit failure') return 'information';
  return normalizeLevel(raw);
}

/**
 * `lines`: every line of the record, the timestamp first (kept for the dead-letter copy); `messageAt`: the
 * `Message=` line; `badLine`: the first line before it that is neither Key=Value nor blank.
 */
type Pending = HeaderRecord;

/** Reads a line after the timestamp: `Key=Value` until `Message=`, then message text. */
function read(p: Pending, line: string, lineNo: number): void {
  if (p.messageAt >= 0) return;
  if (line.startsWith('Message=')) {
    p.messageAt = p.lines.length - 1;
    return;
  }
  const eq = line.indexOf('=');
  if (eq > 0) {
    const key = line.slice(0, eq);
    if (KEY.test(key)) {
      p.keys.set(key, line.slice(eq + 1));
      return;
    }
  }
  if (line.trim() !== '') p.badLine ??= lineNo;
}

function finish(p: Pending, ctx: ParseContext): NpsRecord | LineRejection {
  const time = parseLocalTime(p.lines[0]!, 'M/d/yyyy h:mm:ss a', ctx.timeZone);
  if (time === undefined) return rejection('timestamp', `invalid timestamp "${p.lines[0]}"`);
  if (p.badLine !== undefined) return rejection(undefined, `line ${p.badLine} is not Key=Value`);
  const keys = p.keys;
  const eventId = integer(keys.get('EventCode'));
  if (Number.isNaN(eventId)) return rejection('EventCode', notAnInteger('EventCode', keys.get('EventCode')));
  const recordId = integer(keys.get('RecordNumber'));
  if (Number.isNaN(recordId)) return rejection('RecordNumber', notAnInteger('RecordNumber', keys.get('RecordNumber')));
  const message =
    p.messageAt < 0 ? undefined : joinMessage(p.lines[p.messageAt]!.slice('Message='.length), p.lines, p.messageAt + 1);
  return windowsRecord('splunk-wineventlog', { file: ctx.file, line: p.line }, time, {
    host: present(keys.get('ComputerName')),
    channel: normalizeChannel(keys.get('LogName')),
    provider: normalizeProvider(present(keys.get('SourceName'))),
    eventId,
    recordId,
    level: level(keys.get('Type'), keys.get('EventType')),
    message,
  });
}

/**
 * Streaming parser for Splunk's classic `WinEventLog` rendering: a local-time timestamp line, `Key=Value` lines,
 * then `Message=` running to the next timestamp line (it may contain blank lines).
 */
export function createSplunkWinEventLogParser(ctx: ParseContext, sink: ParseSink): RecordParser {
  return headerRecordParser(ctx, sink, {
    format: 'splunk-wineventlog',
    strayReason: 'text outside a record (no timestamp line before it)',
    nextRecord: 'timestamp line',
    isStart: isTimestampLine,
    read,
    finish,
  });
}

/** First non-empty line is a `MM/DD/YYYY hh:mm:ss AM` timestamp and a `LogName=` line follows. */
export function sniffSplunkWinEventLog(head: readonly string[]): boolean {
  return sniffOpeningLine(head, SPLUNK_TIMESTAMP_LINE, 16, (l) => l.startsWith('LogName='));
}

export const SPLUNK_WINEVENTLOG_FORMAT: FormatDefinition = {
  id: 'splunk-wineventlog',
  description: 'Splunk classic WinEventLog (timestamp line, Key=Value lines, multi-line Message=)',
  sniff: sniffSplunkWinEventLog,
  create: createSplunkWinEventLogParser,
};
