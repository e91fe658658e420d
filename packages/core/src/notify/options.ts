import { z } from 'zod';
import type { Severity } from '../catalog/types.js';
import type { RuleType } from '../rules/types.js';
import { parseDuration } from '../time/duration.js';

/** A duration option (`30s`, `10m`, `4h`, `1d`, `1h30m`), checked at parse time so errors carry the option path. */
export const DurationSchema = z.string().superRefine((text, ctx) => {
  try {
    parseDuration(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
  }
});

// A malformed duration is reported by DurationSchema; this check only rejects well-formed zeros.
const PositiveDurationSchema = DurationSchema.refine((text) => durationOrNaN(text) !== 0, {
  message: 'must be longer than 0',
});

function durationOrNaN(text: string): number {
  try {
    return parseDuration(text);
  } catch {
    return Number.NaN;
  }
}

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const satisfies readonly Severity[];
const RULE_TYPES = [
  'threshold',
  'spike',
  'flatline',
  'cardinality',
  'new_value',
  'ratio',
  'sequence',
  'any',
] as const satisfies readonly RuleType[];

const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

/**
 * Label matchers for silences and inhibition. Every given matcher must hold (AND); a list means "any of".
 * `keyFields` compares the detection's group-by values (`host.name`, `user.name`, ...) exactly.
 */
export const AlertMatchersSchema = z.strictObject({
  ruleId: oneOrMany(z.string().min(1)).optional(),
  ruleType: oneOrMany(z.enum(RULE_TYPES)).optional(),
  key: oneOrMany(z.string()).optional(),
  severity: oneOrMany(z.enum(SEVERITIES)).optional(),
  keyFields: z.record(z.string().min(1), oneOrMany(z.string())).optional(),
});
export type AlertMatchers = z.infer<typeof AlertMatchersSchema>;

/** How many conditions a matcher sets (each key field counts). */
function matcherCount(m: AlertMatchers): number {
  const { keyFields, ...rest } = m;
  return Object.values(rest).filter((v) => v !== undefined).length + Object.keys(keyFields ?? {}).length;
}

/**
 * The per-rule `notify:` block: when a rule's detections become notifications. Durations are event time.
 * Defaults: fire at once (`for: 0s`), no keep-firing, re-notify every 4h, send resolved, no grouping.
 */
export const NotifyOptionsSchema = z.strictObject({
  /** Pending period: the condition must hold on every evaluation for this long before the alert fires. */
  for: DurationSchema.default('0s'),
  /**
   * Keep firing this long after the condition clears (against flapping and false resolution). Default 0s; no
   * zod default here (nor on `resolve`) so callers can tell "not given" from "given" and apply their own.
   */
  keep_firing_for: DurationSchema.optional(),
  /** Re-notify a still-firing alert (group) at most this often. */
  repeat_interval: PositiveDurationSchema.default('4h'),
  /** Send a resolved notification when a notified alert (group) stops firing. */
  resolve: z.boolean().optional(),
  /**
   * Detection `keyFields` to group this rule's alerts by into one notification (`[]`: one group for the whole
   * rule). Absent: every detection key is its own alert.
   */
  group_by: z.array(z.string().min(1)).optional(),
  /**
   * Wait before the first notification of a new group, to batch alerts that start together.
   * Default 30s with `group_by`, else 0s.
   */
  group_wait: DurationSchema.optional(),
  /** Wait before notifying about changes in an already-notified group. Default 5m. */
  group_interval: PositiveDurationSchema.optional(),
  /**
   * Flap damping: an alert that changes between firing and resolved more than `max_changes` times within
   * `window` is held firing (and flagged flapping) until it has had no change for a whole `window`.
   */
  flap: z
    .strictObject({
      window: PositiveDurationSchema,
      max_changes: z.number().int().min(1),
    })
    .optional(),
});
export type NotifyOptions = z.output<typeof NotifyOptionsSchema>;
export type NotifyOptionsInput = z.input<typeof NotifyOptionsSchema>;

const IsoTimeSchema = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 time with an offset or Z' });

/** A time-bound silence: matching alerts are kept and counted but not sent while `starts_at <= time < ends_at`. */
export const SilenceSchema = z
  .strictObject({
    id: z.string().min(1).optional(),
    matchers: AlertMatchersSchema.refine((m) => matcherCount(m) > 0, {
      message: 'a silence needs at least one matcher (an empty one would silence everything)',
    }),
    starts_at: IsoTimeSchema,
    ends_at: IsoTimeSchema,
    comment: z.string(),
    created_by: z.string().optional(),
  })
  .refine((s) => Date.parse(s.ends_at) > Date.parse(s.starts_at), {
    message: 'ends_at must be after starts_at',
    path: ['ends_at'],
  });
export type SilenceOptions = z.output<typeof SilenceSchema>;

/** Alertmanager-style inhibition: a firing `source` alert mutes `target` alerts that agree on every `equal` field. */
export const InhibitRuleSchema = z.strictObject({
  source: AlertMatchersSchema,
  target: AlertMatchersSchema,
  /** Fields (`keyFields` names, or `ruleId` / `key` / `severity`) that must be equal and present on both. */
  equal: z.array(z.string().min(1)).default([]),
  comment: z.string().optional(),
});
export type InhibitRuleOptions = z.output<typeof InhibitRuleSchema>;

/** The global notification policy: silences and inhibition apply across rules. */
export const NotifyGlobalSchema = z.strictObject({
  silences: z.array(SilenceSchema).default([]),
  inhibit_rules: z.array(InhibitRuleSchema).default([]),
});
export type NotifyGlobalOptions = z.output<typeof NotifyGlobalSchema>;
export type NotifyGlobalInput = z.input<typeof NotifyGlobalSchema>;

/** A rule's notification policy with durations in milliseconds. */
export interface RulePolicy {
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly repeatIntervalMs: number;
  readonly resolve: boolean;
  /** Undefined: one alert per detection key. */
  readonly groupBy?: readonly string[];
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly flap?: { readonly windowMs: number; readonly maxChanges: number };
}

export interface Silence {
  readonly id: string;
  readonly matchers: AlertMatchers;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly comment: string;
}

export interface InhibitRule {
  readonly source: AlertMatchers;
  readonly target: AlertMatchers;
  readonly equal: readonly string[];
}

/** Everything the notification step needs, compiled once from the rule files and the global policy. */
export interface NotifyPolicies {
  readonly rules: Readonly<Record<string, RulePolicy>>;
  /** For detections of rules not listed in `rules`. */
  readonly defaults: RulePolicy;
  readonly silences: readonly Silence[];
  readonly inhibitRules: readonly InhibitRule[];
}

/** A `notify:` block or global notification policy that does not validate. The message names rule and option. */
export class NotifyConfigError extends Error {
  override readonly name = 'NotifyConfigError';
  readonly code = 'E_NOTIFY_CONFIG';
}

const DEFAULT_GROUP_WAIT_MS = 30_000;
const DEFAULT_GROUP_INTERVAL_MS = 300_000;

/** Resolves one rule's `notify:` block (parsed or raw) to milliseconds. Throws with the rule id on bad input. */
export function compileRulePolicy(options: NotifyOptionsInput | undefined, ruleId = '(defaults)'): RulePolicy {
  const parsed = NotifyOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) throw new NotifyConfigError(`rule "${ruleId}" notify: ${formatIssues(parsed.error.issues)}`);
  const o = parsed.data;
  const ms = (text: string, name: string) => parseDuration(text, `rule "${ruleId}" notify.${name}`);
  return Object.freeze({
    forMs: ms(o.for, 'for'),
    keepFiringForMs: ms(o.keep_firing_for ?? '0s', 'keep_firing_for'),
    repeatIntervalMs: ms(o.repeat_interval, 'repeat_interval'),
    resolve: o.resolve ?? true,
    ...(o.group_by === undefined ? {} : { groupBy: Object.freeze([...o.group_by]) }),
    groupWaitMs:
      o.group_wait === undefined
        ? o.group_by === undefined
          ? 0
          : DEFAULT_GROUP_WAIT_MS
        : ms(o.group_wait, 'group_wait'),
    groupIntervalMs:
      o.group_interval === undefined ? DEFAULT_GROUP_INTERVAL_MS : ms(o.group_interval, 'group_interval'),
    ...(o.flap === undefined
      ? {}
      : { flap: Object.freeze({ windowMs: ms(o.flap.window, 'flap.window'), maxChanges: o.flap.max_changes }) }),
  });
}

/**
 * Builds the policies from every rule's `notify:` block (by rule id) and the global block. Validates with zod,
 * so it accepts raw YAML values as well as parsed ones.
 */
export function compileNotifyPolicies(input: {
  readonly rules?: Readonly<Record<string, NotifyOptionsInput | undefined>>;
  readonly global?: NotifyGlobalInput;
}): NotifyPolicies {
  const rules: Record<string, RulePolicy> = {};
  for (const [id, opts] of Object.entries(input.rules ?? {})) rules[id] = compileRulePolicy(opts, id);
  const parsed = NotifyGlobalSchema.safeParse(input.global ?? {});
  if (!parsed.success) throw new NotifyConfigError(`notification policy: ${formatIssues(parsed.error.issues)}`);
  const silences = parsed.data.silences.map(
    (s, i): Silence =>
      Object.freeze({
        id: s.id ?? `silence-${i + 1}`,
        matchers: s.matchers,
        startsAt: Date.parse(s.starts_at),
        endsAt: Date.parse(s.ends_at),
        comment: s.comment,
      }),
  );
  const inhibitRules = parsed.data.inhibit_rules.map(
    (r): InhibitRule => Object.freeze({ source: r.source, target: r.target, equal: Object.freeze([...r.equal]) }),
  );
  return Object.freeze({
    rules: Object.freeze(rules),
    defaults: compileRulePolicy(undefined),
    silences: Object.freeze(silences),
    inhibitRules: Object.freeze(inhibitRules),
  });
}

/** `path.to.option: message; ...` for the first few zod issues. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], max = 5): string {
  const parts = issues.slice(0, max).map((i) => `${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`);
  if (issues.length > max) parts.push(`(+${issues.length - max} more)`);
  return parts.join('; ');
}
