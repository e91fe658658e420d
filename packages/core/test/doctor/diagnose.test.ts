import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { entryById } from '../../src/catalog/lookup.js';
import { classify } from '../../src/classify/classify.js';
import type { ClassifiedEvent } from '../../src/classify/types.js';
import {
  addToDiagnosis,
  createDiagnosis,
  type DoctorFinding,
  type DoctorFindingId,
  diagnose,
  diagnosisFindings,
  worstSeverity,
} from '../../src/doctor/diagnose.js';
import { parseText } from '../../src/parse/input.js';
import { parseUser } from '../../src/record/user.js';
import { makeEvent } from '../../src/testing/events.js';

const T0 = Date.UTC(2024, 8, 20, 12, 0, 0);

/** An extension event with the catalog's category and severity for `id` (entry id), or `unknown`. */
function ext(id: string, minute: number, extra: Partial<ClassifiedEvent> = {}): ClassifiedEvent {
  const entry = entryById(id);
  return makeEvent({
    time: T0 + minute * 60_000,
    code: entry?.code ?? id,
    ...(entry ? { entryId: entry.id } : {}),
    category: entry?.category ?? 'unknown',
    severity: entry?.severity ?? 'medium',
    outcome: entry?.category === 'info' ? 'unknown' : 'failure',
    host: 'NPS01',
    user: parseUser('jdoe@contoso.com'),
    message: `NPS Extension for Azure MFA: ${id}`,
    ...extra,
  });
}

const only = (findings: DoctorFinding[], id: DoctorFindingId): DoctorFinding => {
  const f = findings.find((x) => x.id === id);
  assert.ok(f, `finding ${id} in ${findings.map((x) => x.id).join(', ')}`);
  return f;
};
const ids = (findings: DoctorFinding[]) => findings.map((f) => f.id);

describe('doctor: diagnose', () => {
  it('finds nothing in nothing', () => {
    assert.deepEqual(diagnose([]), []);
    assert.equal(worstSeverity([]), undefined);
  });

  it('connectivity: HTTPS_COMMUNICATION_ERROR and HTTP_CONNECT_ERROR, with endpoints, TLS 1.2 and SChannel 36871', () => {
    const f = only(
      diagnose([
        ext('HTTPS_COMMUNICATION_ERROR', 0),
        ext('HTTP_CONNECT_ERROR', 1, { host: 'NPS02' }),
        ext('HTTPS_COMMUNICATION_ERROR', 2),
      ]),
      'connectivity',
    );
    assert.equal(f.severity, 'critical');
    assert.equal(f.evidence.count, 3);
    assert.deepEqual(f.evidence.codes, [
      { code: 'HTTPS_COMMUNICATION_ERROR', count: 2 },
      { code: 'HTTP_CONNECT_ERROR', count: 1 },
    ]);
    assert.deepEqual(f.evidence.hosts, ['NPS01', 'NPS02']);
    const steps = f.remediation.en.join('\n');
    for (const s of ['adnotifications.windowsazure.com', 'firewall', 'TLS 1.2', '36871'])
      assert.match(steps, new RegExp(s));
    assert.equal(f.remediation.ko.length, f.remediation.en.length);
  });

  it('certificate and token: reads AADSTS codes from the detail (AADSTS7000112 = service principal disabled)', () => {
    const f = only(
      diagnose([
        ext('ESTS_TOKEN_ERROR', 0, { detail: 'AADSTS7000112: Application is disabled.' }),
        ext('ESTS_TOKEN_ERROR', 1, {
          detail: 'AADSTS7000112: Application is disabled.',
          message: 'ESTS_TOKEN_ERROR Msg:: AADSTS7000112: Application is disabled.',
        }),
        ext('CLIENT_CERT_INSTALL_ERROR', 2),
      ]),
      'certificate-token',
    );
    assert.equal(f.severity, 'critical');
    assert.equal(f.evidence.count, 3);
    assert.equal(f.notes.length, 1);
    assert.match(f.notes[0]!.en, /AADSTS7000112 in 2 event\(s\): the service principal .* is disabled/);
    assert.match(f.notes[0]!.ko, /AADSTS7000112/);
  });

  it('registry and configuration: REGISTRY_CONFIG_ERROR is an error, IP_WHITE_LIST_WARNING a warning', () => {
    const findings = diagnose([ext('IP_WHITE_LIST_WARNING', 0), ext('REGISTRY_CONFIG_ERROR', 1)]);
    assert.deepEqual(ids(findings), ['registry-config', 'ip-allow-list']);
    assert.equal(only(findings, 'registry-config').severity, 'error');
    assert.equal(only(findings, 'ip-allow-list').severity, 'warning');
    // Catalog remediation is reused where the doctor has none of its own.
    assert.deepEqual(only(findings, 'registry-config').remediation, entryById('REGISTRY_CONFIG_ERROR')!.remediation);
  });

  it('the missing optional IP_WHITELIST key (R03, logged at every restart) is no finding', () => {
    const r03 =
      'NPS Extension for Azure MFA: IP Whitelist not intialized::  ErrorCode:: REGISTRY_CONFIG_ERROR Msg:: Neither registry entry not default value found for key: IP_WHITELIST';
    const [event] = parseText(r03, { format: 'message', name: 'r03.txt', defaultTime: T0 }).records.map(classify);
    assert.deepEqual([event!.entryId, event!.category], ['REGISTRY_CONFIG_ERROR.ipWhitelist', 'info']);
    assert.deepEqual(ids(diagnose([event!])), []);
    assert.deepEqual(ids(diagnose([event!, ext('REGISTRY_CONFIG_ERROR', 1)])), ['registry-config']);
  });

  it('primary authentication rejected before MFA, with the reason codes of correlated 6273 events', () => {
    const security = (minute: number, reasonCode: number) =>
      makeEvent({
        time: T0 + minute * 60_000,
        kind: 'security',
        eventId: 6273,
        category: 'info',
        severity: 'info',
        outcome: 'failure',
        radius: { reasonCode },
      });
    const findings = diagnose([
      security(0, 16),
      ext('ACCESS_REJECT_PRIMARY', 0),
      security(1, 16),
      ext('ACCESS_REJECT_PRIMARY', 1),
      security(2, 48),
      security(3, 21),
    ]);
    const f = only(findings, 'primary-auth-rejected');
    assert.equal(f.severity, 'warning');
    assert.equal(f.evidence.count, 2);
    assert.deepEqual(
      f.notes.map((n) => n.en.replace(/:.*/, '')),
      ['NPS reason code 16 in 2 rejection(s)', 'NPS reason code 48 in 1 rejection(s)'],
    );
    // Without Security records, the finding stands without notes.
    assert.deepEqual(only(diagnose([ext('ACCESS_REJECT_PRIMARY', 0)]), 'primary-auth-rejected').notes, []);
  });

  it('protocol mismatch: REQUEST_MISSING_CODE', () => {
    const f = only(diagnose([ext('REQUEST_MISSING_CODE', 0)]), 'protocol-mismatch');
    assert.equal(f.severity, 'error');
    assert.match(f.remediation.en.join(' '), /PAP/);
  });

  it('protocol mismatch: a challenge with no later answer from the user, unless the request was PAP', () => {
    const answered = [ext('CHALLENGE_REQUESTED', 0), ext('ACCESS_ACCEPTED', 1)];
    assert.deepEqual(diagnose(answered), []);
    const wrongCode = [ext('CHALLENGE_REQUESTED', 0), ext('OathCodeIncorrect', 1)];
    assert.deepEqual(ids(diagnose(wrongCode)), ['user-noise']);
    const twice = [
      ext('CHALLENGE_REQUESTED', 0),
      ext('CHALLENGE_REQUESTED', 5),
      ext('CHALLENGE_REQUESTED', 6, { user: parseUser('other@contoso.com') }),
      ext('ACCESS_ACCEPTED', 7, { user: parseUser('other@contoso.com') }),
    ];
    const f = only(diagnose(twice), 'unanswered-challenge');
    assert.equal(f.severity, 'warning');
    // The first jdoe challenge (answered by nothing before the second) and the second (open at the end).
    assert.equal(f.evidence.count, 2);
    assert.equal(f.evidence.example.time, T0);
    const pap = [ext('CHALLENGE_REQUESTED', 0, { radius: { authenticationType: 'PAP' } })];
    assert.deepEqual(diagnose(pap), []);
  });

  it('directory: UserNotFound, USERNAME_CANONICALIZATION_ERROR and the alternate login ID variants', () => {
    const f = only(
      diagnose([
        ext('UserNotFound', 0),
        ext('USERNAME_CANONICALIZATION_ERROR', 1, { user: parseUser('a@contoso.com') }),
        ext('ALTERNATE_LOGIN_ID_ERROR.lookupFailed', 2, { user: parseUser('b@contoso.com') }),
        ext('ALTERNATE_LOGIN_ID_ERROR.valueEmpty', 3),
      ]),
      'directory',
    );
    assert.equal(f.severity, 'error');
    assert.equal(f.evidence.count, 4);
    assert.equal(f.evidence.users, 3);
    assert.equal(f.evidence.codes.find((c) => c.code === 'ALTERNATE_LOGIN_ID_ERROR')?.count, 2);
  });

  it('user-side noise needs no action', () => {
    const findings = diagnose([ext('OathCodeIncorrect', 0), ext('SMSAuthFailedWrongCodeEntered', 1)]);
    assert.deepEqual(ids(findings), ['user-noise']);
    assert.equal(findings[0]!.severity, 'info');
    assert.equal(worstSeverity(findings), 'info');
  });

  it('support-required codes say what to collect for a support case', () => {
    const f = only(diagnose([ext('InternalError', 0), ext('CONTACT_SUPPORT', 1)]), 'support-required');
    assert.equal(f.severity, 'error');
    assert.equal(f.evidence.count, 2);
    const steps = f.remediation.en.join('\n');
    for (const s of [
      'netsh trace',
      'logman',
      '7237ED00-E119-430B-AB0F-C63360C8EE81',
      'EC2E6D3A-C958-4C76-8EA4-0262520886FF',
      'wevtutil epl',
      'AuthNOptCh',
      'AuthZOptCh',
      'AuthZAdminCh',
    ]) {
      assert.ok(steps.includes(s), s);
    }
  });

  it('unknown codes', () => {
    const f = only(diagnose([ext('SomethingNew', 0)]), 'unknown-code');
    assert.equal(f.severity, 'warning');
    assert.deepEqual(f.evidence.codes, [{ code: 'SomethingNew', count: 1 }]);
  });

  it('other catalogued errors take the catalog severity', () => {
    assert.equal(only(diagnose([ext('InvalidSession', 0)]), 'other-errors').severity, 'warning');
    const f = only(diagnose([ext('InvalidSession', 0), ext('TenantIsBlocked', 1)]), 'other-errors');
    assert.equal(f.severity, 'critical');
    assert.equal(f.evidence.count, 2);
    assert.deepEqual(f.remediation, entryById('InvalidSession')!.remediation);
  });

  it('correlation: 6273 reason 21 without an extension event, and an extension reject NPS never logged', () => {
    const nps = makeEvent({
      time: T0,
      kind: 'security',
      eventId: 6273,
      host: 'NPS01',
      category: 'info',
      severity: 'info',
      outcome: 'failure',
      radius: { reasonCode: 21 },
      correlation: { matched: 'none', role: 'anchor', partners: [] },
    });
    const unlogged = ext('UserNotFound', 1, { correlation: { matched: 'none', role: 'anchor', partners: [] } });
    const findings = diagnose([nps, unlogged]);
    const a = only(findings, 'nps-reject-without-extension-event');
    assert.equal(a.severity, 'warning');
    assert.match(a.title.en, /extension logged nothing/);
    assert.equal(only(findings, 'extension-reject-not-logged-by-nps').evidence.count, 1);
    // Uncorrelated records give no correlation findings.
    assert.deepEqual(ids(diagnose([ext('UserNotFound', 1)])), ['directory']);
  });

  it('orders findings by impact: severity first, then volume', () => {
    const events = [
      ...Array.from({ length: 9 }, (_, i) => ext('OathCodeIncorrect', i)),
      ...Array.from({ length: 5 }, (_, i) => ext('UserNotFound', i)),
      ext('IP_WHITE_LIST_WARNING', 0),
      ...Array.from({ length: 2 }, (_, i) => ext('REGISTRY_CONFIG_ERROR', i)),
      ext('HTTP_CONNECT_ERROR', 30),
      ext('SomethingNew', 0),
      ext('SomethingNew', 1),
    ];
    const findings = diagnose(events);
    assert.deepEqual(ids(findings), [
      'connectivity',
      'directory',
      'registry-config',
      'unknown-code',
      'ip-allow-list',
      'user-noise',
    ]);
    assert.equal(worstSeverity(findings), 'critical');
  });

  it('evidence: count, first and last seen, hosts, users and the earliest event as example', () => {
    const events = [
      ext('UserNotFound', 5, { host: 'NPS02', user: parseUser('b@contoso.com') }),
      ext('UserNotFound', 1, { host: 'NPS01', user: parseUser('A@contoso.com'), message: 'first' }),
      ext('UserNotFound', 9, { host: 'NPS01', user: parseUser('a@contoso.com') }),
    ];
    const { evidence } = only(diagnose(events), 'directory');
    assert.deepEqual(evidence, {
      count: 3,
      firstSeen: T0 + 60_000,
      lastSeen: T0 + 9 * 60_000,
      hosts: ['NPS01', 'NPS02'],
      users: 2,
      codes: [{ code: 'UserNotFound', count: 3 }],
      example: { time: T0 + 60_000, host: 'NPS01', code: 'UserNotFound', message: 'first' },
    });
  });

  it('the accumulator can be read mid-stream without changing what it reports later', () => {
    const state = createDiagnosis();
    addToDiagnosis(state, ext('CHALLENGE_REQUESTED', 0));
    assert.equal(only(diagnosisFindings(state), 'unanswered-challenge').evidence.count, 1);
    addToDiagnosis(state, ext('ACCESS_ACCEPTED', 1));
    assert.deepEqual(diagnosisFindings(state), []);
  });

  it('diagnoses the reference raw messages (records as the extension writes them)', () => {
    const name = 'raw-messages.txt';
    const text = readFileSync(new URL(`../../samples/reference/${name}`, import.meta.url), 'utf8');
    const { records, issues } = parseText(text, { name, defaultTime: T0 });
    assert.deepEqual(issues, []);
    const findings = diagnose(records.map(classify));
    assert.equal(findings[0]!.id, 'certificate-token');
    assert.equal(findings[0]!.evidence.count, 2);
    assert.match(findings[0]!.notes[0]!.en, /^AADSTS7000112 in 2 event\(s\)/);
    assert.ok(
      findings.some((f) => f.id === 'directory'),
      'directory',
    );
    // R03 is the harmless missing IP_WHITELIST.
    assert.ok(!findings.some((f) => f.id === 'registry-config'));
  });
});
