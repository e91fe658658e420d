import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { classify } from '../../src/classify/classify.js';
import { toEcs } from '../../src/classify/ecs.js';
import { parseText } from '../../src/parse/input.js';

const sample = (name: string) => readFileSync(new URL(`../../samples/reference/${name}`, import.meta.url), 'utf8');
// Everything a classified event says, except where it was read from.
const meaning = (e: ReturnType<typeof classify>) => ({ ...e, format: undefined, position: undefined });

describe('npswatch format (our own classify output)', () => {
  it('is detected and re-classifies every sample to the same meaning', () => {
    for (const name of [
      'winlogbeat.ndjson',
      'raw-messages.txt',
      'event.xml',
      'splunk-wineventlog-6273.txt',
      'ias.log',
      'dts.log',
      'odbc.log',
    ]) {
      const first = parseText(sample(name), { defaultTime: 0 }).records.map(classify);
      const ndjson = first.map((e) => JSON.stringify(toEcs(e))).join('\n');
      const again = parseText(ndjson, { name: 'x' });
      assert.equal(again.format, 'npswatch', name);
      assert.deepEqual(again.issues, [], name);
      assert.deepEqual(again.records.map(classify).map(meaning), first.map(meaning), name);
    }
  });

  it('rejects a document without npswatch fields or with a bad time, naming the field', () => {
    const { issues } = parseText('{"npswatch":{}}\n{"@timestamp":"x","npswatch":{}}\n{"a":1}', { format: 'npswatch' });
    assert.deepEqual(
      issues.map((i) => [i.line, i.field]),
      [
        [1, '@timestamp'],
        [2, '@timestamp'],
        [3, 'npswatch'],
      ],
    );
  });
});

describe('generic JSON (--format json / --timestamp-field)', () => {
  it('reads the time at a dotted path, as ISO text, epoch ms or epoch seconds', () => {
    const t = Date.UTC(2024, 8, 20, 10, 0, 0);
    const text = [
      { log: { time: '2024-09-20T10:00:00Z' }, message: 'a' },
      { log: { time: t }, message: 'b' },
      { log: { time: t / 1000 }, message: 'c' },
      { 'log.time': '2024-09-20T12:00:00+02:00', message: 'd' },
    ]
      .map((d) => JSON.stringify(d))
      .join('\n');
    const { records, issues } = parseText(text, { format: 'json', timestampField: 'log.time' });
    assert.deepEqual(issues, []);
    assert.deepEqual(
      records.map((r) => r.time),
      [t, t, t, t],
    );
  });

  it('is never auto-detected, and rejects records without the time field', () => {
    const line = JSON.stringify({ ts: 1, message: 'x' });
    assert.notEqual(parseText(line).format, 'json');
    const { issues } = parseText(line, { format: 'json' });
    assert.equal(issues[0]!.field, '@timestamp');
  });

  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        parseText(JSON.stringify(v), { format: 'json', timestampField: 'a.b' });
      }),
    );
  });
});
