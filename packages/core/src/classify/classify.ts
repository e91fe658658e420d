import { entryFromMessage, lookupEntry } from '../catalog/lookup.js';
import type { CatalogEntry, Severity } from '../catalog/types.js';
import { isExtensionChannel, isExtensionProvider } from '../record/channel.js';
import type { NpsRecord } from '../record/types.js';
import { parseUser } from '../record/user.js';
import { isGuid, type MessageShape, type ParsedMessage, parseMessage } from './message.js';
import type { ClassifiedEvent, Outcome, RadiusContext, RecordKind } from './types.js';

const EXTENSION_PREFIX = /^\s*NPS\s+Extension\s+for\s/i;
const SECURITY_NPS_EVENTS = new Set([6272, 6273, 6274, 6275, 6276, 6277, 6278]);
const ACCOUNTING_FORMATS = new Set(['ias', 'odbc', 'dts']);

/** Which source a record is from; decides how it is classified. */
export function recordKind(record: NpsRecord): RecordKind {
  if (ACCOUNTING_FORMATS.has(record.format)) return 'accounting';
  if (isExtensionProvider(record.provider) || isExtensionChannel(record.channel)) return 'extension';
  if (record.eventId !== undefined && SECURITY_NPS_EVENTS.has(record.eventId)) {
    if (record.channel === undefined || record.channel.toLowerCase() === 'security') return 'security';
  }
  if (record.channel?.toLowerCase() === 'system') return 'system';
  if (record.provider === undefined && record.channel === undefined && EXTENSION_PREFIX.test(record.message ?? '')) {
    return 'extension';
  }
  return 'other';
}

/** Pseudo-codes for log lines that carry no code of their own (see the catalog). */
function pseudoCode(parsed: ParsedMessage, message: string): string | undefined {
  switch (parsed.shape) {
    case 'challenge':
      return 'CHALLENGE_REQUESTED';
    case 'accepted':
      return 'ACCESS_ACCEPTED';
    case 'ignored-state':
      return /challenge/i.test(parsed.radiusState ?? '') ? 'ACCESS_CHALLENGE_IGNORED' : 'ACCESS_REJECT_PRIMARY';
    case 'not-an-error':
      return /NAS\s+Identifier|Nas\s+IpAddress/i.test(message) ? 'NAS_ATTRIBUTES_MISSING' : undefined;
    default:
      return undefined;
  }
}

const OUTCOME_BY_SHAPE: Readonly<Record<MessageShape, Outcome>> = {
  challenge: 'unknown',
  rejected: 'failure',
  accepted: 'success',
  exception: 'failure',
  'error-code': 'unknown',
  'warning-token': 'unknown',
  'ignored-state': 'unknown',
  'not-an-error': 'unknown',
  'free-text': 'unknown',
};

function extensionOutcome(parsed: ParsedMessage): Outcome {
  if (parsed.shape === 'ignored-state') return /reject/i.test(parsed.radiusState ?? '') ? 'failure' : 'unknown';
  return OUTCOME_BY_SHAPE[parsed.shape];
}

function classifyExtension(record: NpsRecord): ClassifiedEvent {
  const message = record.message ?? '';
  const parsed = parseMessage(message);
  const pseudo = pseudoCode(parsed, message);
  // A service response on an accepted line is detail, not the event's code.
  const logged = pseudo === undefined ? parsed.code : undefined;
  let entry: CatalogEntry | undefined = (pseudo ?? logged) ? lookupEntry((pseudo ?? logged)!, message) : undefined;
  if (entry === undefined && logged === undefined) entry = entryFromMessage(message);
  const code = pseudo ?? logged ?? entry?.code;
  const cid = parsed.correlationId ?? parsed.innerCorrelationId;
  const radius: RadiusContext | undefined = parsed.radiusState ? { state: parsed.radiusState } : undefined;
  return event(record, {
    kind: 'extension',
    user: parseUser(parsed.user),
    correlationId: cid,
    correlationIdValid: cid === undefined ? undefined : isGuid(cid),
    code,
    entryId: entry?.id,
    category: entry?.category ?? 'unknown',
    severity: entry?.severity ?? UNKNOWN_SEVERITY,
    audience: entry?.audience,
    outcome: extensionOutcome(parsed),
    detail: parsed.detail,
    radius,
    traceId: parsed.traceId,
    stsCorrelationId: parsed.stsCorrelationId,
  });
}

// An unknown code has not been triaged by anyone yet: worth a look, not a page.
const UNKNOWN_SEVERITY: Severity = 'medium';

const dash = (v: string | undefined) => (v === undefined || v === '' || v === '-' ? undefined : v);
const num = (v: string | undefined) => {
  const s = dash(v);
  if (s === undefined) return undefined;
  const n = Number.parseInt(s, 10);
  return Number.isNaN(n) ? undefined : n;
};

/** Drops undefined members so the JSON stays small and deep-equality in tests is exact. */
function compact<T extends object>(obj: T): T | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [k, v] of Object.entries(obj)) {
    if (v !== undefined) {
      out[k] = v;
      any = true;
    }
  }
  return any ? (out as T) : undefined;
}

const SECURITY_OUTCOME: Readonly<Record<number, Outcome>> = {
  6272: 'success',
  6273: 'failure',
  6274: 'failure',
  6275: 'failure',
  6276: 'success',
  6277: 'success',
  6278: 'success',
};

function classifySecurity(record: NpsRecord): ClassifiedEvent {
  const f = record.fields ?? {};
  const radius = compact<RadiusContext>({
    reasonCode: num(f.ReasonCode),
    reason: dash(f.Reason),
    clientIp: dash(f.ClientIPAddress),
    clientName: dash(f.ClientName),
    nasIp: dash(f.NASIPv4Address) ?? dash(f.NASIPv6Address),
    nasIdentifier: dash(f.NASIdentifier),
    callingStationId: dash(f.CallingStationID),
    calledStationId: dash(f.CalledStationID),
    networkPolicy: dash(f.NetworkPolicyName),
    proxyPolicy: dash(f.ProxyPolicyName),
    authenticationType: dash(f.AuthenticationType),
    accountSessionId: dash(f.AccountSessionIdentifier),
  });
  const outcome = SECURITY_OUTCOME[record.eventId ?? 0] ?? 'unknown';
  return event(record, {
    kind: 'security',
    user: parseUser(dash(f.FullyQualifiedSubjectUserName) ?? dash(f.SubjectUserName)),
    category: 'info',
    severity: outcome === 'failure' ? 'low' : 'info',
    outcome,
    radius,
  });
}

const PACKET_OUTCOME: Readonly<Record<number, Outcome>> = { 2: 'success', 3: 'failure' };

function classifyAccounting(record: NpsRecord): ClassifiedEvent {
  const f = record.fields ?? {};
  const packetType = num(f['Packet-Type']);
  const radius = compact<RadiusContext>({
    packetType,
    reasonCode: num(f['Reason-Code']),
    clientIp: dash(f['Client-IP-Address']),
    clientName: dash(f['Client-Friendly-Name']),
    nasIp: dash(f['NAS-IP-Address']),
    nasIdentifier: dash(f['NAS-Identifier']),
    callingStationId: dash(f['Calling-Station-Id']) ?? dash(f['Calling-Station-ID']),
    calledStationId: dash(f['Called-Station-Id']) ?? dash(f['Called-Station-ID']),
    networkPolicy: dash(f['NP-Policy-Name']) ?? dash(f['Policy-Name']),
    proxyPolicy: dash(f['Proxy-Policy-Name']),
    authenticationType: dash(f['Authentication-Type']),
    class: dash(f.Class),
    accountSessionId: dash(f['Acct-Session-Id']),
  });
  const outcome = PACKET_OUTCOME[packetType ?? 0] ?? 'unknown';
  return event(record, {
    kind: 'accounting',
    user: parseUser(dash(f['User-Name']) ?? dash(f['SAM-Account-Name']) ?? dash(f['Fully-Qualified-User-Name'])),
    category: 'info',
    severity: outcome === 'failure' ? 'low' : 'info',
    outcome,
    radius,
  });
}

type Meaning = Omit<
  ClassifiedEvent,
  'time' | 'format' | 'position' | 'host' | 'channel' | 'provider' | 'eventId' | 'recordId' | 'level' | 'message'
>;

/**
 * Every event is built by this one literal with every property present, so all events share one hidden class:
 * object spread of optional members made V8 fall back to slow dictionary objects on the hot path.
 */
function event(r: NpsRecord, m: Meaning): ClassifiedEvent {
  return {
    time: r.time,
    kind: m.kind,
    format: r.format,
    position: r.position,
    host: r.host,
    channel: r.channel,
    provider: r.provider,
    eventId: r.eventId,
    recordId: r.recordId,
    level: r.level,
    message: r.message,
    user: m.user,
    correlationId: m.correlationId,
    correlationIdValid: m.correlationIdValid,
    code: m.code,
    entryId: m.entryId,
    category: m.category,
    severity: m.severity,
    audience: m.audience,
    outcome: m.outcome,
    detail: m.detail,
    radius: m.radius,
    traceId: m.traceId,
    stsCorrelationId: m.stsCorrelationId,
  };
}

/**
 * Gives a record its meaning. Pure and allocation-light: it runs once per event on the hot path.
 * Unknown codes are kept (`code` as logged, category `unknown`), never dropped.
 */
export function classify(record: NpsRecord): ClassifiedEvent {
  switch (recordKind(record)) {
    case 'extension':
      return classifyExtension(record);
    case 'security':
      return classifySecurity(record);
    case 'accounting':
      return classifyAccounting(record);
    case 'system':
      return event(record, { kind: 'system', category: 'info', severity: 'info', outcome: 'unknown' });
    default:
      return event(record, { kind: 'other', category: 'info', severity: 'info', outcome: 'unknown' });
  }
}
