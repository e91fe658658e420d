import { z } from 'zod';
import type { ClassifiedEvent } from '../classify/types.js';
import { alignUp, bucketsIn, type CountBucket, dropBefore } from '../stream/buckets.js';
import { json } from '../stream/json.js';
import { countBucketsFromJSON, initKeyed, type KeyedState, type WindowHooks } from '../stream/keyed.js';
import { PMap } from '../stream/pmap.js';
import { checkWindow, commonShape, compileCommon, groupOf, windowShape } from './common.js';
import { RULE_DEFAULTS } from './defaults.js';
import { duration } from './duration.js';
import { type GroupField, groupByPaths, joinKey } from './keys.js';
import { type DetectionDraft, describeKey, describeWindow, type RuleRuntime } from './rule.js';
import {
  addEvent,
  countedBuckets,
  countInPlace,
  judged,
  ownEvidence,
  type WindowedEntry,
  windowDetection,
  windowedRuntime,
  windowSpec,
} from './windowed.js';

const D = RULE_DEFAULTS.flatline;

/**
 * `flatline`: fewer than `min_count` events per key in a window. Keys are the ungrouped rule itself, every
 * `expected_keys` entry (alerting even if never seen), and every key seen in traffic until it has been silent for
 * `forget_after`.
 */
export const flatlineSchema = z
  .object({
    ...commonShape,
    type: z.literal('flatline'),
    ...windowShape,
    min_count: z.number().int().min(1).default(D.min_count),
    /** Keys that must always have traffic: a value (one group field) or field → value (several). */
    expected_keys: z.array(z.union([z.string(), z.record(z.string(), z.string())])).default([]),
    forget_after: duration.prefault(D.forget_after),
  })
  .strict()
  .superRefine(checkWindow)
  .superRefine((cfg, ctx) => {
    cfg.expected_keys.forEach((k, i) => {
      const problem = expectedKeyProblem(cfg.group_by, k);
      if (problem !== undefined)
        ctx.addIssue({ code: 'custom', path: ['expected_keys', i], message: problem, input: k });
    });
  });

export type FlatlineConfig = z.output<typeof flatlineSchema>;

/** Names under which an expected key may give a group field's value: as written, or any canonical path. */
function namesOf(field: GroupField, path: string): string[] {
  return [...(typeof field === 'string' ? [field] : field), ...path.split('|')];
}

function expectedKeyProblem(groupBy: readonly GroupField[], key: string | Record<string, string>): string | undefined {
  if (groupBy.length === 0) return 'expected_keys needs group_by';
  if (typeof key === 'string')
    return groupBy.length === 1 ? undefined : 'with several group_by fields, give each key as field: value';
  const paths = groupByPaths(groupBy);
  for (const [i, field] of groupBy.entries()) {
    if (!namesOf(field, paths[i]!).some((n) => key[n] !== undefined))
      return `missing a value for group field ${JSON.stringify(field)}`;
  }
  return undefined;
}

/** The key and fields of a configured expected key (field paths as the events would produce them). */
function expectedGroup(
  groupBy: readonly GroupField[],
  key: string | Record<string, string>,
): { key: string; fields: Record<string, string> } {
  const paths = groupByPaths(groupBy);
  const values = groupBy.map((field, i) => {
    if (typeof key === 'string') return { path: paths[i]!.split('|')[0]!, value: key };
    const names = namesOf(field, paths[i]!);
    const name = names.find((n) => key[n] !== undefined)!;
    const alternatives = typeof field === 'string' ? [field] : field;
    const at = alternatives.indexOf(name);
    const pathList = paths[i]!.split('|');
    return { path: pathList[at >= 0 ? at : Math.max(0, pathList.indexOf(name))]!, value: key[name]! };
  });
  return { key: joinKey(values.map((v) => v.value)), fields: Object.fromEntries(values.map((v) => [v.path, v.value])) };
}

interface Own {
  /** Start of the bucket of the key's first event (null for configured keys: expected from the start). */
  readonly firstSeen: number | null;
  /** Start of the newest bucket already dropped (older than every open window): when the key last had traffic. */
  readonly lastDropped: number | null;
}

type Entry = WindowedEntry<CountBucket, Own>;

export type FlatlineState = KeyedState<Entry>;

const render = (d: DetectionDraft): string =>
  d.active
    ? `${d.value} event${d.value === 1 ? '' : 's'} for ${describeKey(d.keyFields)} in ${describeWindow(d)} (fewer than ${d.threshold})`
    : d.value < (d.threshold ?? 1)
      ? `${describeKey(d.keyFields)} no longer expected: silent for longer than forget_after`
      : `${describeKey(d.keyFields)} has traffic again: ${d.value} event${d.value === 1 ? '' : 's'} in ${describeWindow(d)}`;

export function createFlatline(cfg: FlatlineConfig): RuleRuntime<FlatlineState> {
  const common = compileCommon('flatline', cfg);
  const spec = windowSpec(common, cfg, render);
  const { size, step } = spec;

  const configured = (): PMap<string, Entry> => {
    const groups =
      cfg.group_by.length === 0
        ? [{ key: '', fields: {} }]
        : cfg.expected_keys.map((k) => expectedGroup(cfg.group_by, k));
    return PMap.from(
      groups.map((g): [string, Entry] => [
        g.key,
        {
          fields: g.fields,
          lastSeen: null,
          firstSeen: null,
          lastDropped: null,
          pinned: true,
          active: false,
          buckets: [],
        },
      ]),
    );
  };

  /** The first window start fully observed for this key. */
  const since = (entry: Entry, origin: number): number => {
    const observed = alignUp(origin, step);
    return entry.firstSeen === null ? observed : Math.max(observed, entry.firstSeen);
  };

  const hooks: WindowHooks<Entry> = {
    next: (entry, from, state) => Math.max(from, since(entry, state.origin!) + size),
    evaluate(key, entry, end) {
      const start = end - size;
      if (!entry.pinned && silentSince(entry, end) + step <= end - cfg.forget_after) {
        // No event in the last forget_after before this window's end (whole buckets): stop expecting the key,
        // and resolve it if it was alerting. Judged from buckets before `end`, never from later events, so the
        // outcome does not depend on what has already arrived.
        // Events after this window (already here, within the lateness) make it a new key from its next bucket.
        const later = entry.buckets.filter((b) => b.start >= end);
        const relearned: Entry | undefined =
          later.length === 0
            ? undefined
            : { ...entry, firstSeen: later[0]!.start, lastDropped: null, active: false, buckets: later };
        if (!entry.active) return { entry: relearned };
        const resolved = { active: false, value: 0, threshold: cfg.min_count };
        return { entry: relearned, out: windowDetection(spec, key, entry.fields, end, resolved, []) };
      }
      const inWindow = bucketsIn(entry.buckets, start, end);
      const count = inWindow.reduce((n, b) => n + b.count, 0);
      const measure = { active: count < cfg.min_count, value: count, threshold: cfg.min_count };
      return judged(spec, key, entry, end, measure, inWindow, ownEvidence);
    },
    retain(_key, entry, evaluated) {
      const buckets = dropBefore(entry.buckets, evaluated + step - size);
      if (buckets === entry.buckets) return entry;
      const dropped = entry.buckets[entry.buckets.length - buckets.length - 1]!.start;
      return { ...entry, buckets, lastDropped: Math.max(entry.lastDropped ?? dropped, dropped) };
    },
  };

  /** Start of the newest bucket with events before `end`; -Infinity when none. */
  const silentSince = (entry: Entry, end: number): number => {
    let last = entry.lastDropped ?? Number.NEGATIVE_INFINITY;
    for (const b of entry.buckets) if (b.start < end) last = Math.max(last, b.start);
    return last;
  };

  const add = (state: FlatlineState, event: ClassifiedEvent) =>
    addEvent(state, spec, groupOf(common, event), event, (old, start, group) => ({
      // A known key keeps its fields (a configured key, those it was configured with).
      fields: old?.fields ?? group.fields,
      lastSeen: Math.max(old?.lastSeen ?? event.time, event.time),
      firstSeen: old?.pinned ? null : Math.min(old?.firstSeen ?? start, start),
      lastDropped: old?.lastDropped ?? null,
      pinned: old?.pinned ?? false,
      active: old?.active ?? false,
      buckets: countedBuckets(old?.buckets, spec, start, event),
    }));

  const runtime = windowedRuntime<CountBucket, Own>(spec, {
    hooks,
    add,
    // firstSeen is at or before the key's newest bucket, so an event there leaves it as it is.
    addOwned: (state, event) => countInPlace(state, spec, event),
    bucketsFromJSON: countBucketsFromJSON,
    ownFromJSON: (o) => ({
      firstSeen: json.numberOrNull(o.firstSeen, 'firstSeen'),
      lastDropped: json.numberOrNull(o.lastDropped, 'lastDropped'),
    }),
    pinnedFromJSON: (o) => json.boolean(o.pinned, 'pinned'),
  });

  return {
    ...runtime,
    init: () => initKeyed<Entry>(configured()),
    fromJSON: (value) => {
      const restored = runtime.fromJSON(value);
      // Expected keys come from the rule, not the file: add any the saved state lacks.
      let keys = restored.keys;
      for (const [k, e] of configured().entries()) if (!keys.has(k)) keys = keys.set(k, e);
      return { ...restored, keys };
    },
  };
}
