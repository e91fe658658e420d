import { formatDuration } from '../time/duration.js';
import { refuse } from './errors.js';

/** ElastAlert times are Python timedelta keyword arguments: `{minutes: 15}`, `{hours: 1, minutes: 30}`. */
const UNIT_MS: Readonly<Record<string, number>> = {
  weeks: 604_800_000,
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1_000,
  milliseconds: 1,
  microseconds: 0.001,
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Milliseconds of an ElastAlert time option; refuses anything else (the rule means something we cannot read). */
export function eaMillis(value: unknown, option: string): number {
  if (!isRecord(value) || Object.keys(value).length === 0)
    return refuse('E_EA_OPTION', `expected a time like {minutes: 15}, got ${JSON.stringify(value)}`, option);
  let total = 0;
  for (const [unit, amount] of Object.entries(value)) {
    const ms = UNIT_MS[unit];
    if (ms === undefined)
      return refuse('E_EA_OPTION', `unknown time unit "${unit}" (use weeks, days, hours, minutes or seconds)`, option);
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0)
      return refuse('E_EA_OPTION', `expected a non-negative number of ${unit}, got ${JSON.stringify(amount)}`, option);
    total += amount * ms;
  }
  return Math.round(total);
}

const UNITS: readonly (readonly [string, number])[] = [
  ['w', 604_800_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/**
 * An npswatch duration text for a number of milliseconds, in one unit when that reads naturally (`90d` rather
 * than `12w6d`, `90m` rather than `1h30m`), else as a sum of parts.
 */
export function durationText(ms: number): string {
  if (ms === 0) return '0s';
  const unit = UNITS.find(([, size]) => ms % size === 0 && ms / size <= 1000);
  return unit === undefined ? formatDuration(ms) : `${ms / unit[1]}${unit[0]}`;
}

/** An ElastAlert time option as an npswatch duration text. */
export const eaDuration = (value: unknown, option: string): string => durationText(eaMillis(value, option));

/** Steps tried for sliding windows, largest first: about ten evaluations per window, on round boundaries. */
const STEPS = [
  86_400_000, 43_200_000, 21_600_000, 10_800_000, 7_200_000, 3_600_000, 1_800_000, 900_000, 600_000, 300_000, 60_000,
  30_000, 15_000, 10_000, 5_000, 1_000,
];

/**
 * The step for evaluating a window of `windowMs` as it slides: the largest round step that divides the window
 * at least ten times. Undefined when none does (a tumbling window is the best available).
 */
export function slidingStep(windowMs: number): number | undefined {
  return STEPS.find((step) => step * 10 <= windowMs && windowMs % step === 0);
}
