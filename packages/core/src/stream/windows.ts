import type { ClassifiedEvent } from '../classify/types.js';
import { alignDown, dropBefore, lastClosed, nextDataBoundary, upsertBucket } from './buckets.js';
import { type EngineInput, isTick } from './input.js';
import { insertSorted } from './order.js';
import { PMap } from './pmap.js';

export interface WindowOptions {
  /** Window length, ms. */
  readonly size: number;
  /** Evaluation step, ms (default: size, i.e. tumbling). Must divide size. */
  readonly step?: number;
  /** How far behind the newest event time an event may arrive and still count, ms (default 0). */
  readonly allowedLateness?: number;
  /** Groups events into independent windows (default: one group, key ""). */
  readonly key?: (event: ClassifiedEvent) => string;
}

/** A closed, non-empty window of one key: events in event order. */
export interface ClosedWindow {
  readonly type: 'window';
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly events: readonly ClassifiedEvent[];
}

/** An event older than the watermark when it arrived: its windows were already closed. */
export interface LateEvent {
  readonly type: 'late';
  readonly event: ClassifiedEvent;
}

export type WindowOutput = ClosedWindow | LateEvent;

interface Bucket {
  readonly start: number;
  readonly events: readonly ClassifiedEvent[];
}

export interface WindowState {
  readonly maxTime: number | null;
  readonly floor: number | null;
  readonly evaluated: number | null;
  readonly keys: PMap<string, readonly Bucket[]>;
}

export const initWindows = (): WindowState => ({ maxTime: null, floor: null, evaluated: null, keys: PMap.empty() });

/**
 * The generic event-time window step behind `eventTimeWindows`: aligned tumbling or sliding windows per key, closed
 * when the watermark (newest time − allowed lateness, or just past a final tick) passes their end, in the same step.
 * Outputs are ordered by (end, key). Memory holds the events of open windows only.
 */
export function windowStep(
  options: WindowOptions,
  state: WindowState,
  input: EngineInput,
): { readonly state: WindowState; readonly out: readonly WindowOutput[] } {
  const size = options.size;
  const step = options.step ?? size;
  if (!(size > 0 && step > 0 && size % step === 0))
    throw new RangeError('window size must be a positive multiple of step');
  const lateness = options.allowedLateness ?? 0;
  let { maxTime, floor, evaluated, keys } = state;
  const out: WindowOutput[] = [];
  if (isTick(input) && input.final === true) floor = Math.max(floor ?? input.time + 1, input.time + 1);
  else maxTime = Math.max(maxTime ?? input.time, input.time);
  const fromEvents = maxTime === null ? null : maxTime - lateness;
  const watermark = fromEvents === null ? floor! : floor === null ? fromEvents : Math.max(fromEvents, floor);
  if (evaluated === null) evaluated = lastClosed(watermark, step);
  if (!isTick(input)) {
    if (input.time < watermark) out.push({ type: 'late', event: input });
    else {
      const key = options.key?.(input) ?? '';
      const start = alignDown(input.time, step);
      keys = keys.set(
        key,
        upsertBucket(keys.get(key) ?? [], start, (b) => ({
          start,
          events: insertSorted(b?.events ?? [], input),
        })),
      );
    }
  }
  const target = lastClosed(watermark, step);
  if (target > evaluated) {
    const closed: ClosedWindow[] = [];
    for (const [key, buckets] of keys.entries()) {
      let from = evaluated + step;
      for (;;) {
        const end = nextDataBoundary(buckets, from, size, step);
        if (end === undefined || end > target) break;
        const events = buckets.filter((b) => b.start >= end - size && b.start < end).flatMap((b) => b.events);
        closed.push({ type: 'window', key, start: end - size, end, events });
        from = end + step;
      }
      const kept = dropBefore(buckets, target + step - size);
      if (kept.length === 0) keys = keys.delete(key);
      else if (kept !== buckets) keys = keys.set(key, kept);
    }
    closed.sort((a, b) => a.end - b.end || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    out.push(...closed);
    evaluated = target;
  }
  return { state: { maxTime, floor, evaluated, keys }, out };
}
