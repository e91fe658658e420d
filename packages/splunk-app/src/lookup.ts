import { catalogEntries, type Lang } from '@npswatch/core';

/** Columns of `npswatch_codes.csv`, the Splunk lookup generated from the catalog (one row per entry). */
export const CODE_LOOKUP_FIELDS = [
  'code',
  'entry_id',
  'category',
  'severity',
  'audience',
  'title',
  'cause',
  'remediation',
  'doc_url',
] as const;

/** RFC 4180 quoting, which Splunk's CSV lookups read: quote when needed, double inner quotes. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The code lookup as CSV text. Entries that share a code (message variants) each get a row; Splunk's lookup
 * returns the first match on `code`, which is the catalog's first (most specific documented) entry.
 */
export function renderCodeLookupCsv(lang: Lang = 'en'): string {
  const rows = catalogEntries().map((e) =>
    [
      e.code,
      e.id,
      e.category,
      e.severity,
      e.audience,
      e.title[lang],
      e.cause[lang],
      e.remediation[lang].join(' | '),
      e.docUrl,
    ]
      .map(csvField)
      .join(','),
  );
  return `${CODE_LOOKUP_FIELDS.join(',')}\n${rows.join('\n')}\n`;
}
