const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Bucket sizes, each a multiple of the one before, so buckets of one size fold exactly into the next. Past the
 * last size, sizes double (still multiples).
 */
export const BUCKET_STEPS: readonly number[] = [
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  7 * DAY,
  28 * DAY,
];

export function nextStep(step: number): number {
  return BUCKET_STEPS.find((s) => s > step) ?? step * 2;
}

/** What a bucket holds: counts that add up when buckets are folded together. */
export interface Mergeable<B> {
  create(): B;
  /** Adds `from` into `into` (mutates `into`). */
  merge(into: B, from: B): void;
}

/**
 * Time buckets over a stream whose range is not known in advance. Buckets start at the finest size and, when more
 * than `maxLive` of them are occupied, fold into the next size: memory stays bounded whatever the input's span.
 * Buckets are aligned to the Unix epoch (UTC).
 */
export interface TimeBuckets<B> {
  step: number;
  readonly buckets: Map<number, B>;
}

export function createBuckets<B>(step = BUCKET_STEPS[0]!): TimeBuckets<B> {
  return { step, buckets: new Map() };
}

/** The bucket holding `time`, created when new; folds to a coarser size first when too many are occupied. */
export function bucketAt<B>(tb: TimeBuckets<B>, time: number, kind: Mergeable<B>, maxLive: number): B {
  const start = Math.floor(time / tb.step) * tb.step;
  let b = tb.buckets.get(start);
  if (b !== undefined) return b;
  if (tb.buckets.size >= maxLive) {
    coarsen(tb, nextStep(tb.step), kind);
    return bucketAt(tb, time, kind, maxLive);
  }
  b = kind.create();
  tb.buckets.set(start, b);
  return b;
}

/** Folds every bucket into buckets of `step` (a multiple of the current step). */
export function coarsen<B>(tb: TimeBuckets<B>, step: number, kind: Mergeable<B>): void {
  if (step === tb.step) return;
  const folded = new Map<number, B>();
  for (const [start, b] of tb.buckets) {
    const to = Math.floor(start / step) * step;
    const into = folded.get(to);
    if (into === undefined) folded.set(to, b);
    else kind.merge(into, b);
  }
  tb.step = step;
  tb.buckets.clear();
  for (const [k, v] of folded) tb.buckets.set(k, v);
}

/** The finest step, no finer than `step`, at which [from, to] spans at most `maxBuckets` buckets. */
export function stepFor(from: number, to: number, step: number, maxBuckets: number): number {
  let s = step;
  while (Math.floor(to / s) - Math.floor(from / s) + 1 > maxBuckets) s = nextStep(s);
  return s;
}

/** Dense series over [from, to]: one entry per bucket, empty buckets included, from the bucket holding `from`. */
export function denseBuckets<B>(
  tb: TimeBuckets<B>,
  from: number,
  to: number,
  kind: Mergeable<B>,
): { start: number; step: number; buckets: B[] } {
  const start = Math.floor(from / tb.step) * tb.step;
  const n = Math.floor(to / tb.step) - Math.floor(from / tb.step) + 1;
  const buckets = Array.from({ length: n }, (_, i) => tb.buckets.get(start + i * tb.step) ?? kind.create());
  return { start, step: tb.step, buckets };
}
