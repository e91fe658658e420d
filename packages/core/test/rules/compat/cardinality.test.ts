import assert from 'node:assert/strict';
import { briefs, ev, final, run, userRef } from '../helpers.js';

/**
 * ElastAlert's cardinality rule (CardinalityRule): per key, each value with the time it was last seen; every event
 * is checked, values older than the timeframe are dropped before a match is confirmed, and a match restarts the
 * key's timeframe (which `min` waits for).
 */
const spray = {
  id: 'c',
  type: 'cardinality',
  window: '10m',
  group_by: ['host'],
  field: 'user',
  max: 2,
} as const;
const compat = { ...spray, compat: 'elastalert' } as const;
const login = (minute: number, user: string, host = 'h1') => ev(minute, { host, user: userRef(user) });

describe('cardinality with compat: elastalert', () => {
  it('matches on every event while over max; the default once per window', () => {
    const inputs = [login(0, 'u1'), login(1, 'u2'), login(2, 'u3'), login(3, 'u3'), login(4, 'u1'), final(30)];
    const c = run(compat, inputs).out;
    assert.deepEqual(briefs(c), ['c +h1@2=3', 'c +h1@3=3', 'c +h1@4=3']);
    assert.match(c[0]!.summary, /^3 distinct values of user for host\.name=h1 in the 10m up to .* \(more than 2\)$/);
    assert.equal(c[0]!.sample.length, 1);
    assert.deepEqual(briefs(run(spray, inputs).out), ['c +h1@10=3', 'c -h1@20=0']);
  });

  it('agrees with the default that values older than the timeframe no longer count', () => {
    const inputs = [login(0, 'u1'), login(1, 'u2'), login(12, 'u3'), final(30)];
    assert.deepEqual(run(compat, inputs).out, []);
    assert.deepEqual(run(spray, inputs).out, []);
  });

  it('min: matches once the key has existed for a timeframe, and then restarts its timeframe', () => {
    const few = { ...spray, max: undefined, min: 2 };
    const inputs = [...Array.from({ length: 16 }, (_, i) => login(i, 'u1')), final(40)];
    // At 11 (more than 10m after the first event at 0) one user is fewer than 2: a match, and the timeframe
    // restarts at the next event (12); the run at 23 is more than 10m after it, with u1 still seen at 15.
    assert.deepEqual(briefs(run({ ...few, compat: 'elastalert' }, inputs).out), ['c +h1@11=1', 'c +h1@23=1']);
    assert.deepEqual(briefs(run(few, inputs).out), ['c +h1@20=1', 'c -h1@30=0']);
  });
});
