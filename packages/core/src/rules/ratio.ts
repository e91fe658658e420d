import { z } from 'zod';
import type { ClassifiedEvent } from '../classify/types.js';
import {
  addCode,
  addSample,
  alignDown,
  bucketsIn,
  dropBefore,
  mergeSamples,
  NO_CODES,
  NO_EVENTS,
  nextDataBoundary,
  topCodes,
  upsertBucket,
} from '../stream/buckets.js';
import { json } from '../stream/json.js';
import {
  advanceWindows,
  begin,
  initKeyed,
  type KeyedEntry,
  type KeyedState,
  keyedFromJSON,
  keyedToJSON,
  upsertKey,
  type WindowHooks,
} from '../stream/keyed.js';
import { checkWindow, commonShape, compileCommon, groupOf, windowShape } from './common.js';
import { RULE_DEFAULTS } from './defaults.js';
import { compileFilter, FilterSchema } from './filter.js';
import { type DetectionDraft, describeKey, describeWindow, makeDetection, type RuleRuntime } from './rule.js';

const Share = z.number().min(0).max(1, { error: 'expected a share between 0 and 1 (0.2 = 20 %)' });

/**
 * `ratio`: the share of events matching `numerator` among those matching `denominator` (default: every event
 * the rule's filter passes), per key and window, when at least `min_total` events are in the window. Alerts
 * when the share is above `max` or below `min` (both bounds are inside the normal band).
 */
export const ratioSchema = z
  .object({
    ...commonShape,
    type: z.literal('ratio'),
    ...windowShape,
    numerator: FilterSchema,
    denominator: FilterSchema.optional(),
    max: Share.optional(),
    min: Share.optional(),
    min_total: z.number().int().min(1).default(RULE_DEFAULTS.ratio.min_total),
  })
  .strict()
  .superRefine(checkWindow)
  .superRefine((cfg, ctx) => {
    if (cfg.max === undefined && cfg.min === undefined)
      ctx.addIssue({ code: 'custom', path: ['max'], message: 'expected max, min or both', input: undefined });
    if (cfg.max !== undefined && cfg.min !== undefined && cfg.min > cfg.max)
      ctx.addIssue({ code: 'custom', path: ['min'], message: 'expected min ≤ max', input: cfg.min });
  });

export type RatioConfig = z.output<typeof ratioSchema>;

interface Bucket {
  readonly start: number;
  readonly total: number;
  readonly matched: number;
  /** Numerator events (shown for `max` alerts) and the others (shown for `min` alerts). */
  readonly matchedSample: readonly ClassifiedEvent[];
  readonly otherSample: readonly ClassifiedEvent[];
  readonly matchedCodes: Readonly<Record<string, number>>;
  readonly otherCodes: Readonly<Record<string, number>>;
}

interface Entry extends KeyedEntry {
  readonly fields: Readonly<Record<string, string>>;
  readonly active: boolean;
  readonly buckets: readonly Bucket[];
}

export type RatioState = KeyedState<Entry>;

const percent = (share: number): string => `${(share * 100).toFixed(1).replace(/\.0$/, '')} %`;

const render = (d: DetectionDraft): string => {
  const where = `${describeKey(d.keyFields)} in ${describeWindow(d)}`;
  const over = d.threshold !== undefined && d.value > d.threshold;
  const bound = d.active ? `${over ? 'above' : 'below'} ${percent(d.threshold ?? 0)}` : 'back within limits';
  return `${percent(d.value)} of ${d.reference ?? 0} events match for ${where} (${bound})`;
};

export function createRatio(cfg: RatioConfig): RuleRuntime<RatioState> {
  const common = compileCommon('ratio', cfg);
  const size = cfg.window;
  const step = cfg.step ?? cfg.window;
  const inDenominator = compileFilter(cfg.denominator);
  const inNumerator = compileFilter(cfg.numerator);

  const hooks: WindowHooks<Entry> = {
    next: (entry, from) => (entry.active ? from : nextDataBoundary(entry.buckets, from, size, step)),
    evaluate(key, entry, end) {
      const inWindow = bucketsIn(entry.buckets, end - size, end);
      const total = inWindow.reduce((n, b) => n + b.total, 0);
      const matched = inWindow.reduce((n, b) => n + b.matched, 0);
      const share = total === 0 ? 0 : matched / total;
      const enough = total >= cfg.min_total;
      const over = enough && cfg.max !== undefined && share > cfg.max;
      const under = enough && cfg.min !== undefined && share < cfg.min;
      const holds = over || under;
      if (!holds && !entry.active) return { entry };
      const showOthers = under;
      const draft: DetectionDraft = {
        active: holds,
        key,
        keyFields: entry.fields,
        windowStart: end - size,
        windowEnd: end,
        time: end,
        value: share,
        threshold: over ? cfg.max! : under ? cfg.min! : (cfg.max ?? cfg.min!),
        // The denominator: how many events the share is of.
        reference: total,
        sample: mergeSamples(
          inWindow.map((b) => (showOthers ? b.otherSample : b.matchedSample)),
          cfg.sample_size,
        ),
        codes: topCodes(inWindow.map((b) => (showOthers ? b.otherCodes : b.matchedCodes))),
      };
      return { entry: { ...entry, active: holds }, out: makeDetection(common.info, draft, render) };
    },
    retain(_key, entry, evaluated) {
      const buckets = dropBefore(entry.buckets, evaluated + step - size);
      if (buckets.length === 0 && !entry.active) return undefined;
      return buckets === entry.buckets ? entry : { ...entry, buckets };
    },
  };

  const groupIn = (event: ClassifiedEvent) => (inDenominator(event) ? groupOf(common, event) : undefined);

  const add = (state: RatioState, event: ClassifiedEvent) => {
    const group = groupIn(event);
    if (group === undefined) return { state, evicted: 0 };
    const start = alignDown(event.time, step);
    const hit = inNumerator(event);
    return upsertKey(
      state,
      group.key,
      (old) => ({
        fields: group.fields,
        lastSeen: Math.max(old?.lastSeen ?? event.time, event.time),
        pinned: false,
        active: old?.active ?? false,
        buckets: upsertBucket(old?.buckets ?? [], start, (b): Bucket => {
          const base: Bucket = b ?? {
            start,
            total: 0,
            matched: 0,
            matchedSample: NO_EVENTS,
            otherSample: NO_EVENTS,
            matchedCodes: NO_CODES,
            otherCodes: NO_CODES,
          };
          return hit
            ? {
                ...base,
                total: base.total + 1,
                matched: base.matched + 1,
                matchedSample: addSample(base.matchedSample, event, cfg.sample_size),
                matchedCodes: addCode(base.matchedCodes, event.code),
              }
            : {
                ...base,
                total: base.total + 1,
                otherSample: addSample(base.otherSample, event, cfg.sample_size),
                otherCodes: addCode(base.otherCodes, event.code),
              };
        }),
      }),
      common.maxKeys,
    );
  };

  return {
    id: cfg.id,
    type: 'ratio',
    lateness: common.lateness,
    fingerprint: common.fingerprint,
    accepts: (event) => groupIn(event) !== undefined,
    init: () => initKeyed<Entry>(),
    step(state, input) {
      let s = begin(state, input, step);
      let evicted = 0;
      if (input.type === 'event') ({ state: s, evicted } = add(s, input.event));
      const { state: next, out } = advanceWindows(s, input.watermark, step, hooks);
      return { state: next, out, evicted };
    },
    size: (state) => state.keys.size,
    toJSON: (state) => keyedToJSON(state, (e) => e),
    fromJSON: (value) =>
      keyedFromJSON(value, (e): Entry => {
        const o = json.object(e, 'ratio key');
        return {
          fields: json.strings(o.fields, 'fields'),
          lastSeen: json.numberOrNull(o.lastSeen, 'lastSeen'),
          pinned: false,
          active: json.boolean(o.active, 'active'),
          buckets: json.array(o.buckets, 'buckets').map((raw): Bucket => {
            const b = json.object(raw, 'bucket');
            return {
              start: json.number(b.start, 'bucket.start'),
              total: json.number(b.total, 'bucket.total'),
              matched: json.number(b.matched, 'bucket.matched'),
              matchedSample: json.events(b.matchedSample, 'bucket.matchedSample'),
              otherSample: json.events(b.otherSample, 'bucket.otherSample'),
              matchedCodes: json.counts(b.matchedCodes, 'bucket.matchedCodes'),
              otherCodes: json.counts(b.otherCodes, 'bucket.otherCodes'),
            };
          }),
        };
      }),
  };
}
