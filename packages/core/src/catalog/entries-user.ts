import type { CatalogEntry, LocalizedText } from './types.js';

/** Entries of "errors your users may encounter" and "messages your users may encounter that aren't errors". */

const ERRORS_DOC = 'https://learn.microsoft.com/entra/identity/authentication/howto-mfa-nps-extension-errors';
const TWO_CODES_NOTE: LocalizedText = {
  en: 'Also listed under errors that require support. The classifier picks this user-errors entry when the event\'s message says "Wrong code and pin entered", otherwise the support-required entry.',
  ko: '"지원이 필요한 오류"에도 나오는 코드입니다. npswatch는 이벤트 메시지에 "Wrong code and pin entered"가 있으면 이 사용자 오류 항목으로, 없으면 지원 필요 항목으로 분류합니다.',
};
const ADDED_SINCE_2017_NOTE: LocalizedText = {
  en: 'Not on the 2017 page; seen in the page version dated 2025-01 (first appearance date unknown).',
  ko: '2017년판 문서에는 없고 2025년 1월자 문서에서 확인되었습니다(처음 추가된 시점은 알 수 없음).',
};

export const USER_ENTRIES: readonly CatalogEntry[] = [
  {
    id: 'AccessDenied',
    code: 'AccessDenied',
    messages: [
      'Caller tenant does not have access permissions to do authentication for the user',
      "Caller tenant doesn't have access permissions to do authentication for the user",
    ],
    group: 'user-errors',
    category: 'error',
    severity: 'medium',
    audience: 'admin',
    title: { en: 'Tenant may not authenticate this user', ko: '테넌트에 이 사용자를 인증할 권한이 없음' },
    cause: {
      en: "The user's UPN belongs to a different tenant than the one the extension is registered with.",
      ko: '사용자의 UPN이 확장이 등록된 테넌트가 아닌 다른 테넌트에 속해 있습니다.',
    },
    remediation: {
      en: [
        "Compare the domain suffix of the user's UPN with the domains verified in the extension's tenant.",
        'Make sure the UPN maps to a real user in that tenant (user@contoso.com must sign in to the Contoso tenant).',
        'Fix the UPN suffix or sync the user into the right tenant.',
      ],
      ko: [
        '사용자 UPN의 도메인 접미사를 확장이 등록된 테넌트의 확인된 도메인과 비교합니다.',
        'UPN이 해당 테넌트의 실제 사용자에 대응하는지 확인합니다(user@contoso.com은 Contoso 테넌트에서 인증해야 합니다).',
        'UPN 접미사를 수정하거나 사용자를 올바른 테넌트로 동기화합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: [],
  },
  {
    id: 'AuthenticationMethodNotConfigured',
    code: 'AuthenticationMethodNotConfigured',
    messages: [
      'The specified authentication method was not configured for the user',
      "The specified authentication method wasn't configured for the user",
    ],
    group: 'user-errors',
    category: 'error',
    severity: 'medium',
    audience: 'user',
    title: { en: 'Requested MFA method not set up for the user', ko: '요청한 MFA 방식이 사용자에게 설정되지 않음' },
    cause: {
      en: "The MFA method the request asked for has not been registered on the user's account.",
      ko: '요청에서 사용하려는 MFA 방식이 사용자 계정에 등록되어 있지 않습니다.',
    },
    remediation: {
      en: [
        'Ask the user to open their security info page (https://aka.ms/mysecurityinfo) and register or check their methods.',
        'Confirm in the Entra admin center that at least one usable method is now listed.',
      ],
      ko: [
        '사용자에게 보안 정보 페이지(https://aka.ms/mysecurityinfo)에서 인증 방식을 등록하거나 확인하도록 안내합니다.',
        'Entra 관리 센터에서 사용 가능한 방식이 하나 이상 등록되었는지 확인합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: [],
  },
  {
    id: 'AuthenticationMethodNotSupported',
    code: 'AuthenticationMethodNotSupported',
    messages: ['Specified authentication method is not supported.', "Specified authentication method isn't supported."],
    group: 'user-errors',
    category: 'error',
    severity: 'medium',
    audience: 'admin',
    title: { en: 'MFA method not supported', ko: '지원되지 않는 MFA 방식' },
    cause: {
      en: "The service refused the user's MFA method for this kind of request.",
      ko: '서비스가 이 유형의 요청에 대해 사용자의 MFA 방식을 거부했습니다.',
    },
    remediation: {
      en: [
        'Collect every event carrying this code.',
        'Record the user name and which second-factor method was used when it happened.',
        'Open a Microsoft support case with those logs and details.',
      ],
      ko: [
        '이 코드가 기록된 이벤트를 모두 수집합니다.',
        '발생 당시의 사용자 이름과 사용한 2단계 인증 방식을 기록합니다.',
        '수집한 로그와 정보를 첨부해 Microsoft 지원 사례를 엽니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: [],
  },
  {
    id: 'BecAccessDenied',
    code: 'BecAccessDenied',
    messages: [
      'MSODS Bec call returned access denied, probably the username is not defined in the tenant',
      "MSODS Bec call returned access denied, probably the username isn't defined in the tenant",
    ],
    group: 'user-errors',
    category: 'error',
    severity: 'medium',
    audience: 'admin',
    title: { en: 'User missing from the cloud directory', ko: '클라우드 디렉터리에 사용자 없음' },
    cause: {
      en: 'The account exists on premises but not in Entra ID, typically because directory sync skipped it.',
      ko: '계정이 온-프레미스에는 있지만 Entra ID에는 없으며, 대개 디렉터리 동기화에서 제외되었기 때문입니다.',
    },
    remediation: {
      en: [
        'Look the user up in Entra ID; if absent, check Entra Connect sync scope and sync errors.',
        'Once the user is in the tenant, have them register their MFA methods.',
      ],
      ko: [
        'Entra ID에서 사용자를 검색하고, 없으면 Entra Connect 동기화 범위와 동기화 오류를 확인합니다.',
        '사용자가 테넌트에 생기면 MFA 인증 방식을 등록하도록 안내합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: [],
  },
  {
    id: 'InvalidFormat',
    code: 'InvalidFormat',
    aliases: ['StrongAuthenticationServiceInvalidParameter'],
    messages: ['The phone number is in an unrecognizable format'],
    group: 'user-errors',
    category: 'error',
    severity: 'low',
    audience: 'user',
    title: { en: 'Phone number format not recognised', ko: '전화번호 형식을 인식할 수 없음' },
    cause: {
      en: 'The phone number registered for MFA is not in a format the service can dial or text.',
      ko: 'MFA용으로 등록된 전화번호가 서비스가 전화나 문자를 보낼 수 있는 형식이 아닙니다.',
    },
    remediation: {
      en: [
        'Have the user re-enter the phone number with country code (for example +82 10 1234 5678).',
        'Ask them to test a call or text from the security info page before trying again.',
      ],
      ko: [
        '사용자에게 국가 번호를 포함해 전화번호를 다시 입력하게 합니다(예: +82 10 1234 5678).',
        '다시 시도하기 전에 보안 정보 페이지에서 전화나 문자 수신을 테스트하게 합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: [],
  },
  {
    id: 'InvalidSession',
    code: 'InvalidSession',
    messages: [
      'The specified session is invalid or may have expired',
      'The specified session is invalid or might be expired',
    ],
    group: 'user-errors',
    category: 'error',
    severity: 'low',
    audience: 'user',
    title: { en: 'MFA session expired', ko: 'MFA 세션 만료' },
    cause: {
      en: 'The user did not finish the MFA step within 3 minutes, or network delays made it arrive too late.',
      ko: '사용자가 3분 안에 MFA 단계를 마치지 못했거나 네트워크 지연으로 응답이 늦게 도착했습니다.',
    },
    remediation: {
      en: [
        'Ask the user to approve the notification or type the code within 3 minutes of starting the sign-in.',
        'If it keeps happening, measure latency along client, NAS, NPS and the MFA service.',
        'Check that the NAS RADIUS timeout is long enough to cover the MFA step.',
      ],
      ko: [
        '사용자에게 로그인을 시작한 후 3분 안에 알림을 승인하거나 코드를 입력하도록 안내합니다.',
        '계속 발생하면 클라이언트, NAS, NPS, MFA 서비스 사이의 지연 시간을 측정합니다.',
        'NAS의 RADIUS 시간 제한이 MFA 단계를 마칠 만큼 충분한지 확인합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: [],
  },
  {
    id: 'NoDefaultAuthenticationMethodIsConfigured',
    code: 'NoDefaultAuthenticationMethodIsConfigured',
    messages: ['No default authentication method was configured for the user'],
    group: 'user-errors',
    category: 'error',
    severity: 'medium',
    audience: 'user',
    title: { en: 'No default MFA method', ko: '기본 MFA 방식이 없음' },
    cause: {
      en: 'The user has no default MFA method, so the extension does not know how to challenge them.',
      ko: '사용자에게 기본 MFA 방식이 없어 확장이 어떤 방식으로 인증을 요청할지 알 수 없습니다.',
    },
    remediation: {
      en: [
        'Have the user sign in to https://aka.ms/mysecurityinfo and register at least one method.',
        'Make sure one of those methods is selected as the default sign-in method.',
      ],
      ko: [
        '사용자가 https://aka.ms/mysecurityinfo 에 로그인해 인증 방식을 하나 이상 등록하게 합니다.',
        '등록한 방식 중 하나가 기본 로그인 방식으로 선택되어 있는지 확인합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: [],
  },
  {
    id: 'OathCodePinIncorrect.user',
    code: 'OathCodePinIncorrect',
    messages: ['Wrong code and pin entered.'],
    match: /wrong code and pin(?!.*OneWaySMS)/i,
    group: 'user-errors',
    category: 'error',
    severity: 'medium',
    audience: 'admin',
    title: { en: 'Wrong OATH code and PIN', ko: 'OATH 코드와 PIN 불일치' },
    cause: {
      en: 'The service reported a wrong code plus PIN, a combination the NPS extension is not expected to produce.',
      ko: '서비스가 코드와 PIN이 틀렸다고 응답했으며, NPS 확장에서는 나오지 않아야 하는 결과입니다.',
    },
    remediation: {
      en: [
        'Note the user, time and method used, and check whether it repeats.',
        'If users keep hitting it, open a Microsoft support case with the extension logs.',
      ],
      ko: [
        '사용자, 시각, 사용한 인증 방식을 기록하고 반복되는지 확인합니다.',
        '계속 발생하면 확장 로그를 첨부해 Microsoft 지원 사례를 엽니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: [],
    note: TWO_CODES_NOTE,
  },
  {
    id: 'ProofDataNotFound',
    code: 'ProofDataNotFound',
    messages: [
      'Proof data was not configured for the specified authentication method.',
      "Proof data wasn't configured for the specified authentication method.",
    ],
    group: 'user-errors',
    category: 'error',
    severity: 'medium',
    audience: 'user',
    title: { en: 'MFA method has no registration data', ko: 'MFA 방식의 등록 정보 없음' },
    cause: {
      en: 'The chosen MFA method exists on the account but its details (phone number, app registration) are missing.',
      ko: '선택한 MFA 방식은 계정에 있지만 그 세부 정보(전화번호, 앱 등록)가 없습니다.',
    },
    remediation: {
      en: [
        'Have the user try another method or register the method again on https://aka.ms/mysecurityinfo.',
        'If the method looks correct and the error persists, contact Microsoft support.',
      ],
      ko: [
        '사용자가 다른 방식을 쓰거나 https://aka.ms/mysecurityinfo 에서 해당 방식을 다시 등록하게 합니다.',
        '방식이 올바르게 보이는데도 계속 발생하면 Microsoft 지원에 문의합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: [],
  },
  {
    id: 'SMSAuthFailedWrongCodePinEntered.user',
    code: 'SMSAuthFailedWrongCodePinEntered',
    messages: ['Wrong code and pin entered. (OneWaySMS)'],
    match: /wrong code and pin/i,
    group: 'user-errors',
    category: 'error',
    severity: 'medium',
    audience: 'admin',
    title: { en: 'Wrong SMS code and PIN', ko: 'SMS 코드와 PIN 불일치' },
    cause: {
      en: 'The service reported a wrong one-way SMS code plus PIN, which the NPS extension is not expected to produce.',
      ko: '서비스가 단방향 SMS 코드와 PIN이 틀렸다고 응답했으며, NPS 확장에서는 나오지 않아야 하는 결과입니다.',
    },
    remediation: {
      en: [
        'Note the user, time and phone number involved, and check whether it repeats.',
        'If it recurs, open a Microsoft support case with the extension logs.',
      ],
      ko: [
        '관련 사용자, 시각, 전화번호를 기록하고 반복되는지 확인합니다.',
        '다시 발생하면 확장 로그를 첨부해 Microsoft 지원 사례를 엽니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: [],
    note: TWO_CODES_NOTE,
  },
  {
    id: 'TenantIsBlocked',
    code: 'TenantIsBlocked',
    messages: ['Tenant is blocked'],
    group: 'user-errors',
    category: 'error',
    severity: 'critical',
    audience: 'admin',
    title: { en: 'Tenant blocked by the MFA service', ko: 'MFA 서비스에서 테넌트가 차단됨' },
    cause: {
      en: 'The MFA service has blocked the whole tenant, so no user can complete MFA.',
      ko: 'MFA 서비스가 테넌트 전체를 차단해 어떤 사용자도 MFA를 완료할 수 없습니다.',
    },
    remediation: {
      en: [
        'Copy the tenant (directory) ID from the Entra ID overview page.',
        'Open a Microsoft support case quoting that ID and the time the blocking started.',
      ],
      ko: [
        'Entra ID 개요 페이지에서 테넌트(디렉터리) ID를 복사합니다.',
        '해당 ID와 차단이 시작된 시각을 적어 Microsoft 지원 사례를 엽니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: [],
  },
  {
    id: 'UserNotFound',
    code: 'UserNotFound',
    messages: ['The specified user was not found', "The specified user wasn't found"],
    group: 'user-errors',
    category: 'error',
    severity: 'medium',
    audience: 'admin',
    title: { en: 'User not found in the tenant', ko: '테넌트에서 사용자를 찾을 수 없음' },
    cause: {
      en: 'The MFA service could not find the user, either because the account is not synced or because the tenant or its certificate registration is no longer valid.',
      ko: 'MFA 서비스가 사용자를 찾지 못했으며, 계정이 동기화되지 않았거나 테넌트 또는 인증서 등록이 더 이상 유효하지 않기 때문입니다.',
    },
    remediation: {
      en: [
        'Check that the user exists in both on-premises AD and Entra ID and that Entra Connect sync is running.',
        'Confirm the subscription is active and the required first-party apps exist in the tenant.',
        'Check that the certificate subject "CN=<tenant id>, OU=Microsoft NPS Extension" names the right tenant and that the certificate is valid and registered on the service principal.',
      ],
      ko: [
        '사용자가 온-프레미스 AD와 Entra ID 양쪽에 있고 Entra Connect 동기화가 동작하는지 확인합니다.',
        '구독이 활성 상태이고 필요한 자사(first-party) 앱이 테넌트에 있는지 확인합니다.',
        '인증서 주체 "CN=<tenant id>, OU=Microsoft NPS Extension"의 테넌트가 맞는지, 인증서가 유효하고 서비스 주체에 등록되어 있는지 확인합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: ['user-not-found-spike'],
    note: {
      en: 'Real events carry the service text instead, e.g. "MSODS Graph call returned user not found error".',
      ko: '실제 이벤트에는 이 메시지 대신 서비스가 반환한 문구가 들어 있습니다(예: "MSODS Graph call returned user not found error").',
    },
  },
  {
    id: 'OathCodeIncorrect',
    code: 'OathCodeIncorrect',
    messages: ['Wrong code entered\\OATH Code Incorrect'],
    group: 'non-errors',
    category: 'non-error',
    severity: 'low',
    audience: 'user',
    title: { en: 'Wrong OATH verification code', ko: 'OATH 인증 코드 오류' },
    cause: {
      en: 'The user typed an OATH (authenticator or token) code that did not match.',
      ko: '사용자가 일치하지 않는 OATH(인증 앱 또는 토큰) 코드를 입력했습니다.',
    },
    remediation: {
      en: [
        'Let the user sign in again and enter a fresh code.',
        'If it happens often, check that the device clock or hardware token is in sync.',
      ],
      ko: [
        '사용자가 다시 로그인해 새 코드를 입력하게 합니다.',
        '자주 발생하면 기기 시계나 하드웨어 토큰의 시간이 맞는지 확인합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: ['otp-brute-force'],
  },
  {
    id: 'SMSAuthFailedMaxAllowedCodeRetryReached',
    code: 'SMSAuthFailedMaxAllowedCodeRetryReached',
    messages: ['Maximum allowed code retry reached'],
    group: 'non-errors',
    category: 'non-error',
    severity: 'low',
    audience: 'user',
    title: { en: 'Too many wrong codes', ko: '코드 입력 허용 횟수 초과' },
    cause: {
      en: 'The user entered wrong codes until the retry limit was used up.',
      ko: '사용자가 잘못된 코드를 반복 입력해 재시도 한도를 모두 사용했습니다.',
    },
    remediation: {
      en: [
        'Check whether the attempts came from the real user; many failures can signal guessing.',
        'If your policy blocked the account, an administrator must unblock it before the next try.',
      ],
      ko: [
        '시도가 실제 사용자에게서 왔는지 확인합니다. 실패가 많으면 코드 추측 공격일 수 있습니다.',
        '정책에 따라 계정이 차단되었다면 관리자가 차단을 해제해야 다시 시도할 수 있습니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: ['otp-brute-force'],
  },
  {
    id: 'SMSAuthFailedWrongCodeEntered',
    code: 'SMSAuthFailedWrongCodeEntered',
    messages: ['Wrong code entered/Text Message OTP Incorrect'],
    group: 'non-errors',
    category: 'non-error',
    severity: 'low',
    audience: 'user',
    title: { en: 'Wrong SMS code', ko: 'SMS 인증 코드 오류' },
    cause: {
      en: 'The user typed a text-message code that did not match.',
      ko: '사용자가 일치하지 않는 문자 메시지 코드를 입력했습니다.',
    },
    remediation: {
      en: [
        'Let the user request a new text message and enter the latest code.',
        'Watch for many failures on one account, which can indicate guessing.',
      ],
      ko: [
        '사용자가 새 문자 메시지를 요청해 가장 최근 코드를 입력하게 합니다.',
        '한 계정에서 실패가 많으면 코드 추측 시도일 수 있으니 주의합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: ['otp-brute-force'],
  },
  {
    id: 'AuthenticationThrottled',
    code: 'AuthenticationThrottled',
    messages: ['Too many attempts by user in a short period of time. Throttling.'],
    group: 'non-errors',
    category: 'non-error',
    severity: 'low',
    audience: 'user',
    title: { en: 'Sign-in attempts throttled', ko: '로그인 시도 제한됨' },
    cause: {
      en: 'The service slowed the user down after many MFA attempts in a short time.',
      ko: '짧은 시간에 MFA 시도가 많아 서비스가 사용자의 시도를 제한했습니다.',
    },
    remediation: {
      en: [
        'Ask the user to wait a few minutes before trying again.',
        'If the user did not start these attempts, treat it as a possible attack and reset their password.',
      ],
      ko: [
        '사용자에게 몇 분 기다렸다가 다시 시도하도록 안내합니다.',
        '사용자가 시작한 시도가 아니라면 공격 가능성으로 보고 암호를 재설정합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2025-01',
    detections: ['otp-brute-force'],
    note: ADDED_SINCE_2017_NOTE,
  },
  {
    id: 'AuthenticationMethodLimitReached',
    code: 'AuthenticationMethodLimitReached',
    messages: ['Authentication Method Limit Reached. Throttling.'],
    group: 'non-errors',
    category: 'non-error',
    severity: 'low',
    audience: 'user',
    title: { en: 'Call or SMS limit reached', ko: '전화 또는 SMS 한도 도달' },
    cause: {
      en: 'Too many voice calls or text messages were sent to the user, so the method is paused for a while.',
      ko: '사용자에게 음성 전화나 문자가 너무 많이 전송되어 해당 방식이 잠시 중지되었습니다.',
    },
    remediation: {
      en: [
        'Have the user wait, or switch to the authenticator app for now.',
        'If the user did not request those calls or texts, investigate the account for abuse.',
      ],
      ko: [
        '사용자가 잠시 기다리거나 당분간 인증 앱을 사용하게 합니다.',
        '사용자가 요청하지 않은 전화나 문자라면 계정 악용 여부를 조사합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2025-01',
    detections: [],
    note: ADDED_SINCE_2017_NOTE,
  },
];
