import type { Mutable } from '../mutable.js';
import type { FormatId, NpsRecord, ParseContext, ParseSink, RecordParser, SourcePosition } from '../record/types.js';
import { isNpsSecurityEvent, securityFieldsFromMessage } from './security-message.js';

/**
 * Shared pieces of the multi-line text parsers (splunk-wineventlog, wevtutil-text, get-winevent-list): records
 * span lines until the next one starts, are capped in size, and whatever cannot be read goes to the dead letters.
 */

/** The most of a record's text a rejection carries. */
const MAX_RAW = 64 * 1024;
/** A record that never ends (no next record start) must not hold the whole input in memory. */
export const MAX_RECORD_CHARS = 1024 * 1024;

/** ParseIssue.raw is capped at 64 KiB. */
export function truncateRaw(text: string): string {
  return text.length > MAX_RAW ? text.slice(0, MAX_RAW) : text;
}

/** Strips what a line reader may leave: a trailing CR and a leading BOM. */
export function cleanLine(text: string): string {
  let s = text;
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  if (s.charCodeAt(s.length - 1) === 13) s = s.slice(0, -1);
  return s;
}

/** The head's non-blank lines without BOM and CR, for sniffing. */
export function headLines(head: readonly string[]): string[] {
  return head.map(cleanLine).filter((l) => l.trim() !== '');
}

/** Why a record was rejected: the field (element, column) to name, and the reason. */
export interface LineRejection {
  readonly field: string | undefined;
  readonly reason: string;
}

export function rejection(field: string | undefined, reason: string): LineRejection {
  return { field, reason };
}

/** An integer, undefined for blank text, NaN for anything else. */
export function integer(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return /^\s*\d{1,15}\s*$/.test(text) ? Number(text) : Number.NaN;
}

export const notAnInteger = (name: string, text: string | undefined): string => `${name} "${text}" is not an integer`;

/** The trimmed text, undefined when there is none. */
export function present(text: string | undefined): string | undefined {
  const t = text?.trim();
  return t === undefined || t === '' ? undefined : t;
}

/** `head` (if any) then `lines` from `from` on, newline-joined, without the blank lines that separate records. */
export function joinMessage(head: string | undefined, lines: readonly string[], from: number): string {
  let end = lines.length;
  while (end > from && lines[end - 1]!.trim() === '') end--;
  const body = lines.slice(from, end).join('\n');
  return head === undefined ? body : end > from ? `${head}\n${body}` : head;
}

/** A record being assembled: its first line number, its lines, and their length with line breaks. */
export interface LineRecord {
  readonly line: number;
  readonly lines: string[];
  chars: number;
}

/** Appends a line; false once the record is larger than MAX_RECORD_CHARS (the caller rejects and skips it). */
export function appendLine(record: LineRecord, line: string): boolean {
  record.lines.push(line);
  record.chars += line.length + 1;
  return record.chars <= MAX_RECORD_CHARS;
}

/** A record of header lines, read into `keys`, then message text. */
export interface HeaderRecord extends LineRecord {
  readonly keys: Map<string, string>;
  /** Where the message starts in `lines` (each format says exactly), -1 while still in the header. */
  messageAt: number;
  /** First header line that cannot be read (the record is rejected). */
  badLine?: number;
}

/** The record an opening line starts. */
export const openHeaderRecord = (line: string, lineNo: number): HeaderRecord => ({
  line: lineNo,
  lines: [line],
  chars: line.length,
  keys: new Map(),
  messageAt: -1,
});

export const tooLarge = (nextRecord: string): string => `record larger than 1 MiB; skipped to the next ${nextRecord}`;

/** What one parser hands on: records, rejections with the record's lines as raw text, and stray text. */
export interface TextOutput {
  /** Rejects a record (or stray text) with its lines as the raw text, cut to MAX_RAW. */
  reject(record: { readonly line: number; readonly lines: readonly string[] }, reason: string, field?: string): void;
  /** Hands on the finished record, or rejects the lines it came from. */
  deliver(from: LineRecord, result: NpsRecord | LineRejection): void;
  /** Keeps a line outside any record, up to what a rejection carries... */
  stray(line: string, lineNo: number): void;
  /** ...and rejects what was kept as one issue (when the next record starts, or the input ends). */
  flushStray(): void;
}

export function textOutput(sink: ParseSink, file: string, format: FormatId, strayReason: string): TextOutput {
  let stray: LineRecord | undefined;
  const reject: TextOutput['reject'] = ({ line, lines }, reason, field) => {
    sink.reject({
      file,
      line,
      ...(field === undefined ? {} : { field }),
      reason,
      raw: truncateRaw(lines.join('\n')),
      format,
    });
  };
  return {
    reject,
    deliver(from, result) {
      if ('reason' in result) reject(from, result.reason, result.field);
      else sink.record(result);
    },
    stray(line, lineNo) {
      if (stray === undefined) stray = { line: lineNo, lines: [], chars: 0 };
      if (stray.chars < MAX_RAW) stray.lines.push(line);
      stray.chars += line.length + 1;
    },
    flushStray() {
      if (stray === undefined) return;
      reject(stray, strayReason);
      stray = undefined;
    },
  };
}

/** How a format whose records open with a recognisable line reads them; `lineRecordParser` does the rest. */
export interface LineFormat<R extends LineRecord> {
  readonly format: FormatId;
  /** The rejection reason for text before the first record. */
  readonly strayReason: string;
  /** What opens the next record, for the reason an oversized one is rejected with (`timestamp line`). */
  readonly nextRecord: string;
  /** Whether a line (without CR and BOM) opens a record. */
  isStart(line: string): boolean;
  /** The record a start line opens. */
  open(line: string, lineNo: number): R;
  /** Reads a further line of the record (already in `record.lines`). */
  read(record: R, line: string, lineNo: number): void;
  /** The finished record, or why it is rejected. */
  finish(record: R): NpsRecord | LineRejection;
}

/**
 * A streaming parser for formats whose records run from an opening line to the next one: text before the first
 * record is stray, and a record larger than MAX_RECORD_CHARS is rejected and the rest of it skipped.
 */
export function lineRecordParser<R extends LineRecord>(
  sink: ParseSink,
  file: string,
  spec: LineFormat<R>,
): RecordParser {
  const out = textOutput(sink, file, spec.format, spec.strayReason);
  let cur: R | undefined;
  let skipping = false;

  const flush = (): void => {
    if (cur !== undefined) out.deliver(cur, spec.finish(cur));
    cur = undefined;
  };

  return {
    push(line: string, lineNo: number): void {
      line = cleanLine(line);
      if (spec.isStart(line)) {
        flush();
        out.flushStray();
        skipping = false;
        cur = spec.open(line, lineNo);
        return;
      }
      if (cur === undefined) {
        if (!skipping && line.trim() !== '') out.stray(line, lineNo);
        return;
      }
      if (!appendLine(cur, line)) {
        out.reject(cur, tooLarge(spec.nextRecord));
        cur = undefined;
        skipping = true;
        return;
      }
      spec.read(cur, line, lineNo);
    },
    end(): void {
      flush();
      out.flushStray();
    },
  };
}

/** A format of header records (splunk-wineventlog, wevtutil-text): header lines read into keys, then the message. */
export interface HeaderFormat extends Omit<LineFormat<HeaderRecord>, 'open' | 'finish'> {
  /** The finished record (times read in ctx.timeZone), or why it is rejected. */
  finish(record: HeaderRecord, ctx: ParseContext): NpsRecord | LineRejection;
}

/** The streaming parser of a header-record format. */
export function headerRecordParser(ctx: ParseContext, sink: ParseSink, spec: HeaderFormat): RecordParser {
  return lineRecordParser(sink, ctx.file, {
    format: spec.format,
    strayReason: spec.strayReason,
    nextRecord: spec.nextRecord,
    isStart: spec.isStart,
    open: openHeaderRecord,
    read: spec.read,
    finish: (record) => spec.finish(record, ctx),
  });
}

/** Whether the head's first non-blank line opens a record and one of the `within - 1` lines after it is `header`. */
export function sniffOpeningLine(
  head: readonly string[],
  opening: RegExp,
  within: number,
  header: (line: string) => boolean,
): boolean {
  const lines = headLines(head);
  return lines.length > 0 && opening.test(lines[0]!) && lines.slice(1, within).some(header);
}

/** What a text rendering of a Windows event says, each part already normalised; undefined parts are absent. */
export interface WindowsParts {
  readonly host: string | undefined;
  readonly channel: string | undefined;
  readonly provider: string | undefined;
  readonly eventId: number | undefined;
  readonly recordId?: number | undefined;
  readonly level: string | undefined;
  readonly message: string | undefined;
}

/** The record with the parts present (an empty message is none), and the fields of an NPS Security message. */
export function windowsRecord(
  format: FormatId,
  position: SourcePosition,
  time: number,
  parts: WindowsParts,
): NpsRecord {
  const record: Mutable<NpsRecord> = { format, position, time };
  if (parts.host !== undefined) record.host = parts.host;
  if (parts.channel !== undefined) record.channel = parts.channel;
  if (parts.provider !== undefined) record.provider = parts.provider;
  if (parts.eventId !== undefined) record.eventId = parts.eventId;
  if (parts.recordId !== undefined) record.recordId = parts.recordId;
  if (parts.level !== undefined) record.level = parts.level;
  if (parts.message !== undefined && parts.message !== '') record.message = parts.message;
  if (record.message !== undefined && isNpsSecurityEvent(record.eventId, record.channel)) {
    const fields = securityFieldsFromMessage(record.message);
    if (Object.keys(fields).length > 0) record.fields = fields;
  }
  return record;
}
