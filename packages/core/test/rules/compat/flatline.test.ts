import assert from 'node:assert/strict';
import { at, briefs, ev, final, run } from '../helpers.js';

/**
 * ElastAlert's flatline rule (FlatlineRule): per key learned from events, checked at the end of each run (the key
 * of the run's last event, then every key with a count-0 placeholder at the run's end): fewer than `threshold`
 * events in the last `timeframe` is a match, again at every run while it lasts.
 */
const flatline = { id: 'f', type: 'flatline', window: '10m', group_by: ['host'], min_count: 1 } as const;
const compat = { ...flatline, compat: 'elastalert' } as const;

const minutes = (from: number, to: number, fields = {}) =>
  Array.from({ length: to - from + 1 }, (_, i) => ev(from + i, fields));

describe('flatline with compat: elastalert', () => {
  it('matches at every run while a key is silent; the default is active once per window', () => {
    const inputs = [...minutes(0, 10, { host: 'h1' }), ...minutes(30, 45, { host: 'h1' }), final(50)];
    const c = run(compat, inputs).out;
    // The last event before the silence is at 10: from the run at 20 the window (R − 10m, R] is empty.
    assert.deepEqual(
      briefs(c),
      Array.from({ length: 10 }, (_, i) => `f +h1@${20 + i}=0`),
    );
    assert.equal(c[0]!.windowStart, at(10));
    assert.match(c[0]!.summary, /^0 events for host\.name=h1 in the 10m up to .* \(fewer than 1\)$/);
    // Default: the aligned window [20, 30) is silent: one active detection, resolved by [30, 40).
    assert.deepEqual(briefs(run(flatline, inputs).out), ['f +h1@30=0', 'f -h1@40=10']);
  });

  it('with compat.forget_keys, matches once and forgets the key until it is seen again', () => {
    const inputs = [...minutes(0, 10, { host: 'h1' }), ...minutes(30, 45, { host: 'h1' }), final(50)];
    const forget = { ...flatline, compat: { mode: 'elastalert', forget_keys: true } };
    assert.deepEqual(briefs(run(forget, inputs).out), ['f +h1@20=0']);
  });

  it('without group_by and with forget_keys, starts over after each match: one per timeframe', () => {
    const rule = { ...flatline, group_by: [], compat: { mode: 'elastalert', forget_keys: true } };
    assert.deepEqual(briefs(run(rule, [...minutes(0, 10), final(45)]).out), ['f +@20=0', 'f +@31=0', 'f +@42=0']);
  });

  it('checks the key of the last event of a run as well as at the run end (two matches there)', () => {
    // One event every 5 minutes is 2 per 10 minutes, under min_count 3. At the run ending 10, ElastAlert checks
    // h1 at the end of add_data (its newest entry is the event at 10), then again after the placeholder at 10.
    const rule = { ...compat, min_count: 3 };
    const out = run(rule, [ev(0, { host: 'h1' }), ev(5, { host: 'h1' }), ev(10, { host: 'h1' }), final(10.5)]).out;
    assert.deepEqual(briefs(out), ['f +h1@10=2', 'f +h1@10=2']);
  });

  it('only knows keys it has seen, and counts events without the field under "_missing"', () => {
    const inputs = [...minutes(0, 3, { host: 'h1' }), ...minutes(0, 3), final(14)];
    assert.deepEqual(briefs(run(compat, inputs).out), [
      'f +_missing@13=0',
      'f +h1@13=0',
      'f +_missing@14=0',
      'f +h1@14=0',
    ]);
  });

  it('agrees with the default that a key with steady traffic never flatlines', () => {
    const inputs = [...minutes(0, 60, { host: 'h1' }), final(60)];
    assert.deepEqual(run(compat, inputs).out, []);
    assert.deepEqual(run(flatline, inputs).out, []);
  });
});
