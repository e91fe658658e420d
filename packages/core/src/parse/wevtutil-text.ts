import { normalizeChannel, normalizeLevel } from '../record/channel.js';
import type { FormatDefinition, NpsRecord, ParseContext, ParseSink, RecordParser } from '../record/types.js';
import { parseTimestamp } from '../time/parse.js';
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

const EVENT_LINE = /^Event\[\d+\]:\s*$/;
/** `  Log Name: AuthZOptCh` — indented label, colon, value (the value may hold colons: `Date: 10:37:17`). */
const HEADER = /^\s+([A-Za-z][A-Za-z ]*?)\s*:\s?(.*)$/;

function isEventLine(line: string): boolean {
  return line.startsWith('Event[') && EVENT_LINE.test(line);
}

/** `N/A` is wevtutil's way of saying "none". */
function value(text: string | undefined): string | undefined {
  const t = present(text);
  return t === 'N/A' ? undefined : t;
}

/** `messageAt`: the line after `Description:`. */
interface Pending extends HeaderRecord {
  /** Text after `Description:` on its own line, when the build writes it there. */
  inline?: string;
}

/** Reads a line after `Event[N]:`: indented `Label: value` lines until `Description:`, then message text. */
function read(p: Pending, line: string, lineNo: number): void {
  if (p.messageAt >= 0) return;
  const m = HEADER.exec(line);
  if (m === null) {
    if (line.trim() !== '') p.badLine ??= lineNo;
    return;
  }
  const label = m[1]!;
  const text = m[2]!;
  if (label === 'Description') {
    // The message normally starts on the next line; some builds put its first line after the label.
    p.messageAt = p.lines.length;
    if (text.trim() !== '') p.inline = text;
    return;
  }
  p.keys.set(label, text);
}

function finish(p: Pending, ctx: ParseContext): NpsRecord | LineRejection {
  const keys = p.keys;
  if (p.badLine !== undefined) return rejection(undefined, `line ${p.badLine} is not an indented "Label: value" line`);
  const date = value(keys.get('Date'));
  if (date === undefined) return rejection('Date', 'missing Date');
  const time = parseTimestamp(date, ctx.timeZone);
  if (time === undefined) return rejection('Date', `invalid Date "${date}"`);
  const eventId = integer(value(keys.get('Event ID')));
  if (Number.isNaN(eventId)) return rejection('Event ID', notAnInteger('Event ID', keys.get('Event ID')));
  return windowsRecord('wevtutil-text', { file: ctx.file, line: p.line }, time, {
    host: value(keys.get('Computer')),
    channel: normalizeChannel(value(keys.get('Log Name'))),
    provider: value(keys.get('Source')),
    eventId,
    level: normalizeLevel(value(keys.get('Level'))),
    message: p.messageAt < 0 ? undefined : joinMessage(p.inline, p.lines, p.messageAt),
  });
}

/**
 * Streaming parser for `wevtutil qe <log> /f:text`: `Event[N]:`, indented `Label: value` lines, then
 * `Description:` followed by the message up to the next `Event[N]:`. Dates without an offset are local
 * (ctx.timeZone). wevtutil prints no record number, so `recordId` stays undefined.
 */
export function createWevtutilTextParser(ctx: ParseContext, sink: ParseSink): RecordParser {
  return headerRecordParser(ctx, sink, {
    format: 'wevtutil-text',
    strayReason: 'text outside an Event[N] block',
    nextRecord: 'Event[N]',
    isStart: isEventLine,
    read,
    finish,
  });
}

/** First non-empty line is `Event[N]:` and an indented `Log Name:` or `Source:` line follows. */
export function sniffWevtutilText(head: readonly string[]): boolean {
  return sniffOpeningLine(head, EVENT_LINE, 14, (l) => /^\s+(?:Log Name|Source|Event ID):/.test(l));
}

export const WEVTUTIL_TEXT_FORMAT: FormatDefinition = {
  id: 'wevtutil-text',
  description: 'wevtutil qe <log> /f:text (Event[N]: blocks with indented Label: value lines)',
  sniff: sniffWevtutilText,
  create: createWevtutilTextParser,
};
