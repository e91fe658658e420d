import type { ClassifiedEvent, RadiusContext } from '../classify/types.js';
import { userKey } from '../record/user.js';

/**
 * What a record is to the correlator:
 * - `anchor`: an extension event naming a user (redacted or not): the request is reported under it;
 * - `decision`: what NPS decided for one request: Security 6272/6273/6276–6278, accounting Access-Accept (2),
 *   Access-Reject (3) and Access-Challenge (11) lines;
 * - `request`: an accounting Access-Request line (1), joined to its response line;
 * - `pass`: everything else (6274/6275 discards, accounting-request lines 4/5, System events, extension lines
 *   without a user such as configuration errors): passed through untouched.
 */
export type Role = 'anchor' | 'decision' | 'request' | 'pass';

// 6274/6275 are discarded retries: they never carry the request's decision, so they are never partners.
const DECISION_EVENTS: ReadonlySet<number> = new Set([6272, 6273, 6276, 6277, 6278]);
const RESPONSE_PACKETS: ReadonlySet<number> = new Set([2, 3, 11]);
const ACCESS_CHALLENGE = 11;
// Extension lines written when NPS answers with Access-Challenge: only an accounting Access-Challenge matches them.
const CHALLENGE_CODES: ReadonlySet<string> = new Set(['CHALLENGE_REQUESTED', 'ACCESS_CHALLENGE_IGNORED']);

export function roleOf(e: ClassifiedEvent): Role {
  switch (e.kind) {
    case 'extension':
      return e.user === undefined ? 'pass' : 'anchor';
    case 'security':
      return e.eventId !== undefined && DECISION_EVENTS.has(e.eventId) ? 'decision' : 'pass';
    case 'accounting': {
      const packet = e.radius?.packetType;
      if (packet === 1) return 'request';
      return packet !== undefined && RESPONSE_PACKETS.has(packet) ? 'decision' : 'pass';
    }
    default:
      return 'pass';
  }
}

/** The user key a record is matched on; '' when it names none or a redacted one (`<USERNAME>`, `******@x`). */
export function matchUser(e: ClassifiedEvent): string {
  return e.user === undefined || e.user.redacted ? '' : userKey(e.user);
}

const IP_LITERAL = /^(?:\d{1,3}\.){3}\d{1,3}$|:/;

/**
 * The NPS server as a key: lower-case, first DNS label (`NPS01.contoso.com` and `nps01` are the same server; IAS
 * and DTS write the short name, Windows events the FQDN). IP literals are kept whole; '' when unknown.
 */
export function hostKey(host: string | undefined): string {
  if (host === undefined) return '';
  const h = host.trim().toLowerCase();
  if (h === '' || h === '-') return '';
  if (IP_LITERAL.test(h)) return h;
  const dot = h.indexOf('.');
  return dot > 0 ? h.slice(0, dot) : h;
}

/** An unknown server (plain message lines carry none) matches any. */
export const sameHost = (a: string, b: string): boolean => a === '' || b === '' || a === b;

const isChallengeResponse = (e: ClassifiedEvent): boolean =>
  e.kind === 'accounting' && e.radius?.packetType === ACCESS_CHALLENGE;

/** Whether a decision can be the one NPS took on the request of this extension event. */
export function extensionAccepts(ext: ClassifiedEvent, decision: ClassifiedEvent): boolean {
  if (ext.code !== undefined && CHALLENGE_CODES.has(ext.code)) return isChallengeResponse(decision);
  if (isChallengeResponse(decision)) return false;
  return ext.outcome === 'unknown' || decision.outcome === ext.outcome;
}

/** Whether two NPS decisions (from different logs) can record the same request. */
export function sameDecision(a: ClassifiedEvent, b: ClassifiedEvent): boolean {
  return a.outcome === b.outcome && isChallengeResponse(a) === isChallengeResponse(b);
}

/** Whether two records' client IPs agree (an absent one agrees with anything). */
export function sameClient(a: ClassifiedEvent, b: ClassifiedEvent): boolean {
  const x = a.radius?.clientIp;
  const y = b.radius?.clientIp;
  return x === undefined || y === undefined || x === y;
}

const RADIUS_KEYS: readonly (keyof RadiusContext)[] = [
  'state',
  'reasonCode',
  'reason',
  'packetType',
  'clientIp',
  'clientName',
  'nasIp',
  'nasIdentifier',
  'callingStationId',
  'calledStationId',
  'networkPolicy',
  'proxyPolicy',
  'authenticationType',
  'class',
  'accountSessionId',
];

/** `base` with every member it lacks taken from `others`, first one wins; undefined when nothing is known. */
export function mergeRadius(
  base: RadiusContext | undefined,
  others: readonly (RadiusContext | undefined)[],
): RadiusContext | undefined {
  const out: Record<string, unknown> = {};
  let found = false;
  for (const key of RADIUS_KEYS) {
    let value: unknown = base?.[key];
    for (let i = 0; value === undefined && i < others.length; i++) value = others[i]?.[key];
    if (value !== undefined) {
      out[key] = value;
      found = true;
    }
  }
  return found ? (out as RadiusContext) : undefined;
}
