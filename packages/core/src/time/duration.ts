/** Milliseconds per duration unit. Months and years are left out: their length varies. */
const UNIT_MS = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;

type Unit = keyof typeof UNIT_MS;

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;
const EXAMPLES = '"30s", "10m", "4h", "1d", "1h30m"';

/** A duration option that could not be read. `code` is stable; the message names the option when known. */
export class DurationError extends RangeError {
  override readonly name = 'DurationError';
  readonly code = 'E_DURATION';
  readonly text: string;

  constructor(text: string, reason: string, label?: string) {
    super(`${label === undefined ? '' : `${label}: `}invalid duration "${text}": ${reason}`);
    this.text = text;
  }
}

/**
 * Parses a duration such as `30s`, `10m`, `4h`, `1d`, `2w`, `250ms`, or a sum of parts (`1h30m`, as in
 * Prometheus) to milliseconds. `0` alone is accepted; any other number needs a unit. `label` (the option's
 * path, e.g. `notify.for`) is put in front of the error message.
 */
export function parseDuration(text: string, label?: string): number {
  const s = text.trim();
  if (s === '') throw new DurationError(text, `expected a number followed by a unit, e.g. ${EXAMPLES}`, label);
  if (s === '0') return 0;
  if (s.startsWith('-')) throw new DurationError(text, 'must not be negative', label);
  let total = 0;
  let pos = 0;
  const seen = new Set<Unit>();
  PART.lastIndex = 0;
  while (pos < s.length) {
    PART.lastIndex = pos;
    const m = PART.exec(s);
    if (m === null) {
      const rest = s.slice(pos);
      const num = /^\d+(?:\.\d+)?/.exec(rest)?.[0];
      const reason =
        num === undefined
          ? `unexpected "${rest}"; expected a number followed by ms, s, m, h, d or w, e.g. ${EXAMPLES}`
          : num === rest
            ? `"${rest}" has no unit (ms, s, m, h, d, w)`
            : `unknown unit "${rest.slice(num.length)}" (use ms, s, m, h, d or w, e.g. ${EXAMPLES})`;
      throw new DurationError(text, reason, label);
    }
    const unit = m[2] as Unit;
    if (seen.has(unit)) throw new DurationError(text, `unit "${unit}" appears twice`, label);
    seen.add(unit);
    total += Number(m[1]) * UNIT_MS[unit];
    pos = PART.lastIndex;
  }
  const ms = Math.round(total);
  if (!Number.isSafeInteger(ms)) throw new DurationError(text, 'too large', label);
  return ms;
}

/** The shortest `parseDuration` text for a whole number of milliseconds (`5400000` → `1h30m`). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot format duration ${ms}`);
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const unit of ['w', 'd', 'h', 'm', 's', 'ms'] as const) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * UNIT_MS[unit];
    }
  }
  return out;
}
