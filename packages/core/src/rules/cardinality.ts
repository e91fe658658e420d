import { z } from 'zod';
import type { FieldValue } from '../classify/fields.js';
import { fieldGetter } from '../classify/fields.js';
import type { ClassifiedEvent } from '../classify/types.js';
import {
  addCode,
  addSample,
  alignDown,
  alignUp,
  bucketsIn,
  dropBefore,
  mergeSamples,
  NO_CODES,
  NO_EVENTS,
  newestDropped,
  nextDataBoundary,
  runStart,
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
import { PMap } from '../stream/pmap.js';
import { checkWindow, commonShape, compileCommon, groupOf, windowShape } from './common.js';
import { FieldNameSchema } from './keys.js';
import { type DetectionDraft, describeKey, describeWindow, makeDetection, type RuleRuntime } from './rule.js';

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
  .superRefine((cfg, ctx) => {
    if (cfg.max === undefined && cfg.min === undefined)
      ctx.addIssue({ code: 'custom', path: ['max'], message: 'expected max, min or both', input: undefined });
    if (cfg.max !== undefined && cfg.min !== undefined && cfg.min > cfg.max)
      ctx.addIssue({ code: 'custom', path: ['min'], message: 'expected min ≤ max', input: cfg.min });
  });

export type CardinalityConfig = z.output<typeof cardinalitySchema>;

interface Bucket {
  readonly start: number;
  /** Distinct value → events with it in this bucket. */
  readonly values: PMap<string, number>;
  readonly sample: readonly ClassifiedEvent[];
  readonly codes: Readonly<Record<string, number>>;
}

interface Entry extends KeyedEntry {
  readonly fields: Readonly<Record<string, string>>;
  /** Newest bucket already dropped: tells whether the key's current run of activity goes back further. */
  readonly lastDropped: number | null;
  readonly active: boolean;
  readonly buckets: readonly Bucket[];
}

export type CardinalityState = KeyedState<Entry>;

const render = (d: DetectionDraft): string => {
  const over = d.threshold !== undefined && d.value > d.threshold;
  const bound = d.active ? (over ? `more than ${d.threshold}` : `fewer than ${d.threshold}`) : 'back within limits';
  return `${d.value} distinct value${d.value === 1 ? '' : 's'} for ${describeKey(d.keyFields)} in ${describeWindow(d)} (${bound})`;
};

function present(value: FieldValue): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  return text === '' ? undefined : text;
}

export function createCardinality(cfg: CardinalityConfig): RuleRuntime<CardinalityState> {
  const common = compileCommon('cardinality', cfg);
  const size = cfg.window;
  const step = cfg.step ?? cfg.window;
  const counted = fieldGetter(cfg.field);
  /** A whole window plus a step without events ends a key's run of activity. */
  const gap = size + step;

  const hooks: WindowHooks<Entry> = {
    next: (entry, from) => (entry.active ? from : nextDataBoundary(entry.buckets, from, size, step)),
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
      const holds = over || under;
      if (!holds && !entry.active) return { entry };
      const draft: DetectionDraft = {
        active: holds,
        key,
        keyFields: entry.fields,
        windowStart: start,
        windowEnd: end,
        time: end,
        value: n,
        threshold: over ? cfg.max! : under ? cfg.min! : (cfg.max ?? cfg.min!),
        sample: mergeSamples(
          inWindow.map((b) => b.sample),
          cfg.sample_size,
        ),
        codes: topCodes(inWindow.map((b) => b.codes)),
      };
      return { entry: { ...entry, active: holds }, out: makeDetection(common.info, draft, render) };
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
    const group = groupOf(common, event);
    const value = present(counted(event));
    if (group === undefined || value === undefined) return { state, evicted: 0 };
    const start = alignDown(event.time, step);
    return upsertKey(
      state,
      group.key,
      (old) => ({
        fields: group.fields,
        lastSeen: Math.max(old?.lastSeen ?? event.time, event.time),
        lastDropped: old?.lastDropped ?? null,
        pinned: false,
        active: old?.active ?? false,
        buckets: upsertBucket(old?.buckets ?? [], start, (b) => ({
          start,
          values: (b?.values ?? PMap.empty<string, number>()).set(value, (b?.values.get(value) ?? 0) + 1),
          sample: addSample(b?.sample ?? NO_EVENTS, event, cfg.sample_size),
          codes: addCode(b?.codes ?? NO_CODES, event.code),
        })),
      }),
      common.maxKeys,
    );
  };

  return {
    id: cfg.id,
    type: 'cardinality',
    lateness: common.lateness,
    fingerprint: common.fingerprint,
    accepts: (event) => groupOf(common, event) !== undefined && present(counted(event)) !== undefined,
    init: () => initKeyed<Entry>(),
    step(state, input) {
      let s = begin(state, input, step);
      let evicted = 0;
      if (input.type === 'event') ({ state: s, evicted } = add(s, input.event));
      const { state: next, out } = advanceWindows(s, input.watermark, step, hooks);
      return { state: next, out, evicted };
    },
    size: (state) => state.keys.size,
    toJSON: (state) =>
      keyedToJSON(state, (e) => ({
        ...e,
        buckets: e.buckets.map((b) => ({
          ...b,
          values: b.values.entries().sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0)),
        })),
      })),
    fromJSON: (value) =>
      keyedFromJSON(value, (e): Entry => {
        const o = json.object(e, 'cardinality key');
        return {
          fields: json.strings(o.fields, 'fields'),
          lastSeen: json.numberOrNull(o.lastSeen, 'lastSeen'),
          lastDropped: json.numberOrNull(o.lastDropped, 'lastDropped'),
          pinned: false,
          active: json.boolean(o.active, 'active'),
          buckets: json.array(o.buckets, 'buckets').map((raw): Bucket => {
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
        };
      }),
  };
}
