import assert from 'node:assert/strict';
import { briefs, ERROR_RATE_RULE, ev, final, run } from './helpers.js';

const fail = (m: number, host = 'n1') => ev(m, { host, outcome: 'failure', code: 'X' });
const ok = (m: number, host = 'n1') => ev(m, { host, outcome: 'success', code: 'ACCESS_ACCEPTED' });

describe('ratio rule', () => {
  it('alerts when the share of numerator events is above max, with the total as reference', () => {
    const r = run(ERROR_RATE_RULE, [fail(0), fail(1), ok(2), fail(3), final(20)]);
    assert.deepEqual(briefs(r.out), ['err +n1@10=0.750', 'err -n1@20=0']);
    assert.equal(r.out[0]?.reference, 4);
    assert.equal(r.out[0]?.threshold, 0.5);
    assert.deepEqual(r.out[0]?.codes, ['X']);
    assert.match(r.out[0]!.summary, /75 % of 4 events match .* \(above 50 %\)/);
  });

  it('needs min_total events in the window', () => {
    assert.deepEqual(briefs(run(ERROR_RATE_RULE, [fail(0), fail(1), fail(2), final(20)]).out), []);
  });

  it('treats max as inside the band (exactly 50 % is fine)', () => {
    assert.deepEqual(briefs(run(ERROR_RATE_RULE, [fail(0), fail(1), ok(2), ok(3), final(20)]).out), []);
  });

  it('alerts below min and samples the events outside the numerator', () => {
    const success = { ...ERROR_RATE_RULE, numerator: { outcome: 'success' }, max: undefined, min: 0.5 };
    const r = run(success, [fail(0), fail(1), fail(2), ok(3), final(10)]);
    assert.deepEqual(briefs(r.out), ['err +n1@10=0.250']);
    assert.ok(r.out[0]!.sample.every((e) => e.outcome === 'failure'));
  });

  it('counts only denominator events', () => {
    const r = run({ ...ERROR_RATE_RULE, denominator: { kind: 'extension' } }, [
      fail(0),
      fail(1),
      ok(2),
      ok(3),
      ev(4, { host: 'n1', kind: 'security', outcome: 'failure' }),
      final(10),
    ]);
    assert.deepEqual(briefs(r.out), []);
  });

  it('validates shares', () => {
    assert.throws(() => run({ ...ERROR_RATE_RULE, max: 20 }, []), /between 0 and 1/);
  });
});
