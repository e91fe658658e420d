import fc from 'fast-check';
import type { NotifyPolicies } from '../../src/notify/options.js';
import type { NotifyInput } from '../../src/notify/types.js';
import type { Detection } from '../../src/rules/types.js';
import { at, d, det, MIN, policies, T0, tick } from './helpers.js';

/** The alert instances a random scenario draws from: rule id and key fields. */
export const INSTANCES: readonly { readonly ruleId: string; readonly keyFields: Record<string, string> }[] = [
  { ruleId: 'server-silent', keyFields: { 'host.name': 'h1' } },
  { ruleId: 'server-silent', keyFields: { 'host.name': 'h2' } },
  { ruleId: 'otp', keyFields: { 'host.name': 'h1', 'user.name': 'alice' } },
  { ruleId: 'otp', keyFields: { 'host.name': 'h1', 'user.name': 'bob' } },
  { ruleId: 'otp', keyFields: { 'host.name': 'h2', 'user.name': 'carol' } },
  { ruleId: 'fatigue', keyFields: { 'user.name': 'alice' } },
  { ruleId: 'fatigue', keyFields: { 'user.name': 'dave' } },
  { ruleId: 'spray', keyFields: {} },
];

/** Every feature at once: for, keep_firing_for, flap damping, grouping, repeats, a silence and an inhibit rule. */
export const MIXED: NotifyPolicies = policies(
  {
    'server-silent': { for: '4m', repeat_interval: '30m' },
    otp: { group_by: ['host.name'], group_wait: '1m', group_interval: '3m', repeat_interval: '20m' },
    fatigue: { keep_firing_for: '5m', flap: { window: '30m', max_changes: 2 }, repeat_interval: '25m' },
    spray: { for: '2m', keep_firing_for: '3m', resolve: false, repeat_interval: '15m' },
  },
  {
    silences: [
      {
        matchers: { ruleId: 'fatigue', keyFields: { 'user.name': 'dave' } },
        starts_at: new Date(at(20)).toISOString(),
        ends_at: new Date(at(70)).toISOString(),
        comment: 'dave is on leave',
      },
    ],
    inhibit_rules: [{ source: { ruleId: 'server-silent' }, target: { ruleId: 'otp' }, equal: ['host.name'] }],
  },
);

export interface Step {
  readonly gap: number;
  readonly actives: readonly boolean[];
}

export const stepArb: fc.Arbitrary<Step> = fc.record({
  gap: fc.constantFrom(1, 2, 3, 5, 7, 11).map((m) => m * MIN),
  actives: fc.array(fc.boolean(), { minLength: INSTANCES.length, maxLength: INSTANCES.length }),
});

/**
 * Detections as rules emit them: at each evaluation an active detection per instance whose condition holds, and
 * one inactive detection at the first evaluation after it stops holding. Returns the evaluation times too.
 */
export function detectionsOf(steps: readonly Step[]): { inputs: NotifyInput[]; times: number[] } {
  const inputs: NotifyInput[] = [];
  const times: number[] = [];
  const was = INSTANCES.map(() => false);
  let time = T0;
  for (const step of steps) {
    time += step.gap;
    times.push(time);
    INSTANCES.forEach((inst, i) => {
      const active = step.actives[i] === true;
      if (active || was[i]) {
        const detection: Detection = det(time, {
          ruleId: inst.ruleId,
          keyFields: inst.keyFields,
          active,
          value: active ? 10 + i : 0,
          severity: inst.ruleId === 'server-silent' ? 'high' : 'medium',
        });
        inputs.push(d(detection));
      }
      was[i] = active;
    });
  }
  return { inputs, times };
}

/** Inserts watermark ticks: each lands after all detections at or before its time and before any later one. */
export function withTicks(
  inputs: readonly NotifyInput[],
  ticks: readonly (readonly [number, number])[],
): NotifyInput[] {
  const out = [...inputs];
  // Walk from the end so earlier insert positions stay valid.
  const sorted = [...ticks].sort((a, b) => b[0] - a[0]);
  for (const [rawPos, frac] of sorted) {
    const pos = rawPos % (out.length + 1);
    const prev = out[pos - 1];
    const next = out[pos];
    const timeOf = (x: NotifyInput | undefined) =>
      x === undefined ? undefined : x.type === 'tick' ? x.time : x.detection.time;
    const lo = timeOf(prev) ?? T0;
    const hi = timeOf(next);
    if (hi !== undefined && hi <= lo) continue; // between two inputs at the same time: not a watermark position
    const t = hi === undefined ? lo + Math.floor(frac * 30 * MIN) : lo + Math.floor(frac * (hi - lo - 1));
    out.splice(pos, 0, tick(t));
  }
  return out;
}
