import type { ClassifiedEvent } from '../classify/types.js';
import type { Mutable } from '../mutable.js';
import {
  alignDown,
  type CountBucket,
  countInto,
  countIntoOwned,
  dropBefore,
  lastClosed,
  mergeSamples,
  nextDataBoundary,
  type Started,
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
  windowsIdle,
} from '../stream/keyed.js';
import { type CompiledCommon, groupOf } from './common.js';
import type { GroupKey } from './keys.js';
import { type DetectionDraft, makeDetection, type RuleInput, type RuleRuntime, type RuleStepResult } from './rule.js';
import type { Detection } from './types.js';

/**
 * Shared machinery of the windowed rule types (threshold, spike, flatline, cardinality, ratio): per-key entries of
 * aligned buckets, evaluated on closed windows. Each type keeps its own bucket contents and its condition.
 */

/** What every windowed entry holds. */
export interface WindowedBase<B extends Started> extends KeyedEntry {
  readonly fields: Readonly<Record<string, string>>;
  /** Whether the last evaluated window alerted: the next one that does not resolves it. */
  readonly active: boolean;
  /** Oldest first. */
  readonly buckets: readonly B[];
}

/** A windowed type's entry: the shared fields and `X`, the type's own. */
export type WindowedEntry<B extends Started, X extends object = object> = WindowedBase<B> & X;

/** A windowed rule's fixed parts: labelling, rendering, window geometry (ms; step = size when tumbling). */
export interface WindowSpec {
  readonly common: CompiledCommon;
  readonly render: (draft: DetectionDraft) => string;
  readonly size: number;
  readonly step: number;
  readonly sampleSize: number;
}

export function windowSpec(
  common: CompiledCommon,
  cfg: { readonly window: number; readonly step?: number | undefined; readonly sample_size: number },
  render: (draft: DetectionDraft) => string,
): WindowSpec {
  return { common, render, size: cfg.window, step: cfg.step ?? cfg.window, sampleSize: cfg.sample_size };
}

// ---------------------------------------------------------------------------------------------------------------
// Adding events.

/**
 * Writes `event` into its group's entry (nothing without a group): `entry` builds the new entry from the old one and
 * the start of the event's bucket. Each type writes that literal itself: one object shape per type keeps the hot
 * path fast.
 */
export function addEvent<E extends KeyedEntry>(
  state: KeyedState<E>,
  spec: WindowSpec,
  group: GroupKey | undefined,
  event: ClassifiedEvent,
  entry: (old: E | undefined, start: number, group: GroupKey) => E,
): { readonly state: KeyedState<E>; readonly evicted: number } {
  if (group === undefined) return { state, evicted: 0 };
  const start = alignDown(event.time, spec.step);
  return upsertKey(state, group.key, (old) => entry(old, start, group), spec.common.maxKeys);
}

/**
 * `addEvent` on a state the caller owns, for the usual case of an event landing in its key's newest bucket: `into`
 * adds it to that bucket in place and the key's `lastSeen` moves. Returns false, changing nothing, when the event
 * needs a new key or bucket (then `addEvent` does it). Every other field of an existing entry is unchanged by an
 * event in its newest bucket, so the result equals `addEvent`'s.
 */
export function addInPlace<B extends Started>(
  state: KeyedState<WindowedBase<B>>,
  spec: WindowSpec,
  group: GroupKey | undefined,
  event: ClassifiedEvent,
  into: (bucket: B) => void,
): boolean {
  if (group === undefined) return true;
  const entry = state.keys.get(group.key);
  if (entry === undefined) return false;
  const last = entry.buckets[entry.buckets.length - 1];
  if (last === undefined || last.start !== alignDown(event.time, spec.step)) return false;
  into(last);
  if (entry.lastSeen === null || event.time > entry.lastSeen) (entry as Mutable<KeyedEntry>).lastSeen = event.time;
  return true;
}

/** A counting rule's buckets (threshold, spike, flatline) with `event` counted into the one at `start`. */
export function countedBuckets(
  buckets: readonly CountBucket[] | undefined,
  spec: WindowSpec,
  start: number,
  event: ClassifiedEvent,
): readonly CountBucket[] {
  return upsertBucket(buckets ?? [], start, (b) => countInto(b, start, event, spec.sampleSize));
}

/** `addOwned` of the counting rules: `addInPlace` counting the event into its key's newest bucket. */
export function countInPlace(
  state: KeyedState<WindowedBase<CountBucket>>,
  spec: WindowSpec,
  event: ClassifiedEvent,
): boolean {
  return addInPlace(state, spec, groupOf(spec.common, event), event, (b) => countIntoOwned(b, event, spec.sampleSize));
}

/** For types without fields of their own. */
export const noOwnFields = (): object => ({});

// ---------------------------------------------------------------------------------------------------------------
// Evaluating windows.

/** The events and codes a bucket keeps to show in a detection. */
export interface Evidence {
  readonly sample: readonly ClassifiedEvent[];
  readonly codes: Readonly<Record<string, number>>;
}

/** What one window measured; the rest of the detection follows from the window and its buckets. */
export type Measure = Pick<DetectionDraft, 'active' | 'value' | 'threshold' | 'reference'>;

/** The detection for the window ending at `end`, showing the newest sampled events and the top codes of `evidence`. */
export function windowDetection(
  spec: WindowSpec,
  key: string,
  keyFields: Readonly<Record<string, string>>,
  end: number,
  measure: Measure,
  evidence: readonly Evidence[],
): Detection {
  const draft: DetectionDraft = {
    ...measure,
    key,
    keyFields,
    windowStart: end - spec.size,
    windowEnd: end,
    time: end,
    sample: mergeSamples(
      evidence.map((b) => b.sample),
      spec.sampleSize,
    ),
    codes: topCodes(evidence.map((b) => b.codes)),
  };
  return makeDetection(spec.common.info, draft, spec.render);
}

/**
 * The hook result of one window: quiet while the condition neither holds nor held; otherwise a detection (active,
 * or the one that resolves it) and the entry's new `active` flag. `pick` reads the evidence out of a bucket.
 */
export function judged<B extends Started, E extends WindowedBase<B>>(
  spec: WindowSpec,
  key: string,
  entry: E,
  end: number,
  measure: Measure,
  inWindow: readonly B[],
  pick: (bucket: B) => Evidence,
): { readonly entry: E; readonly out?: Detection } {
  if (!measure.active && !entry.active) return { entry };
  const out = windowDetection(spec, key, entry.fields, end, measure, inWindow.map(pick));
  return { entry: { ...entry, active: measure.active }, out };
}

/** Buckets that are their own evidence (count buckets, cardinality buckets). */
export const ownEvidence = (bucket: Evidence): Evidence => bucket;

/** The next boundary worth evaluating: every one while alerting (to resolve), else only windows holding data. */
export function nextWithData<E extends WindowedBase<Started>>(spec: WindowSpec): WindowHooks<E>['next'] {
  const { size, step } = spec;
  return (entry, from) => (entry.active ? from : nextDataBoundary(entry.buckets, from, size, step));
}

/** Drops the buckets no later window reads; a key left without buckets is forgotten unless it is alerting. */
export function retainOpen<E extends WindowedBase<Started>>(spec: WindowSpec): WindowHooks<E>['retain'] {
  const reach = spec.step - spec.size;
  return (_key, entry, evaluated) => {
    const buckets = dropBefore(entry.buckets, evaluated + reach);
    if (buckets.length === 0 && !entry.active) return undefined;
    return buckets === entry.buckets ? entry : { ...entry, buckets };
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The runtime.

/** What a windowed type supplies; the runtime around it is the same for every type. */
export interface WindowedParts<B extends Started, X extends object> {
  readonly hooks: WindowHooks<WindowedEntry<B, X>>;
  add(
    state: KeyedState<WindowedEntry<B, X>>,
    event: ClassifiedEvent,
  ): { readonly state: KeyedState<WindowedEntry<B, X>>; readonly evicted: number };
  /**
   * Optional in-place `add` for an owned state (see `addInPlace`): true when it added the event, false to fall back
   * to `add`.
   */
  readonly addOwned?: (state: KeyedState<WindowedEntry<B, X>>, event: ClassifiedEvent) => boolean;
  /** Default: the event passes the filter and has every group field. */
  readonly accepts?: (event: ClassifiedEvent) => boolean;
  /** Reads the saved buckets of a key. */
  readonly bucketsFromJSON: (value: unknown) => B[];
  /** Reads the type's own fields of a saved key. */
  readonly ownFromJSON: (o: Record<string, unknown>) => X;
  /** Reads whether a saved key is pinned; default: never (only types with configured keys pin them). */
  readonly pinnedFromJSON?: (o: Record<string, unknown>) => boolean;
  /** Default: entries are plain data already. */
  readonly entryToJSON?: (entry: WindowedEntry<B, X>) => unknown;
}

const NONE: readonly Detection[] = Object.freeze([]);

export function windowedRuntime<B extends Started, X extends object>(
  spec: WindowSpec,
  parts: WindowedParts<B, X>,
): RuleRuntime<KeyedState<WindowedEntry<B, X>>> {
  const { common, step } = spec;
  const entryFromJSON = (e: unknown): WindowedEntry<B, X> => {
    const o = json.object(e, `${common.info.type} key`);
    return {
      fields: json.strings(o.fields, 'fields'),
      lastSeen: json.numberOrNull(o.lastSeen, 'lastSeen'),
      ...parts.ownFromJSON(o),
      pinned: parts.pinnedFromJSON?.(o) ?? false,
      active: json.boolean(o.active, 'active'),
      buckets: parts.bucketsFromJSON(o.buckets),
    };
  };
  const stepWith = (
    state: KeyedState<WindowedEntry<B, X>>,
    input: RuleInput,
    owned: boolean,
  ): RuleStepResult<KeyedState<WindowedEntry<B, X>>> => {
    let s = begin(state, input, step);
    let evicted = 0;
    if (input.type === 'event' && !(owned && parts.addOwned!(s, input.event)))
      ({ state: s, evicted } = parts.add(s, input.event));
    // No window end passed: nothing to evaluate (advanceWindows would return the state as it is).
    if (s.evaluated !== null && lastClosed(input.watermark, step) <= s.evaluated)
      return { state: s, out: NONE, evicted };
    const { state: next, out } = advanceWindows(s, input.watermark, step, parts.hooks);
    return { state: next, out, evicted };
  };
  // A plain literal, not a spread of shared fields: the engine reads these objects for every event.
  return {
    id: common.info.id,
    type: common.info.type,
    lateness: common.lateness,
    fingerprint: common.fingerprint,
    accepts: parts.accepts ?? ((event) => groupOf(common, event) !== undefined),
    init: () => initKeyed<WindowedEntry<B, X>>(),
    idle: (state, watermark) => windowsIdle(state, watermark, step),
    step: (state, input) => stepWith(state, input, false),
    apply: parts.addOwned === undefined ? undefined : (state, input) => stepWith(state, input, true),
    size: (state) => state.keys.size,
    toJSON: (state) => keyedToJSON(state, parts.entryToJSON ?? ((e) => e)),
    fromJSON: (value) => keyedFromJSON(value, entryFromJSON),
  };
}
