import { CATALOG } from './entries.js';
import type { CatalogEntry, Lang } from './types.js';

interface Index {
  readonly byId: ReadonlyMap<string, CatalogEntry>;
  /** Exact code (and alias) → entries, in catalog order. */
  readonly byCode: ReadonlyMap<string, readonly CatalogEntry[]>;
  /** Lower-case code → entries: logs are not always consistent in case. */
  readonly byLowerCode: ReadonlyMap<string, readonly CatalogEntry[]>;
  /** Entries recognisable from their message alone (for lines that carry no code). */
  readonly byMessage: readonly CatalogEntry[];
}

function buildIndex(entries: readonly CatalogEntry[]): Index {
  const byId = new Map<string, CatalogEntry>();
  const byCode = new Map<string, CatalogEntry[]>();
  const byLowerCode = new Map<string, CatalogEntry[]>();
  const add = (map: Map<string, CatalogEntry[]>, key: string, entry: CatalogEntry) => {
    const list = map.get(key);
    if (list) list.push(entry);
    else map.set(key, [entry]);
  };
  for (const entry of entries) {
    if (byId.has(entry.id)) throw new Error(`catalog: duplicate entry id ${entry.id}`);
    byId.set(entry.id, entry);
    for (const code of [entry.code, ...(entry.aliases ?? [])]) {
      add(byCode, code, entry);
      add(byLowerCode, code.toLowerCase(), entry);
    }
  }
  const byMessage = entries.filter((e) => e.match !== undefined || e.messages.length > 0);
  return { byId, byCode, byLowerCode, byMessage };
}

const INDEX = buildIndex(CATALOG);

/** Every entry, in catalog order. */
export function catalogEntries(): readonly CatalogEntry[] {
  return CATALOG;
}

export function entryById(id: string): CatalogEntry | undefined {
  return INDEX.byId.get(id);
}

/** Entries for a code or alias (exact case first, then case-insensitive). */
export function entriesForCode(code: string): readonly CatalogEntry[] {
  return INDEX.byCode.get(code) ?? INDEX.byLowerCode.get(code.toLowerCase()) ?? [];
}

/**
 * The entry for a code as logged, using the message to pick among variants: an entry whose `match` accepts the
 * message wins; otherwise the code's entry without `match` (its fallback meaning); otherwise its first entry.
 */
export function lookupEntry(code: string, message = ''): CatalogEntry | undefined {
  const candidates = entriesForCode(code);
  if (candidates.length <= 1) return candidates[0];
  const text = oneLine(message);
  return candidates.find((e) => e.match?.test(text)) ?? candidates.find((e) => e.match === undefined) ?? candidates[0];
}

// `match` patterns are written with single spaces; a message may carry line breaks where it had spaces (a
// Format-List wrap), so patterns see it with every whitespace run as one space.
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
const normalise = (s: string) => oneLine(s).toLowerCase();

/** For lines without a code: the entry whose `match` or documented message occurs in the text. */
export function entryFromMessage(message: string): CatalogEntry | undefined {
  const line = oneLine(message);
  const text = line.toLowerCase();
  for (const entry of INDEX.byMessage) {
    if (entry.match?.test(line)) return entry;
    if (entry.messages.some((m) => m.length >= 16 && text.includes(normalise(m)))) return entry;
  }
  return undefined;
}

/** Cause and remediation of an entry in one language. */
export function explainEntry(
  entry: CatalogEntry,
  lang: Lang = 'en',
): {
  readonly title: string;
  readonly cause: string;
  readonly remediation: readonly string[];
  readonly note?: string;
} {
  const text = { title: entry.title[lang], cause: entry.cause[lang], remediation: entry.remediation[lang] };
  return entry.note ? { ...text, note: entry.note[lang] } : text;
}
