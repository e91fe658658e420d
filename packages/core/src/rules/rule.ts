import type { Severity } from '../catalog/types.js';
import type { ClassifiedEvent } from '../classify/types.js';
import { formatDuration } from '../time/duration.js';
import type { Detection, RuleType } from './types.js';

/**
 * What the engine hands a rule. Events arrive only if the rule accepts them and they are not late for it
 * (time ≥ watermark); every input carries the rule's watermark after the input, and the rule closes the windows
 * it passed in the same step. `time` is the event time the input shows was observed (the event's time, a tick's
 * time, never below the watermark): the earliest one is where the rule's observation starts.
 */
export type RuleInput =
  | { readonly type: 'event'; readonly event: ClassifiedEvent; readonly time: number; readonly watermark: number }
  | { readonly type: 'advance'; readonly time: number; readonly watermark: number };

export interface RuleStepResult<S> {
  readonly state: S;
  /** Detections of this step, in a deterministic order (the engine sorts across rules). */
  readonly out: readonly Detection[];
  /** Keys evicted by `max_keys` in this step. */
  readonly evicted: number;
}

/** A compiled rule: pure functions over a plain state value. */
export interface RuleRuntime<S> {
  readonly id: string;
  readonly type: RuleType;
  /** Allowed lateness in ms, or undefined for the engine default. */
  readonly lateness: number | undefined;
  /** Stable hash of the options that shape the state; a saved state is only resumed under the same one. */
  readonly fingerprint: string;
  /** Whether the event counts for the rule at all (filter, group fields, rule-specific fields). */
  accepts(event: ClassifiedEvent): boolean;
  init(): S;
  step(state: S, input: RuleInput): RuleStepResult<S>;
  /**
   * Optional: `step` for a state the caller owns and drops afterwards (the engine's `apply`). It may modify `state`
   * and anything only it references, and must return what `step` would (the fast-path tests check both agree).
   * Everything a rule state references is exclusive to it: `toJSON` output is copied before it leaves the engine,
   * `fromJSON` input is copied before a rule reads it, and detections never share mutable parts with a state.
   */
  apply?(state: S, input: RuleInput): RuleStepResult<S>;
  /**
   * Optional: true when an `advance` to `watermark` (with a time ≥ it) would return an equal state and no output,
   * so the engine may skip it. Must be cheap (it is asked for nearly every input) and never true when the step
   * would change anything: a pending event made final, a window end passed, an expiry sweep due, the origin moved.
   */
  idle?(state: S, watermark: number): boolean;
  /** Number of keys (or stored values) held, for bounded-memory checks and telemetry. */
  size(state: S): number;
  toJSON(state: S): unknown;
  /** Rebuilds a state from `toJSON` output; throws a TypeError when the value is not one. */
  fromJSON(json: unknown): S;
}

/** The parts of a rule every detection carries. */
export interface RuleInfo {
  readonly id: string;
  readonly type: RuleType;
  readonly severity: Severity;
  readonly sampleSize: number;
}

/** A detection before its summary is rendered. */
export type DetectionDraft = Omit<Detection, 'ruleId' | 'ruleType' | 'severity' | 'summary'>;

/** Builds a Detection; `render` writes the English summary from the measured values (kept out of the step logic). */
export function makeDetection(rule: RuleInfo, draft: DetectionDraft, render: (d: DetectionDraft) => string): Detection {
  const base = {
    ruleId: rule.id,
    ruleType: rule.type,
    active: draft.active,
    key: draft.key,
    keyFields: draft.keyFields,
    windowStart: draft.windowStart,
    windowEnd: draft.windowEnd,
    time: draft.time,
    severity: rule.severity,
    value: draft.value,
  };
  return {
    ...base,
    ...(draft.threshold === undefined ? {} : { threshold: draft.threshold }),
    ...(draft.reference === undefined ? {} : { reference: draft.reference }),
    summary: render(draft),
    sample: draft.sample,
    codes: draft.codes,
  };
}

/** `host.name=NPS01` / `all events` for summaries. */
export function describeKey(fields: Readonly<Record<string, string>>): string {
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? 'all events' : parts.join(', ');
}

/** A duration in its largest whole unit, as people write them in rules: `30d`, `15m`, `90m`, `1h`. */
export function describeDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return formatDuration(ms);
}

export const describeWindow = (d: DetectionDraft): string => describeDuration(d.windowEnd - d.windowStart);

/** Orders detections by (time, ruleId, key); the sort is stable, so each rule's own order breaks the remaining ties. */
export function compareDetections(a: Detection, b: Detection): number {
  if (a.time !== b.time) return a.time - b.time;
  if (a.ruleId !== b.ruleId) return a.ruleId < b.ruleId ? -1 : 1;
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return 0;
}
