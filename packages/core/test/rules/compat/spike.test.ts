import assert from 'node:assert/strict';
import type { ClassifiedEvent } from '../../../src/classify/types.js';
import { makeEvent } from '../../../src/testing/events.js';
import { briefs, ev, final, MIN, run, SEC, T0 } from '../helpers.js';

/**
 * ElastAlert's spike rule (SpikeRule): a current window of the last `timeframe` from the newest entry, whose dropped
 * entries feed a reference window; checked after every event and every run's count-0 placeholder, once 2 ×
 * timeframe has passed since the key's first entry; the reference is emptied after a match.
 */
const base = { id: 's', type: 'spike', window: '10m', ratio: 3 } as const;
/** ElastAlert's floors (threshold_cur, threshold_ref) default to 0. */
const compat = { ...base, compat: 'elastalert', min_current: 0, min_reference: 0 } as const;

let line = 1_000;
/** An event at `ms` after T0 on `host`. */
const evMs = (ms: number, host?: string): ClassifiedEvent =>
  makeEvent({ time: T0 + ms, position: { file: 'spike', line: ++line }, ...(host === undefined ? {} : { host }) });

describe('spike with compat: elastalert', () => {
  it('alerts on 0 vs 0 once traffic stops (YelpArchive/elastalert#455); the default never does', () => {
    const inputs = [...Array.from({ length: 6 }, (_, i) => ev(i)), final(50)];
    const c = run(compat, inputs).out;
    // At 25 the reference window (5, 15] lost the last event: current 0 ≥ 3 × 0. The match re-baselines, and
    // without query_key the key warms up again for 2 × 10m: the next 0 vs 0 is at 46.
    assert.deepEqual(briefs(c), ['s +@25=0', 's +@46=0']);
    assert.equal(c[0]!.reference, 0);
    assert.deepEqual(briefs(run({ ...base, min_current: 0, min_reference: 0 }, inputs).out), []);
  });

  it('sees a false "down" spike at the first event of a burst; the default compares whole windows', () => {
    const down = { direction: 'down' } as const;
    const burst = (fromMs: number) => Array.from({ length: 10 }, (_, i) => evMs(fromMs + i * SEC));
    const second = 22 * MIN + 9_500;
    const inputs = [evMs(0), ...burst(12 * MIN), ...burst(second), final(35)];
    const c = run({ ...compat, ...down }, inputs).out;
    // At the burst's first event the current window holds 1 event and the reference the 10 of the last burst.
    assert.deepEqual(
      c.map((d) => [d.time - T0, d.value, d.reference]),
      [[second, 1, 10]],
    );
    assert.match(c[0]!.summary, /^drop: 1 events .* vs 10 in the 10m before \(at most 3\.33;/);
    // Tumbling windows [10, 20) and [20, 30) both hold 10 events.
    assert.deepEqual(briefs(run({ ...base, ...down, min_reference: 0 }, inputs).out), []);
  });

  it('with alert_on_new_data, a new key alerts on its first event once any key is warm (0 vs 1)', () => {
    const steady = Array.from({ length: 41 }, (_, i) => ev(i, { host: 'h1' }));
    const inputs = [...steady.slice(0, 31), ev(30, { host: 'h2' }), ...steady.slice(31), final(45)];
    const perHost = { group_by: ['host'], alert_on_new_keys: true } as const;
    // h1 passed its warm-up at 20, which lets every new key be checked: h2's 1 event vs its empty reference.
    const c = run({ ...compat, ...perHost }, inputs).out;
    assert.deepEqual(briefs(c), ['s +h2@30=1']);
    assert.equal(c[0]!.reference, 0);
    // Without alert_on_new_data the new key waits for its own warm-up.
    assert.deepEqual(briefs(run({ ...compat, group_by: ['host'] }, inputs).out), []);
    // The default needs ratio × max(reference, 1) events: 1 event is no spike (and min_current applies).
    assert.deepEqual(briefs(run({ ...base, ...perHost, min_current: 0 }, inputs).out), []);
  });

  it('agrees with the default on a clear spike after a steady baseline: one alert for the key', () => {
    const steady = Array.from({ length: 30 }, (_, i) => ev(i, { host: 'h1' }));
    const spike = Array.from({ length: 60 }, (_, i) => evMs(30 * MIN + i * 5 * SEC, 'h1'));
    const inputs = [...steady, ...spike, final(40)];
    const c = run({ ...compat, group_by: ['host'] }, inputs).out;
    const d = run({ ...base, group_by: ['host'] }, inputs).out.filter((x) => x.active);
    assert.equal(c.length, 1);
    assert.equal(d.length, 1);
    assert.equal(c[0]!.key, d[0]!.key);
    // Compat matches at the event that reaches 3 × the reference (30 per 10m here: the 30th event of the burst);
    // the default at the end of the window holding the burst.
    assert.deepEqual([c[0]!.value, c[0]!.reference], [30, 10]);
    assert.deepEqual([d[0]!.value, d[0]!.reference, d[0]!.time - T0], [60, 10, 40 * MIN]);
  });

  it('keeps a forgotten key warm: back after a long silence, it is checked against an empty reference at once', () => {
    const perHost = { group_by: ['host'], min_current: 1 } as const;
    const inputs = [ev(0, { host: 'h2' }), ev(60, { host: 'h2' }), final(61)];
    // The run at 21 finds both of h2's windows empty and forgets them, but not its first entry at 0: at 60 it is
    // past its warm-up, and its 1 event is at least 3 × its empty reference.
    assert.deepEqual(briefs(run({ ...compat, ...perHost }, inputs).out), ['s +h2@60=1']);
    // The default starts the key over after a silence longer than everything it reads.
    assert.deepEqual(briefs(run({ ...base, ...perHost }, inputs).out), []);
  });

  it('counts events without the query_key field under "_missing"', () => {
    const inputs = [ev(0, { host: 'h1' }), ...Array.from({ length: 5 }, (_, i) => ev(30 + i)), final(40)];
    const c = run({ ...compat, group_by: ['host'], alert_on_new_keys: true }, inputs).out;
    assert.ok(c.some((d) => d.key === '_missing'));
  });
});
