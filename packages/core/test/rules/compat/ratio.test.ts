import assert from 'node:assert/strict';
import { briefs, ERROR_RATE_RULE, ev, final, run } from '../helpers.js';

/**
 * ElastAlert's percentage_match (PercentageMatchRule): at every run, the percentage of match_bucket_filter events
 * among the events of the last buffer_time; strictly above max_percentage (or below min_percentage) is a match.
 */
const share = { ...ERROR_RATE_RULE, id: 'r', min_total: 1 } as const;
const compat = { ...share, compat: 'elastalert' } as const;
const fail = (m: number) => ev(m, { host: 'h1', outcome: 'failure' });
const ok = (m: number) => ev(m, { host: 'h1', outcome: 'success' });

describe('ratio with compat: elastalert (percentage_match)', () => {
  it('matches at every run whose last window is over max; the default once per window', () => {
    const inputs = [fail(0), fail(1), ok(2), final(20)];
    const c = run(compat, inputs).out;
    // Runs at 0 … 9 see 100 % or 67 %; the run at 10 sees (0, 10]: one failure in two, not above 50 %.
    assert.deepEqual(briefs(c), [
      'r +h1@0=1',
      'r +h1@1=1',
      ...Array.from({ length: 8 }, (_, i) => `r +h1@${i + 2}=0.667`),
    ]);
    assert.equal(c[0]!.reference, 1);
    assert.match(c[2]!.summary, /^66\.67 % of 3 events match for host\.name=h1 in the 10m up to .* \(above 50 %\)$/);
    assert.deepEqual(briefs(run(share, inputs).out), ['r +h1@10=0.667', 'r -h1@20=0']);
  });

  it('agrees with the default that exactly max is not above it', () => {
    const inputs = [fail(1), ok(1), final(30)];
    assert.deepEqual(run(compat, inputs).out, []);
    assert.deepEqual(run(share, inputs).out, []);
  });

  it('compares percentages as ElastAlert computes them: 29 of 100 is below min_percentage 29 there', () => {
    // 29 / 100 × 100 is 28.999999999999996 in floating point, in Python as here; the default compares shares.
    const events = [...Array.from({ length: 29 }, () => fail(1)), ...Array.from({ length: 71 }, () => ok(1))];
    const inputs = [...events, final(1.5)];
    const low = { max: undefined, min: 0.29 };
    assert.deepEqual(briefs(run({ ...compat, ...low }, inputs).out), ['r +h1@1=0.290']);
    assert.deepEqual(run({ ...share, ...low }, [...events, final(10)]).out, []);
  });
});
