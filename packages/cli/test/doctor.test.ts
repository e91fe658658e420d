import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledSamples } from '../src/commands/summary.js';
import { run } from './helpers.js';

const sample = (path: string) => fileURLToPath(new URL(`../../core/samples/${path}`, import.meta.url));
const SYNTHETIC = sample('synthetic/nps-day.winlogbeat.ndjson');

interface DoctorJson {
  events: number;
  inputs: number;
  rejected: number;
  worst: string | null;
  exitCode: number;
  findings: {
    id: string;
    severity: string;
    title: string;
    remediation: string[];
    notes: string[];
    evidence: {
      count: number;
      firstSeen: string;
      lastSeen: string;
      hosts: string[];
      users: number;
      codes: { code: string; count: number }[];
      example: { time: string; host?: string; code?: string; message?: string };
    };
  }[];
}

describe('npswatch doctor', () => {
  it('diagnoses the synthetic day, worst first, and exits 6 for a critical finding', async () => {
    const { code, stdout } = await run(['doctor', SYNTHETIC]);
    assert.equal(code, 6);
    const headings = stdout.split('\n').filter((l) => /^\d+\. \[/.test(l));
    assert.match(headings[0]!, /^1\. \[CRITICAL\] The NPS server cannot reach the MFA service \(connectivity\)/);
    assert.match(stdout, /747 events from 1 input, 0 records rejected/);
    assert.match(stdout, /Codes: HTTPS_COMMUNICATION_ERROR ×15/);
    assert.match(stdout, /Example: 2024-09-20T16:00:00Z {2}NPS01\.contoso\.com {2}HTTPS_COMMUNICATION_ERROR/);
    assert.match(stdout, /36871/);
    // Severity never rises down the list.
    const rank = { CRITICAL: 0, ERROR: 1, WARNING: 2, INFO: 3 } as const;
    const ranks = headings.map((h) => rank[/\[(\w+)\]/.exec(h)![1] as keyof typeof rank]);
    assert.deepEqual(
      ranks,
      [...ranks].sort((a, b) => a - b),
    );
    assert.match(headings.at(-1)!, /\[INFO\].*\(user-noise\)/);
  });

  it('--json: findings with evidence for machines', async () => {
    const { code, stdout } = await run(['doctor', '--json', SYNTHETIC]);
    assert.equal(code, 6);
    const doc = JSON.parse(stdout) as DoctorJson;
    assert.equal(doc.events, 747);
    assert.equal(doc.worst, 'critical');
    assert.equal(doc.exitCode, 6);
    assert.deepEqual(
      doc.findings.map((f) => f.id),
      [
        'connectivity',
        'directory',
        'registry-config',
        'support-required',
        'primary-auth-rejected',
        'unknown-code',
        'unanswered-challenge',
        'user-noise',
      ],
    );
    const connectivity = doc.findings[0]!;
    assert.deepEqual(connectivity.evidence.codes, [{ code: 'HTTPS_COMMUNICATION_ERROR', count: 15 }]);
    assert.equal(connectivity.evidence.firstSeen, '2024-09-20T16:00:00.000Z');
    assert.deepEqual(connectivity.evidence.hosts, ['NPS01.contoso.com']);
    assert.equal(connectivity.evidence.users, 12);
    const directory = doc.findings[1]!;
    assert.equal(directory.evidence.count, 30);
    const primary = doc.findings.find((f) => f.id === 'primary-auth-rejected')!;
    assert.match(primary.notes[0]!, /^NPS reason code 16/);
    assert.equal(doc.findings.find((f) => f.id === 'user-noise')!.severity, 'info');
  });

  it('--lang ko', async () => {
    const { code, stdout } = await run(['doctor', SYNTHETIC, '--lang', 'ko']);
    assert.equal(code, 6);
    assert.match(stdout, /1\. \[심각\] NPS 서버가 MFA 서비스에 연결하지 못함 \(connectivity\)/);
    assert.match(stdout, /조치 방법:/);
    const json = JSON.parse((await run(['doctor', SYNTHETIC, '--lang', 'ko', '--json'])).stdout) as DoctorJson;
    assert.equal(json.findings[0]!.title, 'NPS 서버가 MFA 서비스에 연결하지 못함');
  });

  it('--tz shows times in the zone', async () => {
    const { stdout } = await run(['doctor', SYNTHETIC, '--tz', 'Asia/Seoul']);
    assert.match(stdout, /2024-09-21T01:00:00\+09:00/);
  });

  it('diagnoses every bundled sample together (reference and synthetic), AADSTS and 6273 reasons included', async () => {
    const inputs = bundledSamples();
    assert.ok(inputs.some((p) => p.includes('reference')) && inputs.some((p) => p.includes('synthetic')));
    const { code, stdout } = await run(['doctor', '--json', ...inputs]);
    const doc = JSON.parse(stdout) as DoctorJson;
    assert.equal(code, 6);
    assert.equal(doc.rejected, 0);
    const ids = doc.findings.map((f) => f.id);
    for (const id of ['connectivity', 'certificate-token', 'directory', 'ip-allow-list', 'support-required'])
      assert.ok(ids.includes(id), id);
    const token = doc.findings.find((f) => f.id === 'certificate-token')!;
    assert.ok(token.notes.some((n) => n.startsWith('AADSTS7000112')));
    assert.ok(doc.findings.find((f) => f.id === 'primary-auth-rejected')!.notes.length > 0);
  });

  it('exits 0 when only user-side noise is found, 4 for warnings, 5 for errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npswatch-doctor-'));
    const line = (code: string, message: string) =>
      `NPS Extension for Azure MFA: CID: 11111111-2222-3333-4444-555555555555 : Access Rejected for user jdoe@contoso.com with Azure MFA response: ${code} and message: ${message}`;
    const file = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, `${text}\n`);
      return path;
    };
    const noise = file('noise.txt', line('OathCodeIncorrect', 'Wrong code entered'));
    const noiseRun = await run(['doctor', noise]);
    assert.equal(noiseRun.code, 0);
    assert.match(noiseRun.stdout, /Nothing wrong found/);
    assert.equal((await run(['doctor', file('unknown.txt', line('BrandNewCode', 'new'))])).code, 4);
    assert.equal((await run(['doctor', file('user.txt', line('UserNotFound', 'not found'))])).code, 5);
  });

  it('reads generic JSON with --timestamp-field, like classify and replay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npswatch-doctor-'));
    const path = join(dir, 'siem-export.ndjson');
    const message =
      'NPS Extension for Azure MFA: CID: 11111111-2222-3333-4444-555555555555 : Access Rejected for user jdoe@contoso.com with Azure MFA response: UserNotFound and message: not found';
    writeFileSync(path, `${JSON.stringify({ observed: { at: '2024-09-20T10:00:00Z' }, message })}\n`);
    const { code, stdout } = await run(['doctor', path, '--timestamp-field', 'observed.at']);
    assert.equal(code, 5);
    assert.match(stdout, /2024-09-20T10:00:00Z {2}.*UserNotFound/);
  });

  it('says the extension could not be checked when no extension event was read, and exits 4', async () => {
    // NPS accounting with an Access-Reject of reason code 21 (an extension DLL rejected the request).
    const nps = await run(['doctor', sample('reference/ias.log')]);
    assert.equal(nps.code, 4);
    assert.doesNotMatch(nps.stdout, /Nothing wrong found/);
    assert.match(nps.stdout, /No NPS extension events in these logs/);
    assert.match(nps.stdout, /1 request\(s\) here were rejected by an NPS extension \(reason code 21\)/);
    const json = JSON.parse((await run(['doctor', '--json', sample('reference/ias.log')])).stdout) as DoctorJson & {
      extensionEvents: number;
      rejectedByExtension: number;
    };
    assert.deepEqual([json.extensionEvents, json.rejectedByExtension, json.exitCode], [0, 1, 4]);
    const empty = await run(['doctor', '-'], '');
    assert.equal(empty.code, 4);
    assert.match(empty.stdout, /0 events/);
    assert.match(empty.stdout, /No NPS extension events/);
  });
});
