import { z } from 'zod';
import type { Severity } from '../catalog/types.js';
import type { ClassifiedEvent } from '../classify/types.js';
import type { RuleType } from '../rules/types.js';

/**
 * Where one alert instance (rule id + detection key) is:
 * - `inactive`: not firing (kept only while a flap history or an unsent resolution needs it);
 * - `pending`: condition holds, `for` not yet elapsed;
 * - `firing`: condition holds;
 * - `recovering`: condition cleared, still firing for `keep_firing_for`;
 * - `held`: condition cleared but the alert is flapping, so it stays firing until stable.
 */
export type InstancePhase = 'inactive' | 'pending' | 'firing' | 'recovering' | 'held';

/** What a notification shows about an instance: the latest detection, without the identity fields. */
export interface DetectionSnapshot {
  severity: Severity;
  windowStart: number;
  windowEnd: number;
  time: number;
  value: number;
  threshold?: number;
  reference?: number;
  summary: string;
  codes: string[];
  sample: ClassifiedEvent[];
}

export interface InstanceState {
  ruleId: string;
  ruleType: RuleType;
  key: string;
  keyFields: Record<string, string>;
  /** Fingerprint of the notification group this instance belongs to. */
  group: string;
  phase: InstancePhase;
  /** Event time the pending period started. */
  activeSince?: number;
  /** Event time the current firing episode started (after `for`). */
  startsAt?: number;
  /** Event time the instance stopped firing (set until its group has sent the resolution). */
  endsAt?: number;
  /** While `recovering`: event time `keep_firing_for` runs out. */
  keepUntil?: number;
  /** Event times of firing/resolved changes inside the flap window. */
  changes: number[];
  flapping: boolean;
  /** A notification has said this instance is flapping (so the next one needn't, until it settles). */
  flapNotified: boolean;
  /** Included in the last firing notification of its group. */
  notified: boolean;
  /** Last mute reason reported for this instance, so a silence or inhibition is counted once per episode. */
  muted?: 'silenced' | 'inhibited';
  /** Detections since this instance was last part of a notification. */
  detections: number;
  last: DetectionSnapshot;
}

export interface GroupState {
  ruleId: string;
  ruleType: RuleType;
  key: string;
  keyFields: Record<string, string>;
  /** Instance fingerprints, sorted. */
  members: string[];
  /** Time of the first flush (creation + `group_wait`); later flushes fall on anchor + k·group_interval. */
  anchor: number;
  flushed: boolean;
  lastFlush?: number;
  /** Earliest change not yet looked at by a flush. */
  dirtyAt?: number;
  /** A firing notification was sent and no resolution yet. */
  open: boolean;
  startsAt?: number;
  lastFiringAt?: number;
}

/**
 * The whole notification state: plain JSON (no Maps, no Infinity), so it can be saved and loaded as is.
 * Timers are not stored: they are derived from these fields and the policies.
 */
export interface NotifyState {
  /** Event time reached (max of inputs seen); undefined before the first input. */
  now?: number;
  instances: Record<string, InstanceState>;
  groups: Record<string, GroupState>;
}

export function emptyNotifyState(): NotifyState {
  return { instances: {}, groups: {} };
}

const SeveritySchema = z.enum(['critical', 'high', 'medium', 'low', 'info']);
const RuleTypeSchema = z.enum([
  'threshold',
  'spike',
  'flatline',
  'cardinality',
  'new_value',
  'ratio',
  'sequence',
  'any',
]);
const TimeSchema = z.number().finite();
const EventSchema = z.custom<ClassifiedEvent>(
  (v) => typeof v === 'object' && v !== null && typeof (v as { time?: unknown }).time === 'number',
  { message: 'expected a classified event with a numeric time' },
);

const SnapshotSchema = z.object({
  severity: SeveritySchema,
  windowStart: TimeSchema,
  windowEnd: TimeSchema,
  time: TimeSchema,
  value: z.number(),
  threshold: z.number().optional(),
  reference: z.number().optional(),
  summary: z.string(),
  codes: z.array(z.string()),
  sample: z.array(EventSchema),
});

const InstanceSchema = z.object({
  ruleId: z.string(),
  ruleType: RuleTypeSchema,
  key: z.string(),
  keyFields: z.record(z.string(), z.string()),
  group: z.string().min(1),
  phase: z.enum(['inactive', 'pending', 'firing', 'recovering', 'held']),
  activeSince: TimeSchema.optional(),
  startsAt: TimeSchema.optional(),
  endsAt: TimeSchema.optional(),
  keepUntil: TimeSchema.optional(),
  changes: z.array(TimeSchema),
  flapping: z.boolean(),
  flapNotified: z.boolean(),
  notified: z.boolean(),
  muted: z.enum(['silenced', 'inhibited']).optional(),
  detections: z.number().int().min(0),
  last: SnapshotSchema,
});

const GroupSchema = z.object({
  ruleId: z.string(),
  ruleType: RuleTypeSchema,
  key: z.string(),
  keyFields: z.record(z.string(), z.string()),
  members: z.array(z.string()),
  anchor: TimeSchema,
  flushed: z.boolean(),
  lastFlush: TimeSchema.optional(),
  dirtyAt: TimeSchema.optional(),
  open: z.boolean(),
  startsAt: TimeSchema.optional(),
  lastFiringAt: TimeSchema.optional(),
});

/** Checks a loaded notification state, including that groups and instances point at each other. */
export const NotifyStateSchema: z.ZodType<NotifyState> = z
  .object({
    now: TimeSchema.optional(),
    instances: z.record(z.string(), InstanceSchema),
    groups: z.record(z.string(), GroupSchema),
  })
  .superRefine((state, ctx) => {
    for (const [gfp, group] of Object.entries(state.groups)) {
      for (const fp of group.members) {
        if (state.instances[fp] === undefined) {
          ctx.addIssue({ code: 'custom', path: ['groups', gfp, 'members'], message: `unknown instance "${fp}"` });
        }
      }
    }
  });
