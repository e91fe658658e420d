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
  // Fast path for the common `2024-09-20T10:37:17.730Z` shape (Winlogbeat, XML SystemTime).
  if (
    text.length >= 20 &&
    text.length <= 30 &&
    text.charCodeAt(10) === 84 /* T */ &&
    text.charCodeAt(text.length - 1) === 90 /* Z */ &&
    ISO_WITH_OFFSET.test(text)
  ) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
  }
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

/** ISO 8601 in a given zone (for human output). */
export function formatInZone(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true }) ?? formatIso(ms);
}
