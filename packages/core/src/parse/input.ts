import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { createGunzip } from 'node:zlib';
import type { FormatDefinition, FormatId, NpsRecord, ParseIssue, RecordParser } from '../record/types.js';
import { assertTimeZone } from '../time/parse.js';
import { FORMATS, formatById } from './formats.js';

export interface ReadOptions {
  /** Force a format instead of detecting it from the first lines. */
  readonly format?: FormatId | 'auto';
  /** IANA zone for timestamps without offset (default UTC). */
  readonly timeZone?: string;
  /** Name used in positions and errors (default: the path, or `-` for streams). */
  readonly name?: string;
  /** Time for records whose format has none (plain messages). */
  readonly defaultTime?: number;
  /** Formats to detect among, in priority order (default: all built-in formats). */
  readonly formats?: readonly FormatDefinition[];
  /** Generic JSON (`format: 'json'`): dotted path of the event time. */
  readonly timestampField?: string;
  /** Lines longer than this are rejected whole; keeps memory bounded on garbage input. Default 4 MiB. */
  readonly maxLineBytes?: number;
}

/** What one chunk of input produced. Batches keep the per-record cost off the async machinery. */
export interface ReadBatch {
  readonly records: NpsRecord[];
  readonly issues: ParseIssue[];
  /** The format in use (known once detected). */
  readonly format: FormatId | undefined;
}

export type InputSource = string | Readable | AsyncIterable<Uint8Array>;

const SNIFF_LINES = 20;
const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Raw bytes of a source; gzip is recognised by its magic bytes, not by the file name. */
async function* bytesOf(source: InputSource): AsyncGenerator<Uint8Array> {
  const stream = typeof source === 'string' ? createReadStream(source, { highWaterMark: 1 << 16 }) : source;
  const it = stream[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value as Uint8Array;
  const rest: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => it };
  if (head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1) {
    const gunzip = createGunzip();
    const feed = (async () => {
      try {
        if (!gunzip.write(head)) await onceDrain(gunzip);
        for await (const chunk of rest) if (!gunzip.write(chunk)) await onceDrain(gunzip);
        gunzip.end();
      } catch (err) {
        gunzip.destroy(err as Error);
      }
    })();
    yield* gunzip as AsyncIterable<Uint8Array>;
    await feed;
    return;
  }
  yield head;
  yield* rest;
}

function onceDrain(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => stream.once('drain', resolve));
}

/** Text of a byte stream: UTF-8 (BOM stripped) or UTF-16LE/BE by BOM, as PowerShell's `>` writes. */
async function* textOf(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  // The BOM may arrive split across chunks: hold bytes back until there are enough to tell.
  let head: Uint8Array = new Uint8Array(0);
  const choose = (b: Uint8Array) => {
    const encoding =
      b[0] === 0xff && b[1] === 0xfe ? 'utf-16le' : b[0] === 0xfe && b[1] === 0xff ? 'utf-16be' : 'utf-8';
    // TextDecoder strips the BOM itself (ignoreBOM: false).
    return new TextDecoder(encoding);
  };
  for await (const chunk of bytes) {
    let data = chunk;
    if (!decoder) {
      head = concat(head, chunk);
      if (head.length < 3) continue;
      decoder = choose(head);
      data = head;
    }
    const text = decoder.decode(data, { stream: true });
    if (text) yield text;
  }
  // Input shorter than a BOM: decode what there is in one go.
  const tail = decoder ? decoder.decode() : head.length > 0 ? choose(head).decode(head) : '';
  if (tail) yield tail;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Detects the format from the first non-empty lines, or undefined when none fits. */
export function detectFormat(
  head: readonly string[],
  formats: readonly FormatDefinition[] = FORMATS,
): FormatDefinition | undefined {
  const lines = head.filter((l) => l.trim() !== '');
  if (lines.length === 0) return undefined;
  return formats.find((f) => f.sniff(lines));
}

/**
 * Reads records from a file path, stream or async iterable of bytes: gzip and UTF-16 are decoded, the format is
 * detected (or forced), and each chunk of input yields one batch of records and rejected-record issues. Memory is
 * bounded by the chunk size and the largest record, never by the input size.
 */
export async function* readBatches(source: InputSource, options: ReadOptions = {}): AsyncGenerator<ReadBatch> {
  const name = options.name ?? (typeof source === 'string' ? source : '-');
  const timeZone = assertTimeZone(options.timeZone ?? 'UTC');
  const maxLine = options.maxLineBytes ?? 4 << 20;
  let records: NpsRecord[] = [];
  let issues: ParseIssue[] = [];
  const sink = { record: (r: NpsRecord) => records.push(r), reject: (i: ParseIssue) => issues.push(i) };
  const ctx = { file: name, timeZone, defaultTime: options.defaultTime, timestampField: options.timestampField };
  const forced = options.format && options.format !== 'auto' ? formatById(options.format) : undefined;
  let format: FormatDefinition | undefined = forced;
  let parser: RecordParser | undefined = forced?.create(ctx, sink);
  const pending: string[] = [];
  let lineNo = 0;
  let carry = '';
  let skippingLongLine = false;

  const start = (final: boolean) => {
    const nonEmpty = pending.filter((l) => l.trim() !== '');
    if (!final && nonEmpty.length < SNIFF_LINES) return;
    format = detectFormat(nonEmpty.slice(0, SNIFF_LINES), options.formats ?? FORMATS);
    parser = format ? format.create(ctx, sink) : rejectingParser(name, sink);
    const first = lineNo - pending.length + 1;
    for (let i = 0; i < pending.length; i++) parser.push(pending[i]!, first + i);
    pending.length = 0;
  };
  const onLine = (text: string) => {
    lineNo++;
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (parser) parser.push(line, lineNo);
    else {
      pending.push(line);
      start(false);
    }
  };
  const take = () => {
    const out: ReadBatch = { records, issues, format: format?.id };
    records = [];
    issues = [];
    return out;
  };

  for await (const text of textOf(bytesOf(source))) {
    let from = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      if (skippingLongLine) {
        skippingLongLine = false;
        lineNo++;
      } else onLine(carry === '' ? text.slice(from, nl) : carry + text.slice(from, nl));
      carry = '';
      from = nl + 1;
      nl = text.indexOf('\n', from);
    }
    if (!skippingLongLine) carry += text.slice(from);
    if (carry.length > maxLine) {
      issues.push({
        file: name,
        line: lineNo + 1,
        reason: `line longer than ${maxLine} characters`,
        raw: carry.slice(0, 65536),
        format: format?.id,
      });
      carry = '';
      skippingLongLine = true;
    }
    if (records.length > 0 || issues.length > 0) yield take();
  }
  if (carry !== '' && !skippingLongLine) onLine(carry);
  if (!parser) start(true);
  parser?.end();
  if (records.length > 0 || issues.length > 0 || format === undefined) yield take();
}

/** Used when no format fits: every non-empty line is rejected, so nothing vanishes unseen. */
function rejectingParser(file: string, sink: { reject: (i: ParseIssue) => void }): RecordParser {
  return {
    push(text, line) {
      if (text.trim() !== '') {
        sink.reject({
          file,
          line,
          reason: 'unrecognised input format (use --format to name it)',
          raw: text.slice(0, 65536),
        });
      }
    },
    end() {},
  };
}

/** Convenience for small inputs and tests: parse a whole string. */
export function parseText(
  text: string,
  options: ReadOptions = {},
): { records: NpsRecord[]; issues: ParseIssue[]; format: FormatId | undefined } {
  const name = options.name ?? '-';
  const timeZone = assertTimeZone(options.timeZone ?? 'UTC');
  const records: NpsRecord[] = [];
  const issues: ParseIssue[] = [];
  const sink = { record: (r: NpsRecord) => records.push(r), reject: (i: ParseIssue) => issues.push(i) };
  const lines = text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const forced = options.format && options.format !== 'auto' ? formatById(options.format) : undefined;
  const format =
    forced ??
    detectFormat(
      lines
        .slice(0, 200)
        .filter((l) => l.trim() !== '')
        .slice(0, SNIFF_LINES),
      options.formats ?? FORMATS,
    );
  const parser = format
    ? format.create(
        { file: name, timeZone, defaultTime: options.defaultTime, timestampField: options.timestampField },
        sink,
      )
    : rejectingParser(name, sink);
  for (let i = 0; i < lines.length; i++) parser.push(lines[i]!, i + 1);
  parser.end();
  return { records, issues, format: format?.id };
}
