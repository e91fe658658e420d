import assert from 'node:assert/strict';
import { parseRules } from '../../../src/rules/load.js';
import { briefs, ev, final, run } from '../helpers.js';

/** ElastAlert's new_term (NewTermsRule): a value never seen before is a match; it is then known for good. */
const newCode = { id: 'n', type: 'new_value', fields: ['code'] } as const;
const compat = { ...newCode, compat: 'elastalert' } as const;

describe('new_value with compat: elastalert (new_term)', () => {
  it('alerts once per value for as long as the rule runs; the default again after lookback', () => {
    const inputs = [ev(0, { code: 'X' }), ev(10, { code: 'Y' }), ev(120, { code: 'X' }), final(130)];
    assert.deepEqual(briefs(run(compat, inputs).out), ['n +X@0=1', 'n +Y@10=1']);
    assert.deepEqual(briefs(run({ ...newCode, lookback: '1h' }, inputs).out), ['n +X@0=1', 'n +Y@10=1', 'n +X@120=1']);
  });

  it('agrees with the default on warmup (values of the first minutes are learned silently)', () => {
    const inputs = [ev(0, { code: 'X' }), ev(4, { code: 'Y' }), ev(6, { code: 'X' }), ev(7, { code: 'Z' }), final(8)];
    const warm = { warmup: '5m' };
    assert.deepEqual(briefs(run({ ...compat, ...warm }, inputs).out), ['n +Z@7=1']);
    assert.deepEqual(briefs(run({ ...newCode, ...warm }, inputs).out), ['n +Z@7=1']);
  });

  it('remembers at most max_keys values: an evicted value alerts again', () => {
    const codes = ['A', 'B', 'C', 'D'];
    const inputs = [...codes.map((code, i) => ev(i, { code })), ev(10, { code: 'A' }), final(11)];
    const r = run({ ...compat, max_keys: 2 }, inputs);
    assert.deepEqual(briefs(r.out), ['n +A@0=1', 'n +B@1=1', 'n +C@2=1', 'n +D@3=1', 'n +A@10=1']);
    assert.ok(r.engine.sizes(r.state).n! <= 2);
  });

  it('refuses group_by and lookback, which new_term has no counterpart for', () => {
    const text = `rules:
  - { id: n, type: new_value, fields: [code], group_by: [host], lookback: 1d, compat: elastalert }
`;
    assert.throws(
      () => parseRules(text, 'r.yaml'),
      (err: Error) =>
        /r\.yaml: rule "n": option "group_by": ElastAlert's new_term tracks values across the whole rule/.test(
          err.message,
        ) && /option "lookback": ElastAlert's new_term remembers a value for as long as it runs/.test(err.message),
    );
  });
});
