/**
 * NPS reason codes (Security events 6273/6274 "Reason Code"), from Microsoft's "NPS Reason Codes" pages.
 * `verified: false` marks codes recalled from memory and not yet checked against the source.
 */
export const NPS_REASON_CODES: Readonly<
  Record<number, { readonly en: string; readonly ko: string; readonly verified: boolean }>
> = Object.freeze({
  0: { en: 'Request authenticated and authorized.', ko: '요청이 인증되고 권한이 부여되었습니다.', verified: true },
  1: { en: 'Request failed because of an NPS error.', ko: 'NPS 오류로 요청이 실패했습니다.', verified: true },
  2: {
    en: 'Insufficient access rights to process the request.',
    ko: '요청을 처리할 액세스 권한이 부족합니다.',
    verified: true,
  },
  3: {
    en: 'Malformed RADIUS Access-Request from the NAS.',
    ko: 'NAS가 보낸 RADIUS Access-Request 형식이 잘못되었습니다.',
    verified: true,
  },
  4: {
    en: 'Global catalog unreachable, so the request could not be processed.',
    ko: '글로벌 카탈로그에 연결할 수 없어 요청을 처리하지 못했습니다.',
    verified: true,
  },
  5: {
    en: "Domain controller for the user's domain unreachable.",
    ko: '사용자 도메인의 도메인 컨트롤러에 연결할 수 없습니다.',
    verified: true,
  },
  7: {
    en: 'Domain in the User-Name attribute does not exist.',
    ko: 'User-Name 특성에 있는 도메인이 존재하지 않습니다.',
    verified: false,
  },
  8: { en: 'User account does not exist.', ko: '사용자 계정이 존재하지 않습니다.', verified: false },
  16: {
    en: 'Authentication failed: user name or password mismatch.',
    ko: '인증 실패: 사용자 이름 또는 암호가 일치하지 않습니다.',
    verified: false,
  },
  21: {
    en: 'An NPS extension DLL (such as the MFA extension) rejected the connection request.',
    ko: 'NPS 확장 DLL(예: MFA 확장)이 연결 요청을 거부했습니다.',
    verified: true,
  },
  22: {
    en: 'The EAP type cannot be processed by the server.',
    ko: '서버가 해당 EAP 유형을 처리할 수 없습니다.',
    verified: false,
  },
  23: {
    en: 'An error occurred while NPS was using EAP.',
    ko: 'NPS가 EAP를 처리하는 중 오류가 발생했습니다.',
    verified: false,
  },
  48: {
    en: 'Request matched no network policy.',
    ko: '요청과 일치하는 네트워크 정책이 없습니다.',
    verified: false,
  },
  49: {
    en: 'Request matched no connection request policy.',
    ko: '요청과 일치하는 연결 요청 정책이 없습니다.',
    verified: false,
  },
  65: {
    en: "Network access permission in the user's dial-in properties is set to deny.",
    ko: '사용자 전화 접속 속성의 네트워크 액세스 권한이 거부로 설정되어 있습니다.',
    verified: false,
  },
  66: {
    en: 'Authentication method not enabled on the matching network policy.',
    ko: '일치하는 네트워크 정책에서 해당 인증 방법이 사용하도록 설정되어 있지 않습니다.',
    verified: false,
  },
  258: {
    en: 'Certificate revocation list unreachable; authentication failed.',
    ko: '인증서 해지 목록(CRL)에 접근할 수 없어 인증에 실패했습니다.',
    verified: true,
  },
  259: {
    en: 'The CA that publishes the revocation list is unavailable; authentication failed.',
    ko: '해지 목록을 게시하는 인증 기관(CA)을 사용할 수 없어 인증에 실패했습니다.',
    verified: true,
  },
  260: {
    en: 'The EAP message was altered (MD5 hash mismatch or Schannel-level change).',
    ko: 'EAP 메시지가 변조되었습니다(MD5 해시 불일치 또는 Schannel 수준 변경).',
    verified: true,
  },
  261: {
    en: 'NPS could not contact AD DS or the local account database; request denied.',
    ko: 'NPS가 AD DS 또는 로컬 계정 데이터베이스에 연결하지 못해 요청이 거부되었습니다.',
    verified: true,
  },
});
