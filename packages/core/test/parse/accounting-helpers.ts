/** Shared helpers for the accounting-format parser tests (ias, odbc, dts). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { packetTypeName } from '../../src/parse/accounting-attributes.js';
import type {
  FormatDefinition,
  FormatId,
  NpsRecord,
  ParseContext,
  ParseSink,
  RecordParser,
} from '../../src/record/types.js';
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
export interface AccountingParser {
  parse(lines: readonly string[], timeZone?: string, first?: number): Collected;
  one(line: string, timeZone?: string): NpsRecord;
}

export function accountingParser(create: (ctx: ParseContext, sink: ParseSink) => RecordParser): AccountingParser {
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

type AccountingId = 'ias' | 'odbc' | 'dts';

/** One accounting format under test: its parser and its reference sample. */
interface AccountingFormat extends AccountingParser {
  readonly format: AccountingId;
  readonly sampleText: string;
  readonly sampleLines: readonly string[];
}

/** One accounting format under test, with the tests every accounting format shares as `it…` methods. */
export function accountingSuite(format: AccountingId, create: (ctx: ParseContext, sink: ParseSink) => RecordParser) {
  const sampleText = sampleLog(format);
  const f: AccountingFormat = {
    format,
    sampleText,
    sampleLines: sampleLinesOf(sampleText),
    ...accountingParser(create),
  };
  const bind =
    <A extends unknown[]>(declare: (f: AccountingFormat, ...args: A) => void) =>
    (...args: A): void =>
      declare(f, ...args);
  return {
    ...f,
    itSniffsItsOwnSample: bind(itSniffsItsOwnSample),
    itReadsTheSample: bind(itReadsTheSample),
    itReadsGoldenLines: bind(itReadsGoldenLines),
    itReadsLocalTime: bind(itReadsLocalTime),
    itHandlesCrlf: bind(itHandlesCrlf),
    itRejectsMalformed: bind(itRejectsMalformed),
    itNeverThrows: bind(itNeverThrows),
    itRoundTrips: <G>(...args: RoundTripArgs<G>): void => itRoundTrips(f, ...args),
  };
}

/** Declares the sniff tests every accounting format shares: its own sample yes, the other two formats' samples no. */
function itSniffsItsOwnSample(
  suite: AccountingFormat,
  sniff: (lines: readonly string[]) => boolean,
  definition: FormatDefinition,
): void {
  const others = (['ias', 'odbc', 'dts'] as const).filter((id) => id !== suite.format);
  it('recognises the sample', () => assert.equal(sniff(suite.sampleLines), true));
  it(`is the format definition for id ${suite.format}`, () => assert.equal(definition.sniff(suite.sampleLines), true));
  it(`does not claim ${others.map((id) => id.toUpperCase()).join(' or ')} lines`, () => {
    for (const name of others) assert.equal(sniff(sampleLog(name).split(/\r?\n/)), false, name);
  });
}

/**
 * Declares the test that the whole CRLF sample parses cleanly into `count` records at lines 1..count, none with the
 * Windows-event properties; `check` adds what a format asserts on every record.
 */
function itReadsTheSample(
  suite: AccountingFormat,
  title: string,
  count: number,
  check: (r: NpsRecord) => void = () => {},
): void {
  it(title, () => {
    assert.ok(suite.sampleText.includes('\r\n'));
    const { records, issues } = suite.parse(suite.sampleLines);
    assert.deepEqual(issues, []);
    assert.deepEqual(
      records.map((r) => r.position),
      Array.from({ length: count }, (_, i) => ({ file: LOG_FILE, line: i + 1 })),
    );
    for (const r of records) {
      assert.equal(r.format, suite.format);
      assert.equal(r.channel, undefined);
      assert.equal(r.eventId, undefined);
      assert.equal(r.message, undefined);
      check(r);
    }
  });
}

/** What one sample line must give: its time and host, and its fields exactly (`fields`) or in part (`some`). */
export interface GoldenLine {
  readonly title: string;
  readonly index: number;
  readonly time: number;
  readonly host: string;
  readonly fields?: Readonly<Record<string, string>>;
  /** Fields checked one by one; `undefined` means the field is absent. */
  readonly some?: Readonly<Record<string, string | undefined>>;
  readonly check?: (r: NpsRecord) => void;
}

/** Declares one test per golden sample line. */
function itReadsGoldenLines(suite: AccountingFormat, lines: readonly GoldenLine[]): void {
  for (const g of lines) {
    it(g.title, () => {
      const r = suite.one(suite.sampleLines[g.index]!);
      assert.equal(r.time, g.time);
      assert.equal(r.host, g.host);
      if (g.fields !== undefined) assert.deepEqual(r.fields, g.fields);
      for (const [name, value] of Object.entries(g.some ?? {})) assert.equal(r.fields![name], value, name);
      g.check?.(r);
    });
  }
}

/** Declares the test that the sample's local times are read in ctx.timeZone. */
function itReadsLocalTime(suite: AccountingFormat, title: string, zone: string, times: readonly number[]): void {
  it(title, () => {
    const { records } = suite.parse(suite.sampleLines, zone);
    assert.deepEqual(
      records.map((r) => r.time),
      times,
    );
  });
}

/** Declares the CR tests: a stray CR on sample line `index` is dropped, and the file split only on LF parses. */
function itHandlesCrlf(
  suite: AccountingFormat,
  index: number,
  count: number,
  check: (records: readonly NpsRecord[]) => void = () => {},
): void {
  it('strips a CR left on the line', () => {
    assert.deepEqual(suite.one(`${suite.sampleLines[index]}\r`), suite.one(suite.sampleLines[index]!));
  });
  it('reads the raw CRLF file split only on LF', () => {
    const { records, issues } = suite.parse(suite.sampleText.split('\n'));
    assert.deepEqual(issues, []);
    assert.equal(records.length, count);
    check(records);
  });
}

/**
 * Declares one test per malformed line: put between two good lines numbered from `first`, it is the one rejection,
 * naming file, line and `what` (field, column or element), and the good lines around it still parse.
 */
function itRejectsMalformed(
  suite: AccountingFormat,
  good: string,
  cases: readonly (readonly [what: string, bad: string, field: string])[],
  options: { first: number; naming: string },
): void {
  const { first, naming } = options;
  for (const [what, bad, field] of cases) {
    it(`rejects ${what}, naming file, line and ${naming}`, () => {
      const { records, issues } = suite.parse([good, bad, good], 'UTC', first);
      assert.equal(records.length, 2, 'the good lines around it still parse');
      assert.deepEqual(
        records.map((r) => r.position.line),
        [first, first + 2],
      );
      assert.equal(issues.length, 1, JSON.stringify(issues));
      const issue = issues[0]!;
      assert.equal(issue.file, LOG_FILE);
      assert.equal(issue.line, first + 1);
      assert.equal(issue.field, field, issue.reason);
      assert.equal(issue.format, suite.format);
      assert.equal(issue.raw, bad);
      assert.ok(issue.reason.length > 0);
    });
  }
}

/** Declares the property that any line gives exactly one record or rejection (none when blank), never a throw. */
function itNeverThrows(
  suite: AccountingFormat,
  prefix: fc.Arbitrary<string>,
  options: { tail?: fc.Arbitrary<string>; numRuns?: number } = {},
): void {
  const tail = options.tail ?? fc.string({ unit: 'binary', maxLength: 200 });
  it('never throws, and gives exactly one record or rejection per non-blank line', () => {
    fc.assert(
      fc.property(prefix, tail, (p, s) => {
        const text = p + s;
        const { records, issues } = suite.parse([text]);
        assert.equal(records.length + issues.length, isBlankLine(text) ? 0 : 1);
      }),
      { numRuns: options.numRuns ?? 500 },
    );
  });
}

interface RoundTripOptions {
  /** Added to the first test's title. */
  readonly what?: string;
  /** What a format asserts on every rendered line. */
  readonly check?: (text: string) => void;
}
type RoundTripArgs<G> = [
  generated: fc.Arbitrary<G>,
  build: (g: G) => NpsRecord,
  render: (r: NpsRecord, timeZone?: string) => string,
  options?: RoundTripOptions,
];

/**
 * Declares the render/parse round-trip properties: exact in zones without DST, stable in Europe/Berlin. `check` adds
 * what a format asserts on every rendered line.
 */
function itRoundTrips<G>(
  suite: AccountingFormat,
  generated: fc.Arbitrary<G>,
  build: (g: G) => NpsRecord,
  render: (r: NpsRecord, timeZone?: string) => string,
  options: RoundTripOptions = {},
): void {
  it(`render → parse round-trips generated records${options.what ?? ''} (zones without DST)`, () => {
    fc.assert(
      fc.property(generated, fc.constantFrom('UTC', 'Asia/Kolkata', 'Asia/Tokyo'), (g, zone) => {
        const r = build(g);
        const text = render(r, zone);
        options.check?.(text);
        assert.deepEqual(suite.one(text, zone), r);
      }),
      { numRuns: 300 },
    );
  });
  it('render → parse → render is stable in a zone with DST (Europe/Berlin)', () => {
    fc.assert(
      fc.property(generated, (g) => {
        const text = render(build(g), 'Europe/Berlin');
        assert.equal(render(suite.one(text, 'Europe/Berlin'), 'Europe/Berlin'), text);
      }),
    );
  });
}
