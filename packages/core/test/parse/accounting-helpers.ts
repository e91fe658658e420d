/** Shared helpers for the accounting-format parser tests (ias, odbc, dts). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { packetTypeName } from '../../src/parse/accounting-attributes.js';
import type { FormatId, NpsRecord, ParseContext, ParseSink, RecordParser } from '../../src/record/types.js';
import type { Collected } from './windows-helpers.js';

/** The file name every accounting test parses under (NPS names its logs IN<yymm>.log). */
export const LOG_FILE = 'IN2409.log';

/** A reference sample log (packages/core/samples/reference/<id>.log), as read from disk (CRLF line endings). */
export function sampleLog(id: 'ias' | 'odbc' | 'dts'): string {
  return readFileSync(new URL(`../../samples/reference/${id}.log`, import.meta.url), 'utf8');
}

/** The non-empty lines of a sample log. */
export const sampleLinesOf = (text: string): string[] => text.split(/\r?\n/).filter((l) => l !== '');

/** `parse` feeds lines (numbered from `first`) to a fresh parser; `one` is the single record a clean line gives. */
export function accountingParser(create: (ctx: ParseContext, sink: ParseSink) => RecordParser): {
  parse(lines: readonly string[], timeZone?: string, first?: number): Collected;
  one(line: string, timeZone?: string): NpsRecord;
} {
  const parse = (lines: readonly string[], timeZone = 'UTC', first = 1): Collected => {
    const records: NpsRecord[] = [];
    const issues: Collected['issues'] = [];
    const parser = create(
      { file: LOG_FILE, timeZone },
      { record: (r) => records.push(r), reject: (i) => issues.push(i) },
    );
    for (const [i, l] of lines.entries()) parser.push(l, first + i);
    parser.end();
    return { records, issues };
  };
  const one = (line: string, timeZone = 'UTC'): NpsRecord => {
    const { records, issues } = parse([line], timeZone);
    assert.deepEqual(issues, []);
    assert.equal(records.length, 1);
    return records[0]!;
  };
  return { parse, one };
}

/** Whether a line is blank once a BOM and a trailing CR are gone (parsers skip those lines). */
export const isBlankLine = (text: string): boolean =>
  text
    .replace(/^\uFEFF/, '')
    .replace(/\r$/, '')
    .trim() === '';

/** Packet types for generated records: the named ones, and two NPS does not name. */
export const packetTypeArb: fc.Arbitrary<string | undefined> = fc.option(
  fc.constantFrom('1', '2', '3', '4', '5', '11', '42'),
  { nil: undefined },
);

/**
 * The record the parsers give for `fields` plus `packetType` (with its Packet-Type-Name when it has one), at line 1
 * of LOG_FILE; the host is the Computer-Name field, when there is one.
 */
export function accountingRecord(
  format: FormatId,
  time: number,
  fields: Record<string, string>,
  packetType: string | undefined,
): NpsRecord {
  if (packetType !== undefined) {
    fields['Packet-Type'] = packetType;
    const name = packetTypeName(packetType);
    if (name !== undefined) fields['Packet-Type-Name'] = name;
  }
  const host = fields['Computer-Name'];
  const position = { file: LOG_FILE, line: 1 };
  return host === undefined ? { format, position, time, fields } : { format, position, time, host, fields };
}
