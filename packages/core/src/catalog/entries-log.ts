import type { CatalogEntry } from './types.js';

/**
 * Pseudo-codes for extension log lines that carry no error code. The classifier finds them through `match`
 * (see `entryFromMessage`); the code strings are ours except IP_WHITE_LIST_WARNING, which the extension writes.
 */

const ERRORS_DOC = 'https://learn.microsoft.com/entra/identity/authentication/howto-mfa-nps-extension-errors';

export const LOG_ENTRIES: readonly CatalogEntry[] = [
  {
    id: 'ACCESS_REJECT_PRIMARY',
    code: 'ACCESS_REJECT_PRIMARY',
    messages: [
      'NPS Extension for Azure MFA only performs Secondary Auth for Radius requests in AccessAccept State. Request received for User username with response state AccessReject, ignoring request.',
      'NPS Extension for Microsoft Entra multifactor authentication only performs Secondary Auth for Radius requests in AccessAccept State. Request received for User username with response state AccessReject, ignoring request.',
    ],
    match: /response state AccessReject\b/i,
    group: 'common-errors',
    category: 'error',
    severity: 'low',
    audience: 'admin',
    title: { en: 'Primary authentication rejected before MFA', ko: 'MFA 이전 1차 인증에서 거부됨' },
    cause: {
      en: 'NPS had already rejected the request (wrong AD password, dial-in or network policy, licence, or no route to Entra ID), so the extension skipped MFA.',
      ko: 'NPS가 이미 요청을 거부했기 때문에(AD 암호 오류, 전화 접속·네트워크 정책, 라이선스, Entra ID 연결 불가) 확장이 MFA를 건너뛰었습니다.',
    },
    remediation: {
      en: [
        'Look up the matching Security event 6273 and its reason code to see why NPS refused the user (16 = bad credentials, 48 = no matching policy, 65 = dial-in denied).',
        'On the user\'s Dial-in tab, choose "Control access through NPS Network Policy" and check that a network policy grants access.',
        'Make sure the user has an MFA licence and that NPS can reach adnotifications.windowsazure.com and login.microsoftonline.com on ports 80 and 443.',
        'Many of these lines for different users from one source may be a password spray; review the sources.',
      ],
      ko: [
        '같은 시각의 보안 이벤트 6273과 이유 코드를 찾아 NPS가 거부한 이유를 확인합니다(16 = 자격 증명 오류, 48 = 일치하는 정책 없음, 65 = 전화 접속 거부).',
        '사용자 속성의 전화 접속 탭에서 "NPS 네트워크 정책을 통해 액세스 제어"를 선택하고, 접근을 허용하는 네트워크 정책이 있는지 확인합니다.',
        '사용자에게 MFA 라이선스가 있는지, NPS가 포트 80과 443으로 adnotifications.windowsazure.com과 login.microsoftonline.com에 연결되는지 확인합니다.',
        '한 출발지에서 여러 사용자에 대해 이 기록이 많이 생기면 암호 스프레이 공격일 수 있으니 출발지를 검토합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2018-11',
    detections: ['primary-auth-rejects', 'password-spray', 'mfa-fatigue'],
    note: {
      en: 'Logged as information by the extension. Documented from 2018-11 with the "NPS Extension for Azure MFA" prefix; later docs use the Azure AD and Microsoft Entra names, real logs keep "Azure MFA".',
      ko: '확장은 이 줄을 정보 수준 이벤트로 기록합니다. 2018년 11월부터 "NPS Extension for Azure MFA"로 시작하는 문구로 문서화되었으며, 이후 문서는 Azure AD와 Microsoft Entra라는 이름을 쓰지만 실제 로그에는 여전히 "Azure MFA"가 남습니다.',
    },
  },
  {
    id: 'ACCESS_CHALLENGE_IGNORED',
    code: 'ACCESS_CHALLENGE_IGNORED',
    messages: [
      'NPS Extension for Azure MFA only performs Secondary Auth for Radius requests in AccessAccept State. Request received for User username with response state AccessChallenge, ignoring request.',
      'NPS Extension for Microsoft Entra multifactor authentication only performs Secondary Auth for Radius requests in AccessAccept State. Request received for User username with response state AccessChallenge, ignoring request.',
    ],
    match: /response state AccessChallenge\b/i,
    group: 'outcome',
    category: 'info',
    severity: 'info',
    audience: 'admin',
    title: { en: 'Access-Challenge passed through without MFA', ko: 'Access-Challenge 요청은 MFA 없이 통과' },
    cause: {
      en: 'NPS answered with Access-Challenge (it needs more input from the user first), and the extension only acts on accepted requests.',
      ko: 'NPS가 사용자에게 추가 정보를 요구하는 Access-Challenge로 응답했고, 확장은 수락된 요청만 처리합니다.',
    },
    remediation: {
      en: [
        'Usually nothing to do: the final Accept or Reject for the same user should follow.',
        "If no final result follows, check the RADIUS client's authentication method (EAP/PEAP exchanges use several challenges).",
      ],
      ko: [
        '대개 조치할 필요가 없으며, 같은 사용자에 대한 최종 수락 또는 거부 기록이 이어져야 합니다.',
        '최종 결과가 나오지 않으면 RADIUS 클라이언트의 인증 방식을 확인합니다(EAP/PEAP는 여러 번의 challenge를 주고받습니다).',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2023-07',
    detections: [],
  },
  {
    id: 'CHALLENGE_REQUESTED',
    code: 'CHALLENGE_REQUESTED',
    messages: ['Challenge requested in Authentication Ext for User'],
    match: /Challenge requested in Authentication Ext/i,
    group: 'outcome',
    category: 'info',
    severity: 'info',
    audience: 'admin',
    title: { en: 'MFA challenge sent to the user', ko: '사용자에게 MFA 확인 요청 전송' },
    cause: {
      en: 'The extension asked the user for a one-time code or a number-matching answer; this is a normal step of the sign-in.',
      ko: '확장이 사용자에게 일회용 코드나 번호 일치 응답을 요청했으며, 로그인의 정상적인 단계입니다.',
    },
    remediation: {
      en: [
        'Nothing to do when the sign-in then succeeds.',
        'If VPN authorization then fails and the RADIUS client uses MSCHAPv2 or EAP, switch it to PAP so the code can be relayed.',
        'Otherwise set the registry value OVERRIDE_NUMBER_MATCHING_WITH_OTP = FALSE under HKLM\\SOFTWARE\\Microsoft\\AzureMfa to fall back to approve/deny notifications.',
      ],
      ko: [
        '이후 로그인이 성공하면 조치할 필요가 없습니다.',
        '이후 VPN 권한 부여가 실패하고 RADIUS 클라이언트가 MSCHAPv2나 EAP를 쓴다면 코드를 전달할 수 있도록 PAP로 바꿉니다.',
        '그렇지 않으면 HKLM\\SOFTWARE\\Microsoft\\AzureMfa에 레지스트리 값 OVERRIDE_NUMBER_MATCHING_WITH_OTP = FALSE를 설정해 승인/거부 알림 방식으로 되돌립니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2023-08',
    detections: ['mfa-fatigue'],
  },
  {
    id: 'ACCESS_ACCEPTED',
    code: 'ACCESS_ACCEPTED',
    messages: [],
    match: /Access Accepted for user/i,
    group: 'outcome',
    category: 'info',
    severity: 'info',
    audience: 'user',
    title: { en: 'MFA succeeded', ko: 'MFA 성공' },
    cause: {
      en: 'The user completed the second factor and the extension let the request through.',
      ko: '사용자가 2단계 인증을 완료해 확장이 요청을 허용했습니다.',
    },
    remediation: {
      en: [
        'No action needed.',
        'If the user says they did not sign in, treat the approval as possible MFA fatigue and reset their credentials.',
      ],
      ko: [
        '조치할 필요가 없습니다.',
        '사용자가 로그인한 적이 없다고 하면 MFA 피로 공격에 의한 승인일 수 있으므로 자격 증명을 재설정합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2024-10',
    detections: ['mfa-fatigue'],
    note: {
      en: 'The exact wording is inferred from the "Access Rejected for user ..." line (public capture 2024-10); no public capture of a success line exists.',
      ko: '정확한 문구는 공개된 로그 캡처(2024년 10월)의 "Access Rejected for user ..." 줄에서 추정한 것이며, 성공 시 남는 줄의 공개 캡처는 없습니다.',
    },
  },
  {
    id: 'IP_WHITE_LIST_WARNING',
    code: 'IP_WHITE_LIST_WARNING',
    messages: ['IP Whitelist is being ignored as source IP is missing in RADIUS request in NasIpAddress attribute.'],
    match: /IP Whitelist is being ignored/i,
    group: 'warning',
    category: 'error',
    severity: 'low',
    audience: 'admin',
    title: { en: 'IP allow list ignored: no NAS-IP-Address', ko: 'IP 허용 목록 무시됨: NAS-IP-Address 없음' },
    cause: {
      en: 'The RADIUS request has no NAS-IP-Address attribute, so the IP_WHITELIST registry setting cannot be applied and MFA is required for everyone.',
      ko: 'RADIUS 요청에 NAS-IP-Address 특성이 없어 IP_WHITELIST 레지스트리 설정을 적용할 수 없고 모든 사용자에게 MFA가 요구됩니다.',
    },
    remediation: {
      en: [
        'Configure the NAS or RADIUS client to send the NAS-IP-Address attribute.',
        'If you do not use IP_WHITELIST, this warning can be ignored.',
      ],
      ko: [
        'NAS 또는 RADIUS 클라이언트가 NAS-IP-Address 특성을 보내도록 설정합니다.',
        'IP_WHITELIST를 사용하지 않는다면 이 경고는 무시해도 됩니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2022-11',
    detections: [],
    note: {
      en: "Not in Microsoft's docs; text from a public log capture (opnsense/core#6112, 2022-11). Logged as AuthZ event 4.",
      ko: 'Microsoft 문서에는 없으며, 문구는 공개된 로그 캡처(opnsense/core#6112, 2022년 11월)에서 가져왔습니다. AuthZ 이벤트 4로 기록됩니다.',
    },
  },
  {
    id: 'NAS_ATTRIBUTES_MISSING',
    code: 'NAS_ATTRIBUTES_MISSING',
    messages: [
      'Radius request is missing NAS Identifier and Nas IpAddress attribute.Populating atleast one of these fields is recommended.This is not an error.',
    ],
    match: /missing NAS Identifier and Nas IpAddress/i,
    group: 'warning',
    category: 'info',
    severity: 'info',
    audience: 'admin',
    title: { en: 'RADIUS request without NAS identity', ko: 'NAS 식별 정보가 없는 RADIUS 요청' },
    cause: {
      en: 'The request carries neither NAS-Identifier nor NAS-IP-Address; the extension only notes it and carries on.',
      ko: '요청에 NAS-Identifier와 NAS-IP-Address가 모두 없으며, 확장은 이를 기록만 하고 계속 처리합니다.',
    },
    remediation: {
      en: [
        'Optionally configure the NAS to send NAS-Identifier or NAS-IP-Address so events show which device asked.',
        'Treat it as informational; look elsewhere if sign-ins fail.',
      ],
      ko: [
        '필요하면 NAS가 NAS-Identifier나 NAS-IP-Address를 보내도록 설정해 어느 장치의 요청인지 이벤트에 남게 합니다.',
        '정보성 기록이므로 로그인이 실패한다면 다른 원인을 찾습니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2020-01',
    detections: [],
    note: {
      en: "Not in Microsoft's docs; text from public log captures (azure-docs#47176, 2020-01). Logged as AuthZ event 4.",
      ko: 'Microsoft 문서에는 없으며, 문구는 공개된 로그 캡처(azure-docs#47176, 2020년 1월)에서 가져왔습니다. AuthZ 이벤트 4로 기록됩니다.',
    },
  },
];
