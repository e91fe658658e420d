import type { Detection } from '../rules/types.js';
import { type CountBucket, lastClosed } from './buckets.js';
import { json } from './json.js';
import { PMap } from './pmap.js';

/** What every per-key entry carries for expiry and eviction. */
export interface KeyedEntry {
  /** Newest event time of the key (eviction order); null for expected keys never seen. */
  readonly lastSeen: number | null;
  /** Configured keys (flatline `expected_keys`, the ungrouped key) are never evicted. */
  readonly pinned: boolean;
}

/** Per-rule state shared by the windowed rule types. */
export interface KeyedState<E extends KeyedEntry> {
  /**
   * Earliest event time observed (inputs not late): nothing before it was seen. The minimum, not the first
   * input's time, so that it does not depend on arrival order within the allowed lateness.
   */
  readonly origin: number | null;
  /** Last window end evaluated: every boundary ≤ it is done. */
  readonly evaluated: number | null;
  readonly keys: PMap<string, E>;
  /** Keys evicted by `max_keys` so far. */
  readonly evicted: number;
  /** Event time of the last eviction: a key created later may have lost history before it. */
  readonly evictedAt: number | null;
}

export function initKeyed<E extends KeyedEntry>(keys: PMap<string, E> = PMap.empty()): KeyedState<E> {
  return { origin: null, evaluated: null, keys, evicted: 0, evictedAt: null };
}

/**
 * Tracks where observation starts, and on the first input marks the windows the watermark already passed as
 * done. Windows ending between two possible first inputs hold no events and start before the origin, so the
 * choice never shows in the output.
 */
export function begin<E extends KeyedEntry>(
  state: KeyedState<E>,
  input: { readonly time: number; readonly watermark: number },
  step: number,
): KeyedState<E> {
  const origin = state.origin === null ? input.time : Math.min(state.origin, input.time);
  const evaluated = state.evaluated ?? lastClosed(input.watermark, step);
  if (origin === state.origin && evaluated === state.evaluated) return state;
  return { origin, evaluated, keys: state.keys, evicted: state.evicted, evictedAt: state.evictedAt };
}

/**
 * Inserts or updates one key. Past `maxKeys`, evicts about a tenth of the keys, least recently seen first (event
 * time, then key, so the choice is deterministic), never pinned keys and never the key just written.
 */
export function upsertKey<E extends KeyedEntry>(
  state: KeyedState<E>,
  key: string,
  update: (old: E | undefined) => E,
  maxKeys: number,
): { readonly state: KeyedState<E>; readonly evicted: number } {
  let keys = state.keys.set(key, update(state.keys.get(key)));
  if (keys.size <= maxKeys) {
    const next = {
      origin: state.origin,
      evaluated: state.evaluated,
      keys,
      evicted: state.evicted,
      evictedAt: state.evictedAt,
    };
    return { state: next, evicted: 0 };
  }
  const victims = keys
    .entries()
    .filter(([k, e]) => k !== key && !e.pinned)
    .sort(
      ([ka, a], [kb, b]) => (a.lastSeen ?? -Infinity) - (b.lastSeen ?? -Infinity) || (ka < kb ? -1 : ka > kb ? 1 : 0),
    )
    .slice(0, Math.max(1, Math.ceil(maxKeys / 10)));
  for (const [k] of victims) keys = keys.delete(k);
  const at = keys.get(key)!.lastSeen;
  const evictedAt = at === null ? state.evictedAt : Math.max(state.evictedAt ?? at, at);
  return { state: { ...state, keys, evicted: state.evicted + victims.length, evictedAt }, evicted: victims.length };
}

/** How a rule evaluates one key's windows; the driver below walks the boundaries. */
export interface WindowHooks<E extends KeyedEntry> {
  /** The first boundary ≥ `from` worth evaluating for this key, or undefined for none until new data arrives. */
  next(entry: E, from: number, state: KeyedState<E>): number | undefined;
  /** Evaluates the window ending at `end`; an undefined entry removes the key. */
  evaluate(
    key: string,
    entry: E,
    end: number,
    state: KeyedState<E>,
  ): { readonly entry: E | undefined; readonly out?: Detection };
  /** After evaluating up to `evaluated`: drops what no later window needs; undefined removes the key. */
  retain(key: string, entry: E, evaluated: number, state: KeyedState<E>): E | undefined;
}

/**
 * Whether `advanceWindows` (after `begin`) to `watermark`, with an input time ≥ it, would change nothing: the
 * origin is already at or before the watermark and no window end has been passed since the last evaluation.
 */
export function windowsIdle(state: KeyedState<KeyedEntry>, watermark: number, step: number): boolean {
  return (
    state.origin !== null &&
    state.origin <= watermark &&
    state.evaluated !== null &&
    lastClosed(watermark, step) <= state.evaluated
  );
}

/**
 * Evaluates every window whose end the watermark has passed (end < watermark), key by key. Keys are independent,
 * so each key jumps straight to the boundaries where it has data: cost follows data, not elapsed time.
 */
export function advanceWindows<E extends KeyedEntry>(
  state: KeyedState<E>,
  watermark: number,
  step: number,
  hooks: WindowHooks<E>,
): { readonly state: KeyedState<E>; readonly out: Detection[] } {
  const out: Detection[] = [];
  if (state.evaluated === null) return { state, out };
  const target = lastClosed(watermark, step);
  if (target <= state.evaluated) return { state, out };
  let keys = state.keys;
  for (const [key, initial] of state.keys.entries()) {
    let entry: E | undefined = initial;
    let from = state.evaluated + step;
    while (entry !== undefined) {
      const end = hooks.next(entry, from, state);
      if (end === undefined || end > target) break;
      const result = hooks.evaluate(key, entry, end, state);
      if (result.out !== undefined) out.push(result.out);
      entry = result.entry;
      from = end + step;
    }
    if (entry !== undefined) entry = hooks.retain(key, entry, target, state);
    if (entry === undefined) keys = keys.delete(key);
    else if (entry !== initial) keys = keys.set(key, entry);
  }
  return {
    state: { origin: state.origin, evaluated: target, keys, evicted: state.evicted, evictedAt: state.evictedAt },
    out,
  };
}

/** Plain JSON of a keyed state, keys sorted so equal states serialise equally. */
export function keyedToJSON<E extends KeyedEntry>(state: KeyedState<E>, entryToJSON: (entry: E) => unknown): unknown {
  const keys = state.keys
    .entries()
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, e]) => [k, entryToJSON(e)]);
  return { origin: state.origin, evaluated: state.evaluated, evicted: state.evicted, evictedAt: state.evictedAt, keys };
}

export function keyedFromJSON<E extends KeyedEntry>(
  value: unknown,
  entryFromJSON: (json: unknown) => E,
): KeyedState<E> {
  const o = json.object(value, 'rule state');
  const keys = json.array(o.keys, 'rule state keys').map((pair): [string, E] => {
    const [k, e] = json.array(pair, 'rule state key');
    return [json.string(k, 'key'), entryFromJSON(e)];
  });
  return {
    origin: json.numberOrNull(o.origin, 'origin'),
    evaluated: json.numberOrNull(o.evaluated, 'evaluated'),
    evicted: json.number(o.evicted, 'evicted'),
    evictedAt: json.numberOrNull(o.evictedAt, 'evictedAt'),
    keys: PMap.from(keys),
  };
}

/** JSON of count buckets: samples and codes are plain data already. */
export function countBucketsFromJSON(value: unknown): CountBucket[] {
  return json.array(value, 'buckets').map((b) => {
    const o = json.object(b, 'bucket');
    return {
      start: json.number(o.start, 'bucket.start'),
      count: json.number(o.count, 'bucket.count'),
      sample: json.events(o.sample, 'bucket.sample'),
      codes: json.counts(o.codes, 'bucket.codes'),
    };
  });
}
