import { z } from 'zod';
import { fieldGetter } from '../classify/fields.js';
import type { ClassifiedEvent } from '../classify/types.js';
import type { Mutable } from '../mutable.js';
import {
  addCode,
  addCodeOwned,
  addSample,
  addSampleOwned,
  alignUp,
  bucketsIn,
  dropBefore,
  NO_CODES,
  NO_EVENTS,
  newestDropped,
  runStart,
  upsertBucket,
} from '../stream/buckets.js';
import { json } from '../stream/json.js';
import type { KeyedState, WindowHooks } from '../stream/keyed.js';
import { PMap } from '../stream/pmap.js';
import { bandThreshold, checkBand, checkWindow, commonShape, compileCommon, groupOf, windowShape } from './common.js';
import { FieldNameSchema, present } from './keys.js';
import { type DetectionDraft, describeKey, describeWindow, type RuleRuntime } from './rule.js';
import {
  addEvent,
  addInPlace,
  judged,
  nextWithData,
  ownEvidence,
  type WindowedEntry,
  windowedRuntime,
  windowSpec,
} from './windowed.js';

/**
 * `cardinality`: distinct values of `field` per key in a window, above `max` or below `min` (the band is
 * inclusive: max 9 alerts at 10). One detection per key and window, not one per new value.
 */
export const cardinalitySchema = z
  .object({
    ...commonShape,
    type: z.literal('cardinality'),
    ...windowShape,
    field: FieldNameSchema,
    max: z.number().int().min(0).optional(),
    min: z.number().int().min(1).optional(),
  })
  .strict()
  .superRefine(checkWindow)
  .superRefine(checkBand);

export type CardinalityConfig = z.output<typeof cardinalitySchema>;

interface Bucket {
  readonly start: number;
  /** Distinct value → events with it in this bucket. */
  readonly values: PMap<string, number>;
  readonly sample: readonly ClassifiedEvent[];
  readonly codes: Readonly<Record<string, number>>;
}

interface Own {
  /** Newest bucket already dropped: tells whether the key's current run of activity goes back further. */
  readonly lastDropped: number | null;
}

type Entry = WindowedEntry<Bucket, Own>;

export type CardinalityState = KeyedState<Entry>;

const render = (d: DetectionDraft): string => {
  const over = d.threshold !== undefined && d.value > d.threshold;
  const bound = d.active ? (over ? `more than ${d.threshold}` : `fewer than ${d.threshold}`) : 'back within limits';
  return `${d.value} distinct value${d.value === 1 ? '' : 's'} for ${describeKey(d.keyFields)} in ${describeWindow(d)} (${bound})`;
};

/** Adds one event with `value` to a cardinality bucket. */
function countValue(
  bucket: Bucket | undefined,
  start: number,
  value: string,
  event: ClassifiedEvent,
  sampleSize: number,
): Bucket {
  return {
    start,
    values: (bucket?.values ?? PMap.empty<string, number>()).set(value, (bucket?.values.get(value) ?? 0) + 1),
    sample: addSample(bucket?.sample ?? NO_EVENTS, event, sampleSize),
    codes: addCode(bucket?.codes ?? NO_CODES, event.code),
  };
}

/** `countValue` on a bucket the caller owns: modifies it in place. */
function countValueOwned(bucket: Bucket, value: string, event: ClassifiedEvent, sampleSize: number): void {
  const b = bucket as Mutable<Bucket>;
  b.values.setOwned(value, (b.values.get(value) ?? 0) + 1);
  b.sample = addSampleOwned(b.sample, event, sampleSize);
  b.codes = addCodeOwned(b.codes, event.code);
}

export function createCardinality(cfg: CardinalityConfig): RuleRuntime<CardinalityState> {
  const common = compileCommon('cardinality', cfg);
  const spec = windowSpec(common, cfg, render);
  const { size, step } = spec;
  const counted = fieldGetter(cfg.field);
  /** A whole window plus a step without events ends a key's run of activity. */
  const gap = size + step;

  const hooks: WindowHooks<Entry> = {
    next: nextWithData(spec),
    evaluate(key, entry, end, state) {
      const start = end - size;
      const inWindow = bucketsIn(entry.buckets, start, end);
      const distinct = new Set<string>();
      for (const b of inWindow) for (const v of b.values.keys()) distinct.add(v);
      const n = distinct.size;
      const over = cfg.max !== undefined && n > cfg.max;
      // A window the key did not exist for in full reads low: `min` only judges windows that start after the
      // bucket where the key's current run of activity began (runs break after a window with no events).
      const run = runStart(entry.buckets, entry.lastDropped, end, gap);
      const observed = start >= alignUp(state.origin!, step) && run !== undefined && run < start;
      const under = cfg.min !== undefined && n < cfg.min && n > 0 && observed;
      const measure = { active: over || under, value: n, threshold: bandThreshold(cfg, over, under) };
      return judged(spec, key, entry, end, measure, inWindow, ownEvidence);
    },
    retain(_key, entry, evaluated) {
      const buckets = dropBefore(entry.buckets, evaluated + step - size);
      const lastDropped = newestDropped(entry.buckets, buckets, entry.lastDropped);
      // Keep an empty key until any later event would start a new run anyway, so dropping it changes nothing.
      if (buckets.length === 0 && !entry.active && (lastDropped === null || lastDropped + gap <= evaluated))
        return undefined;
      return buckets === entry.buckets ? entry : { ...entry, buckets, lastDropped };
    },
  };

  const add = (state: CardinalityState, event: ClassifiedEvent) => {
    const value = present(counted(event));
    if (value === undefined) return { state, evicted: 0 };
    return addEvent(state, spec, groupOf(common, event), event, (old, start, group) => ({
      fields: group.fields,
      lastSeen: Math.max(old?.lastSeen ?? event.time, event.time),
      lastDropped: old?.lastDropped ?? null,
      pinned: false,
      active: old?.active ?? false,
      buckets: upsertBucket(old?.buckets ?? [], start, (b) => countValue(b, start, value, event, cfg.sample_size)),
    }));
  };

  return windowedRuntime<Bucket, Own>(spec, {
    hooks,
    add,
    addOwned: (state, event) => {
      const value = present(counted(event));
      if (value === undefined) return true;
      return addInPlace(state, spec, groupOf(common, event), event, (b) =>
        countValueOwned(b, value, event, cfg.sample_size),
      );
    },
    accepts: (event) => groupOf(common, event) !== undefined && present(counted(event)) !== undefined,
    ownFromJSON: (o) => ({ lastDropped: json.numberOrNull(o.lastDropped, 'lastDropped') }),
    bucketsFromJSON: (value) =>
      json.array(value, 'buckets').map((raw): Bucket => {
        const b = json.object(raw, 'bucket');
        return {
          start: json.number(b.start, 'bucket.start'),
          values: PMap.from(
            json.array(b.values, 'bucket.values').map((pair): [string, number] => {
              const [v, n] = json.array(pair, 'value');
              return [json.string(v, 'value'), json.number(n, 'value count')];
            }),
          ),
          sample: json.events(b.sample, 'bucket.sample'),
          codes: json.counts(b.codes, 'bucket.codes'),
        };
      }),
    // Distinct values in a stable order, so equal states serialise equally.
    entryToJSON: (e) => ({
      ...e,
      buckets: e.buckets.map((b) => ({
        ...b,
        values: b.values.entries().sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0)),
      })),
    }),
  });
}
