import type { FieldCondition, Scalar } from '../rules/filter.js';

/** A value as a query gives it, before we know whether the field is a keyword or full text. */
export type QueryValue =
  /** One value compared whole (`term`, `terms`, a keyword `match`). */
  | { readonly kind: 'exact'; readonly value: Scalar; readonly caseInsensitive?: boolean }
  /** Analysed text: words, any of them (`match`) or all of them (`match` with `operator: and`). */
  | { readonly kind: 'words'; readonly text: string; readonly all: boolean }
  /** Words in this order (`match_phrase`, a quoted `query_string` value). */
  | { readonly kind: 'phrase'; readonly text: string }
  /** Lucene wildcard syntax (`*`, `?`, `\` escapes), as written. */
  | { readonly kind: 'wildcard'; readonly pattern: string; readonly caseInsensitive?: boolean }
  /** `prefix`: the value starts with this. */
  | { readonly kind: 'prefix'; readonly value: string; readonly caseInsensitive?: boolean }
  /** Lucene regular expression (anchored to the whole value). */
  | { readonly kind: 'regexp'; readonly pattern: string };

export const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Lucene wildcard → regular expression body: `*` any run, `?` one character, `\x` the character x. */
export function wildcardBody(pattern: string, any = '.*', one = '.'): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) out += escapeRegex(pattern[++i]!);
    else if (c === '*') out += any;
    else if (c === '?') out += one;
    else out += escapeRegex(c);
  }
  return out;
}

/** True when a wildcard pattern has an unescaped `*` or `?`. */
export function hasWildcard(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') i++;
    else if (c === '*' || c === '?') return true;
  }
  return false;
}

/** The literal text of a pattern without wildcards (escapes removed). */
export const unescapeLucene = (pattern: string): string => pattern.replace(/\\(.)/gs, '$1');

/** `4625` → 4625 when the number prints back the same; other texts stay strings (`0123` must compare as text). */
export function scalarOf(text: string): Scalar {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) && String(n) === text ? n : text;
}

const NON_ASCII = /[^\x00-\x7f]/;
const WORD_SPLIT = /[^\p{L}\p{N}_]+/u;

/** Words of a text as the standard analyzer would split them. */
const wordsOf = (text: string): string[] => text.split(WORD_SPLIT).filter((w) => w !== '');

/** A case-insensitive pattern for `body` as a whole word (or words) inside a text. */
function inText(body: string, sample: string): string {
  // \b only knows ASCII letters; other scripts need Unicode-aware boundaries.
  return NON_ASCII.test(sample) ? `/(?<![\\p{L}\\p{N}_])${body}(?![\\p{L}\\p{N}_])/iu` : `/\\b${body}\\b/i`;
}

const phraseBody = (words: readonly string[]): string => words.map(escapeRegex).join('\\W+');

const anchored = (body: string, caseInsensitive: boolean | undefined): string =>
  caseInsensitive ? `/^${body}$/i` : `^${body}$`;

/** A keyword wildcard as a pattern; a leading or trailing `*` drops the anchor instead (`svc-*` → `^svc-`). */
function unanchoredEnds(pattern: string, caseInsensitive: boolean | undefined): string {
  let body = pattern;
  const open = body.startsWith('*');
  if (open) body = body.slice(1);
  // A trailing `*` is a wildcard unless escaped by an odd number of backslashes.
  const close = body.endsWith('*') && (body.slice(0, -1).match(/\\*$/)?.[0].length ?? 0) % 2 === 0;
  if (close) body = body.slice(0, -1);
  const regex = `${open ? '' : '^'}${wildcardBody(body)}${close ? '' : '$'}`;
  return caseInsensitive ? `/${regex}/i` : regex;
}

/**
 * The npswatch condition for a query value on a field. Keyword fields compare whole values (case-sensitive,
 * as Elasticsearch keywords do); full-text fields match words, case-insensitively (as the standard analyzer).
 * Returns a list of conditions when all of them must hold (several words with `operator: and`).
 */
export function condition(value: QueryValue, text: boolean): FieldCondition[] {
  switch (value.kind) {
    case 'exact':
      if (!text)
        return [value.caseInsensitive ? { matches: anchored(escapeRegex(String(value.value)), true) } : value.value];
      return condition({ kind: 'words', text: String(value.value), all: true }, true);
    case 'words': {
      if (!text) return [value.text === '' ? value.text : scalarOf(value.text)];
      const words = wordsOf(value.text);
      if (words.length === 0) return [{ matches: inText(escapeRegex(value.text), value.text) }];
      if (value.all) return words.map((w) => ({ matches: inText(escapeRegex(w), w) }));
      const body = words.length === 1 ? escapeRegex(words[0]!) : `(?:${words.map(escapeRegex).join('|')})`;
      return [{ matches: inText(body, value.text) }];
    }
    case 'phrase': {
      if (!text) return [value.text];
      const words = wordsOf(value.text);
      if (words.length === 0) return [{ matches: inText(escapeRegex(value.text), value.text) }];
      return [{ matches: inText(phraseBody(words), value.text) }];
    }
    case 'wildcard':
      if (value.pattern === '*') return [{ exists: true }];
      if (!hasWildcard(value.pattern))
        return condition(
          { kind: 'exact', value: unescapeLucene(value.pattern), caseInsensitive: value.caseInsensitive ?? false },
          text,
        );
      if (text) return [{ matches: inText(wildcardBody(value.pattern, '\\w*', '\\w'), value.pattern) }];
      return [{ matches: unanchoredEnds(value.pattern, value.caseInsensitive) }];
    case 'prefix':
      if (text) return [{ matches: inText(`${escapeRegex(value.value)}\\w*`, value.value) }];
      return [{ matches: value.caseInsensitive ? `/^${escapeRegex(value.value)}/i` : `^${escapeRegex(value.value)}` }];
    case 'regexp':
      if (text) return [{ matches: inText(`(?:${value.pattern})`, value.pattern) }];
      return [{ matches: `^(?:${value.pattern})$` }];
  }
}
