import { z } from 'zod';
import type { ClassifiedEvent } from '../classify/types.js';
import type { Mutable } from '../mutable.js';
import {
  addCode,
  addCodeOwned,
  addSample,
  addSampleOwned,
  bucketsIn,
  NO_CODES,
  NO_EVENTS,
  upsertBucket,
} from '../stream/buckets.js';
import { json } from '../stream/json.js';
import type { KeyedState, WindowHooks } from '../stream/keyed.js';
import { bandThreshold, checkBand, checkWindow, commonShape, compileCommon, groupOf, windowShape } from './common.js';
import { RULE_DEFAULTS } from './defaults.js';
import { compileFilter, FilterSchema } from './filter.js';
import { type DetectionDraft, describeKey, describeWindow, type RuleRuntime } from './rule.js';
import {
  addEvent,
  addInPlace,
  type Evidence,
  judged,
  nextWithData,
  noOwnFields,
  retainOpen,
  type WindowedEntry,
  windowedRuntime,
  windowSpec,
} from './windowed.js';

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
  .superRefine(checkBand);

export type RatioConfig = z.output<typeof ratioSchema>;

/** What a ratio bucket counts (here and in the ElastAlert compat runtime): the total, and both sides of it. */
export interface ShareCounts {
  readonly total: number;
  readonly matched: number;
  /** Numerator events (shown for `max` alerts) and the others (shown for `min` alerts). */
  readonly matchedSample: readonly ClassifiedEvent[];
  readonly otherSample: readonly ClassifiedEvent[];
  readonly matchedCodes: Readonly<Record<string, number>>;
  readonly otherCodes: Readonly<Record<string, number>>;
}

/** Nothing counted yet. */
export const NO_SHARE: ShareCounts = Object.freeze({
  total: 0,
  matched: 0,
  matchedSample: NO_EVENTS,
  otherSample: NO_EVENTS,
  matchedCodes: NO_CODES,
  otherCodes: NO_CODES,
});

interface Bucket extends ShareCounts {
  readonly start: number;
}

type Entry = WindowedEntry<Bucket>;

/** `max` alerts show the numerator events, `min` alerts the others. */
const matchedEvidence = (b: Bucket): Evidence => ({ sample: b.matchedSample, codes: b.matchedCodes });
const otherEvidence = (b: Bucket): Evidence => ({ sample: b.otherSample, codes: b.otherCodes });

export type RatioState = KeyedState<Entry>;

const percent = (share: number): string => `${(share * 100).toFixed(1).replace(/\.0$/, '')} %`;

const render = (d: DetectionDraft): string => {
  const where = `${describeKey(d.keyFields)} in ${describeWindow(d)}`;
  const over = d.threshold !== undefined && d.value > d.threshold;
  const bound = d.active ? `${over ? 'above' : 'below'} ${percent(d.threshold ?? 0)}` : 'back within limits';
  return `${percent(d.value)} of ${d.reference ?? 0} events match for ${where} (${bound})`;
};

/** Adds one event to a ratio bucket: to the total, and to the matched or the other side; other fields stay. */
export function addShare<B extends ShareCounts>(
  counts: B,
  event: ClassifiedEvent,
  hit: boolean,
  sampleSize: number,
): B {
  return hit
    ? {
        ...counts,
        total: counts.total + 1,
        matched: counts.matched + 1,
        matchedSample: addSample(counts.matchedSample, event, sampleSize),
        matchedCodes: addCode(counts.matchedCodes, event.code),
      }
    : {
        ...counts,
        total: counts.total + 1,
        otherSample: addSample(counts.otherSample, event, sampleSize),
        otherCodes: addCode(counts.otherCodes, event.code),
      };
}

/** The counted fields of a bucket's JSON (its position field is the caller's). */
export function shareFromJSON(b: Readonly<Record<string, unknown>>): ShareCounts {
  return {
    total: json.number(b.total, 'bucket.total'),
    matched: json.number(b.matched, 'bucket.matched'),
    matchedSample: json.events(b.matchedSample, 'bucket.matchedSample'),
    otherSample: json.events(b.otherSample, 'bucket.otherSample'),
    matchedCodes: json.counts(b.matchedCodes, 'bucket.matchedCodes'),
    otherCodes: json.counts(b.otherCodes, 'bucket.otherCodes'),
  };
}

/** `addShare` on a bucket the caller owns: modifies it in place. */
function addShareOwned(bucket: Bucket, event: ClassifiedEvent, hit: boolean, sampleSize: number): void {
  const b = bucket as Mutable<Bucket>;
  b.total++;
  if (hit) {
    b.matched++;
    b.matchedSample = addSampleOwned(b.matchedSample, event, sampleSize);
    b.matchedCodes = addCodeOwned(b.matchedCodes, event.code);
  } else {
    b.otherSample = addSampleOwned(b.otherSample, event, sampleSize);
    b.otherCodes = addCodeOwned(b.otherCodes, event.code);
  }
}

export function createRatio(cfg: RatioConfig): RuleRuntime<RatioState> {
  const common = compileCommon('ratio', cfg);
  const spec = windowSpec(common, cfg, render);
  const inDenominator = compileFilter(cfg.denominator);
  const inNumerator = compileFilter(cfg.numerator);

  const hooks: WindowHooks<Entry> = {
    next: nextWithData(spec),
    evaluate(key, entry, end) {
      const inWindow = bucketsIn(entry.buckets, end - spec.size, end);
      const total = inWindow.reduce((n, b) => n + b.total, 0);
      const matched = inWindow.reduce((n, b) => n + b.matched, 0);
      const share = total === 0 ? 0 : matched / total;
      const enough = total >= cfg.min_total;
      const over = enough && cfg.max !== undefined && share > cfg.max;
      const under = enough && cfg.min !== undefined && share < cfg.min;
      const measure = {
        active: over || under,
        value: share,
        threshold: bandThreshold(cfg, over, under),
        // The denominator: how many events the share is of.
        reference: total,
      };
      return judged(spec, key, entry, end, measure, inWindow, under ? otherEvidence : matchedEvidence);
    },
    retain: retainOpen(spec),
  };

  const groupIn = (event: ClassifiedEvent) => (inDenominator(event) ? groupOf(common, event) : undefined);

  const add = (state: RatioState, event: ClassifiedEvent) => {
    const group = groupIn(event);
    const hit = group !== undefined && inNumerator(event);
    return addEvent(state, spec, group, event, (old, start, g) => ({
      fields: g.fields,
      lastSeen: Math.max(old?.lastSeen ?? event.time, event.time),
      pinned: false,
      active: old?.active ?? false,
      buckets: upsertBucket(old?.buckets ?? [], start, (b) =>
        addShare(b ?? { start, ...NO_SHARE }, event, hit, cfg.sample_size),
      ),
    }));
  };

  return windowedRuntime(spec, {
    hooks,
    add,
    addOwned: (state, event) => {
      const group = groupIn(event);
      const hit = group !== undefined && inNumerator(event);
      return addInPlace(state, spec, group, event, (b) => addShareOwned(b, event, hit, cfg.sample_size));
    },
    accepts: (event) => groupIn(event) !== undefined,
    ownFromJSON: noOwnFields,
    bucketsFromJSON: (value) =>
      json.array(value, 'buckets').map((raw): Bucket => {
        const b = json.object(raw, 'bucket');
        return { start: json.number(b.start, 'bucket.start'), ...shareFromJSON(b) };
      }),
  });
}
