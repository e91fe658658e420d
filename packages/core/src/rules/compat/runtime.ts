import { FIELD_GETTERS, resolveField } from '../../classify/fields.js';
import type { ClassifiedEvent } from '../../classify/types.js';
import { alignUp } from '../../stream/buckets.js';
import { heapPop } from '../../stream/heap.js';
import { json } from '../../stream/json.js';
import {
  initKeyed,
  type KeyedEntry,
  type KeyedState,
  keyedFromJSON,
  keyedToJSON,
  upsertKey,
} from '../../stream/keyed.js';
import { compareEvents } from '../../stream/order.js';
import {
  addPending,
  type Pending,
  pendingFromJSON,
  pendingIdle,
  pendingToJSON,
  takeFinal,
} from '../../stream/pending.js';
import type { CompiledCommon } from '../common.js';
import { type GroupField, type GroupKey, joinKey, present } from '../keys.js';
import { type DetectionDraft, describeDuration, describeKey, makeDetection, type RuleRuntime } from '../rule.js';
import type { Detection } from '../types.js';

/**
 * The driver shared by the ElastAlert compat runtimes.
 *
 * ElastAlert runs a rule every `run_every`: it queries the events up to the run's end, hands them to the rule in
 * timestamp order (`add_data`, where most types decide per event), then calls `garbage_collect(end)`, where spike
 * and flatline append count-0 placeholders and check again. Here that happens on event time: runs end on the
 * multiples of `run_every` (UTC epoch) from the rule's first observed time on; a run ending at R takes the events
 * in (R − run_every, R], as ElastAlert's range query (gt, lte) does. Events are decided once final (older than the
 * watermark), in event order, and a run happens once the watermark has passed its end. So the outcome is what
 * ElastAlert would give had every event been indexed on time, and it does not depend on arrival order within the
 * allowed lateness, on chunking, or on restarts.
 */

export interface CompatState<S> {
  /** Earliest event time observed: nothing before it was seen. Runs start at the first boundary at or after it. */
  readonly origin: number | null;
  /** End of the next run; null before the first run (its place follows the origin until then). */
  readonly nextRun: number | null;
  /** Events not final yet, decided in event order once the watermark passes them. */
  readonly pending: Pending;
  /** The rule type's own state. */
  readonly own: S;
}

/** What one step collects. */
export interface StepContext {
  readonly out: Detection[];
  evicted: number;
  /** The rule's origin (new_value's warmup counts from it). */
  readonly origin: number;
}

/** What a compat type supplies: its decisions per event and per run, over a plain, persistent state. */
export interface CompatParts<S> {
  readonly common: CompiledCommon;
  /** ElastAlert's `run_every`, ms. */
  readonly every: number;
  /** false when a run only forgets data (no placeholder, no check): then only the last run due is done. */
  readonly everyRun: boolean;
  accepts(event: ClassifiedEvent): boolean;
  init(): S;
  /** One event, in event order (ElastAlert's add_data). */
  event(own: S, event: ClassifiedEvent, ctx: StepContext): S;
  /** The end of a run at `end`, after its events (ElastAlert's garbage_collect). */
  run(own: S, end: number, ctx: StepContext): S;
  size(own: S): number;
  toJSON(own: S): unknown;
  fromJSON(value: unknown): S;
}

/** What a compat type whose state is its keys alone supplies (threshold, cardinality, ratio). */
export interface KeyedCompatParts<E extends CompatEntry>
  extends Omit<CompatParts<KeyedState<E>>, 'init' | 'size' | 'toJSON' | 'fromJSON'> {
  /** An entry as JSON (keyed state JSON around it). */
  entryToJSON(entry: E): unknown;
  /** An entry from JSON: `head` holds the fields every compat entry has, `o` the entry's JSON object. */
  entryFromJSON(head: CompatEntry, o: Readonly<Record<string, unknown>>): E;
}

/** Removes and returns, in event order, the events at or before `time` (a run's batch: its range ends with lte). */
function takeThrough(pending: Pending, time: number): { pending: Pending; events: ClassifiedEvent[] } {
  const events: ClassifiedEvent[] = [];
  let heap = pending;
  while (heap !== null && heap.item.time <= time) {
    events.push(heap.item);
    heap = heapPop(heap, compareEvents);
  }
  return { pending: heap, events };
}

export function compatRuntime<S>(parts: CompatParts<S>): RuleRuntime<CompatState<S>> {
  const { common, every } = parts;
  const firstRun = (origin: number): number => alignUp(origin, every);
  return {
    id: common.info.id,
    type: common.info.type,
    lateness: common.lateness,
    fingerprint: common.fingerprint,
    accepts: parts.accepts,
    init: () => ({ origin: null, nextRun: null, pending: null, own: parts.init() }),
    idle: (state, watermark) =>
      state.origin !== null &&
      state.origin <= watermark &&
      pendingIdle(state.pending, watermark) &&
      (state.nextRun ?? firstRun(state.origin)) >= watermark,
    step(state, input) {
      const origin = state.origin === null ? input.time : Math.min(state.origin, input.time);
      const ctx: StepContext = { out: [], evicted: 0, origin };
      let pending = input.type === 'event' ? addPending(state.pending, input.event) : state.pending;
      let own = state.own;
      let next = state.nextRun ?? firstRun(origin);
      let ran = state.nextRun !== null;
      const watermark = input.watermark;
      if (next < watermark) {
        // Every run whose end the watermark has passed: each one's events, then its end.
        const last = next + (Math.ceil((watermark - next) / every) - 1) * every;
        if (!parts.everyRun) next = last;
        for (; next <= last; next += every) {
          const batch = takeThrough(pending, next);
          pending = batch.pending;
          for (const event of batch.events) own = parts.event(own, event, ctx);
          own = parts.run(own, next, ctx);
        }
        ran = true;
      }
      // Final events of the next run's batch: they precede its end whatever happens, so decide them now.
      const rest = takeFinal(pending, watermark);
      pending = rest.pending;
      for (const event of rest.events) own = parts.event(own, event, ctx);
      return { state: { origin, nextRun: ran ? next : null, pending, own }, out: ctx.out, evicted: ctx.evicted };
    },
    size: (state) => parts.size(state.own) + (state.pending?.size ?? 0),
    toJSON: (state) => ({
      origin: state.origin,
      nextRun: state.nextRun,
      pending: pendingToJSON(state.pending),
      own: parts.toJSON(state.own),
    }),
    fromJSON(value) {
      const o = json.object(value, `${common.info.type} compat state`);
      return {
        origin: json.numberOrNull(o.origin, 'origin'),
        nextRun: json.numberOrNull(o.nextRun, 'nextRun'),
        pending: pendingFromJSON(o.pending),
        own: parts.fromJSON(o.own),
      };
    },
  };
}

/** `compatRuntime` for a type whose state is its keys alone: their init, size and JSON are the same for all. */
export function keyedCompatRuntime<E extends CompatEntry>(
  parts: KeyedCompatParts<E>,
): RuleRuntime<CompatState<KeyedState<E>>> {
  const { entryToJSON, entryFromJSON, ...own } = parts;
  return compatRuntime<KeyedState<E>>({
    ...own,
    init: () => initKeyed<E>(),
    size: (keys) => keys.keys.size,
    toJSON: (keys) => keyedToJSON(keys, entryToJSON),
    fromJSON: (value) => compatKeysFromJSON(value, parts.common.info.type, json.number, entryFromJSON),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Keys

/** The fields every compat type's key entry starts with; `lastSeen` is null for keys known only from runs. */
export interface CompatEntry<Seen extends number | null = number> extends KeyedEntry {
  readonly lastSeen: Seen;
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * A compat type's keys from JSON: the shared fields of each entry (`lastSeen` read by `seen`; compat keys are never
 * pinned), then `entry` adds the type's own from the entry's JSON object.
 */
export function compatKeysFromJSON<E extends CompatEntry<number | null>>(
  value: unknown,
  type: string,
  seen: (value: unknown, what: string) => E['lastSeen'],
  entry: (head: CompatEntry<E['lastSeen']>, o: Readonly<Record<string, unknown>>) => E,
): KeyedState<E> {
  return keyedFromJSON(value, (raw) => {
    const o = json.object(raw, `${type} compat key`);
    return entry(
      { lastSeen: seen(o.lastSeen, 'lastSeen'), pinned: false, fields: json.strings(o.fields, 'fields') },
      o,
    );
  });
}

/** ElastAlert's key for events without the query_key field: they are counted together, not skipped. */
export const MISSING = '_missing';

const UNGROUPED: GroupKey = Object.freeze({ key: '', fields: Object.freeze({}) });

/**
 * The key of an event under ElastAlert's query_key semantics: like npswatch's group_by, except that a missing
 * field gives the value `_missing` instead of excluding the event (under the first alternative's path).
 */
export function compatKey(groupBy: readonly GroupField[]): (event: ClassifiedEvent) => GroupKey {
  if (groupBy.length === 0) return () => UNGROUPED;
  const parts = groupBy.map((field) =>
    (typeof field === 'string' ? [field] : field).map((name) => {
      const path = resolveField(name);
      if (path === undefined) throw new RangeError(`unknown field "${name}"`);
      return { path, get: FIELD_GETTERS[path]! };
    }),
  );
  return (event) => {
    const values: string[] = [];
    const fields: Record<string, string> = {};
    for (const alternatives of parts) {
      let found: { path: string; value: string } | undefined;
      for (const { path, get } of alternatives) {
        const value = present(get(event));
        if (value !== undefined) {
          found = { path, value };
          break;
        }
      }
      const { path, value } = found ?? { path: alternatives[0]!.path, value: MISSING };
      values.push(value);
      fields[path] = value;
    }
    return { key: joinKey(values), fields };
  };
}

/** Inserts or replaces a key's entry (max_keys eviction as everywhere else); adds the evictions to the step. */
export function putKey<E extends KeyedEntry>(
  state: KeyedState<E>,
  key: string,
  entry: E,
  maxKeys: number,
  ctx: StepContext,
): KeyedState<E> {
  const r = upsertKey(state, key, () => entry, maxKeys);
  ctx.evicted += r.evicted;
  return r.state;
}

export function dropKey<E extends KeyedEntry>(state: KeyedState<E>, key: string): KeyedState<E> {
  return state.keys.has(key) ? { ...state, keys: state.keys.delete(key) } : state;
}

// ---------------------------------------------------------------------------------------------------------------
// Detections

/** A detection of a compat rule: always active (an ElastAlert match); `render` writes the summary. */
export function emit(ctx: StepContext, common: CompiledCommon, draft: DetectionDraft, render: () => string): void {
  ctx.out.push(makeDetection(common.info, draft, render));
}

/** What a window match measured (its key and window come from the match). */
export type Measured = Pick<DetectionDraft, 'value' | 'threshold' | 'reference' | 'sample' | 'codes'>;

/** The draft of a match over the window (time − timeframe, time] of a key. */
function windowMatch(group: GroupKey, time: number, timeframe: number, measured: Measured): DetectionDraft {
  const { reference, threshold, ...rest } = measured;
  return {
    active: true,
    key: group.key,
    keyFields: group.fields,
    windowStart: time - timeframe,
    windowEnd: time,
    time,
    ...rest,
    ...(threshold === undefined ? {} : { threshold }),
    ...(reference === undefined ? {} : { reference }),
  };
}

/** `for user=alice in the 10m up to 2024-01-01T00:10:00.000Z` */
const where = (group: GroupKey, time: number, timeframe: number): string =>
  `for ${describeKey(group.fields)} in the ${describeDuration(timeframe)} up to ${new Date(time).toISOString()}`;

/**
 * Emits a match over the window (time − timeframe, time] of a key; `render` writes the summary around the window's
 * description, `for user=alice in the 10m up to 2024-01-01T00:10:00.000Z`.
 */
export function emitWindowMatch(
  ctx: StepContext,
  common: CompiledCommon,
  group: GroupKey,
  time: number,
  timeframe: number,
  measured: Measured,
  render: (where: string) => string,
): void {
  emit(ctx, common, windowMatch(group, time, timeframe, measured), () => render(where(group, time, timeframe)));
}

/** The sampled events still inside the window (time − timeframe, time]. */
export const sampleWithin = (
  sample: readonly ClassifiedEvent[],
  time: number,
  timeframe: number,
): readonly ClassifiedEvent[] => sample.filter((e) => time - e.time < timeframe);

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
