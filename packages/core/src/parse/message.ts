import type { FormatDefinition, ParseContext, ParseSink, RecordParser } from '../record/types.js';
import { parseTimestamp } from '../time/parse.js';

// Optional leading ISO timestamp (as `Get-WinEvent | % { "$($_.TimeCreated.ToString('o')) $($_.Message)" }` writes),
// then the product prefix.
const LEADING_TIME = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)\s+/;
const STARTS_RECORD = /^(?:\d{4}-\d{2}-\d{2}[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?\s+)?NPS Extension for /i;
const MAX_RECORD_CHARS = 1 << 20;

/**
 * Plain message text, as copied from Event Viewer or quoted in tickets: one message per paragraph, a new message
 * also starting at any line that begins with the product prefix. Messages may span lines (eSTS errors carry
 * Trace ID / Correlation ID lines).
 */
export const MESSAGE_FORMAT: FormatDefinition = {
  id: 'message',
  description: 'Plain extension message lines ("NPS Extension for Azure MFA: ..."), optionally led by an ISO time',
  sniff: (head) => head.some((l) => STARTS_RECORD.test(l)),
  create: (ctx, sink) => createMessageParser(ctx, sink),
};

function createMessageParser(ctx: ParseContext, sink: ParseSink): RecordParser {
  let lines: string[] = [];
  let size = 0;
  let first = 0;
  const flush = () => {
    if (lines.length === 0) return;
    let text = lines.join('\n').trimEnd();
    lines = [];
    size = 0;
    let time = ctx.defaultTime;
    const lead = LEADING_TIME.exec(text);
    if (lead) {
      const parsed = parseTimestamp(lead[1]!, ctx.timeZone);
      if (parsed === undefined) {
        sink.reject({
          file: ctx.file,
          line: first,
          field: 'time',
          reason: `invalid timestamp "${lead[1]}"`,
          raw: text,
          format: 'message',
        });
        return;
      }
      time = parsed;
      text = text.slice(lead[0].length);
    }
    if (time === undefined) {
      sink.reject({
        file: ctx.file,
        line: first,
        field: 'time',
        reason: 'message has no timestamp and no default time was given',
        raw: text,
        format: 'message',
      });
      return;
    }
    sink.record({ format: 'message', position: { file: ctx.file, line: first }, time, message: text });
  };
  return {
    push(raw, line) {
      const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (text.trim() === '') return flush();
      if (STARTS_RECORD.test(text)) flush();
      if (lines.length === 0) first = line;
      size += text.length;
      if (size > MAX_RECORD_CHARS) {
        sink.reject({
          file: ctx.file,
          line: first,
          reason: 'message longer than 1 MiB',
          raw: lines.join('\n').slice(0, 65536),
          format: 'message',
        });
        lines = [];
        size = 0;
        return;
      }
      lines.push(text);
    },
    end: flush,
  };
}
