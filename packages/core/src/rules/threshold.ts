import { z } from 'zod';
import type { ClassifiedEvent } from '../classify/types.js';
import {
  alignDown,
  bucketsIn,
  type CountBucket,
  countInto,
  dropBefore,
  mergeSamples,
  nextDataBoundary,
  topCodes,
  upsertBucket,
} from '../stream/buckets.js';
import { json } from '../stream/json.js';
import {
  advanceWindows,
  begin,
  countBucketsFromJSON,
  initKeyed,
  type KeyedEntry,
  type KeyedState,
  keyedFromJSON,
  keyedToJSON,
  upsertKey,
  type WindowHooks,
} from '../stream/keyed.js';
import { checkWindow, commonShape, compileCommon, groupOf, windowShape } from './common.js';
import { type DetectionDraft, describeKey, describeWindow, makeDetection, type RuleRuntime } from './rule.js';

/** `threshold`: at least `count` matching events per key in a window (tumbling, or sliding with `step`). */
export const thresholdSchema = z
  .object({
    ...commonShape,
    type: z.literal('threshold'),
    ...windowShape,
    /** Alert when a window holds at least this many matching events. */
    count: z.number().int().min(1),
  })
  .strict()
  .superRefine(checkWindow);

export type ThresholdConfig = z.output<typeof thresholdSchema>;

interface Entry extends KeyedEntry {
  readonly fields: Readonly<Record<string, string>>;
  readonly active: boolean;
  readonly buckets: readonly CountBucket[];
}

export type ThresholdState = KeyedState<Entry>;

const render = (d: DetectionDraft): string =>
  `${d.value} matching event${d.value === 1 ? '' : 's'} for ${describeKey(d.keyFields)} in ${describeWindow(d)} ` +
  `(${d.active ? 'at least' : 'now below'} ${d.threshold})`;

export function createThreshold(cfg: ThresholdConfig): RuleRuntime<ThresholdState> {
  const common = compileCommon('threshold', cfg);
  const size = cfg.window;
  const step = cfg.step ?? cfg.window;

  const hooks: WindowHooks<Entry> = {
    next: (entry, from) => (entry.active ? from : nextDataBoundary(entry.buckets, from, size, step)),
    evaluate(key, entry, end) {
      const inWindow = bucketsIn(entry.buckets, end - size, end);
      const count = inWindow.reduce((n, b) => n + b.count, 0);
      const holds = count >= cfg.count;
      if (!holds && !entry.active) return { entry };
      const draft: DetectionDraft = {
        active: holds,
        key,
        keyFields: entry.fields,
        windowStart: end - size,
        windowEnd: end,
        time: end,
        value: count,
        threshold: cfg.count,
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
      if (buckets.length === 0 && !entry.active) return undefined;
      return buckets === entry.buckets ? entry : { ...entry, buckets };
    },
  };

  const add = (state: ThresholdState, event: ClassifiedEvent) => {
    const group = groupOf(common, event);
    if (group === undefined) return { state, evicted: 0 };
    const start = alignDown(event.time, step);
    return upsertKey(
      state,
      group.key,
      (old) => ({
        fields: group.fields,
        lastSeen: Math.max(old?.lastSeen ?? event.time, event.time),
        pinned: false,
        active: old?.active ?? false,
        buckets: upsertBucket(old?.buckets ?? [], start, (b) => countInto(b, start, event, cfg.sample_size)),
      }),
      common.maxKeys,
    );
  };

  return {
    id: cfg.id,
    type: 'threshold',
    lateness: common.lateness,
    fingerprint: common.fingerprint,
    accepts: (event) => groupOf(common, event) !== undefined,
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
        const o = json.object(e, 'threshold key');
        return {
          fields: json.strings(o.fields, 'fields'),
          lastSeen: json.numberOrNull(o.lastSeen, 'lastSeen'),
          pinned: false,
          active: json.boolean(o.active, 'active'),
          buckets: countBucketsFromJSON(o.buckets),
        };
      }),
  };
}
