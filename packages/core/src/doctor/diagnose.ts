import { entryById } from '../catalog/lookup.js';
import { NPS_REASON_CODES } from '../catalog/reasons.js';
import type { LocalizedSteps, LocalizedText, Severity } from '../catalog/types.js';
import type { ClassifiedEvent } from '../classify/types.js';
import { correlationFindings, isUnexplainedNpsReject, isUnloggedExtensionReject } from '../correlate/findings.js';

/** How urgent a finding is; the CLI maps it to its exit code (critical 6, error 5, warning 4, info 0). */
export type DoctorSeverity = 'critical' | 'error' | 'warning' | 'info';

export type DoctorFindingId =
  | 'connectivity'
  | 'certificate-token'
  | 'registry-config'
  | 'ip-allow-list'
  | 'primary-auth-rejected'
  | 'protocol-mismatch'
  | 'unanswered-challenge'
  | 'directory'
  | 'support-required'
  | 'other-errors'
  | 'unknown-code'
  | 'nps-reject-without-extension-event'
  | 'extension-reject-not-logged-by-nps'
  | 'user-noise';

/** The event a finding shows as its example. */
export interface DoctorExample {
  readonly time: number;
  readonly host?: string;
  readonly code?: string;
  readonly message?: string;
}

export interface DoctorEvidence {
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Servers involved, sorted (at most 20). */
  readonly hosts: readonly string[];
  /** Distinct users (counted up to 1000). */
  readonly users: number;
  /** Codes behind the finding, most frequent first. */
  readonly codes: readonly { readonly code: string; readonly count: number }[];
  /** The earliest event of the finding. */
  readonly example: DoctorExample;
}

export interface DoctorFinding {
  readonly id: DoctorFindingId;
  readonly severity: DoctorSeverity;
  readonly title: LocalizedText;
  readonly remediation: LocalizedSteps;
  /** What the evidence itself says: AADSTS codes, NPS reason codes of rejections. */
  readonly notes: readonly LocalizedText[];
  readonly evidence: DoctorEvidence;
}

interface Tally {
  count: number;
  first: number;
  last: number;
  readonly hosts: Set<string>;
  readonly users: Set<string>;
  readonly codes: Map<string, number>;
  example: ClassifiedEvent;
  /** The worst catalog severity among the events. */
  worst: Severity;
}

/** Running state of a diagnosis; small (grows with codes, hosts, users up to a cap, open challenges). */
export interface DiagnosisState {
  readonly tallies: Map<DoctorFindingId, Tally>;
  /** AADSTS codes seen in certificate/token errors. */
  readonly aadsts: Map<string, number>;
  /** Reason codes of NPS rejections other than 21 (Security 6273, accounting Access-Reject). */
  readonly reasons: Map<number, number>;
  /** Per server and user, a challenge the extension sent and no later event of that user answered yet. */
  readonly openChallenges: Map<string, ClassifiedEvent>;
}

const MAX_HOSTS = 20;
const CATALOG_RANK: Readonly<Record<Severity, number>> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
const MAX_USERS = 1000;
const CONNECTIVITY = new Set(['HTTPS_COMMUNICATION_ERROR', 'HTTP_CONNECT_ERROR']);
const CERT_TOKEN = new Set(['CLIENT_CERT_INSTALL_ERROR', 'ESTS_TOKEN_ERROR']);
const DIRECTORY = new Set(['UserNotFound', 'USERNAME_CANONICALIZATION_ERROR', 'ALTERNATE_LOGIN_ID_ERROR']);

interface Kind {
  readonly id: DoctorFindingId;
  readonly severity: DoctorSeverity;
  /** Does this event belong to the finding? Kinds are tried in table order; the first match takes the event. */
  readonly match?: (e: ClassifiedEvent) => boolean;
  readonly title: LocalizedText;
  /** Own steps; without them, the catalog remediation of the finding's most frequent code. */
  readonly remediation?: LocalizedSteps;
  /** Counts its events without claiming them: they still count towards the first other kind that matches. */
  readonly alongside?: boolean;
}

const ext = (e: ClassifiedEvent) => e.kind === 'extension' && e.code !== undefined;

const COLLECT: LocalizedSteps = {
  en: [
    'Write down when it happened, the users and NAS involved, the tenant ID, and anything that changed just before.',
    'Capture a network trace while reproducing: netsh trace start capture=yes tracefile=C:\\temp\\nps.etl, reproduce, then netsh trace stop.',
    'Capture the extension trace while reproducing: logman create trace "NPSExtension" -ow -o C:\\temp\\NPSExtension.etl -p {7237ED00-E119-430B-AB0F-C63360C8EE81} 0xffffffffffffffff 0xff -nb 16 16 -bs 1024 -mode Circular -f bincirc -max 4096 -ets, add the second provider with logman update trace "NPSExtension" -p {EC2E6D3A-C958-4C76-8EA4-0262520886FF} 0xffffffffffffffff 0xff -ets, reproduce, then logman stop "NPSExtension" -ets.',
    'Export the three extension channels: wevtutil epl AuthNOptCh C:\\temp\\AuthNOptCh.evtx, and the same for AuthZOptCh and AuthZAdminCh.',
    'Open a Microsoft support case and attach the traces, the exported logs and the notes.',
  ],
  ko: [
    '발생 시각, 관련 사용자와 NAS, 테넌트 ID, 직전에 바뀐 점을 기록합니다.',
    '재현하는 동안 네트워크 추적을 수집합니다: netsh trace start capture=yes tracefile=C:\\temp\\nps.etl 실행 후 재현하고 netsh trace stop으로 멈춥니다.',
    '재현하는 동안 확장 추적을 수집합니다: logman create trace "NPSExtension" -ow -o C:\\temp\\NPSExtension.etl -p {7237ED00-E119-430B-AB0F-C63360C8EE81} 0xffffffffffffffff 0xff -nb 16 16 -bs 1024 -mode Circular -f bincirc -max 4096 -ets 로 만들고, logman update trace "NPSExtension" -p {EC2E6D3A-C958-4C76-8EA4-0262520886FF} 0xffffffffffffffff 0xff -ets 로 두 번째 공급자를 추가한 뒤 재현하고 logman stop "NPSExtension" -ets 로 멈춥니다.',
    '확장 채널 세 개를 내보냅니다: wevtutil epl AuthNOptCh C:\\temp\\AuthNOptCh.evtx, AuthZOptCh와 AuthZAdminCh도 같은 방법으로 내보냅니다.',
    'Microsoft 지원 케이스를 열고 추적 파일, 내보낸 로그, 기록한 내용을 첨부합니다.',
  ],
};

/** The finding kinds, in the order they claim events (each event goes to the first that matches). Severity and volume, not this order, rank the output. */
const KINDS: readonly Kind[] = [
  {
    id: 'nps-reject-without-extension-event',
    severity: 'warning',
    match: isUnexplainedNpsReject,
    alongside: true,
    title: { en: '', ko: '' },
  },
  {
    id: 'connectivity',
    severity: 'critical',
    match: (e) => ext(e) && CONNECTIVITY.has(e.code!),
    title: {
      en: 'The NPS server cannot reach the MFA service',
      ko: 'NPS 서버가 MFA 서비스에 연결하지 못함',
    },
    remediation: {
      en: [
        'From the NPS server, open https://adnotifications.windowsazure.com and https://login.microsoftonline.com (e.g. Test-NetConnection -Port 443); allow both on firewalls and proxies, outbound on port 443.',
        'If a proxy is required, configure it for the machine (netsh winhttp show proxy) so the NPS service uses it.',
        'Make sure TLS 1.2 is enabled for the client side of SChannel (it is by default; hardening scripts sometimes turn it off).',
        'Look in the System log for SChannel event 36871: TLS connections are failing; fix the TLS settings or the certificate store, then restart NPS.',
      ],
      ko: [
        'NPS 서버에서 https://adnotifications.windowsazure.com 과 https://login.microsoftonline.com 에 연결해 봅니다(예: Test-NetConnection -Port 443). 방화벽과 프록시에서 두 주소로 나가는 443 포트를 허용합니다.',
        '프록시가 필요하면 NPS 서비스가 사용하도록 컴퓨터 수준으로 설정합니다(netsh winhttp show proxy).',
        'SChannel 클라이언트 쪽에서 TLS 1.2가 켜져 있는지 확인합니다(기본값은 켜짐이지만 보안 강화 스크립트가 끄는 경우가 있습니다).',
        '시스템 로그에 SChannel 이벤트 36871이 있으면 TLS 연결이 실패하고 있습니다. TLS 설정이나 인증서 저장소를 고친 뒤 NPS를 다시 시작합니다.',
      ],
    },
  },
  {
    id: 'certificate-token',
    severity: 'critical',
    match: (e) => ext(e) && CERT_TOKEN.has(e.code!),
    title: {
      en: 'The extension cannot authenticate to Entra ID (certificate or token)',
      ko: '확장이 Entra ID에 인증하지 못함(인증서 또는 토큰)',
    },
    remediation: {
      en: [
        'In the local computer certificate store, check the certificate "CN=<tenant id>, OU=Microsoft NPS Extension": present, not expired, with its private key readable by the NETWORK SERVICE account.',
        'Check that the same certificate is registered on the service principal 981f26a1-7f43-403b-a875-f8b09b8cd720 (Get-MgServicePrincipal, key credentials) and that the service principal is enabled for sign-in.',
        'If the certificate is missing or expired, run AzureMfaNpsExtnConfigSetup.ps1 again as an administrator, then restart NPS.',
        'Confirm the server can reach https://login.microsoftonline.com over TLS 1.2.',
      ],
      ko: [
        '로컬 컴퓨터 인증서 저장소에서 "CN=<테넌트 ID>, OU=Microsoft NPS Extension" 인증서가 있고 만료되지 않았으며 NETWORK SERVICE 계정이 개인 키를 읽을 수 있는지 확인합니다.',
        '같은 인증서가 서비스 주체 981f26a1-7f43-403b-a875-f8b09b8cd720에 등록되어 있고(Get-MgServicePrincipal, 키 자격 증명) 서비스 주체의 로그인이 허용되어 있는지 확인합니다.',
        '인증서가 없거나 만료되었으면 관리자 권한으로 AzureMfaNpsExtnConfigSetup.ps1을 다시 실행하고 NPS를 다시 시작합니다.',
        '서버가 TLS 1.2로 https://login.microsoftonline.com 에 연결할 수 있는지 확인합니다.',
      ],
    },
  },
  {
    id: 'registry-config',
    severity: 'error',
    // Not the info variant: a missing optional IP_WHITELIST is logged at every restart and harms nothing.
    match: (e) => ext(e) && e.code === 'REGISTRY_CONFIG_ERROR' && e.category === 'error',
    title: { en: 'Extension configuration missing from the registry', ko: '레지스트리에 확장 구성이 없음' },
  },
  {
    id: 'support-required',
    severity: 'error',
    match: (e) => ext(e) && (e.category === 'support-required' || e.code === 'CONTACT_SUPPORT'),
    title: {
      en: 'Failures only Microsoft support can resolve: collect logs and open a case',
      ko: 'Microsoft 지원만 해결할 수 있는 실패: 로그를 수집하고 지원 케이스를 엽니다',
    },
    remediation: COLLECT,
  },
  {
    id: 'directory',
    severity: 'error',
    match: (e) => ext(e) && DIRECTORY.has(e.code!),
    title: {
      en: 'Users cannot be found or resolved in the directory',
      ko: '디렉터리에서 사용자를 찾거나 확인하지 못함',
    },
    remediation: {
      en: [
        'Check that the users exist in on-premises AD and in Entra ID and that Entra Connect synchronisation is healthy.',
        'Compare the user name the NAS sends with the UPN in Entra ID; with an alternate login ID, check the LDAP_ALTERNATE_LOGINID_ATTRIBUTE value under HKLM\\SOFTWARE\\Microsoft\\AzureMfa and that the attribute is filled in for every user.',
        'Make sure the NPS server can query a domain controller (it must be registered in AD: netsh ras add registeredserver) and that the user account is in a domain it trusts.',
        'Many different unknown names from one source may be a spray rather than a directory problem: review the sources.',
      ],
      ko: [
        '사용자가 온-프레미스 AD와 Entra ID에 모두 있고 Entra Connect 동기화가 정상인지 확인합니다.',
        'NAS가 보내는 사용자 이름과 Entra ID의 UPN을 비교합니다. 대체 로그인 ID를 쓰면 HKLM\\SOFTWARE\\Microsoft\\AzureMfa의 LDAP_ALTERNATE_LOGINID_ATTRIBUTE 값과 모든 사용자에게 해당 특성이 채워져 있는지 확인합니다.',
        'NPS 서버가 도메인 컨트롤러에 질의할 수 있는지(AD에 등록되어 있어야 합니다: netsh ras add registeredserver), 사용자 계정이 신뢰하는 도메인에 있는지 확인합니다.',
        '한 곳에서 서로 다른 없는 이름이 많이 오면 디렉터리 문제가 아니라 스프레이 공격일 수 있습니다. 원본을 검토합니다.',
      ],
    },
  },
  {
    id: 'protocol-mismatch',
    severity: 'error',
    match: (e) => ext(e) && e.code === 'REQUEST_MISSING_CODE',
    title: {
      en: 'The RADIUS protocol cannot carry the MFA method',
      ko: 'RADIUS 프로토콜이 MFA 방법을 전달하지 못함',
    },
    remediation: {
      en: [
        'Use PAP between the NAS and NPS when users answer with a one-time code: MS-CHAPv2 and EAP cannot carry the code.',
        'Otherwise make push notification or phone call the default method of the affected users, which work with every protocol.',
        'Check that the NAS supports RADIUS Access-Challenge and allows a timeout of at least 60 seconds.',
      ],
      ko: [
        '사용자가 일회용 코드로 응답한다면 NAS와 NPS 사이에 PAP를 사용합니다. MS-CHAPv2와 EAP는 코드를 전달하지 못합니다.',
        '그렇지 않다면 해당 사용자의 기본 방법을 모든 프로토콜에서 동작하는 푸시 알림이나 전화로 바꿉니다.',
        'NAS가 RADIUS Access-Challenge를 지원하고 시간 제한을 60초 이상 허용하는지 확인합니다.',
      ],
    },
  },
  {
    id: 'primary-auth-rejected',
    severity: 'warning',
    match: (e) => ext(e) && e.code === 'ACCESS_REJECT_PRIMARY',
    title: {
      en: 'NPS rejected users before MFA (primary authentication)',
      ko: 'MFA 전에 NPS가 사용자를 거부함(1차 인증)',
    },
  },
  {
    id: 'ip-allow-list',
    severity: 'warning',
    match: (e) => ext(e) && e.code === 'IP_WHITE_LIST_WARNING',
    title: {
      en: 'IP allow list ignored: requests without NAS-IP-Address',
      ko: 'IP 허용 목록이 무시됨: NAS-IP-Address 없는 요청',
    },
  },
  {
    id: 'other-errors',
    severity: 'error',
    match: (e) => ext(e) && e.category === 'error',
    title: { en: 'Other errors an admin or user must fix', ko: '관리자나 사용자가 고쳐야 하는 기타 오류' },
  },
  {
    id: 'unknown-code',
    severity: 'warning',
    match: (e) => ext(e) && e.category === 'unknown',
    title: { en: 'Codes npswatch does not know', ko: 'npswatch가 모르는 코드' },
    remediation: {
      en: [
        'Look the code up on Microsoft\'s "Resolve error messages from the NPS extension" page; newer extension versions add codes.',
        'If the code keeps appearing and is not documented, treat it as a support case and collect the logs described for support-required codes.',
      ],
      ko: [
        'Microsoft의 "NPS 확장의 오류 메시지 해결" 페이지에서 코드를 찾아봅니다. 새 확장 버전은 코드를 추가합니다.',
        '문서에 없는 코드가 계속 나타나면 지원이 필요한 코드처럼 다루고 해당 항목에 설명된 로그를 수집합니다.',
      ],
    },
  },
  {
    id: 'extension-reject-not-logged-by-nps',
    severity: 'warning',
    match: isUnloggedExtensionReject,
    alongside: true,
    title: { en: '', ko: '' },
  },
  {
    id: 'unanswered-challenge',
    severity: 'warning',
    title: {
      en: 'MFA challenges no one answered (possibly a non-PAP protocol)',
      ko: '아무도 응답하지 않은 MFA 챌린지(PAP가 아닌 프로토콜일 수 있음)',
    },
    remediation: {
      en: [
        'Find the protocol of these requests (Security 6272/6273 "Authentication Type" or the accounting logs): with MS-CHAPv2 or EAP, the NAS cannot return a one-time code, so the challenge times out.',
        'Use PAP for users who answer with a code, or make push notification their default method.',
        'If the protocol is PAP, check that the NAS shows the challenge prompt to the user and waits at least 60 seconds.',
      ],
      ko: [
        '이 요청의 프로토콜을 확인합니다(보안 이벤트 6272/6273의 "인증 유형" 또는 회계 로그). MS-CHAPv2나 EAP에서는 NAS가 일회용 코드를 돌려보낼 수 없어 챌린지가 시간 초과됩니다.',
        '코드로 응답하는 사용자에게는 PAP를 사용하거나 기본 방법을 푸시 알림으로 바꿉니다.',
        '프로토콜이 PAP라면 NAS가 사용자에게 챌린지 입력 창을 보여 주고 60초 이상 기다리는지 확인합니다.',
      ],
    },
  },
  {
    id: 'user-noise',
    severity: 'info',
    match: (e) => ext(e) && e.category === 'non-error',
    title: {
      en: 'User mistakes and limits: no action needed',
      ko: '사용자 실수와 제한: 조치할 필요 없음',
    },
    remediation: {
      en: [
        'Nothing to fix: wrong codes, throttling and call/SMS limits are normal user behaviour.',
        'Watch for one user with many failures in a short time (a guessed code or MFA fatigue); the otp-brute-force and mfa-fatigue rules alert on it.',
      ],
      ko: [
        '고칠 것이 없습니다. 잘못된 코드, 제한, 통화/SMS 한도는 정상적인 사용자 행동입니다.',
        '짧은 시간에 실패가 많은 사용자(코드 추측이나 MFA 피로 공격)를 지켜봅니다. otp-brute-force와 mfa-fatigue 규칙이 경보를 냅니다.',
      ],
    },
  },
];

const KIND_BY_ID = new Map(KINDS.map((k) => [k.id, k]));
const KIND_ORDER = new Map(KINDS.map((k, i) => [k.id, i]));

export function createDiagnosis(): DiagnosisState {
  return { tallies: new Map(), aadsts: new Map(), reasons: new Map(), openChallenges: new Map() };
}

function tally(state: DiagnosisState, id: DoctorFindingId, e: ClassifiedEvent): void {
  const t = state.tallies.get(id);
  if (t === undefined) {
    state.tallies.set(id, {
      count: 1,
      first: e.time,
      last: e.time,
      hosts: new Set(e.host !== undefined ? [e.host] : []),
      users: new Set(e.user !== undefined ? [e.user.name.toLowerCase()] : []),
      codes: new Map(e.code !== undefined ? [[e.code, 1]] : []),
      example: e,
      worst: e.severity,
    });
    return;
  }
  t.count++;
  if (e.time < t.first) {
    t.first = e.time;
    t.example = e;
  }
  t.last = Math.max(t.last, e.time);
  if (e.host !== undefined && t.hosts.size < MAX_HOSTS) t.hosts.add(e.host);
  if (e.user !== undefined && t.users.size < MAX_USERS) t.users.add(e.user.name.toLowerCase());
  if (CATALOG_RANK[e.severity] < CATALOG_RANK[t.worst]) t.worst = e.severity;
  if (e.code !== undefined) t.codes.set(e.code, (t.codes.get(e.code) ?? 0) + 1);
}

const challengeKey = (e: ClassifiedEvent) => `${e.host ?? ''}\u0000${e.user?.name.toLowerCase() ?? ''}`;
const isPap = (e: ClassifiedEvent) => /\bPAP\b/i.test(e.radius?.authenticationType ?? '');

/** Adds one event, in event-time order, to the diagnosis (mutates it: the state is an accumulator). */
export function addToDiagnosis(state: DiagnosisState, e: ClassifiedEvent): void {
  if (e.kind === 'extension' && e.user !== undefined) {
    const key = challengeKey(e);
    const open = state.openChallenges.get(key);
    // A second challenge before any answer: the first went unanswered.
    if (open !== undefined) {
      state.openChallenges.delete(key);
      if (e.code === 'CHALLENGE_REQUESTED') tally(state, 'unanswered-challenge', open);
    }
    if (e.code === 'CHALLENGE_REQUESTED' && !isPap(e)) state.openChallenges.set(key, e);
  }
  if ((e.kind === 'security' || e.kind === 'accounting') && e.radius?.reasonCode !== undefined) {
    const r = e.radius.reasonCode;
    if (r !== 0 && r !== 21 && e.outcome === 'failure') state.reasons.set(r, (state.reasons.get(r) ?? 0) + 1);
  }
  for (const k of KINDS) if (k.alongside === true && k.match?.(e) === true) tally(state, k.id, e);
  const kind = KINDS.find((k) => k.alongside !== true && k.match?.(e) === true);
  if (kind === undefined) return;
  tally(state, kind.id, e);
  if (kind.id === 'certificate-token') {
    // Counted once per event: the code often appears in both the detail and the whole message.
    const codes = new Set(Array.from(`${e.detail ?? ''} ${e.message ?? ''}`.matchAll(/AADSTS\d+/g), (m) => m[0]));
    for (const code of codes) state.aadsts.set(code, (state.aadsts.get(code) ?? 0) + 1);
  }
}

const RANK: Readonly<Record<DoctorSeverity, number>> = { critical: 0, error: 1, warning: 2, info: 3 };
const FROM_CATALOG: Readonly<Record<Severity, DoctorSeverity>> = {
  critical: 'critical',
  high: 'error',
  medium: 'error',
  low: 'warning',
  info: 'info',
};

/** The worse of two severities. */
export function worseSeverity(a: DoctorSeverity, b: DoctorSeverity): DoctorSeverity {
  return RANK[a] <= RANK[b] ? a : b;
}

const AADSTS_MEANING: Readonly<Record<string, LocalizedText>> = {
  AADSTS7000112: {
    en: 'the service principal of the MFA extension is disabled: enable sign-in for 981f26a1-7f43-403b-a875-f8b09b8cd720',
    ko: 'MFA 확장의 서비스 주체가 비활성화됨: 981f26a1-7f43-403b-a875-f8b09b8cd720의 로그인을 허용하세요',
  },
  AADSTS700027: {
    en: 'the certificate does not match a key registered on the service principal',
    ko: '인증서가 서비스 주체에 등록된 키와 일치하지 않음',
  },
  AADSTS90002: { en: 'the tenant was not found', ko: '테넌트를 찾을 수 없음' },
};

function notesOf(state: DiagnosisState, id: DoctorFindingId): LocalizedText[] {
  if (id === 'certificate-token') {
    return [...state.aadsts].map(([code, n]) => {
      const m = AADSTS_MEANING[code];
      return {
        en: `${code} in ${n} event(s)${m ? `: ${m.en}` : ''}`,
        ko: `${code}: 이벤트 ${n}개${m ? ` — ${m.ko}` : ''}`,
      };
    });
  }
  if (id === 'primary-auth-rejected') {
    return [...state.reasons]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .map(([code, n]) => {
        const r = NPS_REASON_CODES[code];
        return {
          en: `NPS reason code ${code} in ${n} rejection(s)${r ? `: ${r.en}` : ''}`,
          ko: `NPS 이유 코드 ${code}: 거부 ${n}건${r ? ` — ${r.ko}` : ''}`,
        };
      });
  }
  return [];
}

/** Findings from the state, ordered by impact: severity, then volume. Open challenges count as unanswered. */
export function diagnosisFindings(state: DiagnosisState): DoctorFinding[] {
  const tallies = new Map(state.tallies);
  if (state.openChallenges.size > 0) {
    const copy: DiagnosisState = { ...state, tallies };
    const seen = tallies.get('unanswered-challenge');
    if (seen !== undefined)
      tallies.set('unanswered-challenge', {
        ...seen,
        codes: new Map(seen.codes),
        hosts: new Set(seen.hosts),
        users: new Set(seen.users),
      });
    for (const e of state.openChallenges.values()) tally(copy, 'unanswered-challenge', e);
  }
  const out: DoctorFinding[] = [];
  for (const [id, t] of tallies) {
    const kind = KIND_BY_ID.get(id)!;
    const codes = [...t.codes]
      .map(([code, count]) => ({ code, count }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
    const top =
      codes[0] !== undefined
        ? entryById(t.example.code === codes[0].code && t.example.entryId ? t.example.entryId : codes[0].code)
        : undefined;
    let severity = kind.severity;
    let title = kind.title;
    let remediation = kind.remediation ?? top?.remediation ?? { en: [], ko: [] };
    if (id === 'nps-reject-without-extension-event' || id === 'extension-reject-not-logged-by-nps') {
      const c = correlationFindings([t.example])[0]!;
      title = c.title;
      remediation = c.remediation;
    }
    if (id === 'other-errors') severity = FROM_CATALOG[t.worst];
    out.push({
      id,
      severity,
      title,
      remediation,
      notes: notesOf(state, id),
      evidence: {
        count: t.count,
        firstSeen: t.first,
        lastSeen: t.last,
        hosts: [...t.hosts].sort(),
        users: t.users.size,
        codes,
        example: {
          time: t.example.time,
          ...(t.example.host !== undefined ? { host: t.example.host } : {}),
          ...(t.example.code !== undefined ? { code: t.example.code } : {}),
          ...(t.example.message !== undefined ? { message: t.example.message } : {}),
        },
      },
    });
  }
  return out.sort(
    (a, b) =>
      RANK[a.severity] - RANK[b.severity] ||
      b.evidence.count - a.evidence.count ||
      KIND_ORDER.get(a.id)! - KIND_ORDER.get(b.id)!,
  );
}

/** Diagnoses events (in event-time order; correlated ones for the correlation findings): findings by impact. */
export function diagnose(events: Iterable<ClassifiedEvent>): DoctorFinding[] {
  const state = createDiagnosis();
  for (const e of events) addToDiagnosis(state, e);
  return diagnosisFindings(state);
}

/** The worst severity among findings, or undefined when there are none. */
export function worstSeverity(findings: readonly DoctorFinding[]): DoctorSeverity | undefined {
  return findings.reduce<DoctorSeverity | undefined>(
    (w, f) => (w === undefined ? f.severity : worseSeverity(w, f.severity)),
    undefined,
  );
}
