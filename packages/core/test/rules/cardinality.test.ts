import assert from 'node:assert/strict';
import { briefs, ev, final, heartbeat, MIN, run, userRef } from './helpers.js';

const spray = (minute: number, user: string, clientIp = '10.0.0.1') =>
  ev(minute, { user: userRef(user), radius: { clientIp }, outcome: 'failure' });

const rule = {
  id: 'spray',
  type: 'cardinality',
  window: '10m',
  group_by: ['client_ip'],
  field: 'user',
  max: 2,
} as const;

describe('cardinality rule', () => {
  it('alerts once per window when distinct values exceed max, not once per new value', () => {
    const r = run(rule, [spray(0, 'a'), spray(1, 'b'), spray(2, 'c'), spray(3, 'd'), spray(4, 'a'), final(20)]);
    assert.deepEqual(briefs(r.out), ['spray +10.0.0.1@10=4', 'spray -10.0.0.1@20=0']);
    assert.equal(r.out[0]?.threshold, 2);
    assert.match(r.out[0]!.summary, /4 distinct values .* \(more than 2\)/);
  });

  it('does not count repeats of one value, and max is inclusive (max 2 allows 2)', () => {
    const r = run(rule, [spray(0, 'a'), spray(1, 'a'), spray(2, 'b'), spray(3, 'b'), final(20)]);
    assert.deepEqual(briefs(r.out), []);
  });

  it('keeps keys apart and ignores events without the counted field', () => {
    const r = run(rule, [
      spray(0, 'a'),
      spray(1, 'b', '10.0.0.2'),
      spray(2, 'c'),
      ev(3, { radius: { clientIp: '10.0.0.1' } }),
      final(10),
    ]);
    assert.deepEqual(briefs(r.out), []);
  });

  it('slides: distinct values across a tumbling edge count together', () => {
    const inputs = [spray(8, 'a'), spray(9, 'b'), spray(11, 'c'), final(30)];
    assert.deepEqual(briefs(run(rule, inputs).out), []);
    assert.deepEqual(briefs(run({ ...rule, step: '5m' }, inputs).out), [
      'spray +10.0.0.1@15=3',
      'spray -10.0.0.1@20=1',
    ]);
  });

  it('alerts below min only for whole windows with traffic', () => {
    const min = { ...rule, max: undefined, min: 2 };
    // First window [0, 10): the key is first seen at 4, so the window is not judged; [10, 20) has one user.
    const r = run(min, [
      heartbeat(0),
      spray(4, 'a'),
      spray(12, 'a'),
      spray(15, 'a'),
      spray(25, 'a'),
      spray(26, 'b'),
      final(40),
    ]);
    assert.deepEqual(briefs(r.out), ['spray +10.0.0.1@20=1', 'spray -10.0.0.1@30=2']);
    assert.match(r.out[0]!.summary, /fewer than 2/);
  });

  it('requires max or min', () => {
    assert.throws(() => run({ ...rule, max: undefined }, []), /expected max, min or both/);
  });

  it('applies late events within the allowed lateness', () => {
    const r = run(rule, [spray(0, 'a'), spray(9, 'b'), spray(11, 'c'), spray(8, 'd'), final(20)], {
      allowedLateness: 3 * MIN,
    });
    assert.deepEqual(briefs(r.out), ['spray +10.0.0.1@10=3', 'spray -10.0.0.1@20=1']);
  });
});
