/** A rule set using every rule type, and random event streams over it, for restart and property tests. */
import fc from 'fast-check';
import type { ClassifiedEvent } from '../../src/classify/types.js';
import { makeEvent } from '../../src/testing/events.js';
import { type RuleLike, T0, userRef } from '../rules/helpers.js';

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
  {
    id: 'g-ratio',
    type: 'ratio',
    window: '10m',
    group_by: ['host'],
    numerator: { outcome: 'failure' },
    max: 0.6,
    min_total: 3,
  },
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
