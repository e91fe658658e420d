import assert from 'node:assert/strict';
import { classify } from '../src/classify/classify.js';
import { createDetector } from '../src/pipeline.js';
import { loadBuiltinRules } from '../src/rules/builtin.js';
import { parseRules } from '../src/rules/load.js';
import { makeEvent } from '../src/testing/events.js';
import { syntheticDay } from '../src/testing/synthetic.js';

const MIN = 60_000;

describe('createDetector', () => {
  it('folds matches of a moment rule into one open alert, also when the rule has its own notify block', () => {
    // Regression: zod-filled notify defaults used to override the 15m keep_firing_for of moment rules.
    for (const notify of ['', '\n    notify: { repeat_interval: 1h }']) {
      const rules = parseRules(`rules:\n  - id: a\n    type: any\n    filter: { code: X }${notify}\n`, 'r.yaml');
      const d = createDetector(rules);
      const alerts = [];
      for (let i = 0; i < 10; i++) alerts.push(...d.push(makeEvent({ time: i * MIN, code: 'X' })).alerts);
      alerts.push(...d.finish(60 * MIN).alerts);
      assert.deepEqual(
        alerts.map((a) => [a.status, a.time]),
        [['firing', 0]],
        notify || 'no notify block',
      );
    }
  });

  it('closes the alert of a compat: elastalert rule by itself: its matches are moments, never resolved', () => {
    // Regression: compat detections never go inactive, so the alert used to stay open and repeat for ever.
    const rules = parseRules(
      'rules:\n  - id: f\n    type: threshold\n    filter: { code: X }\n    window: 10m\n    count: 2\n    compat: elastalert\n',
      'r.yaml',
    );
    const d = createDetector(rules);
    const alerts = [];
    for (const t of [0, 1, 2, 3]) alerts.push(...d.push(makeEvent({ time: t * MIN, code: 'X' })).alerts);
    // Three hours of quiet: no repeat, and no resolved notification (moments have nothing to resolve).
    for (let t = 10; t <= 180; t += 10) alerts.push(...d.push(makeEvent({ time: t * MIN, code: 'Y' })).alerts);
    alerts.push(...d.finish(200 * MIN).alerts);
    assert.deepEqual(
      alerts.map((a) => a.status),
      ['firing'],
    );
    assert.equal(d.policies.rules.f?.keepFiringForMs, 15 * MIN);
  });

  it('finds every scenario of the synthetic day once, and the same after a restart from a snapshot', async () => {
    const rules = await loadBuiltinRules();
    const events = syntheticDay().map(classify);
    const whole = createDetector(rules);
    const all = [...events.flatMap((e) => whole.push(e).alerts), ...whole.finish().alerts];
    const firing = new Set(all.filter((a) => a.status === 'firing').map((a) => a.ruleId));
    for (const id of [
      'otp-brute-force',
      'mfa-fatigue',
      'user-not-found-spike',
      'password-spray',
      'connectivity-error-spike',
      'config-error',
      'support-required',
      'unknown-code',
      'server-silent',
    ]) {
      assert.ok(firing.has(id), id);
    }
    const cut = Math.floor(events.length / 2);
    const first = createDetector(rules);
    const before = events.slice(0, cut).flatMap((e) => first.push(e).alerts);
    const resumed = createDetector(rules, { state: JSON.parse(JSON.stringify(first.snapshot())) });
    const after = [...events.slice(cut).flatMap((e) => resumed.push(e).alerts), ...resumed.finish().alerts];
    assert.deepEqual(
      [...before, ...after].map((a) => a.id),
      all.map((a) => a.id),
    );
  });
});
