import type { Severity } from '../catalog/types.js';
import type { ClassifiedEvent } from '../classify/types.js';

export type RuleType = 'threshold' | 'spike' | 'flatline' | 'cardinality' | 'new_value' | 'ratio' | 'sequence' | 'any';

/**
 * What a rule says about one key at one evaluation. Rules evaluate on closed windows (event time, watermark),
 * so a Detection is final: the same input always yields the same Detections, however it is chunked.
 *
 * `active` detections are emitted at every evaluation where the condition holds; one `inactive` detection
 * is emitted the first evaluation after an active one where it no longer holds (so policies can resolve).
 */
export interface Detection {
  readonly ruleId: string;
  readonly ruleType: RuleType;
  readonly active: boolean;
  /** Group key as a stable string (`""` for an ungrouped rule); values of `keyFields` joined by `|`. */
  readonly key: string;
  /** Field path → value for the rule's `group_by` fields. */
  readonly keyFields: Readonly<Record<string, string>>;
  /** Window evaluated, epoch ms, half-open [start, end). For `any`/`sequence`/`new_value` start = end = event time. */
  readonly windowStart: number;
  readonly windowEnd: number;
  /** Event time at which the condition became decidable (window end, or the matching event's time). */
  readonly time: number;
  readonly severity: Severity;
  /** The measured value: count, ratio, distinct count, ... and what it was compared with. */
  readonly value: number;
  readonly threshold?: number;
  /** Spike: the reference (baseline) value. */
  readonly reference?: number;
  /** Human summary in English, built by the rule's renderer (not by detection logic). */
  readonly summary: string;
  /** Up to `sample_size` events behind the detection (newest last). */
  readonly sample: readonly ClassifiedEvent[];
  /** Distinct catalog codes among matching events, most frequent first. */
  readonly codes: readonly string[];
}

/** A notification, after the policy (pending, grouping, dedup, repeat, silences, inhibition, flap damping). */
export interface Alert {
  readonly id: string;
  /** Deduplication key: rule id + group key. */
  readonly fingerprint: string;
  readonly status: 'firing' | 'resolved';
  readonly ruleId: string;
  readonly ruleType: RuleType;
  readonly key: string;
  readonly keyFields: Readonly<Record<string, string>>;
  readonly severity: Severity;
  readonly windowStart: number;
  readonly windowEnd: number;
  /** Event time of the detection that caused this notification. */
  readonly time: number;
  /** Event time the alert first became active (after `for`). */
  readonly startsAt: number;
  readonly endsAt?: number;
  readonly value: number;
  readonly threshold?: number;
  readonly reference?: number;
  readonly summary: string;
  readonly codes: readonly string[];
  readonly sample: readonly ClassifiedEvent[];
  /** How many detections this notification stands for (grouping and repeat suppression). */
  readonly count: number;
}
