import assert from 'node:assert/strict';
import { parseRules, RuleFileError } from '../../../src/rules/load.js';
import { isMomentRule } from '../../../src/rules/schema.js';
import { briefs, ev, final, MIN, rule, run, userEv } from '../helpers.js';

/** The messages of a rule file that does not validate. */
function problems(rules: string): string[] {
  try {
    parseRules(`rules:\n${rules}`, 'r.yaml');
  } catch (err) {
    if (err instanceof RuleFileError) return err.issues.map((i) => `${i.option ?? ''}: ${i.message}`);
    throw err;
  }
  return [];
}

describe('the compat option', () => {
  it('reads the short and the long form, with ElastAlert defaults', () => {
    const short = rule({ id: 'a', type: 'any', compat: 'elastalert' });
    assert.deepEqual(short.compat, { mode: 'elastalert', run_every: MIN, forget_keys: false });
    const long = rule({
      id: 'f',
      type: 'flatline',
      window: '1h',
      compat: { mode: 'elastalert', run_every: '5m', forget_keys: true },
    });
    assert.deepEqual(long.compat, { mode: 'elastalert', run_every: 5 * MIN, forget_keys: true });
    assert.equal(rule({ id: 'a', type: 'any' }).compat, undefined);
  });

  it('refuses what ElastAlert has no counterpart for, naming the option', () => {
    assert.deepEqual(
      problems(
        '  - { id: s, type: sequence, within: 5m, steps: [{ filter: {} }, { filter: {} }], compat: elastalert }',
      ),
      [
        'compat: ElastAlert 2 has no sequence rule type: compat: elastalert is supported for threshold (frequency), spike, flatline, cardinality, new_value (new_term), ratio (percentage_match), any',
      ],
    );
    assert.deepEqual(problems('  - { id: t, type: threshold, window: 10m, step: 1m, count: 3, compat: elastalert }'), [
      'step: in compat: elastalert windows are measured back from each event: remove step',
    ]);
    assert.deepEqual(
      problems('  - { id: s, type: spike, window: 10m, baseline: { windows: 3 }, compat: elastalert }'),
      ['baseline: ElastAlert compares with the previous window only: remove baseline'],
    );
    assert.deepEqual(
      problems(
        '  - { id: f, type: flatline, window: 10m, group_by: [host], expected_keys: [a], forget_after: 1d, compat: elastalert }',
      ),
      [
        'expected_keys: ElastAlert only knows keys it has seen: remove expected_keys (or drop compat)',
        'forget_after: ElastAlert never forgets a key after a silence: remove forget_after (compat.forget_keys forgets a key at its first alert)',
      ],
    );
    assert.deepEqual(
      problems(
        '  - { id: t, type: threshold, window: 10m, count: 3, compat: { mode: elastalert, forget_keys: true } }',
      ),
      ['compat.forget_keys: forget_keys only applies to flatline rules'],
    );
    assert.deepEqual(problems('  - { id: r, type: ratio, window: 90s, numerator: {}, max: 0.5, compat: elastalert }'), [
      'window: expected a window that is a whole number of compat.run_every (ElastAlert queries the last window at every run)',
    ]);
    assert.deepEqual(problems('  - { id: a, type: any, compat: elastic }'), [
      'compat: expected "elastalert", or {mode: elastalert, run_every, forget_keys}',
    ]);
    assert.deepEqual(problems('  - { id: a, type: any, compat: { mode: elastalert, every: 1m } }'), [
      'compat.every: unknown option',
    ]);
  });

  it('marks compat rules as moments for the notification policy', () => {
    assert.equal(
      isMomentRule(rule({ id: 't', type: 'threshold', window: '10m', count: 3, compat: 'elastalert' })),
      true,
    );
    assert.equal(isMomentRule(rule({ id: 't', type: 'threshold', window: '10m', count: 3 })), false);
    assert.equal(isMomentRule(rule({ id: 'a', type: 'any' })), true);
  });

  it('starts a restored state fresh when compat is switched on (the fingerprint differs)', () => {
    const plain = { id: 't', type: 'threshold', window: '10m', count: 2, group_by: ['user'] } as const;
    const first = run(plain, [userEv(0, 'a')]);
    const { engine } = run({ ...plain, compat: 'elastalert' }, []);
    const { reset } = engine.fromJSON(first.engine.toJSON(first.state));
    assert.deepEqual(reset, ['t']);
  });
});

describe('any with compat: elastalert', () => {
  it('matches events without the query_key field too, under "_missing"; the default skips them', () => {
    const inputs = [ev(0, { host: 'h1' }), ev(1), final(2)];
    const perHost = { id: 'a', type: 'any', group_by: ['host'] } as const;
    assert.deepEqual(briefs(run({ ...perHost, compat: 'elastalert' }, inputs).out), ['a +h1@0=1', 'a +_missing@1=1']);
    assert.deepEqual(briefs(run(perHost, inputs).out), ['a +h1@0=1']);
  });
});
