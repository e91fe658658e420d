import { type CatalogEntry, catalogEntries, type Lang, lookupEntry } from '@npswatch/core';

/** Columns of `npswatch_codes.csv`, the Splunk lookup generated from the catalog. */
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
  'lookup_key',
] as const;

/** RFC 4180 quoting, which Splunk's CSV lookups read: quote when needed, double inner quotes. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The code lookup as CSV text: one row per catalog entry (`lookup_key` = its entry id), then, for each code or
 * alias that is no entry id, a row keyed by the code holding the entry npswatch uses when no message variant
 * matches. The app's automatic lookups use `lookup_key` (a variant's id, else the code: see extract.ts); a lookup
 * on `code` returns the code's first entry.
 */
export function renderCodeLookupCsv(lang: Lang = 'en'): string {
  const entries = catalogEntries();
  const ids = new Set(entries.map((e) => e.id));
  const byCode: [string, CatalogEntry][] = [];
  for (const code of new Set(entries.flatMap((e) => [e.code, ...(e.aliases ?? [])]))) {
    const fallback = lookupEntry(code);
    if (!ids.has(code) && fallback !== undefined) byCode.push([code, fallback]);
  }
  const row = (e: CatalogEntry, key: string) =>
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
      key,
    ]
      .map(csvField)
      .join(',');
  const rows = [...entries.map((e) => row(e, e.id)), ...byCode.map(([code, e]) => row(e, code))];
  return `${CODE_LOOKUP_FIELDS.join(',')}\n${rows.join('\n')}\n`;
}
