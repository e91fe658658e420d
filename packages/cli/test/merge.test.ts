import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClassifiedEvent, RecordKind } from '@npswatch/core';
import { makeEvent } from '@npswatch/core/testing';
import { mergeByTime, shouldCorrelate } from '../src/merge.js';
import { run } from './helpers.js';

const sample = (name: string) => fileURLToPath(new URL(`../../core/samples/reference/${name}`, import.meta.url));

/** An input that yields the given times in batches, counting how many batches were pulled. */
function lane(file: string, batches: readonly (readonly number[])[], kind: RecordKind = 'extension') {
  const counter = { pulled: 0 };
  let line = 0;
  async function* gen(): AsyncGenerator<ClassifiedEvent[]> {
    for (const b of batches) {
      counter.pulled++;
      yield b.map((time) => makeEvent({ time, kind, position: { file, line: ++line } }));
    }
  }
  return { source: gen(), counter };
}

async function all(batches: AsyncIterable<ClassifiedEvent[]>): Promise<string[]> {
  const out: string[] = [];
  for await (const b of batches) for (const e of b) out.push(`${e.position.file}@${e.time}`);
  return out;
}

describe('merge: k-way merge by event time', () => {
  it('interleaves inputs by time and reorders each within its lookahead', async () => {
    const a = lane('a', [[1, 5], [3], [9]]);
    const b = lane('b', [[2, 4], [6]], 'security');
    const merged = await mergeByTime([a.source, b.source], 3);
    assert.deepEqual(
      merged.kinds.map((k) => [...k]),
      [['extension'], ['security']],
    );
    assert.deepEqual(await all(merged.batches), ['a@1', 'b@2', 'a@3', 'b@4', 'a@5', 'b@6', 'a@9']);
  });

  it('reads no further ahead than the lookahead', async () => {
    const long = Array.from({ length: 100 }, (_, i) => [i]);
    const a = lane('a', long);
    const b = lane('b', long);
    const merged = await mergeByTime([a.source, b.source], 4);
    // Opening reads the first four events of each input, not the whole input.
    assert.deepEqual([a.counter.pulled, b.counter.pulled], [4, 4]);
    const out = await all(merged.batches);
    assert.equal(out.length, 200);
    assert.deepEqual(out.slice(0, 4), ['a@0', 'b@0', 'a@1', 'b@1']);
  });

  it('correlates automatically only for extension logs next to NPS logs', () => {
    const k = (...kinds: RecordKind[]) => new Set(kinds);
    assert.equal(shouldCorrelate(undefined, [k('extension'), k('security')]), true);
    assert.equal(shouldCorrelate(undefined, [k('extension'), k('accounting'), k('other')]), true);
    assert.equal(shouldCorrelate(undefined, [k('extension', 'security')]), false);
    assert.equal(shouldCorrelate(undefined, [k('extension', 'security'), k('extension', 'security')]), false);
    assert.equal(shouldCorrelate(undefined, [k('extension', 'security'), k('accounting')]), true);
    assert.equal(shouldCorrelate(undefined, [k('extension'), k('extension', 'security')]), false);
    assert.equal(shouldCorrelate(undefined, [k('security'), k('accounting')]), false);
    assert.equal(shouldCorrelate(false, [k('extension'), k('security')]), false);
    assert.equal(shouldCorrelate(true, [k('security')]), true);
  });
});

describe('npswatch replay with several inputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'npswatch-merge-'));
  const events = readFileSync(sample('event.xml'), 'utf8').split(/(?=<Event )/);
  const ext = join(dir, 'AuthZOptCh.xml');
  const sec = join(dir, 'Security.xml');
  const ias = join(dir, 'IN2409.log');
  writeFileSync(ext, events[0]!);
  writeFileSync(sec, events[1]!);
  writeFileSync(ias, readFileSync(sample('ias.log'), 'utf8').split('\n').slice(3, 5).join('\n'));
  const unmatched = (stdout: string) =>
    stdout
      .split('\n')
      .filter((l) => l.includes('"extension-reject-unmatched"') && l.includes('"firing"'))
      .map((l) => JSON.parse(l).npswatch.alert.key as string);

  it('merges the extension, Security and IAS logs and joins the request (correlation on by default)', async () => {
    const { code, stdout, stderr } = await run(['replay', ias, sec, ext]);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /correlated 1 extension events, 1 with Security or accounting records/);
    assert.match(stderr, /4 events, \d+ alerts, 0 late events, 0 records rejected/);
    assert.deepEqual(unmatched(stdout), []);
  });

  it('reports a reason-21 rejection without its extension event when asked to correlate NPS logs alone', async () => {
    const off = await run(['replay', sec, ias]);
    assert.doesNotMatch(off.stderr, /correlated/);
    assert.deepEqual(unmatched(off.stdout), []);
    const on = await run(['replay', '--correlate', sec, ias]);
    assert.equal(on.code, 0, on.stderr);
    assert.deepEqual(unmatched(on.stdout), ['NPS01.contoso.com|security']);
  });

  it('reports an extension rejection NPS never logged, and honours --tolerance and --no-correlate', async () => {
    // The IAS lines alone, 0.7 s before the extension event: matched within 5 s, not within 100 ms.
    const near = await run(['replay', ext, ias]);
    assert.deepEqual(unmatched(near.stdout), []);
    const tight = await run(['replay', '--tolerance', '100ms', ext, ias]);
    assert.deepEqual(unmatched(tight.stdout).sort(), ['NPS01.contoso.com|extension', 'NPS01|accounting']);
    const none = await run(['replay', '--no-correlate', ext, ias]);
    assert.deepEqual(unmatched(none.stdout), []);
    const bad = await run(['replay', '--tolerance', 'soon', ext, ias]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--tolerance/);
  });

  it('no longer reports the later file of two as late: inputs are merged, not read one after the other', async () => {
    const day = fileURLToPath(new URL('../../core/samples/synthetic/nps-day.winlogbeat.ndjson', import.meta.url));
    const lines = readFileSync(day, 'utf8').trim().split('\n');
    const noon = Date.UTC(2024, 8, 20, 12);
    const morning = join(dir, 'morning.ndjson');
    const afternoon = join(dir, 'afternoon.ndjson');
    writeFileSync(morning, `${lines.filter((l) => Date.parse(JSON.parse(l)['@timestamp']) < noon).join('\n')}\n`);
    writeFileSync(afternoon, `${lines.filter((l) => Date.parse(JSON.parse(l)['@timestamp']) >= noon).join('\n')}\n`);
    const whole = await run(['replay', day]);
    const split = await run(['replay', afternoon, morning]);
    assert.match(split.stderr, /747 events, \d+ alerts, 0 late events/);
    const summary = (out: string) =>
      out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .map((a) => `${a.rule.id} ${a.npswatch.alert.key} ${a.npswatch.alert.status}`);
    assert.deepEqual(summary(split.stdout), summary(whole.stdout));
  });
});
