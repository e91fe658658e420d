import { z } from 'zod';
import type { ClassifiedEvent } from '../classify/types.js';
import { bucketsIn, type CountBucket } from '../stream/buckets.js';
import { countBucketsFromJSON, type KeyedState, type WindowHooks } from '../stream/keyed.js';
import { checkWindow, commonShape, compileCommon, groupOf, windowShape } from './common.js';
import { type DetectionDraft, describeKey, describeWindow, type RuleRuntime } from './rule.js';
import {
  addEvent,
  countedBuckets,
  countInPlace,
  judged,
  nextWithData,
  noOwnFields,
  ownEvidence,
  retainOpen,
  type WindowedEntry,
  windowedRuntime,
  windowSpec,
} from './windowed.js';

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

type Entry = WindowedEntry<CountBucket>;

export type ThresholdState = KeyedState<Entry>;

const render = (d: DetectionDraft): string =>
  `${d.value} matching event${d.value === 1 ? '' : 's'} for ${describeKey(d.keyFields)} in ${describeWindow(d)} ` +
  `(${d.active ? 'at least' : 'now below'} ${d.threshold})`;

export function createThreshold(cfg: ThresholdConfig): RuleRuntime<ThresholdState> {
  const common = compileCommon('threshold', cfg);
  const spec = windowSpec(common, cfg, render);

  const hooks: WindowHooks<Entry> = {
    next: nextWithData(spec),
    evaluate(key, entry, end) {
      const inWindow = bucketsIn(entry.buckets, end - spec.size, end);
      const count = inWindow.reduce((n, b) => n + b.count, 0);
      const measure = { active: count >= cfg.count, value: count, threshold: cfg.count };
      return judged(spec, key, entry, end, measure, inWindow, ownEvidence);
    },
    retain: retainOpen(spec),
  };

  const add = (state: ThresholdState, event: ClassifiedEvent) =>
    addEvent(state, spec, groupOf(common, event), event, (old, start, group) => ({
      fields: group.fields,
      lastSeen: Math.max(old?.lastSeen ?? event.time, event.time),
      pinned: false,
      active: old?.active ?? false,
      buckets: countedBuckets(old?.buckets, spec, start, event),
    }));

  return windowedRuntime(spec, {
    hooks,
    add,
    addOwned: (state, event) => countInPlace(state, spec, event),
    bucketsFromJSON: countBucketsFromJSON,
    ownFromJSON: noOwnFields,
  });
}
