import type {
  FormatDefinition,
  NpsRecord,
  ParseContext,
  ParseIssue,
  ParseSink,
  RecordParser,
} from '../record/types.js';
import {
  addField,
  addPacketTypeName,
  cleanLine,
  firstHeadLine,
  IAS_HEADER,
  iasAttributeName,
  localTimeReader,
  truncateRaw,
} from './accounting-attributes.js';

/**
 * NPS "IAS (Legacy)" accounting lines: six header fields (NAS-IP-Address, User-Name, Record-Date, Record-Time,
 * Service-Name, Computer-Name), then attribute-number,value pairs. NPS hex-encodes string values containing a
 * delimiter, so a plain split on commas is exact.
 */

// The first field excludes `"` so database-compatible (ODBC) lines, which also fit this shape, don't match.
const IAS_LINE = /^[^,"]*,[^,]*,\d\d\/\d\d\/\d{4},\d\d:\d\d:\d\d,[^,]*,[^,]*(,|$)/;
const DATE = /^\d\d\/\d\d\/\d{4}$/;
const TIME = /^\d\d:\d\d:\d\d$/;
const ATTRIBUTE_NUMBER = /^\d{1,15}$/;
/** Header positions kept as fields (2 and 3 are the time). */
const HEADER_FIELDS = [0, 1, 4, 5] as const;

/** True when the first non-empty line looks like an IAS-format line. */
export function sniffIas(head: readonly string[]): boolean {
  const line = firstHeadLine(head);
  return line !== undefined && IAS_LINE.test(line);
}

/** A streaming parser for IAS-format lines: one record (or rejection) per non-blank line. */
export function createIasParser(ctx: ParseContext, sink: ParseSink): RecordParser {
  const readTime = localTimeReader(ctx.timeZone);

  const reject = (raw: string, line: number, field: string | undefined, reason: string): void => {
    const issue: ParseIssue = { file: ctx.file, line, reason, raw: truncateRaw(raw), format: 'ias' };
    sink.reject(field === undefined ? issue : { ...issue, field });
  };

  const parse = (text: string, line: number): void => {
    const parts = text.split(',');
    if (parts.length < IAS_HEADER.length) {
      reject(text, line, IAS_HEADER[parts.length], `expected ${IAS_HEADER.length} header fields, found ${parts.length}`);
      return;
    }
    const date = parts[2]!.trim();
    const clock = parts[3]!.trim();
    if (!DATE.test(date)) return reject(text, line, 'Record-Date', `not an MM/dd/yyyy date: "${date}"`);
    if (!TIME.test(clock)) return reject(text, line, 'Record-Time', `not an HH:mm:ss time: "${clock}"`);
    const time = readTime(`${date} ${clock}`);
    if (time === undefined) return reject(text, line, 'Record-Date', `invalid date/time "${date} ${clock}"`);

    const fields: Record<string, string> = {};
    for (const i of HEADER_FIELDS) {
      const value = parts[i]!.trim();
      if (value !== '') fields[IAS_HEADER[i]] = value;
    }
    const last = parts.length - 1;
    if ((parts.length - IAS_HEADER.length) % 2 === 1) {
      const dangling = parts[last]!.trim();
      const field = ATTRIBUTE_NUMBER.test(dangling) ? iasAttributeName(Number(dangling)) : `field ${parts.length}`;
      return reject(text, line, field, `attribute "${dangling}" (field ${parts.length}) has no value`);
    }
    for (let i = IAS_HEADER.length; i < last; i += 2) {
      const number = parts[i]!.trim();
      if (!ATTRIBUTE_NUMBER.test(number)) {
        return reject(text, line, `field ${i + 1}`, `expected an attribute number, found "${number}"`);
      }
      addField(fields, iasAttributeName(Number(number)), parts[i + 1]!.trim());
    }
    addPacketTypeName(fields);

    const host = fields['Computer-Name'];
    const position = { file: ctx.file, line };
    const record: NpsRecord =
      host === undefined ? { format: 'ias', position, time, fields } : { format: 'ias', position, time, host, fields };
    sink.record(record);
  };

  return {
    push(text: string, line: number): void {
      const clean = cleanLine(text);
      if (clean.trim() === '') return;
      parse(clean, line);
    },
    end(): void {
      // Line-oriented: nothing is ever pending.
    },
  };
}

export const IAS_FORMAT: FormatDefinition = {
  id: 'ias',
  description: 'NPS accounting log, IAS (legacy) format: header fields then attribute-number,value pairs',
  sniff: sniffIas,
  create: createIasParser,
};
