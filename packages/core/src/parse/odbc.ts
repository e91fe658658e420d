import type { FormatDefinition, ParseContext, ParseSink, RecordParser } from '../record/types.js';
import {
  addField,
  createLineParser,
  firstHeadLine,
  type LineResult,
  localTimeReader,
  ODBC_COLUMNS,
  rejection,
} from './accounting-attributes.js';

/**
 * NPS "database-compatible" (ODBC) accounting lines: CSV in a fixed column order, text quoted with `""` escapes,
 * numbers and the record date/time unquoted, absent attributes as empty unquoted columns.
 */

const ODBC_LINE = /^"[^"]*","[^"]*",\d\d\/\d\d\/\d{4},\d\d:\d\d:\d\d,/;
const DATE = /^\d\d\/\d\d\/\d{4}$/;
const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;
const DATE_COLUMN = ODBC_COLUMNS.indexOf('Record-Date');
const TIME_COLUMN = ODBC_COLUMNS.indexOf('Record-Time');

/** True when the first non-empty line looks like a database-compatible (ODBC) line. */
export function sniffOdbc(head: readonly string[]): boolean {
  const line = firstHeadLine(head);
  return line !== undefined && ODBC_LINE.test(line);
}

/** Canonical name of a 0-based column: the table's name, then `col-<n>` (1-based) past its end. */
export function odbcColumnName(index: number): string {
  return ODBC_COLUMNS[index] ?? `col-${index + 1}`;
}

/** Columns of one line: a string per column, undefined for an empty unquoted column (attribute absent). */
type Columns = (string | undefined)[];

interface SplitError {
  readonly column: number;
  readonly reason: string;
}

/** Splits one CSV line. Quoted columns keep their exact text; unquoted ones are trimmed. */
function splitColumns(text: string, out: Columns): SplitError | undefined {
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === 34 /* " */) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q === -1) return { column: out.length, reason: 'unterminated quoted value' };
        value += text.slice(from, q);
        if (text.charCodeAt(q + 1) === 34) {
          value += '"';
          from = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      out.push(value);
      if (i === n) return undefined;
      if (text.charCodeAt(i) !== 44 /* , */) return { column: out.length - 1, reason: 'text after closing quote' };
      i++;
    } else {
      const comma = text.indexOf(',', i);
      const end = comma === -1 ? n : comma;
      const value = text.slice(i, end).trim();
      if (value.includes('"')) return { column: out.length, reason: 'quote inside an unquoted value' };
      out.push(value === '' ? undefined : value);
      if (comma === -1) return undefined;
      i = comma + 1;
    }
  }
}

/** Reads one ODBC line; `readTime` converts `MM/dd/yyyy HH:mm:ss` local time to epoch ms. */
function readOdbcLine(text: string, readTime: (local: string) => number | undefined): LineResult {
  const columns: Columns = [];
  const error = splitColumns(text, columns);
  if (error !== undefined) return rejection(odbcColumnName(error.column), error.reason);

  const date = columns[DATE_COLUMN];
  const clock = columns[TIME_COLUMN];
  if (date === undefined || !DATE.test(date))
    return rejection('Record-Date', `not an MM/dd/yyyy date: "${date ?? ''}"`);
  if (clock === undefined || !TIME.test(clock))
    return rejection('Record-Time', `not an HH:mm:ss time: "${clock ?? ''}"`);
  const time = readTime(`${date} ${clock}`);
  if (time === undefined) return rejection('Record-Date', `invalid date/time "${date} ${clock}"`);

  const fields: Record<string, string> = {};
  for (let i = 0; i < columns.length; i++) {
    const value = columns[i];
    if (value === undefined || i === DATE_COLUMN || i === TIME_COLUMN) continue;
    addField(fields, odbcColumnName(i), value);
  }
  return { time, fields };
}

/** A streaming parser for ODBC-format lines: one record (or rejection) per non-blank line. */
export function createOdbcParser(ctx: ParseContext, sink: ParseSink): RecordParser {
  const readTime = localTimeReader(ctx.timeZone);
  return createLineParser('odbc', ctx, sink, (text) => readOdbcLine(text, readTime));
}

export const ODBC_FORMAT: FormatDefinition = {
  id: 'odbc',
  description: 'NPS accounting log, database-compatible (ODBC) format: quoted CSV in a fixed column order',
  sniff: sniffOdbc,
  create: createOdbcParser,
};
