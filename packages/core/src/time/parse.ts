import { DateTime, IANAZone } from 'luxon';

// ISO 8601 with an explicit offset: V8's Date.parse is exact for these and ~20x faster than luxon.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
const ISO_LOCAL = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?$/;

/** Local-time layouts seen in Windows exports (Splunk classic, Get-WinEvent, IAS/ODBC/DTS, wevtutil). */
const LOCAL_FORMATS = [
  'MM/dd/yyyy hh:mm:ss a',
  'M/d/yyyy h:mm:ss a',
  'MM/dd/yyyy HH:mm:ss.SSS',
  'MM/dd/yyyy HH:mm:ss',
  'M/d/yyyy H:mm:ss',
  'yyyy-MM-dd HH:mm:ss.SSS',
  'yyyy-MM-dd HH:mm:ss',
] as const;

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;
const two = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);
const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/**
 * `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z`, the shape of Winlogbeat `@timestamp` and XML `SystemTime`, read by position:
 * it runs once per event, and this is several times cheaper than a regex test plus Date.parse. Anything else
 * (offsets, out-of-range fields) returns undefined and takes the general path.
 */
function parseUtcIso(s: string): number | undefined {
  const n = s.length;
  if (n < 20 || n > 30 || s.charCodeAt(n - 1) !== 90 || s.charCodeAt(10) !== 84) return undefined;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58)
    return undefined;
  for (const i of DIGIT_POSITIONS) {
    const d = digit(s, i);
    if (d < 0 || d > 9) return undefined;
  }
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  let ms = 0;
  if (n > 20) {
    if (s.charCodeAt(19) !== 46 || n === 21) return undefined;
    // Milliseconds from the first three fraction digits; Windows writes seven.
    for (let i = 20, scale = 100; i < n - 1; i++, scale /= 10) {
      const d = digit(s, i);
      if (d < 0 || d > 9) return undefined;
      if (scale >= 1) ms += d * scale;
    }
  }
  const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + two(s, 2);
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 31 April over into May: reject rather than shift the event.
  return new Date(t).getUTCDate() === day ? t : undefined;
}

/** Throws on an unknown zone so a typo in `--tz` fails at start, not per record. */
export function assertTimeZone(zone: string): string {
  if (!IANAZone.isValidZone(zone) && zone !== 'UTC') throw new RangeError(`unknown time zone "${zone}"`);
  return zone;
}

/**
 * Parses an event timestamp to epoch ms. Text with an offset keeps it; text without one is read in `zone`
 * (the zone of the machine that wrote the log). Returns undefined when the text is no timestamp we know.
 */
export function parseTimestamp(text: string, zone = 'UTC'): number | undefined {
  const fast = parseUtcIso(text);
  if (fast !== undefined) return fast;
  const s = text.trim();
  if (ISO_WITH_OFFSET.test(s)) {
    const ms = Date.parse(s);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (ISO_LOCAL.test(s)) {
    const dt = DateTime.fromISO(s.replace(' ', 'T'), { zone });
    return dt.isValid ? dt.toMillis() : undefined;
  }
  for (const fmt of LOCAL_FORMATS) {
    const dt = DateTime.fromFormat(s, fmt, { zone, locale: 'en-US' });
    if (dt.isValid) return dt.toMillis();
  }
  return undefined;
}

/** Parses a timestamp written in one known luxon layout in `zone`. */
export function parseLocalTime(text: string, layout: string, zone = 'UTC'): number | undefined {
  const dt = DateTime.fromFormat(text.trim(), layout, { zone, locale: 'en-US' });
  return dt.isValid ? dt.toMillis() : undefined;
}

/** ISO 8601 in UTC with milliseconds, the form written to `@timestamp`. */
export function formatIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The zone's offset from UTC at `ms`, in ms (`Asia/Seoul` → 32,400,000; DST counts). */
export function zoneOffset(zone: string, ms: number): number {
  return (zone === 'UTC' ? 0 : IANAZone.create(zone).offset(ms)) * 60_000;
}

/** ISO 8601 in a given zone (for human output). */
export function formatInZone(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true }) ?? formatIso(ms);
}
