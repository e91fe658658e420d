import type { CatalogEntry } from './types.js';

/** Entries of the "common errors" and "alternate login ID errors" sections: configuration and connectivity. */

const ERRORS_DOC = 'https://learn.microsoft.com/entra/identity/authentication/howto-mfa-nps-extension-errors';
const TROUBLESHOOTING_DOC =
  'https://learn.microsoft.com/entra/identity/authentication/howto-mfa-nps-extension#troubleshooting';

export const ADMIN_ENTRIES: readonly CatalogEntry[] = [
  {
    id: 'CONTACT_SUPPORT',
    code: 'CONTACT_SUPPORT',
    messages: [],
    group: 'common-errors',
    category: 'error',
    severity: 'high',
    audience: 'support',
    title: { en: 'Unexpected extension failure: open a support case', ko: '예기치 않은 확장 오류: 지원 요청 필요' },
    cause: {
      en: 'The extension hit a failure it cannot explain itself and asks for Microsoft support.',
      ko: '확장이 스스로 원인을 설명할 수 없는 오류를 만나 Microsoft 지원을 받도록 안내합니다.',
    },
    remediation: {
      en: [
        'Note what happened just before the failure: time, user, NAS, and any recent change.',
        'Gather the tenant ID and the affected user principal name (UPN).',
        'Capture debug traces and the AuthZ/AuthN event logs, then attach them to a Microsoft support case.',
      ],
      ko: [
        '오류 직전 상황(시각, 사용자, NAS, 최근 변경 사항)을 기록합니다.',
        '테넌트 ID와 영향을 받은 사용자의 UPN(사용자 계정 이름)을 확인합니다.',
        '디버그 추적과 AuthZ/AuthN 이벤트 로그를 수집해 Microsoft 지원 사례에 첨부합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: [],
  },
  {
    id: 'CLIENT_CERT_INSTALL_ERROR',
    code: 'CLIENT_CERT_INSTALL_ERROR',
    messages: [],
    group: 'common-errors',
    category: 'error',
    severity: 'critical',
    audience: 'admin',
    title: {
      en: 'Client certificate not installed or not linked to the tenant',
      ko: '클라이언트 인증서 설치 또는 테넌트 연결 문제',
    },
    cause: {
      en: 'The certificate the extension uses to prove itself to Entra ID is missing, unreadable, or not registered for the tenant.',
      ko: '확장이 Entra ID에 자신을 증명할 때 쓰는 인증서가 없거나 읽을 수 없거나 테넌트에 등록되어 있지 않습니다.',
    },
    remediation: {
      en: [
        'In the local computer store, look for a certificate with subject "CN=<tenant id>, OU=Microsoft NPS Extension" that has not expired, and make sure NETWORK SERVICE can read its private key.',
        'Compare its thumbprint with the key credentials of service principal 981f26a1-7f43-403b-a875-f8b09b8cd720 (Get-MgServicePrincipal).',
        'If it is missing or mismatched, run AzureMfaNpsExtnConfigSetup.ps1 again as an administrator and restart the NPS service.',
      ],
      ko: [
        '로컬 컴퓨터 인증서 저장소에서 주체가 "CN=<tenant id>, OU=Microsoft NPS Extension"이고 만료되지 않은 인증서가 있는지, NETWORK SERVICE가 개인 키를 읽을 수 있는지 확인합니다.',
        '인증서 지문을 서비스 주체 981f26a1-7f43-403b-a875-f8b09b8cd720의 키 자격 증명(Get-MgServicePrincipal)과 비교합니다.',
        '없거나 일치하지 않으면 관리자 권한으로 AzureMfaNpsExtnConfigSetup.ps1을 다시 실행하고 NPS 서비스를 재시작합니다.',
      ],
    },
    docUrl: TROUBLESHOOTING_DOC,
    since: '2017-07',
    detections: ['config-error'],
  },
  {
    id: 'ESTS_TOKEN_ERROR',
    code: 'ESTS_TOKEN_ERROR',
    messages: [],
    group: 'common-errors',
    category: 'error',
    severity: 'critical',
    audience: 'admin',
    title: { en: 'Could not obtain a security token from Entra ID', ko: 'Entra ID에서 보안 토큰을 받지 못함' },
    cause: {
      en: 'The extension failed to get a token from the Entra ID token service, usually because of a certificate, service principal, or connectivity problem.',
      ko: '확장이 Entra ID 토큰 서비스에서 토큰을 받지 못했으며, 대개 인증서, 서비스 주체 또는 네트워크 연결 문제 때문입니다.',
    },
    remediation: {
      en: [
        'Check that the tenant certificate is present, valid, and matches the key registered on service principal 981f26a1-7f43-403b-a875-f8b09b8cd720.',
        'Make sure that service principal exists and is enabled for sign-in (AADSTS7000112 means it is disabled).',
        'Confirm the NPS server can open https://login.microsoftonline.com, then restart the NPS service.',
      ],
      ko: [
        '테넌트 인증서가 있고 유효하며 서비스 주체 981f26a1-7f43-403b-a875-f8b09b8cd720에 등록된 키와 일치하는지 확인합니다.',
        '해당 서비스 주체가 존재하고 로그인이 허용되어 있는지 확인합니다(AADSTS7000112는 비활성화 상태를 뜻합니다).',
        'NPS 서버에서 https://login.microsoftonline.com 에 접속되는지 확인한 뒤 NPS 서비스를 재시작합니다.',
      ],
    },
    docUrl: TROUBLESHOOTING_DOC,
    since: '2017-07',
    detections: ['connectivity-error-spike'],
    note: {
      en: 'The 2017 page called it an "ADAL token" problem; the current page says "security token".',
      ko: '2017년판 문서는 "ADAL token" 문제라고 불렀고, 현재 문서는 "security token"(보안 토큰)이라고 씁니다.',
    },
  },
  {
    id: 'HTTPS_COMMUNICATION_ERROR',
    code: 'HTTPS_COMMUNICATION_ERROR',
    messages: [],
    group: 'common-errors',
    category: 'error',
    severity: 'critical',
    audience: 'admin',
    title: { en: 'No HTTPS response from the MFA service', ko: 'MFA 서비스의 HTTPS 응답 없음' },
    cause: {
      en: 'The NPS server sends requests to the MFA service but the responses never come back, typically because of a firewall, proxy, or disabled TLS 1.2.',
      ko: 'NPS 서버가 MFA 서비스로 요청은 보내지만 응답을 받지 못하며, 보통 방화벽, 프록시 또는 비활성화된 TLS 1.2가 원인입니다.',
    },
    remediation: {
      en: [
        'Allow HTTPS in both directions between the NPS server and https://adnotifications.windowsazure.com on firewalls and proxies.',
        'Make sure TLS 1.2 is enabled on the server (it is by default).',
        'Look in the System log for SChannel event 36871: it shows TLS is failing.',
      ],
      ko: [
        '방화벽과 프록시에서 NPS 서버와 https://adnotifications.windowsazure.com 사이의 HTTPS 트래픽을 양방향으로 허용합니다.',
        '서버에서 TLS 1.2가 켜져 있는지 확인합니다(기본값은 사용).',
        '시스템 로그에 원본이 SChannel인 이벤트 36871이 있으면 TLS 통신이 실패하고 있다는 뜻입니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: ['connectivity-error-spike'],
    note: {
      en: 'The TLS 1.2 / SChannel 36871 guidance was added to the page in 2025.',
      ko: 'TLS 1.2와 SChannel 이벤트 36871에 관한 안내는 2025년에 문서에 추가되었습니다.',
    },
  },
  {
    id: 'HTTP_CONNECT_ERROR',
    code: 'HTTP_CONNECT_ERROR',
    messages: [],
    group: 'common-errors',
    category: 'error',
    severity: 'critical',
    audience: 'admin',
    title: { en: 'Cannot connect to the MFA endpoints', ko: 'MFA 엔드포인트에 연결할 수 없음' },
    cause: {
      en: 'The NPS server cannot open a connection to the Entra ID or MFA service endpoints.',
      ko: 'NPS 서버가 Entra ID 또는 MFA 서비스 엔드포인트에 연결하지 못합니다.',
    },
    remediation: {
      en: [
        'From the NPS server itself, open https://adnotifications.windowsazure.com, https://login.microsoftonline.com and https://strongauthenticationservice.auth.microsoft.com.',
        'If any of them fails, check DNS, proxy, firewall and outbound routing on that server.',
        'Retry a sign-in once the endpoints respond.',
      ],
      ko: [
        'NPS 서버에서 직접 https://adnotifications.windowsazure.com, https://login.microsoftonline.com, https://strongauthenticationservice.auth.microsoft.com 에 접속해 봅니다.',
        '접속되지 않는 주소가 있으면 해당 서버의 DNS, 프록시, 방화벽, 아웃바운드 라우팅을 점검합니다.',
        '엔드포인트가 응답하면 다시 로그인을 시도합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: ['connectivity-error-spike'],
  },
  {
    id: 'REGISTRY_CONFIG_ERROR',
    code: 'REGISTRY_CONFIG_ERROR',
    messages: [],
    group: 'common-errors',
    category: 'error',
    severity: 'high',
    audience: 'admin',
    title: { en: 'Extension registry value missing', ko: '확장 레지스트리 값 누락' },
    cause: {
      en: 'A value the extension reads from HKLM\\SOFTWARE\\Microsoft\\AzureMfa is absent, often because the setup script never ran after installation.',
      ko: '확장이 HKLM\\SOFTWARE\\Microsoft\\AzureMfa에서 읽는 값이 없으며, 설치 후 설정 스크립트를 실행하지 않은 경우가 많습니다.',
    },
    remediation: {
      en: [
        'Read the event text: it names the key that could not be found.',
        'Open HKLM\\SOFTWARE\\Microsoft\\AzureMfa and check that the key exists with a sensible value.',
        'If several keys are missing, run AzureMfaNpsExtnConfigSetup.ps1 as an administrator and restart NPS.',
      ],
      ko: [
        '이벤트 메시지에서 찾지 못한 키 이름을 확인합니다.',
        'HKLM\\SOFTWARE\\Microsoft\\AzureMfa에 해당 키가 있고 값이 올바른지 확인합니다.',
        '여러 키가 없다면 관리자 권한으로 AzureMfaNpsExtnConfigSetup.ps1을 실행하고 NPS를 재시작합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: ['config-error'],
    note: {
      en: 'The optional IP_WHITELIST key also logs this code when absent; npswatch tells that line apart (REGISTRY_CONFIG_ERROR.ipWhitelist) as harmless.',
      ko: '선택 키인 IP_WHITELIST가 없을 때도 이 코드가 기록됩니다. npswatch는 그 줄을 따로 구분해(REGISTRY_CONFIG_ERROR.ipWhitelist) 무해한 기록으로 분류합니다.',
    },
  },
  {
    // R03 is verbatim; Microsoft's advanced-configuration page says the installer does not create IP_WHITELIST and
    // that its absence logs an error in AuthZOptCh at every service restart.
    id: 'REGISTRY_CONFIG_ERROR.ipWhitelist',
    code: 'REGISTRY_CONFIG_ERROR',
    messages: ['Neither registry entry not default value found for key: IP_WHITELIST'],
    match: /found\s+for\s+key:\s*IP_WHITELIST\b/i,
    group: 'warning',
    category: 'info',
    severity: 'info',
    audience: 'admin',
    title: { en: 'Optional IP_WHITELIST key not set', ko: '선택 키 IP_WHITELIST 미설정' },
    cause: {
      en: 'IP_WHITELIST is an optional setting the installer never creates; without it the extension logs this line when the service starts and carries on normally.',
      ko: 'IP_WHITELIST는 설치 프로그램이 만들지 않는 선택 설정이며, 없으면 서비스 시작 시 이 줄을 남기고 정상적으로 동작합니다.',
    },
    remediation: {
      en: [
        'Nothing to fix: MFA works without this key.',
        'Do not create IP_WHITELIST just to silence the line: requests from the addresses it lists skip MFA.',
      ],
      ko: [
        '조치할 것이 없습니다. 이 키가 없어도 MFA는 동작합니다.',
        '이 메시지를 없애려고 IP_WHITELIST를 만들지 마십시오. 목록의 주소에서 온 요청은 MFA를 건너뜁니다.',
      ],
    },
    docUrl: 'https://learn.microsoft.com/entra/identity/authentication/howto-mfa-nps-extension-advanced',
    since: '2017-07',
    detections: [],
  },
  {
    id: 'REQUEST_FORMAT_ERROR',
    code: 'REQUEST_FORMAT_ERROR',
    messages: [
      'Radius Request missing mandatory Radius userName\\Identifier attribute.Verify that NPS is receiving RADIUS requests',
      'Radius Request missing mandatory Radius userName\\Identifier attribute. Verify that NPS is receiving RADIUS requests',
    ],
    group: 'common-errors',
    category: 'error',
    severity: 'high',
    audience: 'admin',
    title: { en: 'RADIUS request without a user name', ko: '사용자 이름이 없는 RADIUS 요청' },
    cause: {
      en: 'The extension got a request without the RADIUS User-Name attribute, usually because it sits on an NPS that never handles real RADIUS traffic.',
      ko: 'RADIUS User-Name 특성이 없는 요청이 들어왔으며, 대개 확장이 실제 RADIUS 트래픽을 처리하지 않는 NPS에 설치된 경우입니다.',
    },
    remediation: {
      en: [
        'Check whether this NPS was installed only as a dependency of RD Gateway (RDG) or RRAS; such an instance does not receive RADIUS requests.',
        'Install the extension on an NPS server that your RADIUS clients actually send requests to.',
        'Confirm with a test login that the requests reaching NPS carry a User-Name.',
      ],
      ko: [
        '이 NPS가 RD 게이트웨이(RDG)나 RRAS의 종속 구성 요소로만 설치된 것인지 확인합니다. 이런 NPS는 RADIUS 요청을 받지 않습니다.',
        'RADIUS 클라이언트가 실제로 요청을 보내는 NPS 서버에 확장을 설치합니다.',
        '테스트 로그인으로 NPS에 도착하는 요청에 User-Name이 들어 있는지 확인합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: [],
  },
  {
    id: 'REQUEST_MISSING_CODE',
    code: 'REQUEST_MISSING_CODE',
    messages: [],
    group: 'common-errors',
    category: 'error',
    severity: 'medium',
    audience: 'admin',
    title: {
      en: 'RADIUS protocol cannot carry the chosen MFA method',
      ko: 'RADIUS 프로토콜이 선택한 MFA 방식을 지원하지 않음',
    },
    cause: {
      en: "The password protocol between the NAS and NPS cannot carry the verification code the user's MFA method needs.",
      ko: 'NAS와 NPS 사이의 암호 프로토콜이 사용자의 MFA 방식에 필요한 인증 코드를 전달하지 못합니다.',
    },
    remediation: {
      en: [
        'Find which authentication protocol the RADIUS client uses (PAP, MSCHAPv2 or EAP).',
        'With PAP every cloud method works: phone call, one-way SMS, app notification and app verification code.',
        'With CHAPv2 or EAP only phone call and app notification work, so switch to PAP or move users to one of those two methods.',
      ],
      ko: [
        'RADIUS 클라이언트가 사용하는 인증 프로토콜(PAP, MSCHAPv2, EAP)을 확인합니다.',
        'PAP는 전화, 단방향 SMS, 앱 알림, 앱 인증 코드 등 모든 클라우드 방식을 지원합니다.',
        'CHAPv2와 EAP는 전화와 앱 알림만 지원하므로 PAP로 바꾸거나 사용자가 두 방식 중 하나를 쓰도록 합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: [],
  },
  {
    id: 'USERNAME_CANONICALIZATION_ERROR',
    code: 'USERNAME_CANONICALIZATION_ERROR',
    messages: [],
    group: 'common-errors',
    category: 'error',
    severity: 'medium',
    audience: 'admin',
    title: {
      en: 'User name could not be resolved in Active Directory',
      ko: 'Active Directory에서 사용자 이름을 확인할 수 없음',
    },
    cause: {
      en: 'NPS could not turn the RADIUS user name into an on-premises Active Directory account.',
      ko: 'NPS가 RADIUS 사용자 이름을 온-프레미스 Active Directory 계정으로 변환하지 못했습니다.',
    },
    remediation: {
      en: [
        'Confirm the account exists in on-premises Active Directory under the name being sent.',
        'Make sure the NPS service is allowed to read user objects (the server is registered in AD).',
        'For users in another forest reached through a trust, open a Microsoft support case.',
      ],
      ko: [
        '전송되는 이름으로 온-프레미스 Active Directory에 계정이 있는지 확인합니다.',
        'NPS 서비스가 사용자 개체를 읽을 권한이 있는지(서버가 AD에 등록되어 있는지) 확인합니다.',
        '트러스트로 연결된 다른 포리스트의 사용자라면 Microsoft 지원에 문의합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: [],
  },
  {
    id: 'ALTERNATE_LOGIN_ID_ERROR.userObjectSid',
    code: 'ALTERNATE_LOGIN_ID_ERROR',
    messages: ['Error: userObjectSid lookup failed'],
    match: /userObjectSid lookup failed/i,
    group: 'alternate-login-id',
    category: 'error',
    severity: 'medium',
    audience: 'admin',
    title: { en: 'Alternate login ID: user SID not found', ko: '대체 로그인 ID: 사용자 SID를 찾지 못함' },
    cause: {
      en: "The extension could not find the user's security identifier in on-premises Active Directory.",
      ko: '확장이 온-프레미스 Active Directory에서 사용자의 보안 식별자(SID)를 찾지 못했습니다.',
    },
    remediation: {
      en: [
        'Check that the account exists and is enabled in on-premises Active Directory.',
        'Check the spelling and domain of the user name the NAS sends.',
        'If the user lives in a trusted forest, contact Microsoft support.',
      ],
      ko: [
        '온-프레미스 Active Directory에 계정이 있고 사용 상태인지 확인합니다.',
        'NAS가 보내는 사용자 이름의 철자와 도메인을 확인합니다.',
        '사용자가 트러스트된 다른 포리스트에 있다면 Microsoft 지원에 문의합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: [],
  },
  {
    id: 'ALTERNATE_LOGIN_ID_ERROR.lookupFailed',
    code: 'ALTERNATE_LOGIN_ID_ERROR',
    messages: ['Error: Alternate LoginId lookup failed'],
    match: /Alternate LoginId lookup failed/i,
    group: 'alternate-login-id',
    category: 'error',
    severity: 'high',
    audience: 'admin',
    title: { en: 'Alternate login ID lookup failed', ko: '대체 로그인 ID 조회 실패' },
    cause: {
      en: 'The directory query for the configured alternate login attribute failed, usually due to the LDAP_* registry settings or the global catalog.',
      ko: '설정된 대체 로그인 특성에 대한 디렉터리 조회가 실패했으며, 대개 LDAP_* 레지스트리 설정이나 글로벌 카탈로그 문제입니다.',
    },
    remediation: {
      en: [
        'Make sure LDAP_ALTERNATE_LOGINID_ATTRIBUTE names a real Active Directory attribute (for example mail).',
        'When LDAP_FORCE_GLOBAL_CATALOG is True or LDAP_LOOKUP_FORESTS is set, the global catalog must exist and replicate that attribute.',
        'Write LDAP_LOOKUP_FORESTS as forest names joined by semicolons, never by spaces.',
        'If the lookup still fails, contact Microsoft support.',
      ],
      ko: [
        'LDAP_ALTERNATE_LOGINID_ATTRIBUTE에 실제 Active Directory 특성(예: mail)이 지정되어 있는지 확인합니다.',
        'LDAP_FORCE_GLOBAL_CATALOG가 True이거나 LDAP_LOOKUP_FORESTS가 설정된 경우 글로벌 카탈로그가 있고 해당 특성이 복제되는지 확인합니다.',
        'LDAP_LOOKUP_FORESTS의 포리스트 이름은 공백이 아닌 세미콜론으로 구분합니다.',
        '그래도 실패하면 Microsoft 지원에 문의합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: [],
  },
  {
    id: 'ALTERNATE_LOGIN_ID_ERROR.valueEmpty',
    code: 'ALTERNATE_LOGIN_ID_ERROR',
    messages: ['Error: Alternate LoginId value is empty'],
    match: /Alternate LoginId value is empty/i,
    group: 'alternate-login-id',
    category: 'error',
    severity: 'medium',
    audience: 'admin',
    title: { en: 'Alternate login ID attribute is empty', ko: '대체 로그인 ID 특성 값이 비어 있음' },
    cause: {
      en: 'The user was found, but the attribute used as alternate login ID holds no value.',
      ko: '사용자는 찾았지만 대체 로그인 ID로 쓰는 특성에 값이 없습니다.',
    },
    remediation: {
      en: [
        "Fill in the alternate login attribute on the user's Active Directory account.",
        'Wait for the change to replicate, then let the user try again.',
      ],
      ko: [
        '사용자의 Active Directory 계정에 대체 로그인 특성 값을 입력합니다.',
        '변경 사항이 복제된 뒤 사용자가 다시 시도하게 합니다.',
      ],
    },
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: [],
  },
];
