import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { parseText, readBatches } from '../../src/parse/input.js';
import { MESSAGE_FORMAT } from '../../src/parse/message.js';
import type { NpsRecord, ParseIssue } from '../../src/record/types.js';

const sample = (name: string) => readFileSync(new URL(`../../samples/reference/${name}`, import.meta.url));

async function readAll(chunks: Uint8Array[], options: Parameters<typeof readBatches>[1] = {}) {
  const records: NpsRecord[] = [];
  const issues: ParseIssue[] = [];
  let format: string | undefined;
  async function* source() {
    yield* chunks;
  }
  for await (const b of readBatches(source(), { name: 't', ...options })) {
    records.push(...b.records);
    issues.push(...b.issues);
    format = b.format ?? format;
  }
  return { records, issues, format };
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    if (p > from) out.push(bytes.subarray(from, p));
    from = Math.max(from, p);
  }
  if (from < bytes.length) out.push(bytes.subarray(from));
  return out;
}

const MSG =
  'NPS Extension for Azure MFA: CID: 32e83cbf-484d-49aa-9adb-71528f5eb94d : Challenge requested in Authentication Ext for User ******@domain.com with state 300c9d6c-7734-4165-83d3-212e73aee286';

describe('readBatches: bytes to records', () => {
  it('detects each bundled sample file as its format', async () => {
    const expected: Record<string, string> = {
      'winlogbeat.ndjson': 'winlogbeat',
      'splunk-wineventlog.txt': 'splunk-wineventlog',
      'splunk-wineventlog-6273.txt': 'splunk-wineventlog',
      'splunk-xmlwineventlog.xml': 'splunk-xmlwineventlog',
      'splunk-xmlwineventlog-6273.xml': 'splunk-xmlwineventlog',
      'event.xml': 'windows-xml',
      'ias.log': 'ias',
      'odbc.log': 'odbc',
      'dts.log': 'dts',
      'raw-messages.txt': 'message',
    };
    for (const [file, format] of Object.entries(expected)) {
      const { format: got, issues, records } = await readAll([sample(file)], { defaultTime: 0 });
      assert.equal(got, format, file);
      assert.deepEqual(issues, [], file);
      assert.ok(records.length > 0, file);
    }
  });

  it('reads gzip input, recognised by its bytes', async () => {
    const plain = await readAll([sample('winlogbeat.ndjson')]);
    const zipped = await readAll([gzipSync(sample('winlogbeat.ndjson'))]);
    assert.equal(zipped.records.length, 5);
    assert.deepEqual(zipped.records, plain.records);
  });

  it('reads UTF-16LE with BOM, as Windows PowerShell `>` writes', async () => {
    const text = `\uFEFF${MSG}\r\n\r\n${MSG.replace('******@domain.com', 'jürgen@contoso.com')}\r\n`;
    const { records, format } = await readAll([Buffer.from(text, 'utf16le')], { defaultTime: 0 });
    assert.equal(format, 'message');
    assert.equal(records.length, 2);
    assert.equal(records[0]!.message, MSG);
    assert.match(records[1]!.message!, /jürgen@contoso\.com/);
  });

  it('strips a UTF-8 BOM and CRLF line endings', async () => {
    const { records } = await readAll([Buffer.from(`\uFEFF${MSG}\r\n`, 'utf8')], { defaultTime: 0 });
    assert.equal(records[0]!.message, MSG);
  });

  it('gives the same records however the bytes are chunked (UTF-8 and UTF-16 split mid-character)', async () => {
    const utf8 = Buffer.concat([
      sample('winlogbeat.ndjson'),
      Buffer.from(
        `{"@timestamp":"2024-09-20T10:00:00Z","message":"${MSG} ü€😀","winlog":{"channel":"AuthZOptCh","event_id":"1"}}\n`,
      ),
    ]);
    const utf16 = Buffer.from(`\uFEFF${MSG} ü€😀\r\n\r\n${MSG}\r\n`, 'utf16le');
    const whole8 = await readAll([utf8]);
    const whole16 = await readAll([utf16], { defaultTime: 0 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 12 }), async (cuts) => {
        assert.deepEqual(await readAll(split(utf8, cuts)), whole8);
        assert.deepEqual(await readAll(split(utf16, cuts), { defaultTime: 0 }), whole16);
      }),
      { numRuns: 60 },
    );
  });

  it('rejects a line longer than the limit, naming its line, and reads on', async () => {
    const text = `${MSG}\n\nNPS Extension for Azure MFA: ${'x'.repeat(5000)}\n\n${MSG}\n`;
    const { records, issues } = await readAll(split(Buffer.from(text), [100, 2000, 4000]), {
      defaultTime: 0,
      maxLineBytes: 1000,
    });
    assert.equal(records.length, 2);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.line, 3);
    assert.match(issues[0]!.reason, /longer than 1000/);
    assert.equal(records[1]!.position.line, 5);
  });

  it('rejects every line of an input it cannot recognise, so nothing vanishes', async () => {
    const { records, issues, format } = await readAll([Buffer.from('hello\nworld\n\nagain\n')]);
    assert.equal(format, undefined);
    assert.equal(records.length, 0);
    assert.deepEqual(
      issues.map((i) => [i.line, i.raw]),
      [
        [1, 'hello'],
        [2, 'world'],
        [4, 'again'],
      ],
    );
    assert.match(issues[0]!.reason, /--format/);
  });

  it('honours a forced format and an empty input', async () => {
    const forced = await readAll([Buffer.from(`${MSG}\n`)], {
      format: 'message',
      formats: [MESSAGE_FORMAT],
      defaultTime: 5,
    });
    assert.equal(forced.records[0]!.time, 5);
    const empty = await readAll([]);
    assert.deepEqual([empty.records, empty.issues], [[], []]);
  });

  it('rejects an unknown time zone before reading', async () => {
    await assert.rejects(
      readAll([Buffer.from(MSG)], { timeZone: 'Mars/Olympus' }),
      /unknown time zone "Mars\/Olympus"/,
    );
  });

  it('parseText agrees with readBatches', async () => {
    const text = sample('splunk-wineventlog.txt').toString('utf8');
    const a = parseText(text, { name: 't' });
    const b = await readAll([Buffer.from(text)]);
    assert.deepEqual(a.records, b.records);
  });
});

describe('message format', () => {
  it('reads plain messages with a leading ISO time and multi-line eSTS errors', () => {
    const text = `2024-09-20T10:37:17Z ${MSG}\n2024-09-20T12:37:17+02:00 ${MSG}\n\n${readFileSync(new URL('../../samples/reference/raw-messages.txt', import.meta.url), 'utf8').split('\n\n')[0]}`;
    const { records, issues } = parseText(text, { defaultTime: 1 });
    assert.deepEqual(issues, []);
    assert.deepEqual(
      records.map((r) => [r.time, r.position.line]),
      [
        [Date.UTC(2024, 8, 20, 10, 37, 17), 1],
        [Date.UTC(2024, 8, 20, 10, 37, 17), 2],
        [1, 4],
      ],
    );
    assert.equal(records[2]!.message!.split('\n').length, 4);
  });

  it('rejects a message without time when no default is given', () => {
    const { issues } = parseText(MSG, { format: 'message' });
    assert.equal(issues[0]!.field, 'time');
  });
});
