import assert from 'node:assert/strict';
import type { ImportResult } from '../../src/elastalert/import.js';
import { ruleFileText } from '../../src/elastalert/render.js';
import { parseRules } from '../../src/rules/load.js';
import { fixtureNames, importFixture, importText, note } from './helpers.js';

/** Imports a fixture with `compat: elastalert` where it can be reproduced (`--compat`). */
const importCompat = (name: string): ImportResult => importFixture(name, { compat: true });

const compatText = (yaml: string): ImportResult => importText(yaml, { compat: true });

describe('import-elastalert with compat', () => {
  it('maps frequency one to one: the timeframe as it is, no step, ElastAlert realert default', () => {
    const r = importCompat('frequency-nps-rejects.yaml');
    assert.deepEqual(r.rule, {
      id: 'nps-rejects-per-server',
      description: 'NPS rejects per server',
      type: 'threshold',
      filter: { 'winlog.channel': 'Security', 'winlog.event_id': 6273 },
      group_by: ['host.name'],
      window: '1h',
      count: 20,
      compat: 'elastalert',
      notify: { keep_firing_for: '30m', repeat_interval: '30m', resolve: false },
    });
    assert.equal(note(r.report, 'mapped', 'timeframe').to, 'window: 1h');
    assert.match(note(r.report, 'mapped', 'num_events').message!, /emptied after a match, as in ElastAlert/);
    assert.match(note(r.report, 'mapped', 'query_key').message!, /"_missing", as in ElastAlert/);
    assert.equal(note(r.report, 'mapped', 'type').to, 'type: threshold');
    assert.ok(r.report.some((n) => n.option === 'type' && n.to === 'compat: elastalert'));
  });

  it('writes spike floors of 0 when ElastAlert has none, and keeps alert_on_new_data', () => {
    const r = importCompat('spike-user-not-found.yaml');
    const rule = r.rule as Record<string, unknown>;
    assert.equal(rule.compat, 'elastalert');
    assert.deepEqual([rule.min_current, rule.min_reference, rule.step], [5, 0, undefined]);
    assert.match(note(r.report, 'mapped', 'threshold_ref').message!, /not set: ElastAlert's default, no floor/);
    const both = importCompat('spike-both-per-host.yaml').rule as Record<string, unknown>;
    assert.deepEqual([both.min_current, both.min_reference, both.alert_on_new_keys], [20, 10, true]);
  });

  it('maps forget_keys to compat.forget_keys and the rule run_every to compat.run_every', () => {
    const r = importCompat('flatline-server-silent.yaml');
    assert.deepEqual((r.rule as Record<string, unknown>).compat, { mode: 'elastalert', forget_keys: true });
    assert.equal((r.rule as Record<string, unknown>).forget_after, undefined);
    const every = compatText(`name: f
type: flatline
threshold: 2
timeframe: {minutes: 30}
run_every: {minutes: 5}
`);
    assert.deepEqual((every.rule as Record<string, unknown>).compat, { mode: 'elastalert', run_every: '5m' });
    assert.equal(note(every.report, 'mapped', 'run_every').to, 'compat.run_every: 5m');
  });

  it('imports percentage_match over buffer_time at every run, and falls back where it cannot', () => {
    const r = importCompat('percentage-match-success.yaml');
    const rule = r.rule as Record<string, unknown>;
    assert.deepEqual(
      [rule.type, rule.window, rule.min, rule.min_total, rule.compat],
      ['ratio', '15m', 0.95, 20, 'elastalert'],
    );
    const key = r.report.find((n) => n.option === 'query_key' && n.to?.startsWith('group_by'));
    assert.match(key?.message ?? '', /in no key/);
    const bucketed = compatText(`name: p
type: percentage_match
match_bucket_filter: [{term: {event.outcome: failure}}]
max_percentage: 10
buffer_time: {minutes: 30}
bucket_interval: {minutes: 5}
`);
    assert.equal((bucketed.rule as Record<string, unknown>).compat, undefined);
    assert.match(note(bucketed.report, 'approximated', 'type').message!, /bucket_interval/);
  });

  it('imports change and metric_aggregation with npswatch semantics, saying so', () => {
    const r = importCompat('change-client.yaml');
    assert.equal((r.rule as Record<string, unknown>).compat, undefined);
    assert.match(note(r.report, 'approximated', 'type').message!, /^no compat mode for change rules/);
  });

  it('produces rules that load, for every fixture the importer accepts', () => {
    let imported = 0;
    for (const name of fixtureNames()) {
      const r = importCompat(name);
      if (r.rule === undefined) continue;
      imported++;
      const [loaded] = parseRules(ruleFileText([r.rule]), name);
      assert.ok(loaded !== undefined, name);
    }
    assert.ok(imported >= 15, `only ${imported} fixtures imported`);
  });

  it('changes nothing without the option', () => {
    for (const name of fixtureNames()) {
      const plain = importFixture(name);
      if (plain.rule !== undefined) assert.equal((plain.rule as Record<string, unknown>).compat, undefined, name);
    }
  });
});
