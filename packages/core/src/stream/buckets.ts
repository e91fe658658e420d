import type { ClassifiedEvent } from '../classify/types.js';
import type { Mutable } from '../mutable.js';
import { compareEvents } from './order.js';

/** Start of the aligned bucket holding `t`: buckets are [k·step, (k+1)·step) on epoch milliseconds. */
export const alignDown = (t: number, step: number): number => Math.floor(t / step) * step;
/** The first bucket boundary at or after `t`. */
export const alignUp = (t: number, step: number): number => Math.ceil(t / step) * step;
/**
 * The last boundary strictly before the watermark: windows ending there or earlier are closed. A window closes
 * when the watermark passes its end (an event exactly at the end belongs to the next window and is not late).
 */
export const lastClosed = (watermark: number, step: number): number => alignUp(watermark, step) - step;

export interface Started {
  readonly start: number;
}

/** Events counted in one bucket of one key, with a bounded sample and the codes seen. */
export interface CountBucket extends Started {
  readonly count: number;
  readonly sample: readonly ClassifiedEvent[];
  readonly codes: Readonly<Record<string, number>>;
}

const NO_EVENTS: readonly ClassifiedEvent[] = Object.freeze([]);
const NO_CODES: Readonly<Record<string, number>> = Object.freeze({});

/** Replaces (or inserts) the bucket starting at `start`, keeping the list sorted. Never mutates `buckets`. */
export function upsertBucket<B extends Started>(
  buckets: readonly B[],
  start: number,
  update: (old: B | undefined) => B,
): readonly B[] {
  // Events mostly land in the newest bucket: search from the end.
  let i = buckets.length - 1;
  while (i >= 0 && buckets[i]!.start > start) i--;
  const out = buckets.slice();
  if (i >= 0 && buckets[i]!.start === start) out[i] = update(buckets[i]);
  else out.splice(i + 1, 0, update(undefined));
  return out;
}

/** Buckets with start in [from, to). */
export function bucketsIn<B extends Started>(buckets: readonly B[], from: number, to: number): B[] {
  return buckets.filter((b) => b.start >= from && b.start < to);
}

/** Drops buckets starting before `from` (returns the same array when nothing is dropped). */
export function dropBefore<B extends Started>(buckets: readonly B[], from: number): readonly B[] {
  let i = 0;
  while (i < buckets.length && buckets[i]!.start < from) i++;
  return i === 0 ? buckets : buckets.slice(i);
}

/** The first boundary `e ≥ from` (a multiple of step) whose window [e − size, e) holds a bucket, if any. */
export function nextDataBoundary(
  buckets: readonly Started[],
  from: number,
  size: number,
  step: number,
): number | undefined {
  for (const b of buckets) {
    if (b.start >= from - size) return Math.max(from, b.start + step);
  }
  return undefined;
}

/** Keeps the `size` greatest events in event order (newest last); the result does not depend on arrival order. */
export function addSample(
  sample: readonly ClassifiedEvent[],
  event: ClassifiedEvent,
  size: number,
): readonly ClassifiedEvent[] {
  if (size <= 0) return NO_EVENTS;
  if (sample.length >= size && compareEvents(event, sample[0]!) <= 0) return sample;
  const n = sample.length;
  if (n === 0 || compareEvents(sample[n - 1]!, event) <= 0) {
    // The newest event (the usual case): append, dropping the oldest when full.
    const out = n >= size ? sample.slice(1) : sample.slice();
    out.push(event);
    return out;
  }
  let i = sample.length;
  while (i > 0 && compareEvents(sample[i - 1]!, event) > 0) i--;
  const out = sample.slice();
  out.splice(i, 0, event);
  if (out.length > size) out.shift();
  return out;
}

/**
 * `addSample` on a sample the caller owns (see RuleRuntime.apply): modifies and returns it, or returns a new array
 * when given a shared constant. Same result as `addSample`.
 */
export function addSampleOwned(
  sample: readonly ClassifiedEvent[],
  event: ClassifiedEvent,
  size: number,
): readonly ClassifiedEvent[] {
  if (size <= 0) return NO_EVENTS;
  const n = sample.length;
  if (n >= size && compareEvents(event, sample[0]!) <= 0) return sample;
  const out = Object.isFrozen(sample) ? sample.slice() : (sample as ClassifiedEvent[]);
  let i = n;
  while (i > 0 && compareEvents(out[i - 1]!, event) > 0) i--;
  if (i === n) out.push(event);
  else out.splice(i, 0, event);
  if (out.length > size) out.shift();
  return out;
}

/** `addCode` on codes the caller owns: modifies and returns them, or a new object when given a shared constant. */
export function addCodeOwned(
  codes: Readonly<Record<string, number>>,
  code: string | undefined,
): Readonly<Record<string, number>> {
  if (code === undefined || code === '') return codes;
  const out = (Object.isFrozen(codes) ? { ...codes } : codes) as Record<string, number>;
  out[code] = (out[code] ?? 0) + 1;
  return out;
}

/** The newest `size` events of several samples, newest last. */
export function mergeSamples(
  samples: readonly (readonly ClassifiedEvent[])[],
  size: number,
): readonly ClassifiedEvent[] {
  if (size <= 0) return NO_EVENTS;
  const all = samples.flat();
  all.sort(compareEvents);
  return all.length > size ? all.slice(all.length - size) : all;
}

export function addCode(
  codes: Readonly<Record<string, number>>,
  code: string | undefined,
): Readonly<Record<string, number>> {
  if (code === undefined || code === '') return codes;
  // Clone, then set: keeps the copy on V8's fast object-clone path (a computed key in the literal does not).
  const out: Record<string, number> = { ...codes };
  out[code] = (codes[code] ?? 0) + 1;
  return out;
}

/** Distinct codes over several buckets, most frequent first (ties by name, for determinism). */
export function topCodes(codes: readonly Readonly<Record<string, number>>[]): string[] {
  const total = new Map<string, number>();
  for (const c of codes) for (const [code, n] of Object.entries(c)) total.set(code, (total.get(code) ?? 0) + n);
  return [...total].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([code]) => code);
}

/** Adds one event to a count bucket. */
export function countInto(
  bucket: CountBucket | undefined,
  start: number,
  event: ClassifiedEvent,
  sampleSize: number,
): CountBucket {
  return {
    start,
    count: (bucket?.count ?? 0) + 1,
    sample: addSample(bucket?.sample ?? NO_EVENTS, event, sampleSize),
    codes: addCode(bucket?.codes ?? NO_CODES, event.code),
  };
}

/** `countInto` on a bucket the caller owns: modifies it in place. */
export function countIntoOwned(bucket: CountBucket, event: ClassifiedEvent, sampleSize: number): void {
  const b = bucket as Mutable<CountBucket>;
  b.count++;
  b.sample = addSampleOwned(b.sample, event, sampleSize);
  b.codes = addCodeOwned(b.codes, event.code);
}

/** The bucket reduced to its count (for history that no current window will show again). */
export function bareBucket(bucket: CountBucket): CountBucket {
  return bucket.sample.length === 0 && Object.keys(bucket.codes).length === 0
    ? bucket
    : { start: bucket.start, count: bucket.count, sample: NO_EVENTS, codes: NO_CODES };
}

export function sumCounts(buckets: readonly CountBucket[], from: number, to: number): number {
  let n = 0;
  for (const b of buckets) if (b.start >= from && b.start < to) n += b.count;
  return n;
}

/**
 * Start of the run of activity that the newest bucket before `before` belongs to: walking back from it, buckets
 * closer than `gap` are the same run. `previous` is the newest bucket already dropped from `buckets`. A run is a
 * property of the event times alone, so warm-up decisions built on it do not depend on arrival order (unlike
 * "when was this key first stored").
 */
export function runStart(
  buckets: readonly Started[],
  previous: number | null,
  before: number,
  gap: number,
): number | undefined {
  let start: number | undefined;
  for (let i = buckets.length - 1; i >= 0; i--) {
    const b = buckets[i]!.start;
    if (b >= before) continue;
    if (start !== undefined && start - b >= gap) return start;
    start = b;
  }
  if (previous === null) return start;
  if (start === undefined || start - previous < gap) return previous;
  return start;
}

/** The start of the newest bucket `kept` no longer has, given the list before dropping. */
export function newestDropped(
  before: readonly Started[],
  kept: readonly Started[],
  previous: number | null,
): number | null {
  if (kept.length === before.length) return previous;
  const dropped = before[before.length - kept.length - 1]!.start;
  return previous === null ? dropped : Math.max(previous, dropped);
}

export { NO_CODES, NO_EVENTS };
