import type { Audience, LocalizedSteps, LocalizedText, Severity } from '../catalog/types.js';
import type { ClassifiedEvent } from '../classify/types.js';

export type CorrelationFindingId = 'nps-reject-without-extension-event' | 'extension-reject-not-logged-by-nps';

/** A diagnosis from correlated records, shaped for `npswatch doctor`: what, how often, where, and what to do. */
export interface CorrelationFinding {
  readonly id: CorrelationFindingId;
  /** The built-in rule that alerts on the same records. */
  readonly detection: 'extension-reject-unmatched';
  readonly severity: Severity;
  readonly audience: Audience;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Servers involved, sorted (at most 20). */
  readonly hosts: readonly string[];
  /** The first record found. */
  readonly example: ClassifiedEvent;
  readonly title: LocalizedText;
  readonly cause: LocalizedText;
  readonly remediation: LocalizedSteps;
}

/** Security 6273 / accounting Access-Reject with reason 21, reported as a request, and no extension event found. */
export function isUnexplainedNpsReject(e: ClassifiedEvent): boolean {
  const c = e.correlation;
  return (
    (e.kind === 'security' || e.kind === 'accounting') &&
    e.radius?.reasonCode === 21 &&
    c !== undefined &&
    c.role === 'anchor' &&
    c.matched !== 'extension' &&
    c.matched !== 'late'
  );
}

/** An extension rejection with no Security or accounting record of its request. */
export function isUnloggedExtensionReject(e: ClassifiedEvent): boolean {
  return e.kind === 'extension' && e.outcome === 'failure' && e.correlation?.matched === 'none';
}

const TEXT: Readonly<
  Record<CorrelationFindingId, Pick<CorrelationFinding, 'title' | 'cause' | 'remediation' | 'severity' | 'audience'>>
> = {
  'nps-reject-without-extension-event': {
    severity: 'medium',
    audience: 'admin',
    title: {
      en: 'NPS says the MFA extension rejected requests, but the extension logged nothing for them',
      ko: 'NPS는 MFA 확장이 요청을 거부했다고 기록했지만 확장 로그에는 해당 기록이 없음',
    },
    cause: {
      en: 'Security event 6273 (or an accounting Access-Reject) with reason code 21 means an NPS extension DLL rejected the request. No AuthZOptCh/AuthZAdminCh event of the same user and server was found within the tolerance: the extension channels are not collected (or not enabled), the logs cover different periods, or another extension DLL rejected the request.',
      ko: '이유 코드 21인 보안 이벤트 6273(또는 회계 Access-Reject)은 NPS 확장 DLL이 요청을 거부했다는 뜻입니다. 허용 오차 안에서 같은 사용자·서버의 AuthZOptCh/AuthZAdminCh 이벤트를 찾지 못했습니다. 확장 채널을 수집하지 않거나(또는 사용하지 않음), 로그의 기간이 서로 다르거나, 다른 확장 DLL이 요청을 거부했을 수 있습니다.',
    },
    remediation: {
      en: [
        'Collect the AuthNOptCh, AuthZOptCh and AuthZAdminCh channels of every NPS server (Event Viewer > Applications and Services Logs > Microsoft > AzureMfa) for the same period as the Security log, and run the correlation again.',
        'If the channels are collected: list the DLLs under HKLM\\SYSTEM\\CurrentControlSet\\Services\\AuthSrv\\Parameters (ExtensionDLLs, AuthorizationDLLs); another extension may be rejecting.',
        'Check the clocks and time zones of the inputs (--tz for IAS/ODBC/DTS logs): records further apart than --tolerance are not joined.',
      ],
      ko: [
        '모든 NPS 서버의 AuthNOptCh, AuthZOptCh, AuthZAdminCh 채널(이벤트 뷰어 > 응용 프로그램 및 서비스 로그 > Microsoft > AzureMfa)을 보안 로그와 같은 기간으로 수집한 뒤 다시 상관 분석합니다.',
        '채널을 이미 수집하고 있다면 HKLM\\SYSTEM\\CurrentControlSet\\Services\\AuthSrv\\Parameters의 ExtensionDLLs, AuthorizationDLLs를 확인합니다. 다른 확장이 거부하고 있을 수 있습니다.',
        '입력의 시계와 시간대를 확인합니다(IAS/ODBC/DTS 로그는 --tz). --tolerance보다 시간 차이가 큰 기록은 연결되지 않습니다.',
      ],
    },
  },
  'extension-reject-not-logged-by-nps': {
    severity: 'medium',
    audience: 'admin',
    title: {
      en: 'The MFA extension rejected requests that NPS never logged',
      ko: 'MFA 확장이 거부한 요청이 NPS 로그에 없음',
    },
    cause: {
      en: 'The extension logged a rejection, but no Security 6272/6273 event or accounting line of the same user and server was found within the tolerance: NPS auditing or accounting is off (or logs only some requests), the NPS logs of that server were not given, or they cover a different period.',
      ko: '확장은 거부를 기록했지만 허용 오차 안에서 같은 사용자·서버의 보안 이벤트 6272/6273이나 회계 기록을 찾지 못했습니다. NPS 감사 또는 회계가 꺼져 있거나(일부 요청만 기록), 해당 서버의 NPS 로그가 입력에 없거나, 기간이 다를 수 있습니다.',
    },
    remediation: {
      en: [
        'Enable NPS auditing: auditpol /set /subcategory:"Network Policy Server" /success:enable /failure:enable.',
        'In the NPS console, Accounting: log authentication requests and responses (not only accounting requests) to the local file or SQL.',
        "Give the Security export or the IN*.log files of every NPS server for the same period, with --tz set to the servers' zone for IAS/ODBC/DTS logs.",
      ],
      ko: [
        'NPS 감사를 켭니다: auditpol /set /subcategory:"Network Policy Server" /success:enable /failure:enable.',
        'NPS 콘솔의 회계 설정에서 회계 요청뿐 아니라 인증 요청과 응답도 로컬 파일이나 SQL에 기록하도록 합니다.',
        '모든 NPS 서버의 보안 로그 내보내기 또는 IN*.log 파일을 같은 기간으로 입력하고, IAS/ODBC/DTS 로그에는 서버의 시간대를 --tz로 지정합니다.',
      ],
    },
  },
};

const MAX_HOSTS = 20;

/**
 * The correlation findings in correlated records (the output of `correlate`), most frequent first. Records
 * without `correlation` never count, so uncorrelated input yields none.
 */
export function correlationFindings(events: Iterable<ClassifiedEvent>): CorrelationFinding[] {
  const acc = new Map<
    CorrelationFindingId,
    { count: number; first: number; last: number; hosts: Set<string>; example: ClassifiedEvent }
  >();
  for (const e of events) {
    const id: CorrelationFindingId | undefined = isUnexplainedNpsReject(e)
      ? 'nps-reject-without-extension-event'
      : isUnloggedExtensionReject(e)
        ? 'extension-reject-not-logged-by-nps'
        : undefined;
    if (id === undefined) continue;
    const a = acc.get(id);
    if (a === undefined) {
      acc.set(id, { count: 1, first: e.time, last: e.time, hosts: new Set(e.host ? [e.host] : []), example: e });
      continue;
    }
    a.count++;
    a.first = Math.min(a.first, e.time);
    a.last = Math.max(a.last, e.time);
    if (e.host !== undefined && a.hosts.size < MAX_HOSTS) a.hosts.add(e.host);
  }
  return [...acc.entries()]
    .map(([id, a]) => ({
      id,
      detection: 'extension-reject-unmatched' as const,
      ...TEXT[id],
      count: a.count,
      firstSeen: a.first,
      lastSeen: a.last,
      hosts: [...a.hosts].sort(),
      example: a.example,
    }))
    .sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : 1));
}
