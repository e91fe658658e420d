import type { CatalogEntry, LocalizedSteps, LocalizedText } from './types.js';

/** Entries of "errors that require support": no standard fix, Microsoft support has to look at them. */

const ERRORS_DOC = 'https://learn.microsoft.com/entra/identity/authentication/howto-mfa-nps-extension-errors';
const TWO_CODES_NOTE: LocalizedText = {
  en: 'Also listed under errors your users may encounter. The classifier picks the user-errors entry when the event\'s message says "Wrong code and pin entered", otherwise this support-required entry.',
  ko: '"사용자에게 발생할 수 있는 오류"에도 나오는 코드입니다. npswatch는 이벤트 메시지에 "Wrong code and pin entered"가 있으면 사용자 오류 항목으로, 없으면 이 지원 필요 항목으로 분류합니다.',
};

const SUPPORT_STEPS: LocalizedSteps = {
  en: [
    'Write down the time, user, NAS and what the user was doing when the error appeared.',
    'Collect the extension event logs and a debug trace from the NPS server, plus the tenant ID.',
    'Open a Microsoft support case and attach everything you collected.',
  ],
  ko: [
    '오류가 발생한 시각, 사용자, NAS, 당시 사용자가 하던 작업을 기록합니다.',
    'NPS 서버에서 확장 이벤트 로그와 디버그 추적을 수집하고 테넌트 ID를 확인합니다.',
    'Microsoft 지원 사례를 열고 수집한 자료를 모두 첨부합니다.',
  ],
};

const INVALID_PARAMETER_CAUSE: LocalizedText = {
  en: 'The MFA service rejected a request because one of its fields was missing or malformed; only support can trace why.',
  ko: 'MFA 서비스가 요청의 필드 하나가 없거나 형식이 잘못되어 요청을 거부했으며, 원인은 지원팀만 추적할 수 있습니다.',
};

function invalidParameter(
  variant: string,
  messages: readonly string[],
  match: RegExp,
  title: LocalizedText,
): CatalogEntry {
  return {
    id: `InvalidParameter.${variant}`,
    code: 'InvalidParameter',
    messages,
    match,
    group: 'support-required',
    category: 'support-required',
    severity: 'medium',
    audience: 'support',
    title,
    cause: INVALID_PARAMETER_CAUSE,
    remediation: SUPPORT_STEPS,
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: ['support-required'],
  };
}

function supportOnly(
  code: string,
  id: string,
  title: LocalizedText,
  cause: LocalizedText,
  note?: LocalizedText,
): CatalogEntry {
  return {
    id,
    code,
    messages: [],
    group: 'support-required',
    category: 'support-required',
    severity: 'medium',
    audience: 'support',
    title,
    cause,
    remediation: SUPPORT_STEPS,
    docUrl: ERRORS_DOC,
    since: '2017-07',
    detections: ['support-required'],
    ...(note === undefined ? {} : { note }),
  };
}

export const SUPPORT_ENTRIES: readonly CatalogEntry[] = [
  invalidParameter('requestNull', ['Request must not be null'], /\bRequest must not be null/i, {
    en: 'Invalid parameter: empty request',
    ko: '잘못된 매개변수: 빈 요청',
  }),
  invalidParameter(
    'objectIdEmpty',
    ['ObjectId must not be null or empty for ReplicationScope:{0}'],
    /ObjectId must not be null or empty/i,
    { en: 'Invalid parameter: object ID missing', ko: '잘못된 매개변수: 개체 ID 누락' },
  ),
  invalidParameter(
    'companyNameTooLong',
    ['The length of CompanyName \\{0}\\ is longer than the maximum allowed length {1}'],
    /length of CompanyName/i,
    { en: 'Invalid parameter: company name too long', ko: '잘못된 매개변수: 회사 이름이 너무 김' },
  ),
  invalidParameter(
    'upnEmpty',
    ['UserPrincipalName must not be null or empty'],
    /UserPrincipalName must not be null or empty/i,
    { en: 'Invalid parameter: UPN missing', ko: '잘못된 매개변수: UPN 누락' },
  ),
  invalidParameter(
    'tenantIdFormat',
    ['The provided TenantId is not in correct format', "The provided TenantId isn't in correct format"],
    /TenantId (?:is not|isn['’]t) in (?:the )?correct format/i,
    { en: 'Invalid parameter: malformed tenant ID', ko: '잘못된 매개변수: 테넌트 ID 형식 오류' },
  ),
  invalidParameter('sessionIdEmpty', ['SessionId must not be null or empty'], /SessionId must not be null or empty/i, {
    en: 'Invalid parameter: session ID missing',
    ko: '잘못된 매개변수: 세션 ID 누락',
  }),
  invalidParameter(
    'proofDataUnknown',
    [
      'Could not resolve any ProofData from request or Msods. The ProofData is unKnown',
      "Couldn't resolve any ProofData from request or Msods. The ProofData is unKnown",
    ],
    /(?:Could not|Couldn['’]t) resolve any ProofData|ProofData is unknown/i,
    { en: 'Invalid parameter: MFA method data unknown', ko: '잘못된 매개변수: MFA 방식 데이터를 알 수 없음' },
  ),
  // A message none of the documented variants matches still means "support required", not "unknown".
  supportOnly(
    'InvalidParameter',
    'InvalidParameter',
    { en: 'Invalid parameter (undocumented message)', ko: '잘못된 매개변수(문서에 없는 메시지)' },
    INVALID_PARAMETER_CAUSE,
    {
      en: 'Fallback for InvalidParameter messages that match none of the seven documented variants.',
      ko: '문서에 나온 7가지 메시지 중 어느 것과도 일치하지 않는 InvalidParameter 메시지를 받는 기본 항목입니다.',
    },
  ),
  supportOnly(
    'InternalError',
    'InternalError',
    { en: 'Internal error in the MFA service', ko: 'MFA 서비스 내부 오류' },
    {
      en: 'The MFA service failed internally while handling the request.',
      ko: 'MFA 서비스가 요청을 처리하는 중 내부적으로 실패했습니다.',
    },
  ),
  supportOnly(
    'OathCodePinIncorrect',
    'OathCodePinIncorrect.support',
    { en: 'OATH code/PIN failure needing support', ko: '지원이 필요한 OATH 코드/PIN 오류' },
    {
      en: 'The service returned an OATH code-and-PIN failure without the usual wrong-code message, which points to a service-side problem.',
      ko: '서비스가 일반적인 코드 오류 메시지 없이 OATH 코드·PIN 실패를 반환했으며, 서비스 측 문제일 가능성이 큽니다.',
    },
    TWO_CODES_NOTE,
  ),
  supportOnly(
    'VersionNotSupported',
    'VersionNotSupported',
    { en: 'Request version not supported', ko: '지원되지 않는 요청 버전' },
    {
      en: 'The MFA service does not accept the protocol version the extension used.',
      ko: 'MFA 서비스가 확장이 사용한 프로토콜 버전을 받아들이지 않습니다.',
    },
  ),
  supportOnly(
    'MFAPinNotSetup',
    'MFAPinNotSetup',
    { en: 'MFA PIN not set up', ko: 'MFA PIN이 설정되지 않음' },
    {
      en: 'The service expected an MFA PIN for the user but none is set up.',
      ko: '서비스가 사용자의 MFA PIN을 기대했지만 설정된 PIN이 없습니다.',
    },
  ),
  supportOnly(
    'SMSAuthFailedWrongCodePinEntered',
    'SMSAuthFailedWrongCodePinEntered.support',
    { en: 'SMS code/PIN failure needing support', ko: '지원이 필요한 SMS 코드/PIN 오류' },
    {
      en: 'The service returned an SMS code-and-PIN failure without the usual wrong-code message, which points to a service-side problem.',
      ko: '서비스가 일반적인 코드 오류 메시지 없이 SMS 코드·PIN 실패를 반환했으며, 서비스 측 문제일 가능성이 큽니다.',
    },
    TWO_CODES_NOTE,
  ),
];
