/** A rule set using every rule type, and random event streams over it, for restart and property tests. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ClassifiedEvent } from '../../src/classify/types.js';
import type { Engine, EngineStateJSON } from '../../src/stream/engine.js';
import type { EngineInput, Tick } from '../../src/stream/input.js';
import { makeEvent } from '../../src/testing/events.js';
import { type RuleLike, T0, userRef } from '../rules/helpers.js';

/** MIXED's ratio rule (the compat property tests run it in compat mode too). */
export const MIXED_RATIO = {
  id: 'g-ratio',
  type: 'ratio',
  window: '10m',
  group_by: ['host'],
  numerator: { outcome: 'failure' },
  max: 0.6,
  min_total: 3,
} as const;

export const MIXED: readonly RuleLike[] = [
  { id: 'a-threshold', type: 'threshold', window: '10m', step: '5m', count: 3, group_by: ['user'] },
  {
    id: 'b-spike',
    type: 'spike',
    window: '10m',
    min_current: 3,
    alert_on_new_keys: true,
    direction: 'both',
    min_reference: 3,
  },
  {
    id: 'c-baseline',
    type: 'spike',
    window: '5m',
    group_by: ['host'],
    min_current: 2,
    baseline: { windows: 3, mads: 2 },
  },
  { id: 'd-flatline', type: 'flatline', window: '10m', group_by: ['host'], expected_keys: ['h3'], forget_after: '30m' },
  { id: 'e-cardinality', type: 'cardinality', window: '10m', step: '5m', group_by: ['host'], field: 'user', max: 2 },
  { id: 'f-new-value', type: 'new_value', fields: ['code'], group_by: ['host'], lookback: '30m' },
  MIXED_RATIO,
  {
    id: 'h-sequence',
    type: 'sequence',
    group_by: ['user'],
    within: '10m',
    steps: [{ filter: { outcome: 'failure' }, count: 2 }, { filter: { outcome: 'success' } }],
    until: { code: 'B' },
  },
  { id: 'i-any', type: 'any', filter: { code: 'X' }, group_by: ['host'] },
];

export interface Spec {
  readonly second: number;
  readonly host: string;
  readonly user: string;
  readonly code: string;
  readonly failure: boolean;
}

/** Random event specs within two hours: few hosts, users and codes, so windows and keys really fill up. */
export const specArb = fc.record({
  second: fc.integer({ min: 0, max: 7_200 }),
  host: fc.constantFrom('h1', 'h2', 'h3'),
  user: fc.constantFrom('u1', 'u2', 'u3', 'u4'),
  code: fc.constantFrom('A', 'B', 'X', 'ACCESS_ACCEPTED'),
  failure: fc.boolean(),
});

/** Events in time order, each with its own source line (a total order, as real inputs have). */
export function toEvents(specs: readonly Spec[]): ClassifiedEvent[] {
  return [...specs]
    .sort((a, b) => a.second - b.second)
    .map((s, i) =>
      makeEvent({
        time: T0 + s.second * 1_000,
        position: { file: 'random', line: i + 1 },
        host: s.host,
        user: userRef(s.user),
        code: s.code,
        outcome: s.failure ? 'failure' : 'success',
      }),
    );
}

/** How many random streams a property tries, and how long they are. */
export interface PropertyRuns {
  readonly numRuns: number;
  readonly maxLength: number;
}

/** The output and late events do not depend on how the input is chunked, with a save and restore between chunks. */
export function assertChunkingFree(engine: Engine, end: Tick, runs: PropertyRuns): void {
  fc.assert(
    fc.property(
      fc.array(specArb, { maxLength: runs.maxLength }),
      fc.array(fc.nat(), { maxLength: 6 }),
      (specs, cuts) => {
        const inputs: EngineInput[] = [...toEvents(specs), end];
        const whole = engine.run(engine.init(), inputs);
        const points = [...new Set(cuts.map((c) => c % (inputs.length + 1)))].sort((a, b) => a - b);
        let state = engine.init();
        const out = [];
        const late = [];
        let from = 0;
        for (const to of [...points, inputs.length]) {
          const r = engine.run(state, inputs.slice(from, to));
          out.push(...r.out);
          late.push(...r.late);
          state = engine.fromJSON(JSON.parse(JSON.stringify(engine.toJSON(r.state))) as EngineStateJSON).state;
          from = to;
        }
        assert.deepEqual(out, whole.out);
        assert.deepEqual(late, whole.late);
      },
    ),
    { numRuns: runs.numRuns },
  );
}

/** The output does not depend on arrival order within the allowed lateness (`lateness`, the engine's own). */
export function assertArrivalOrderFree(engine: Engine, lateness: number, end: Tick, runs: PropertyRuns): void {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(specArb, fc.integer({ min: 0, max: lateness })), { maxLength: runs.maxLength }),
      (pairs) => {
        const sorted = [...pairs].sort((a, b) => a[0].second - b[0].second);
        const events = toEvents(sorted.map(([s]) => s));
        // Arrival = time + a delay of at most the lateness: every event is at most `lateness` older than the newest
        // one before it, so nothing is late, whatever the shuffle.
        const arrival = (i: number) => events[i]!.time + sorted[i]![1];
        const shuffled = events
          .map((_, i) => i)
          .sort((a, b) => arrival(a) - arrival(b) || a - b)
          .map((i) => events[i]!);
        const inOrder = engine.run(engine.init(), [...events, end]);
        const arrived = engine.run(engine.init(), [...shuffled, end]);
        assert.deepEqual(arrived.late, []);
        assert.deepEqual(arrived.out, inOrder.out);
      },
    ),
    { numRuns: runs.numRuns },
  );
}
