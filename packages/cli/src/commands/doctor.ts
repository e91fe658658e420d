import {
  addToDiagnosis,
  createDiagnosis,
  type DoctorFinding,
  type DoctorSeverity,
  diagnosisFindings,
  type FormatId,
  formatInZone,
  type Lang,
  worstSeverity,
} from '@npswatch/core';
import { EXIT } from '../errors.js';
import { createRejectLog, inputNames } from '../inputs.js';
import { type Io, write } from '../io.js';
import { type CorrelateChoice, replaySource } from '../merge.js';
import { parseTolerance } from './replay.js';
import { READ_COUNTS, timeSpan } from './text-report.js';

export interface DoctorOptions {
  readonly tz: string;
  readonly lang: Lang;
  readonly json?: boolean;
  readonly format?: FormatId | 'auto';
  readonly deadLetter?: string;
  readonly correlate?: CorrelateChoice;
  readonly tolerance?: string;
  readonly timestampField?: string;
}

/** Exit codes by the worst finding (documented in the README); `info` findings need no action. */
export const DOCTOR_EXIT: Readonly<Record<DoctorSeverity, number>> = { critical: 6, error: 5, warning: 4, info: 0 };

/**
 * The exit code of a diagnosis: the worst finding's; else a warning's when the inputs held no extension event (the
 * extension could not be checked at all); else 3 when records were rejected; else 0.
 */
export function doctorExitCode(findings: readonly DoctorFinding[], rejected: number, extensionEvents = 1): number {
  const worst = worstSeverity(findings);
  const code = worst === undefined ? 0 : DOCTOR_EXIT[worst];
  if (code !== 0) return code;
  if (extensionEvents === 0) return DOCTOR_EXIT.warning;
  return rejected > 0 ? EXIT.rejected : EXIT.ok;
}

/** What the inputs held of the extension: its own events, and requests NPS says an extension DLL rejected. */
export interface ExtensionCounts {
  readonly extension: number;
  /** NPS reason code 21 (Security 6273, accounting): rejected by an extension DLL. */
  readonly rejectedByExtension: number;
}

const TEXT = {
  en: {
    title: 'npswatch doctor: NPS extension for Microsoft Entra MFA',
    read: READ_COUNTS.en,
    healthy: 'Nothing wrong found: no errors in these logs.',
    noExtension: (rejected: number) =>
      [
        'No NPS extension events in these logs, so the extension itself could not be checked.',
        ...(rejected > 0
          ? [`${rejected} request(s) here were rejected by an NPS extension (reason code 21): its logs say why.`]
          : []),
        'Add the AuthZOptCh, AuthZAdminCh and AuthNOptCh logs (Event Viewer: Applications and Services Logs >',
        'Microsoft > AzureMfa; or wevtutil qe AuthZOptCh /f:text > authzopt.txt).',
      ].join('\n'),
    seen: 'Seen',
    times: (n: number) => `${n} time(s)`,
    servers: 'servers',
    users: (n: number) => `${n} user(s)`,
    codes: 'Codes',
    example: 'Example',
    evidence: 'Evidence',
    todo: 'What to do',
  },
  ko: {
    title: 'npswatch doctor: Microsoft Entra MFA용 NPS 확장',
    read: READ_COUNTS.ko,
    healthy: '문제를 찾지 못했습니다: 이 로그에는 오류가 없습니다.',
    noExtension: (rejected: number) =>
      [
        '이 로그에는 NPS 확장 이벤트가 없어 확장 자체는 점검하지 못했습니다.',
        ...(rejected > 0
          ? [`요청 ${rejected}건이 NPS 확장에 의해 거부되었습니다(이유 코드 21). 이유는 확장 로그에 있습니다.`]
          : []),
        'AuthZOptCh, AuthZAdminCh, AuthNOptCh 로그를 함께 주십시오(이벤트 뷰어: 응용 프로그램 및 서비스 로그 >',
        'Microsoft > AzureMfa, 또는 wevtutil qe AuthZOptCh /f:text > authzopt.txt).',
      ].join('\n'),
    seen: '발생',
    times: (n: number) => `${n}회`,
    servers: '서버',
    users: (n: number) => `사용자 ${n}명`,
    codes: '코드',
    example: '예',
    evidence: '근거',
    todo: '조치 방법',
  },
} as const;

const SEVERITY_LABEL: Readonly<Record<Lang, Readonly<Record<DoctorSeverity, string>>>> = {
  en: { critical: 'CRITICAL', error: 'ERROR', warning: 'WARNING', info: 'INFO' },
  ko: { critical: '심각', error: '오류', warning: '경고', info: '정보' },
};

export function renderDoctor(
  findings: readonly DoctorFinding[],
  counts: { readonly events: number; readonly inputs: number; readonly rejected: number } & Partial<ExtensionCounts>,
  options: Pick<DoctorOptions, 'lang' | 'tz'>,
): string {
  const t = TEXT[options.lang];
  const lines = [t.title, '', t.read(counts.events, counts.inputs, counts.rejected), ''];
  if (counts.extension === 0) lines.push(t.noExtension(counts.rejectedByExtension ?? 0), '');
  else if (findings.every((f) => f.severity === 'info')) lines.push(t.healthy, '');
  findings.forEach((f, i) => {
    const ev = f.evidence;
    lines.push(`${i + 1}. [${SEVERITY_LABEL[options.lang][f.severity]}] ${f.title[options.lang]} (${f.id})`);
    const where = [t.times(ev.count)];
    if (ev.hosts.length) where.push(`${t.servers}: ${ev.hosts.join(', ')}`);
    if (ev.users) where.push(t.users(ev.users));
    lines.push(`   ${t.evidence}: ${where.join('; ')}`);
    lines.push(`   ${t.seen}: ${timeSpan(ev.firstSeen, ev.lastSeen, options.tz)}`);
    if (ev.codes.length) lines.push(`   ${t.codes}: ${ev.codes.map((c) => `${c.code} ×${c.count}`).join(', ')}`);
    const x = ev.example;
    const message = x.message?.replace(/\s+/g, ' ').slice(0, 200);
    lines.push(
      `   ${t.example}: ${[formatInZone(x.time, options.tz), x.host, x.code, message].filter(Boolean).join('  ')}`,
    );
    for (const note of f.notes) lines.push(`   • ${note[options.lang]}`);
    lines.push(`   ${t.todo}:`);
    lines.push(...f.remediation[options.lang].map((step, n) => `     ${n + 1}. ${step}`));
    lines.push('');
  });
  return `${lines.join('\n')}`;
}

/** A finding as JSON: times as ISO strings, text in the chosen language plus both languages under `i18n`. */
export function doctorFindingJson(f: DoctorFinding, lang: Lang): Record<string, unknown> {
  const iso = (t: number) => new Date(t).toISOString();
  return {
    id: f.id,
    severity: f.severity,
    title: f.title[lang],
    remediation: f.remediation[lang],
    notes: f.notes.map((n) => n[lang]),
    evidence: {
      ...f.evidence,
      firstSeen: iso(f.evidence.firstSeen),
      lastSeen: iso(f.evidence.lastSeen),
      example: { ...f.evidence.example, time: iso(f.evidence.example.time) },
    },
  };
}

/**
 * `npswatch doctor`: reads the logs (several inputs merged by time, and correlated with Security/accounting
 * records when given), and prints what is wrong, worst first, with evidence and what to do.
 */
export async function runDoctor(inputs: readonly string[], options: DoctorOptions, io: Io): Promise<number> {
  const tolerance = parseTolerance(options.tolerance);
  const names = inputNames(inputs, io);
  const rejects = createRejectLog(io, options.deadLetter);
  const state = createDiagnosis();
  let events = 0;
  let extension = 0;
  let rejectedByExtension = 0;
  try {
    const input = { format: options.format, timeZone: options.tz, timestampField: options.timestampField };
    const source = await replaySource(names, input, io, rejects, {
      correlate: options.correlate,
      tolerance,
    });
    for await (const batch of source.batches) {
      for (const e of batch) {
        events++;
        if (e.kind === 'extension') extension++;
        else if (e.radius?.reasonCode === 21 && e.outcome === 'failure') rejectedByExtension++;
        addToDiagnosis(state, e);
      }
    }
  } finally {
    await rejects.close();
  }
  const findings = diagnosisFindings(state);
  const exitCode = doctorExitCode(findings, rejects.count, extension);
  const counts = { events, inputs: names.length, rejected: rejects.count, extension, rejectedByExtension };
  if (options.json) {
    const doc = {
      events,
      inputs: names.length,
      rejected: rejects.count,
      extensionEvents: extension,
      rejectedByExtension,
      worst: worstSeverity(findings) ?? null,
      exitCode,
      findings: findings.map((f) => doctorFindingJson(f, options.lang)),
    };
    await write(io.stdout, `${JSON.stringify(doc, null, 2)}\n`);
  } else {
    await write(io.stdout, renderDoctor(findings, counts, options));
  }
  return exitCode;
}
