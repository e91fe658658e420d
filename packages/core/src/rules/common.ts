import { z } from 'zod';
import type { ClassifiedEvent } from '../classify/types.js';
import { NotifyOptionsSchema } from '../notify/options.js';
import { CompatSchema } from './compat/options.js';
import { RULE_DEFAULTS } from './defaults.js';
import { duration, positiveDuration } from './duration.js';
import { compileFilter, type EventPredicate, FilterSchema } from './filter.js';
import { compileKey, GroupBySchema, type GroupKey, type KeyFunction } from './keys.js';
import type { RuleInfo } from './rule.js';
import type { RuleType } from './types.js';

const D = RULE_DEFAULTS.common;

export const RULE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const SeveritySchema = z.enum(['critical', 'high', 'medium', 'low', 'info'], {
  error: (issue) => `expected one of critical, high, medium, low, info, got ${JSON.stringify(issue.input)}`,
});

/** Options every rule type accepts. */
export const commonShape = {
  id: z
    .string()
    .regex(RULE_ID_PATTERN, { error: 'expected an id of letters, digits, ".", "_" or "-", like "otp-brute-force"' }),
  description: z.string().default(D.description),
  filter: FilterSchema.optional(),
  group_by: GroupBySchema.default([]),
  allowed_lateness: duration.optional(),
  severity: SeveritySchema.default(D.severity),
  sample_size: z.number().int().min(0).max(100).default(D.sample_size),
  enabled: z.boolean().default(D.enabled),
  max_keys: z.number().int().min(1).default(D.max_keys),
  labels: z.record(z.string(), z.string()).default({}),
  notify: NotifyOptionsSchema.optional(),
  /** `elastalert`: ElastAlert 2's window semantics for a migration (docs/rules.md, "Compatibility mode"). */
  compat: CompatSchema.optional(),
};

/** Options of the windowed types (threshold, spike, flatline, cardinality, ratio). */
export const windowShape = {
  window: positiveDuration,
  step: positiveDuration.optional(),
};

/** `step` must divide `window` so that windows are whole numbers of aligned buckets. */
export function checkWindow(
  cfg: { readonly window: number; readonly step?: number | undefined },
  ctx: z.RefinementCtx,
): void {
  if (cfg.step === undefined) return;
  if (cfg.step > cfg.window || cfg.window % cfg.step !== 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['step'],
      message: 'expected a step that divides window (e.g. window 10m, step 1m)',
      input: cfg.step,
    });
  }
}

/** Options of the banded types (cardinality, ratio): alert above `max` or below `min`, at least one given. */
export function checkBand(
  cfg: { readonly max?: number | undefined; readonly min?: number | undefined },
  ctx: z.RefinementCtx,
): void {
  if (cfg.max === undefined && cfg.min === undefined)
    ctx.addIssue({ code: 'custom', path: ['max'], message: 'expected max, min or both', input: undefined });
  if (cfg.max !== undefined && cfg.min !== undefined && cfg.min > cfg.max)
    ctx.addIssue({ code: 'custom', path: ['min'], message: 'expected min ≤ max', input: cfg.min });
}

/** The bound a banded detection names: the one crossed, or when back within the band the one configured (max first). */
export function bandThreshold(
  cfg: { readonly max?: number | undefined; readonly min?: number | undefined },
  over: boolean,
  under: boolean,
): number {
  return over ? cfg.max! : under ? cfg.min! : (cfg.max ?? cfg.min!);
}

export type CommonOptions = z.output<z.ZodObject<typeof commonShape>>;

/** The parts of a rule compiled once, shared by every type. */
export interface CompiledCommon {
  readonly info: RuleInfo;
  readonly lateness: number | undefined;
  readonly matches: EventPredicate;
  readonly keyOf: KeyFunction;
  /** `matches` then `keyOf`, remembered for the last event asked (the engine asks `accepts`, then `step`). */
  readonly groupOf: KeyFunction;
  readonly maxKeys: number;
  readonly fingerprint: string;
}

/** Options that change what a rule detects, not how it is labelled: these define the state fingerprint. */
const COSMETIC = new Set([
  'description',
  'severity',
  'labels',
  'notify',
  'enabled',
  'sample_size',
  'allowed_lateness',
  'max_keys',
]);

export function compileCommon(type: RuleType, cfg: CommonOptions): CompiledCommon {
  const shaping = Object.fromEntries(Object.entries(cfg).filter(([k]) => !COSMETIC.has(k)));
  const matches = compileFilter(cfg.filter);
  const keyOf = compileKey(cfg.group_by);
  let lastEvent: ClassifiedEvent | undefined;
  let lastGroup: GroupKey | undefined;
  const group = (event: ClassifiedEvent): GroupKey | undefined => {
    if (event !== lastEvent) {
      lastGroup = matches(event) ? keyOf(event) : undefined;
      lastEvent = event;
    }
    return lastGroup;
  };
  return {
    info: { id: cfg.id, type, severity: cfg.severity, sampleSize: cfg.sample_size },
    lateness: cfg.allowed_lateness,
    matches,
    keyOf,
    groupOf: group,
    maxKeys: cfg.max_keys,
    fingerprint: fingerprint(shaping),
  };
}

/** The group of an event if it passes the rule's filter and has every group field. */
export function groupOf(common: CompiledCommon, event: ClassifiedEvent): GroupKey | undefined {
  return common.groupOf(event);
}

/** JSON with sorted keys: equal values give equal text. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** FNV-1a (64-bit via two 32-bit lanes) of the stable JSON: short, dependency-free, stable across runs. */
export function fingerprint(value: unknown): string {
  const text = stableStringify(value);
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x01000193 + 2) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}
