import assert from 'node:assert/strict';
import type { DetectionId } from '../../src/catalog/types.js';
import { classify } from '../../src/classify/classify.js';
import { BUILTIN_RULES_PATH, loadBuiltinRules } from '../../src/rules/builtin.js';
import { createEngine } from '../../src/stream/engine.js';
import { syntheticDay } from '../../src/testing/synthetic.js';

const DETECTION_IDS: readonly DetectionId[] = [
  'user-not-found-spike',
  'connectivity-error-spike',
  'config-error',
  'otp-brute-force',
  'mfa-fatigue',
  'password-spray',
  'server-silent',
  'support-required',
  'unknown-code',
  'primary-auth-rejects',
  'extension-reject-unmatched',
];

describe('built-in rule pack', () => {
  it('loads, and its ids are the catalog detection ids (plus -overall variants)', async () => {
    const rules = await loadBuiltinRules();
    assert.match(BUILTIN_RULES_PATH, /rules[\\/]builtin\.yaml$/);
    const ids = rules.map((r) => r.id);
    for (const id of DETECTION_IDS) assert.ok(ids.includes(id), `missing ${id}`);
    for (const id of ids)
      assert.ok((DETECTION_IDS as readonly string[]).includes(id.replace(/-overall$/, '')), `unexpected ${id}`);
    for (const r of rules) assert.equal(r.labels.detection, r.id.replace(/-overall$/, ''));
  });

  it('finds every scenario of the synthetic day, and nothing in the normal traffic', async () => {
    const engine = createEngine(await loadBuiltinRules());
    const day = Date.UTC(2024, 8, 20);
    const events = syntheticDay({ day }).map(classify);
    const r = engine.run(engine.init(), [...events, { type: 'tick', time: day + 86_400_000, final: true }]);
    assert.deepEqual(r.late, []);
    const first = new Map<string, string>();
    for (const d of r.out) {
      if (!d.active || first.has(d.ruleId)) continue;
      first.set(d.ruleId, `${d.key} ${new Date(d.time).toISOString().slice(11, 16)}`);
    }
    assert.deepEqual(Object.fromEntries([...first].sort()), {
      'config-error': 'NPS01.contoso.com 17:00',
      'connectivity-error-spike': 'NPS01.contoso.com 16:10',
      'connectivity-error-spike-overall': ' 16:10',
      'mfa-fatigue': 'bwayne 12:38',
      'otp-brute-force': 'mallory 09:04',
      'password-spray': '10.10.1.5 15:04',
      'server-silent': 'NPS02.contoso.com 19:00',
      'support-required': 'NPS01.contoso.com|InternalError 11:07',
      'unknown-code': 'ExampleUnknownCode 17:30',
      'user-not-found-spike': 'NPS02.contoso.com 14:15',
      'user-not-found-spike-overall': ' 14:15',
    });
    // One fatigue sequence, one unknown code: no noise from ordinary sign-ins.
    assert.equal(r.out.filter((d) => d.ruleId === 'mfa-fatigue').length, 1);
    assert.equal(r.out.filter((d) => d.ruleId === 'unknown-code').length, 1);
  });
});
