import type { ClassifiedEvent } from '../../classify/types.js';
import { json } from '../../stream/json.js';

/**
 * ElastAlert's EventWindow (ruletypes.py): entries in time order; appending one drops the oldest while the newest
 * minus the oldest is at least the timeframe, so the window is (newest − timeframe, newest], measured from its
 * newest entry and never from a clock. Without entries it never moves: ElastAlert appends count-0 placeholders at
 * the end of each run for that.
 */

/** One entry: an event time and its weight (1 per event, 0 for a run's placeholder), and the event's code. */
export interface WindowEntry {
  readonly t: number;
  readonly n: number;
  readonly code: string;
}

/**
 * A window is a view [start, end) of an append-only array shared between versions: appending to the newest version
 * pushes in place (older versions never read past their own end), and appending to an older one copies. So steps
 * stay pure without copying a window per event.
 */
export interface EventWindow {
  readonly items: WindowEntry[];
  readonly start: number;
  readonly end: number;
  /** Sum of the weights (ElastAlert's running_count). */
  readonly count: number;
}

export const emptyWindow = (): EventWindow => ({ items: [], start: 0, end: 0, count: 0 });

/** The entry of an event at `time`, or without one a run's count-0 placeholder. */
export const entryOf = (time: number, event: ClassifiedEvent | undefined): WindowEntry => ({
  t: time,
  n: event === undefined ? 0 : 1,
  code: event?.code ?? '',
});

export const oldest = (w: EventWindow): WindowEntry | undefined => (w.end > w.start ? w.items[w.start] : undefined);

export const newest = (w: EventWindow): WindowEntry | undefined => (w.end > w.start ? w.items[w.end - 1] : undefined);

/** The entries, oldest first. */
export const entries = (w: EventWindow): readonly WindowEntry[] => w.items.slice(w.start, w.end);

/**
 * Appends an entry at least as new as every other (compat rules add events in event order) and drops the oldest
 * entries while the window spans `timeframe` or more. Returns the new window and what was dropped, oldest first
 * (SpikeRule feeds that into its reference window).
 */
export function append(
  w: EventWindow,
  entry: WindowEntry,
  timeframe: number,
): { readonly window: EventWindow; readonly dropped: readonly WindowEntry[] } {
  let items = w.items;
  let start = w.start;
  let end = w.end;
  if (end !== items.length) {
    // An older version: copy its view so the newer one keeps its entries.
    items = items.slice(start, end);
    end -= start;
    start = 0;
  }
  items.push(entry);
  end++;
  let count = w.count + entry.n;
  const dropped: WindowEntry[] = [];
  while (entry.t - items[start]!.t >= timeframe) {
    const old = items[start]!;
    dropped.push(old);
    count -= old.n;
    start++;
  }
  // Compact once most of the array is dropped entries (older versions keep the old array).
  if (start > 64 && start * 2 > end) {
    items = items.slice(start, end);
    end -= start;
    start = 0;
  }
  return { window: { items, start, end, count }, dropped };
}

/** Appends several entries in order; what the window drops on the way is gone (SpikeRule's reference window). */
export function appendAll(w: EventWindow, added: readonly WindowEntry[], timeframe: number): EventWindow {
  let out = w;
  for (const e of added) out = append(out, e, timeframe).window;
  return out;
}

/** Codes of the counted entries, most frequent first (ties by name). */
export function windowCodes(w: EventWindow): string[] {
  const counts = new Map<string, number>();
  for (let i = w.start; i < w.end; i++) {
    const e = w.items[i]!;
    if (e.n > 0 && e.code !== '') counts.set(e.code, (counts.get(e.code) ?? 0) + e.n);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([c]) => c);
}

export const windowToJSON = (w: EventWindow): unknown => entries(w).map((e) => [e.t, e.n, e.code]);

export function windowFromJSON(value: unknown, what: string): EventWindow {
  const items = json.array(value, what).map((raw): WindowEntry => {
    const [t, n, code] = json.array(raw, `${what} entry`);
    return { t: json.number(t, `${what} time`), n: json.number(n, `${what} count`), code: json.string(code, what) };
  });
  return { items, start: 0, end: items.length, count: items.reduce((sum, e) => sum + e.n, 0) };
}
