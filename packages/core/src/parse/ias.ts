import type { FormatDefinition, ParseContext, ParseSink, RecordParser } from '../record/types.js';
import {
  addField,
  createLineParser,
  firstHeadLine,
  IAS_HEADER,
  iasAttributeName,
  type LineResult,
  localTimeReader,
  rejection,
} from './accounting-attributes.js';

/**
 * NPS "IAS (Legacy)" accounting lines: six header fields (NAS-IP-Address, User-Name, Record-Date, Record-Time,
 * Service-Name, Computer-Name), then attribute-number,value pairs. NPS hex-encodes string values containing a
 * delimiter, so a plain split on commas is exact.
 */

// The first field excludes `"` so database-compatible (ODBC) lines, which also fit this shape, don't match.
const IAS_LINE = /^[^,"]*,[^,]*,\d\d\/\d\d\/\d{4},\d\d:\d\d:\d\d,[^,]*,[^,]*(,|$)/;
const DATE = /^\d\d\/\d\d\/\d{4}$/;
const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;
const ATTRIBUTE_NUMBER = /^\d{1,15}$/;
/** Header positions kept as fields (2 and 3 are the time). */
const HEADER_FIELDS = [0, 1, 4, 5] as const;

/** True when the first non-empty line looks like an IAS-format line. */
export function sniffIas(head: readonly string[]): boolean {
  const line = firstHeadLine(head);
  return line !== undefined && IAS_LINE.test(line);
}

/** Reads one IAS line; `readTime` converts `MM/dd/yyyy HH:mm:ss` local time to epoch ms. */
function readIasLine(text: string, readTime: (local: string) => number | undefined): LineResult {
  const parts = text.split(',');
  if (parts.length < IAS_HEADER.length) {
    return rejection(IAS_HEADER[parts.length], `expected ${IAS_HEADER.length} header fields, found ${parts.length}`);
  }
  const date = parts[2]!.trim();
  const clock = parts[3]!.trim();
  if (!DATE.test(date)) return rejection('Record-Date', `not an MM/dd/yyyy date: "${date}"`);
  if (!TIME.test(clock)) return rejection('Record-Time', `not an HH:mm:ss time: "${clock}"`);
  const time = readTime(`${date} ${clock}`);
  if (time === undefined) return rejection('Record-Date', `invalid date/time "${date} ${clock}"`);

  const fields: Record<string, string> = {};
  for (const i of HEADER_FIELDS) {
    const value = parts[i]!.trim();
    if (value !== '') fields[IAS_HEADER[i]] = value;
  }
  const last = parts.length - 1;
  if ((parts.length - IAS_HEADER.length) % 2 === 1) {
    const dangling = parts[last]!.trim();
    const field = ATTRIBUTE_NUMBER.test(dangling) ? iasAttributeName(Number(dangling)) : `field ${parts.length}`;
    return rejection(field, `attribute "${dangling}" (field ${parts.length}) has no value`);
  }
  for (let i = IAS_HEADER.length; i < last; i += 2) {
    const number = parts[i]!.trim();
    if (!ATTRIBUTE_NUMBER.test(number)) {
      return rejection(`field ${i + 1}`, `expected an attribute number, found "${number}"`);
    }
    addField(fields, iasAttributeName(Number(number)), parts[i + 1]!.trim());
  }
  return { time, fields };
}

/** A streaming parser for IAS-format lines: one record (or rejection) per non-blank line. */
export function createIasParser(ctx: ParseContext, sink: ParseSink): RecordParser {
  const readTime = localTimeReader(ctx.timeZone);
  return createLineParser('ias', ctx, sink, (text) => readIasLine(text, readTime));
}

export const IAS_FORMAT: FormatDefinition = {
  id: 'ias',
  description: 'NPS accounting log, IAS (legacy) format: header fields then attribute-number,value pairs',
  sniff: sniffIas,
  create: createIasParser,
};
