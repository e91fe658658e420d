import { type CatalogEntry, catalogEntries, entriesForCode, type Lang } from '@npswatch/core';
import { EXIT, UsageError } from '../errors.js';
import { type Io, write } from '../io.js';

const LABELS = {
  en: {
    category: 'Category',
    severity: 'Severity',
    audience: 'Who acts',
    cause: 'Cause',
    fix: 'What to do',
    doc: 'Reference',
    note: 'Note',
  },
  ko: {
    category: '분류',
    severity: '심각도',
    audience: '담당',
    cause: '원인',
    fix: '조치 방법',
    doc: '참고 문서',
    note: '참고',
  },
} as const;

/** Korean names of the catalog's values, shown beside the value itself (which is what filters and searches use). */
const KO_VALUES: Readonly<Record<string, string>> = {
  error: '오류',
  'non-error': '비오류',
  'support-required': '지원 필요',
  info: '정보',
  critical: '심각',
  high: '높음',
  medium: '보통',
  low: '낮음',
  admin: '관리자',
  user: '사용자',
  support: 'Microsoft 지원',
};

export function renderEntry(entry: CatalogEntry, lang: Lang): string {
  const l = LABELS[lang];
  const value = (v: string) => (lang === 'ko' && KO_VALUES[v] ? `${KO_VALUES[v]} (${v})` : v);
  const lines = [
    `${entry.code} — ${entry.title[lang]}`,
    `  ${l.category}: ${value(entry.category)}   ${l.severity}: ${value(entry.severity)}   ${l.audience}: ${value(entry.audience)}`,
    ...(entry.messages.length ? entry.messages.map((m) => `  “${m}”`) : []),
    `  ${l.cause}: ${entry.cause[lang]}`,
    `  ${l.fix}:`,
    ...entry.remediation[lang].map((step, i) => `    ${i + 1}. ${step}`),
    `  ${l.doc}: ${entry.docUrl}`,
  ];
  if (entry.note) lines.push(`  ${l.note}: ${entry.note[lang]}`);
  return `${lines.join('\n')}\n`;
}

/** Codes that look like what was typed, for the error hint. */
function closest(code: string): string[] {
  const want = code.toLowerCase();
  const codes = [...new Set(catalogEntries().map((e) => e.code))];
  return codes.filter((c) => c.toLowerCase().includes(want) || want.includes(c.toLowerCase().slice(0, 6))).slice(0, 5);
}

/** `npswatch explain CODE`: cause and remediation of every meaning of a code. */
export async function runExplain(code: string, options: { lang: Lang }, io: Io): Promise<number> {
  const entries = entriesForCode(code.trim());
  if (entries.length === 0) {
    const near = closest(code);
    throw new UsageError(
      `unknown code "${code}"`,
      near.length ? `did you mean ${near.join(', ')}?` : 'run `npswatch explain --list` to see every code',
    );
  }
  await write(io.stdout, entries.map((e) => renderEntry(e, options.lang)).join('\n'));
  return EXIT.ok;
}

export async function runExplainList(io: Io): Promise<number> {
  const rows = catalogEntries().map(
    (e) => `${e.code.padEnd(42)} ${e.category.padEnd(17)} ${e.severity.padEnd(8)} ${e.id}`,
  );
  await write(io.stdout, `${rows.join('\n')}\n`);
  return EXIT.ok;
}
