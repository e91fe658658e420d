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

/** Weeks start on Mondays: the epoch was a Thursday, so boundaries sit 4 days after multiples of a week. */
const MONDAYS = -4 * DAY;

/**
 * Time buckets over a stream whose range is not known in advance. Buckets start at the finest size and, when more
 * than `maxLive` of them are occupied, fold into the next size: memory stays bounded whatever the input's span.
 *
 * Boundaries fall on the report zone's wall clock (days at local midnight, weeks on Mondays), with the zone's
 * offset at the first event: one fixed shift for every size, so buckets still fold exactly. Across a DST change the
 * boundaries stay on the first offset (an hour off local midnight for part of the range).
 */
export interface TimeBuckets<B> {
  step: number;
  readonly buckets: Map<number, B>;
  /** The zone's offset (ms) at a time; read once, at the first bucket. */
  readonly offsetAt: (time: number) => number;
  /** Added to times before aligning; fixed by the first bucket. */
  shift: number | undefined;
}

export function createBuckets<B>(
  step = BUCKET_STEPS[0]!,
  offsetAt: (time: number) => number = () => 0,
): TimeBuckets<B> {
  return { step, buckets: new Map(), offsetAt, shift: undefined };
}

/** Start of the bucket of `step` holding `time`, for a shift. */
const align = (time: number, step: number, shift: number): number => Math.floor((time + shift) / step) * step - shift;

/** Index of the bucket of `step` holding `time` (bucket counts are differences of these). */
const slot = (time: number, step: number, shift: number): number => Math.floor((time + shift) / step);

const shiftOf = <B>(tb: TimeBuckets<B>, time: number): number => {
  tb.shift ??= tb.offsetAt(time) + MONDAYS;
  return tb.shift;
};

/** The bucket holding `time`, created when new; folds to a coarser size first when too many are occupied. */
export function bucketAt<B>(tb: TimeBuckets<B>, time: number, kind: Mergeable<B>, maxLive: number): B {
  const start = align(time, tb.step, shiftOf(tb, time));
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
  const shift = tb.shift ?? 0;
  for (const [start, b] of tb.buckets) {
    const to = align(start, step, shift);
    const into = folded.get(to);
    if (into === undefined) folded.set(to, b);
    else kind.merge(into, b);
  }
  tb.step = step;
  tb.buckets.clear();
  for (const [k, v] of folded) tb.buckets.set(k, v);
}

/** The finest step, no finer than `step`, at which [from, to] spans at most `maxBuckets` buckets (for a shift). */
export function stepFor(from: number, to: number, step: number, maxBuckets: number, shift = MONDAYS): number {
  let s = step;
  while (slot(to, s, shift) - slot(from, s, shift) + 1 > maxBuckets) s = nextStep(s);
  return s;
}

/** Dense series over [from, to]: one entry per bucket, empty buckets included, from the bucket holding `from`. */
export function denseBuckets<B>(
  tb: TimeBuckets<B>,
  from: number,
  to: number,
  kind: Mergeable<B>,
): { start: number; step: number; buckets: B[] } {
  const shift = shiftOf(tb, from);
  const start = align(from, tb.step, shift);
  const n = slot(to, tb.step, shift) - slot(from, tb.step, shift) + 1;
  const buckets = Array.from({ length: n }, (_, i) => tb.buckets.get(start + i * tb.step) ?? kind.create());
  return { start, step: tb.step, buckets };
}
