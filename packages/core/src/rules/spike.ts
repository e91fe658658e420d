import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import type { ClassifiedEvent } from '../classify/types.js';
import {
  alignDown,
  alignUp,
  bareBucket,
  bucketsIn,
  type CountBucket,
  dropBefore,
  newestDropped,
  runStart,
  sumCounts,
} from '../stream/buckets.js';
import { json } from '../stream/json.js';
import { countBucketsFromJSON, type KeyedState, type WindowHooks } from '../stream/keyed.js';
import { checkWindow, commonShape, compileCommon, groupOf, windowShape } from './common.js';
import { RULE_DEFAULTS } from './defaults.js';
import { type DetectionDraft, describeKey, describeWindow, type RuleRuntime } from './rule.js';
import {
  addEvent,
  countedBuckets,
  countInPlace,
  judged,
  ownEvidence,
  type WindowedEntry,
  windowedRuntime,
  windowSpec,
} from './windowed.js';

const D = RULE_DEFAULTS.spike;
const B = RULE_DEFAULTS.baseline;
const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
/** Normal-consistency constant: 1.4826 · MAD estimates σ for normal data. */
const MAD_TO_SIGMA = 1.4826;

export const baselineSchema = z
  .object({
    method: z.literal('median_mad').default(B.method),
    /** Reference windows (K): the last K windows, or the same hour of the last K weeks. */
    windows: z.number().int().min(3).max(1000).default(B.windows),
    /** How many robust standard deviations from the median count as a spike. */
    mads: z.number().positive().default(B.mads),
    seasonality: z.literal('hour_of_week').optional(),
    time_zone: z
      .string()
      .default(B.time_zone)
      .refine((zone) => zone === 'UTC' || IANAZone.isValidZone(zone), {
        error: (issue) => `expected an IANA time zone like "Europe/Berlin", got ${JSON.stringify(issue.input)}`,
      }),
  })
  .strict();

/**
 * `spike`: the count of the current window against a reference: the previous window (`ratio`), or a robust
 * baseline (median and MAD of the last K windows, optionally the same local hour of the last K weeks).
 */
export const spikeSchema = z
  .object({
    ...commonShape,
    type: z.literal('spike'),
    ...windowShape,
    direction: z.enum(['up', 'down', 'both']).default(D.direction),
    /** Without `baseline`: up when current ≥ ratio × max(reference, 1); down when current ≤ reference / ratio. */
    ratio: z.number().gt(1).default(D.ratio),
    /** Up spikes need at least this many events in the current window. */
    min_current: z.number().int().min(0).default(D.min_current),
    /** Down spikes need a reference of at least this many events. */
    min_reference: z.number().min(0).default(D.min_reference),
    baseline: baselineSchema.optional(),
    /**
     * false: each key warms up from its own first event (its first burst is its baseline). true: a key with no
     * events so far is known to have had none while the rule watched, so its first burst can alert once the rule
     * itself is warm (error spikes on a host that never had errors).
     */
    alert_on_new_keys: z.boolean().default(D.alert_on_new_keys),
  })
  .strict()
  .superRefine(checkWindow)
  .superRefine((cfg, ctx) => {
    if (cfg.baseline?.seasonality !== 'hour_of_week') return;
    if (HOUR % cfg.window !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['window'],
        message: 'hour_of_week seasonality needs a window that divides 1h (e.g. 15m, 1h)',
        input: cfg.window,
      });
    }
    if (cfg.step !== undefined && cfg.step !== cfg.window) {
      ctx.addIssue({
        code: 'custom',
        path: ['step'],
        message: 'hour_of_week seasonality needs tumbling windows (step equal to window)',
        input: cfg.step,
      });
    }
  });

export type SpikeConfig = z.output<typeof spikeSchema>;

interface Own {
  /** With alert_on_new_keys: where the key's known history begins (history before an eviction is lost). */
  readonly since: number;
  /** Newest bucket already dropped: tells whether the current run of activity goes back further. */
  readonly lastDropped: number | null;
}

/** Current-window buckets keep samples; older ones are reduced to counts. */
type Entry = WindowedEntry<CountBucket, Own>;

export type SpikeState = KeyedState<Entry>;

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The robust scale: 1.4826·MAD, floored by Poisson noise (√median) and 1 so flat histories don't alert on +1. */
export function robustSigma(values: readonly number[]): { median: number; sigma: number } {
  const m = median(values);
  const mad = median(values.map((v) => Math.abs(v - m)));
  return { median: m, sigma: Math.max(MAD_TO_SIGMA * mad, Math.sqrt(m), 1) };
}

type Verdict =
  | { readonly holds: false }
  | { readonly holds: true; readonly direction: 'up' | 'down'; readonly threshold: number };

const render = (d: DetectionDraft): string => {
  const where = `${describeKey(d.keyFields)} in ${describeWindow(d)}`;
  const ref = d.reference === undefined ? '' : ` vs reference ${round(d.reference)}`;
  if (!d.active) return `${d.value} events for ${where}${ref}: back to normal`;
  const up = d.threshold !== undefined && d.value >= d.threshold && d.value > (d.reference ?? 0);
  return `${up ? 'spike' : 'drop'}: ${d.value} events for ${where}${ref} (${up ? 'at least' : 'at most'} ${round(d.threshold ?? 0)})`;
};

const round = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(2));

export function createSpike(cfg: SpikeConfig): RuleRuntime<SpikeState> {
  const common = compileCommon('spike', cfg);
  const spec = windowSpec(common, cfg, render);
  const { size, step } = spec;
  const baseline = cfg.baseline;
  const k = baseline?.windows ?? 1;
  const seasonal = baseline?.seasonality === 'hour_of_week';
  const zone = baseline?.time_zone ?? 'UTC';
  const wantUp = cfg.direction !== 'down';
  const wantDown = cfg.direction !== 'up';

  // Reference window starts for the window [end - size, end). Pure in `end`, so a small cache is safe.
  const cache = new Map<number, readonly number[]>();
  const referenceStarts = (end: number): readonly number[] => {
    const hit = cache.get(end);
    if (hit !== undefined) return hit;
    const start = end - size;
    let starts: number[];
    if (seasonal) {
      // Same local wall time j weeks earlier: DST moves the UTC hour, not the local one.
      const local = DateTime.fromMillis(start, { zone });
      starts = Array.from({ length: k }, (_, j) => alignDown(local.minus({ weeks: j + 1 }).toMillis(), step));
    } else {
      starts = Array.from({ length: k }, (_, j) => start - (j + 1) * size);
    }
    if (cache.size >= 256) cache.clear();
    cache.set(end, starts);
    return starts;
  };

  /** Oldest bucket any window ending at or after `end` may read. DST shifts seasonal references by up to an hour. */
  const oldestNeeded = (end: number): number => (seasonal ? end - size - k * WEEK - 2 * HOUR : end - size - k * size);

  /**
   * Per-key history breaks after a silence longer than everything an evaluation reads: the key then starts over
   * (its first events are its new baseline), as if it had been forgotten.
   */
  const gap = (seasonal ? size + k * WEEK + 2 * HOUR : (k + 1) * size) + step;

  /**
   * Where the key's history begins for the window ending at `end`: the rule's first observed bucket, and per key
   * either the start of the current run of activity (default) or, with alert_on_new_keys, the last eviction.
   */
  const since = (entry: Entry, origin: number, end: number): number | undefined => {
    const observed = alignUp(origin, step);
    if (cfg.alert_on_new_keys) return Math.max(observed, entry.since);
    const run = runStart(entry.buckets, entry.lastDropped, end, gap);
    return run === undefined ? undefined : Math.max(observed, run);
  };

  /** History start of a key being created with alert_on_new_keys: history before an eviction is unknown. */
  const historyStart = (state: SpikeState): number =>
    state.evictedAt === null ? Number.MIN_SAFE_INTEGER : alignUp(state.evictedAt, step);

  const judge = (current: number, refs: readonly number[]): { verdict: Verdict; reference: number } => {
    if (baseline === undefined) {
      const ref = refs[0]!;
      if (wantUp && current >= cfg.min_current && current > ref && current >= cfg.ratio * Math.max(ref, 1)) {
        return {
          verdict: { holds: true, direction: 'up', threshold: Math.max(cfg.min_current, cfg.ratio * Math.max(ref, 1)) },
          reference: ref,
        };
      }
      if (wantDown && ref >= cfg.min_reference && current < ref && current <= ref / cfg.ratio) {
        return { verdict: { holds: true, direction: 'down', threshold: ref / cfg.ratio }, reference: ref };
      }
      return { verdict: { holds: false }, reference: ref };
    }
    const { median: m, sigma } = robustSigma(refs);
    const upper = m + baseline.mads * sigma;
    const lower = m - baseline.mads * sigma;
    if (wantUp && current >= cfg.min_current && current > m && current >= upper) {
      return { verdict: { holds: true, direction: 'up', threshold: Math.max(cfg.min_current, upper) }, reference: m };
    }
    if (wantDown && m >= cfg.min_reference && current < m && current <= lower) {
      return { verdict: { holds: true, direction: 'down', threshold: lower }, reference: m };
    }
    return { verdict: { holds: false }, reference: m };
  };

  const hooks: WindowHooks<Entry> = {
    next(entry, from, state) {
      if (entry.active) return from;
      // Skip the boundaries before the key can possibly be warm (the exact test is in evaluate).
      const earliest = cfg.alert_on_new_keys ? entry.since : (entry.lastDropped ?? entry.buckets[0]?.start);
      if (earliest === undefined) return from;
      const warmFrom =
        Math.max(alignUp(state.origin!, step), earliest) + (seasonal ? size + k * WEEK - 2 * HOUR : (k + 1) * size);
      return Math.max(from, alignUp(warmFrom, step));
    },
    evaluate(key, entry, end, state) {
      const starts = referenceStarts(end);
      const historyFrom = since(entry, state.origin!, end);
      const warm = historyFrom !== undefined && historyFrom <= Math.min(...starts);
      if (!warm && !entry.active) return { entry };
      const current = sumCounts(entry.buckets, end - size, end);
      const { verdict, reference } = warm
        ? judge(
            current,
            starts.map((s) => sumCounts(entry.buckets, s, s + size)),
          )
        : { verdict: { holds: false } as Verdict, reference: 0 };
      // Quiet windows return before their buckets are gathered.
      if (!verdict.holds && !entry.active) return { entry };
      const measure = {
        active: verdict.holds,
        value: current,
        ...(verdict.holds ? { threshold: verdict.threshold } : {}),
        reference,
      };
      return judged(spec, key, entry, end, measure, bucketsIn(entry.buckets, end - size, end), ownEvidence);
    },
    retain(_key, entry, evaluated) {
      const next = evaluated + step;
      const kept = dropBefore(entry.buckets, oldestNeeded(next));
      const lastDropped = newestDropped(entry.buckets, kept, entry.lastDropped);
      // Only zeros left, and any later event would start a new run anyway: dropping the key loses nothing.
      if (kept.length === 0 && !entry.active && (lastDropped === null || lastDropped + gap <= evaluated))
        return undefined;
      const currentFrom = next - size;
      let changed = kept !== entry.buckets || lastDropped !== entry.lastDropped;
      const buckets = kept.map((b) => {
        if (b.start >= currentFrom) return b;
        const bare = bareBucket(b);
        if (bare !== b) changed = true;
        return bare;
      });
      return changed ? { ...entry, buckets, lastDropped } : entry;
    },
  };

  const add = (state: SpikeState, event: ClassifiedEvent) =>
    addEvent(state, spec, groupOf(common, event), event, (old, start, group) => ({
      fields: group.fields,
      lastSeen: Math.max(old?.lastSeen ?? event.time, event.time),
      since: old?.since ?? (cfg.alert_on_new_keys ? historyStart(state) : start),
      lastDropped: old?.lastDropped ?? null,
      pinned: false,
      active: old?.active ?? false,
      buckets: countedBuckets(old?.buckets, spec, start, event),
    }));

  return windowedRuntime<CountBucket, Own>(spec, {
    hooks,
    add,
    // `since` is set when the key is created; an event in its newest bucket leaves it as it is.
    addOwned: (state, event) => countInPlace(state, spec, event),
    bucketsFromJSON: countBucketsFromJSON,
    ownFromJSON: (o) => ({
      since: json.number(o.since, 'since'),
      lastDropped: json.numberOrNull(o.lastDropped, 'lastDropped'),
    }),
  });
}
