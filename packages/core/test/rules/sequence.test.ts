import assert from 'node:assert/strict';
import { briefs, final, MIN, run, userEv } from './helpers.js';

const fatigue = {
  id: 'fat',
  type: 'sequence',
  group_by: ['user'],
  within: '15m',
  steps: [
    { name: 'rejection', filter: { outcome: 'failure' }, count: 3 },
    { name: 'accept', filter: { code: 'ACCESS_ACCEPTED' } },
  ],
} as const;

const reject = (m: number, user = 'bob') => userEv(m, user, { outcome: 'failure', code: 'ACCESS_REJECT_PRIMARY' });
const accept = (m: number, user = 'bob') =>
  userEv(m, user, { outcome: 'success', code: 'ACCESS_ACCEPTED', category: 'info' });
const challenge = (m: number, user = 'bob') =>
  userEv(m, user, { outcome: 'unknown', code: 'CHALLENGE_REQUESTED', category: 'info' });

describe('sequence rule', () => {
  it('detects N rejections then an accept for the same user, at the accept', () => {
    const r = run(fatigue, [reject(0), reject(1), reject(2), accept(5), final(20)]);
    assert.deepEqual(briefs(r.out), ['fat +bob@5=4']);
    const d = r.out[0]!;
    assert.equal(d.windowStart, d.windowEnd);
    assert.equal(d.threshold, 4);
    assert.deepEqual(d.codes, ['ACCESS_REJECT_PRIMARY', 'ACCESS_ACCEPTED']);
    assert.match(d.summary, /3 × rejection then 1 × accept within 15m for npswatch\.user\.key=bob/);
  });

  it('needs every step in order and enough of each', () => {
    assert.deepEqual(briefs(run(fatigue, [reject(0), reject(1), accept(2), final(20)]).out), []);
    assert.deepEqual(briefs(run(fatigue, [accept(0), reject(1), reject(2), reject(3), final(20)]).out), []);
  });

  it('bounds the whole sequence by within (inclusive)', () => {
    assert.deepEqual(briefs(run(fatigue, [reject(0), reject(1), reject(2), accept(15), final(20)]).out), [
      'fat +bob@15=4',
    ]);
    assert.deepEqual(briefs(run(fatigue, [reject(0), reject(1), reject(2), accept(15.5), final(20)]).out), []);
  });

  it('does not mix users', () => {
    assert.deepEqual(
      briefs(run(fatigue, [reject(0, 'a'), reject(1, 'b'), reject(2, 'a'), accept(3, 'a'), final(20)]).out),
      [],
    );
  });

  it('consumes the matched events: one detection per completed sequence', () => {
    const r = run(fatigue, [
      reject(0),
      reject(1),
      reject(2),
      accept(3),
      accept(4),
      reject(5),
      reject(6),
      reject(7),
      accept(8),
      final(20),
    ]);
    assert.deepEqual(briefs(r.out), ['fat +bob@3=4', 'fat +bob@8=4']);
  });

  it('with until, an accept that does not complete the sequence starts it over', () => {
    const inputs = [reject(0), accept(1), reject(2), accept(3), reject(4), accept(5), final(20)];
    assert.deepEqual(briefs(run(fatigue, inputs).out), ['fat +bob@5=4']);
    assert.deepEqual(briefs(run({ ...fatigue, until: { code: 'ACCESS_ACCEPTED' } }, inputs).out), []);
  });

  it('ignores events that match no step', () => {
    const r = run(fatigue, [reject(0), challenge(0.5), reject(1), challenge(1.5), reject(2), accept(3), final(20)]);
    assert.deepEqual(briefs(r.out), ['fat +bob@3=4']);
  });

  it('orders by event time within the allowed lateness (accept arriving before the last rejection)', () => {
    const inputs = [reject(0), reject(1), accept(3), reject(2), final(20)];
    assert.deepEqual(briefs(run(fatigue, inputs, { allowedLateness: 2 * MIN }).out), ['fat +bob@3=4']);
    // Without lateness the rejection at 2 is late: reported, and the sequence is incomplete.
    const strict = run(fatigue, inputs);
    assert.deepEqual(briefs(strict.out), []);
    assert.equal(strict.late.length, 1);
  });

  it('forgets keys whose events are older than within', () => {
    const r = run(fatigue, [reject(0), reject(1), userEv(60, 'other', { outcome: 'failure' }), final(200)]);
    assert.equal(r.engine.sizes(r.state).fat, 0);
  });
});
