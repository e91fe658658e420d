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
 * The keys of the code lookup and the entry each stands for, in CSV order: every catalog entry by its id, then each
 * code or alias that is no entry id, standing for the entry npswatch gives that code when no message variant
 * matches. The app's automatic lookups use these keys (a variant's id, else the code: see extract.ts).
 */
export function lookupKeys(): readonly (readonly [key: string, entry: CatalogEntry])[] {
  const entries = catalogEntries();
  const ids = new Set(entries.map((e) => e.id));
  const keys: [string, CatalogEntry][] = entries.map((e) => [e.id, e]);
  for (const code of new Set(entries.flatMap((e) => [e.code, ...(e.aliases ?? [])]))) {
    const fallback = lookupEntry(code);
    if (!ids.has(code) && fallback !== undefined) keys.push([code, fallback]);
  }
  return keys;
}

/** The code lookup as CSV text, a row per lookup key (`lookup_key`); a lookup on `code` returns its first entry. */
export function renderCodeLookupCsv(lang: Lang = 'en'): string {
  const rows = lookupKeys().map(([key, e]) =>
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
      .join(','),
  );
  return `${CODE_LOOKUP_FIELDS.join(',')}\n${rows.join('\n')}\n`;
}
