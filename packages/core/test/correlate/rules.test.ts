import assert from 'node:assert/strict';
import type { ClassifiedEvent } from '../../src/classify/types.js';
import { correlationFindings } from '../../src/correlate/findings.js';
import { correlateHoldback } from '../../src/correlate/step.js';
import { loadBuiltinRules } from '../../src/rules/builtin.js';
import type { Detection } from '../../src/rules/types.js';
import { createEngine } from '../../src/stream/engine.js';
import { tick } from '../../src/stream/input.js';
import { type RequestSpec, recordsOf, runCorrelate, SEC, spec, T0 } from './helpers.js';

async function detect(events: readonly ClassifiedEvent[]): Promise<Detection[]> {
  // Correlated output runs up to the holdback behind its newest record: the engine's lateness must cover it.
  const engine = createEngine(await loadBuiltinRules(), { allowedLateness: correlateHoldback() });
  // Close every window that holds them.
  const end = Math.max(...events.map((e) => e.time)) + 10 * 60 * SEC;
  const r = engine.run(engine.init(), [...events, tick(end, true)]);
  assert.deepEqual(r.late, []);
  return r.out.filter((d) => d.active);
}
const correlated = (specs: readonly RequestSpec[]) => runCorrelate(recordsOf(specs)).out;
/** Keys a rule fired for (sliding windows fire once per window: each key once). */
const keys = (ds: readonly Detection[], rule: string) => [
  ...new Set(ds.filter((d) => d.ruleId === rule).map((d) => d.key)),
];

/** Twelve users failing through one RADIUS client (10.0.0.0, NAS-0) within two minutes. */
const spray = (extra: Partial<RequestSpec>) =>
  Array.from({ length: 12 }, (_, i) => spec(i * 3, T0 + i * 10 * SEC, `intern${i}`, extra));

describe('correlate: what it unlocks in the built-in pack', () => {
  it('password-spray counts extension failures once correlation gave them the client and NAS', async () => {
    const specs = spray({ security: false });
    // Alone, the extension events name no client: nothing to group on.
    const alone = recordsOf(specs.map((s) => ({ ...s, accounting: false })));
    assert.deepEqual(keys(await detect(alone), 'password-spray'), []);
    const ds = await detect(correlated(specs));
    const hit = ds.find((d) => d.ruleId === 'password-spray');
    assert.equal(hit?.key, '10.0.0.0');
    // The accounting lines of these requests say "extension DLL rejected" (21): the extension events count instead.
    assert.ok(hit!.sample.every((e) => e.kind === 'extension'));
  });

  it('password-spray ignores a UserNotFound outage once the extension events explain the reason-21 rejections', async () => {
    const specs = spray({ response: 'UserNotFound', accounting: false });
    // Uncorrelated, twelve 6273 reason 21 through one client look like a spray.
    assert.deepEqual(keys(await detect(recordsOf(specs)), 'password-spray'), ['10.0.0.0']);
    assert.deepEqual(keys(await detect(correlated(specs)), 'password-spray'), []);
  });

  it('extension-reject-unmatched: NPS reason-21 rejections with no extension event, once per request', async () => {
    const ds = await detect(correlated([spec(1, T0, 'a', { ext: false }), spec(2, T0 + 60 * SEC, 'b')]));
    assert.deepEqual(keys(ds, 'extension-reject-unmatched'), ['nps01.contoso.com|security']);
  });

  it('extension-reject-unmatched: extension rejections NPS never logged', async () => {
    const specs = [spec(1, T0, 'a', { security: false, accounting: false }), spec(2, T0 + 60 * SEC, 'b')];
    const ds = await detect(correlated(specs));
    assert.deepEqual(keys(ds, 'extension-reject-unmatched'), ['NPS01.contoso.com|extension']);
    // Without correlation the fields are absent: the rule stays silent.
    assert.deepEqual(keys(await detect(recordsOf(specs)), 'extension-reject-unmatched'), []);
  });

  it('the doctor finding agrees with the rule', async () => {
    const events = correlated([
      spec(1, T0, 'a', { ext: false }),
      spec(2, T0 + 30 * SEC, 'b', { ext: false, security: false }),
      spec(3, T0 + 60 * SEC, 'c', { security: false, accounting: false }),
      spec(4, T0 + 90 * SEC, 'd', { security: false, accounting: false }),
      spec(5, T0 + 120 * SEC, 'e'),
      spec(6, T0 + 150 * SEC, 'f', { ext: false, outcome: 'success' }),
    ]);
    const findings = correlationFindings(events);
    assert.deepEqual(
      findings.map((f) => [f.id, f.count, f.hosts]),
      [
        ['extension-reject-not-logged-by-nps', 2, ['NPS01.contoso.com']],
        ['nps-reject-without-extension-event', 2, ['NPS01', 'nps01.contoso.com']],
      ],
    );
    assert.equal(findings[0]!.firstSeen, T0 + 60 * SEC);
    assert.ok(findings.every((f) => f.title.ko.length > 0 && f.remediation.en.length > 0));
    const ds = (await detect(events)).filter((d) => d.ruleId === 'extension-reject-unmatched');
    // `any` fires once per record: the same records as the findings.
    assert.equal(
      ds.length,
      findings.reduce((n, f) => n + f.count, 0),
    );
    assert.deepEqual(correlationFindings(recordsOf([spec(1, T0, 'a', { ext: false })])), []);
  });
});
