import { catalogEntries } from '../catalog/lookup.js';
import { NPS_REASON_CODES } from '../catalog/reasons.js';
import type { CatalogEntry, CatalogGroup, Lang } from '../catalog/types.js';

const GROUP_TITLES: Readonly<Record<CatalogGroup, string>> = {
  'common-errors': 'Errors an admin must fix',
  'alternate-login-id': 'Alternate login ID errors',
  'user-errors': 'Errors your users may encounter',
  'non-errors': 'Messages that are not errors (user behaviour)',
  'support-required': 'Errors that require Microsoft support',
  outcome: 'Request outcomes',
  warning: 'Warnings',
};

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function entrySection(e: CatalogEntry, lang: Lang): string {
  const lines = [
    `### \`${e.code}\`${e.id !== e.code ? ` (${e.id})` : ''}`,
    '',
    `**${e.title[lang]}** — category \`${e.category}\`, severity \`${e.severity}\`, acts: ${e.audience}, documented since ${e.since}.`,
    '',
  ];
  if (e.aliases?.length) lines.push(`Also logged as: ${e.aliases.map((a) => `\`${a}\``).join(', ')}.`, '');
  if (e.messages.length) lines.push('Messages:', '', ...e.messages.map((m) => `- \`${m}\``), '');
  lines.push(
    `Cause: ${e.cause[lang]}`,
    '',
    'What to do:',
    '',
    ...e.remediation[lang].map((s, i) => `${i + 1}. ${s}`),
    '',
  );
  if (e.detections.length) lines.push(`Detections: ${e.detections.map((d) => `\`${d}\``).join(', ')}.`, '');
  if (e.note) lines.push(`Note: ${e.note[lang]}`, '');
  lines.push(`Reference: ${e.docUrl}`, '');
  return lines.join('\n');
}

/** docs/catalog.md, generated from the catalog so the two cannot drift apart. */
export function renderCatalogMarkdown(): string {
  const entries = catalogEntries();
  const out = [
    '<!-- Generated from packages/core/src/catalog by `npm run docs`. Do not edit by hand. -->',
    '# The npswatch code catalog',
    '',
    'Every code and message variant the NPS extension for Microsoft Entra MFA is documented to log, plus the',
    'log lines the documentation lists without a code (npswatch gives those pseudo-codes in capitals, such as',
    '`ACCESS_REJECT_PRIMARY`). Categories: `error` (an admin or the user must fix something), `non-error`',
    '(normal user behaviour such as a mistyped code), `support-required` (only Microsoft support can help),',
    '`info` (normal steps of a request). Anything else is classified `unknown` and kept with its raw code.',
    'Remediation is also available in Korean (`npswatch explain CODE --lang ko`).',
    '',
    '| code | id | category | severity | acts | title |',
    '|---|---|---|---|---|---|',
    ...entries.map(
      (e) => `| \`${e.code}\` | ${e.id} | ${e.category} | ${e.severity} | ${e.audience} | ${cell(e.title.en)} |`,
    ),
    '',
  ];
  for (const group of Object.keys(GROUP_TITLES) as CatalogGroup[]) {
    const inGroup = entries.filter((e) => e.group === group);
    if (inGroup.length === 0) continue;
    out.push(`## ${GROUP_TITLES[group]}`, '', ...inGroup.map((e) => entrySection(e, 'en')));
  }
  out.push(
    '## NPS reason codes',
    '',
    'Reason codes of Security 6273 events and accounting records. Unverified ones are marked.',
    '',
    '| code | meaning | verified |',
    '|---|---|---|',
  );
  for (const [code, r] of Object.entries(NPS_REASON_CODES))
    out.push(`| ${code} | ${cell(r.en)} | ${r.verified ? 'yes' : 'no'} |`);
  out.push('');
  return out.join('\n');
}
