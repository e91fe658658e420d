/** Generated RADIUS requests as every log records them, and a runner for the correlation step. */
import { classify } from '../../src/classify/classify.js';
import type { ClassifiedEvent } from '../../src/classify/types.js';
import {
  type CorrelateOptions,
  type CorrelateState,
  correlateFlush,
  correlateStep,
  initCorrelate,
} from '../../src/correlate/step.js';
import type { NpsRecord } from '../../src/record/types.js';
import { type EngineInput, isTick } from '../../src/stream/input.js';

export const T0 = Date.UTC(2024, 8, 20, 10);
export const SEC = 1000;

/** One RADIUS request: which logs recorded it, and how far each log's clock is off (ms). */
export interface RequestSpec {
  readonly n: number;
  /** When the extension decided, ms. */
  readonly time: number;
  readonly user: string;
  readonly server: number;
  readonly outcome: 'failure' | 'success';
  readonly ext: boolean;
  readonly security: boolean;
  readonly accounting: boolean;
  /** Offsets of the Security and accounting logs from the extension's clock, ms. */
  readonly securitySkew: number;
  readonly accountingSkew: number;
  /** MFA wait between the accounting request line and the decision, ms. */
  readonly wait: number;
  /** The Azure MFA response of a rejection (default AuthenticationMethodNotConfigured, meant for the user). */
  readonly response?: string;
}

export const EXT_FILE = 'AuthZOptCh.evtx';
export const SEC_FILE = 'Security.evtx';
export const IAS_FILE = 'IN2409.log';

/** Calling-Station-Id that names the request: a wrong pairing shows as a foreign id. */
export const stationOf = (n: number): string => `station-${n}`;

/**
 * The records of the requests, each log with its own spelling of user and server (UPN and FQDN in the extension,
 * DOMAIN\user in Security, upper-case sAMAccountName and the short name in the IAS log), classified; lines are
 * numbered per file in time order, as a log would write them.
 */
export function recordsOf(specs: readonly RequestSpec[]): ClassifiedEvent[] {
  const records: (Omit<NpsRecord, 'position'> & { file: string })[] = [];
  for (const s of specs) {
    const fqdn = `NPS0${s.server + 1}.contoso.com`;
    const short = `NPS0${s.server + 1}`;
    if (s.ext) {
      const body =
        s.outcome === 'failure'
          ? `Access Rejected for user ${s.user}@contoso.com with Azure MFA response: ${s.response ?? 'AuthenticationMethodNotConfigured'} and message: x`
          : `Access Accepted for user ${s.user}@contoso.com`;
      records.push({
        file: EXT_FILE,
        format: 'windows-xml',
        time: s.time,
        host: fqdn,
        channel: 'AuthZOptCh',
        provider: 'Microsoft-AzureMfa-AuthZ',
        eventId: 1,
        message: `NPS Extension for Azure MFA: CID: 00000000-0000-4000-a000-${String(s.n).padStart(12, '0')} : ${body}`,
      });
    }
    if (s.security) {
      records.push({
        file: SEC_FILE,
        format: 'windows-xml',
        time: s.time + s.securitySkew,
        host: fqdn.toLowerCase(),
        channel: 'Security',
        provider: 'Microsoft-Windows-Security-Auditing',
        eventId: s.outcome === 'failure' ? 6273 : 6272,
        fields: {
          SubjectUserName: `${s.user}@contoso.com`,
          FullyQualifiedSubjectUserName: `CONTOSO\\${s.user}`,
          CallingStationID: stationOf(s.n),
          NASIdentifier: `NAS-${s.n % 3}`,
          ClientIPAddress: `10.0.0.${s.n % 3}`,
          NetworkPolicyName: 'VPN Users',
          AuthenticationType: 'PAP',
          ...(s.outcome === 'failure' ? { ReasonCode: '21', Reason: 'An NPS extension DLL rejected it.' } : {}),
        },
      });
    }
    if (s.accounting) {
      const base = { file: IAS_FILE, format: 'ias' as const, host: short };
      records.push({
        ...base,
        time: s.time + s.accountingSkew - s.wait,
        fields: {
          'User-Name': s.user.toUpperCase(),
          'Packet-Type': '1',
          'Calling-Station-Id': stationOf(s.n),
          'Client-IP-Address': `10.0.0.${s.n % 3}`,
        },
      });
      records.push({
        ...base,
        time: s.time + s.accountingSkew,
        fields: {
          'SAM-Account-Name': `CONTOSO\\${s.user.toUpperCase()}`,
          'Packet-Type': s.outcome === 'failure' ? '3' : '2',
          'Reason-Code': s.outcome === 'failure' ? '21' : '0',
          'Client-IP-Address': `10.0.0.${s.n % 3}`,
        },
      });
    }
  }
  const lines = new Map<string, number>();
  return records
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.time - b.r.time || a.i - b.i)
    .map(({ r }) => {
      const line = (lines.get(r.file) ?? 0) + 1;
      lines.set(r.file, line);
      const { file, ...rest } = r;
      // IAS writes whole seconds; the JSON round trip drops present-but-undefined members, as a saved state does.
      const time = r.format === 'ias' ? Math.floor(r.time / SEC) * SEC : r.time;
      return JSON.parse(JSON.stringify(classify({ ...rest, time, position: { file, line } }))) as ClassifiedEvent;
    })
    .sort((a, b) => a.time - b.time || (a.position.file < b.position.file ? -1 : 1));
}

/** Runs the step over the inputs (from `from`), then flushes; returns the records out (ticks dropped) and the last state. */
export function runCorrelate(
  inputs: readonly EngineInput[],
  options: CorrelateOptions = {},
  onStep?: (state: CorrelateState) => void,
  from: CorrelateState = initCorrelate(),
): { readonly out: ClassifiedEvent[]; readonly state: CorrelateState } {
  let state = from;
  const out: ClassifiedEvent[] = [];
  for (const input of inputs) {
    const r = correlateStep(options, state, input);
    state = r.state;
    onStep?.(state);
    for (const o of r.out) if (!isTick(o)) out.push(o);
  }
  const end = correlateFlush(options, state);
  for (const o of end.out) if (!isTick(o)) out.push(o);
  return { out, state: end.state };
}

/** The request number an extension event names (its CID), or undefined. */
export const requestOf = (e: ClassifiedEvent): number | undefined =>
  e.correlationId === undefined ? undefined : Number(e.correlationId.slice(-12));

/** A request with defaults: every log recorded it, no skew, a 2 s MFA wait, on server 0, rejected. */
export const spec = (n: number, time: number, user: string, extra: Partial<RequestSpec> = {}): RequestSpec => ({
  n,
  time,
  user,
  server: 0,
  outcome: 'failure',
  ext: true,
  security: true,
  accounting: true,
  securitySkew: 0,
  accountingSkew: 0,
  wait: 2 * SEC,
  ...extra,
});

/** `file:line` of a record, for compact assertions. */
export const where = (e: ClassifiedEvent): string => `${e.position.file}:${e.position.line}`;
