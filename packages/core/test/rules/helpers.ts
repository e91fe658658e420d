/** Shared helpers for the rule and stream tests: events at minute offsets, one-rule engines, compact detections. */
import type { ClassifiedEvent } from '../../src/classify/types.js';
import type { UserRef } from '../../src/record/user.js';
import { type RuleConfig, RuleSchema } from '../../src/rules/schema.js';
import type { Detection } from '../../src/rules/types.js';
import { createEngine, type Engine, type EngineOptions, type EngineState } from '../../src/stream/engine.js';
import { type EngineInput, type Tick, tick } from '../../src/stream/input.js';
import { makeEvent } from '../../src/testing/events.js';

export const SEC = 1_000;
export const MIN = 60_000;
export const HOUR = 3_600_000;
/** Monday 2024-01-01 00:00 UTC: every window size used in the tests is aligned to it. */
export const T0 = Date.UTC(2024, 0, 1);

/** Epoch ms `minutes` after T0. */
export const at = (minutes: number): number => T0 + minutes * MIN;

export const userRef = (name: string): UserRef => ({ raw: name, name, redacted: false });

let line = 0;
/** An event `minutes` after T0; each gets its own source line so events never tie on position. */
export function ev(minutes: number, fields: Partial<ClassifiedEvent> = {}): ClassifiedEvent {
  line += 1;
  return makeEvent({ position: { file: 'test', line }, ...fields, time: at(minutes) });
}

/** An event for `user` (npswatch.user.key) on `host`. */
export const userEv = (minutes: number, user: string, fields: Partial<ClassifiedEvent> = {}): ClassifiedEvent =>
  ev(minutes, { user: userRef(user), ...fields });

export const final = (minutes: number): Tick => tick(at(minutes), true);
export const heartbeat = (minutes: number): Tick => tick(at(minutes));

/** A rule as written in a test (validated at run time by the schema, like a rule file). */
export type RuleLike = object;

export const rule = (input: RuleLike): RuleConfig => RuleSchema.parse(input);

/** Rules of the per-type tests that their `compat: elastalert` counterparts run too. */
export const OTP_RULE = {
  id: 'otp',
  type: 'threshold',
  window: '10m',
  count: 3,
  group_by: ['user'],
} as const;

export const ERROR_RATE_RULE = {
  id: 'err',
  type: 'ratio',
  window: '10m',
  group_by: ['host'],
  numerator: { outcome: 'failure' },
  max: 0.5,
  min_total: 4,
} as const;

export interface Run {
  readonly engine: Engine;
  readonly state: EngineState;
  readonly out: readonly Detection[];
  readonly late: readonly ClassifiedEvent[];
}

/** Runs inputs through a fresh engine (default allowed lateness 0: tests add lateness where they mean it). */
export function run(
  rules: RuleLike | readonly RuleLike[],
  inputs: readonly EngineInput[],
  options: EngineOptions = {},
): Run {
  const list: readonly RuleLike[] = Array.isArray(rules) ? rules : [rules];
  const engine = createEngine(list.map(rule), { allowedLateness: 0, ...options });
  const r = engine.run(engine.init(), inputs);
  return { engine, state: r.state, out: r.out, late: r.late };
}

/** `ruleId +key@minute=value` (`-` for inactive): compact enough to compare whole outputs at a glance. */
export function brief(d: Detection): string {
  const minute = (d.time - T0) / MIN;
  return `${d.ruleId} ${d.active ? '+' : '-'}${d.key}@${minute}=${Number.isInteger(d.value) ? d.value : d.value.toFixed(3)}`;
}

export const briefs = (ds: readonly Detection[]): string[] => ds.map(brief);
