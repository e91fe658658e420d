import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addToSummary,
  codesByImpact,
  createDetector,
  createSummary,
  entryById,
  formatInZone,
  type Lang,
  loadBuiltinRules,
  type NotifyAlert,
  type Summary,
  SYNTHETIC_SAMPLE,
  samplesDirectory,
} from '@npswatch/core';
import { EXIT } from '../errors.js';
import { classifiedBatches, createRejectLog } from '../inputs.js';
import { type Io, write } from '../io.js';
import { READ_COUNTS, timeSpan } from './text-report.js';

export interface SummaryOptions {
  readonly tz: string;
  readonly lang: Lang;
  readonly deadLetter?: string;
}

/** Sample files bundled with @npswatch/core, every file under its samples directory except documentation. */
export function bundledSamples(): string[] {
  const root = fileURLToPath(samplesDirectory());
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      // related-messages.txt holds other NPS/RD Gateway events quoted for context, not extension logs.
      else if (!/\.(md|meta\.ndjson)$|^related-messages\.txt$/.test(name)) out.push(path);
    }
  };
  walk(root);
  return out;
}

const TEXT = {
  en: {
    title: 'npswatch: NPS extension for Microsoft Entra MFA — summary',
    read: READ_COUNTS.en,
    range: 'Time range',
    categories: 'By category',
    codes: 'By code (most urgent first)',
    todo: 'What to do',
    none: 'No errors: nothing to do.',
    alerts: (file: string) => `Alerts from the built-in detection pack on ${file}`,
    noAlerts: 'No alerts.',
    users: 'user(s)',
    hosts: 'server(s)',
  },
  ko: {
    title: 'npswatch: Microsoft Entra MFA용 NPS 확장 — 요약',
    read: READ_COUNTS.ko,
    range: '기간',
    categories: '분류별',
    codes: '코드별 (긴급한 순)',
    todo: '조치 방법',
    none: '오류 없음: 조치할 것이 없습니다.',
    alerts: (file: string) => `${file}에 대한 기본 탐지 규칙 경보`,
    noAlerts: '경보 없음.',
    users: '사용자',
    hosts: '서버',
  },
} as const;

export function renderSummary(s: Summary, files: number, options: SummaryOptions): string {
  const t = TEXT[options.lang];
  const lines = [t.title, '', t.read(s.events, files, s.rejected)];
  if (s.firstSeen !== undefined && s.lastSeen !== undefined) {
    lines.push(`${t.range}: ${timeSpan(s.firstSeen, s.lastSeen, options.tz)}`);
  }
  lines.push('', `${t.categories}:`);
  for (const [category, count] of [...s.byCategory].sort((a, b) => b[1] - a[1]))
    lines.push(`  ${category.padEnd(18)}${String(count).padStart(7)}`);
  const codes = codesByImpact(s);
  lines.push('', `${t.codes}:`);
  for (const c of codes) {
    lines.push(`  ${c.code.padEnd(42)}${c.category.padEnd(18)}${c.severity.padEnd(9)}${String(c.count).padStart(7)}`);
  }
  lines.push('', `${t.todo}:`);
  const actionable = codes.filter(
    (c) => c.category === 'error' || c.category === 'support-required' || c.category === 'unknown',
  );
  if (actionable.length === 0) lines.push(`  ${t.none}`);
  for (const c of actionable) {
    const entry = c.entryId ? entryById(c.entryId) : undefined;
    const who = [`${c.count}×`];
    if (c.hosts.size) who.push(`${c.hosts.size} ${t.hosts}`);
    if (c.users.size) who.push(`${c.users.size} ${t.users}`);
    lines.push(`  ${c.code} (${who.join(', ')})${entry ? ` — ${entry.title[options.lang]}` : ''}`);
    if (entry) lines.push(...entry.remediation[options.lang].map((step, i) => `      ${i + 1}. ${step}`));
  }
  return `${lines.join('\n')}\n`;
}

export function renderAlerts(alerts: readonly NotifyAlert[], file: string, options: SummaryOptions): string {
  const t = TEXT[options.lang];
  const lines = ['', `${t.alerts(file)}:`];
  if (alerts.length === 0) lines.push(`  ${t.noAlerts}`);
  for (const a of alerts) {
    const when = formatInZone(a.time, options.tz);
    lines.push(`  ${when}  ${a.status.padEnd(8)} ${a.severity.padEnd(8)} ${a.ruleId.padEnd(32)} ${a.summary}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `npswatch` with no arguments: classify the bundled samples and print what needs doing, then run the built-in
 * detection pack over the inputs named in `detectOn` (the synthetic day: the reference captures span years).
 */
export async function runSummary(
  inputs: readonly string[],
  options: SummaryOptions & { readonly detectOn?: readonly string[] },
  io: Io,
): Promise<number> {
  const summary = createSummary();
  const rejects = createRejectLog(io, options.deadLetter);
  const detectOn = new Set(options.detectOn ?? []);
  const detector = createDetector(await loadBuiltinRules());
  const alerts: NotifyAlert[] = [];
  try {
    for (const input of inputs) {
      const detecting = detectOn.has(input);
      for await (const batch of classifiedBatches([input], { timeZone: options.tz }, io, rejects)) {
        for (const e of batch) {
          addToSummary(summary, e);
          if (detecting) alerts.push(...detector.push(e).alerts);
        }
      }
    }
    alerts.push(...detector.finish().alerts);
  } finally {
    await rejects.close();
  }
  summary.rejected = rejects.count;
  await write(io.stdout, renderSummary(summary, inputs.length, options));
  for (const file of detectOn) await write(io.stdout, renderAlerts(alerts, basename(file), options));
  return rejects.count > 0 ? EXIT.rejected : EXIT.ok;
}

/** The bundled synthetic day, the input the default run detects on. */
export function syntheticSample(): string {
  return fileURLToPath(new URL(SYNTHETIC_SAMPLE, samplesDirectory()));
}
