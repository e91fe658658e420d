import type { ClassifiedEvent, CorrelationPartner, RadiusContext } from './types.js';

/** Whether an event gets ECS `error.*`: an error or support-required code (not user behaviour or info lines). */
export const hasErrorFields = (e: ClassifiedEvent): boolean =>
  (e.category === 'error' || e.category === 'support-required') && e.code !== undefined;

export type FieldValue = string | number | boolean | undefined;
export type FieldGetter = (event: ClassifiedEvent) => FieldValue;

const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;
const IPV6 = /^[0-9a-f:]+:[0-9a-f:.]*$/i;
/** Calling-Station-Id is an IP for VPNs but a MAC or phone number for Wi-Fi and dial-up: only IPs are `source.ip`. */
function asIp(value: string | undefined): string | undefined {
  return value !== undefined && (IPV4.test(value) || IPV6.test(value)) ? value : undefined;
}

/** A correlation partner as one keyword (`security event.xml:23`): a keyword array in documents, readable as is. */
export function partnerRef(p: CorrelationPartner): string {
  return `${p.kind} ${p.file}:${p.line}`;
}

const radius =
  (k: keyof RadiusContext): FieldGetter =>
  (e) =>
    e.radius?.[k];

/**
 * ECS path (as in the JSON form written by `toEcs`) → getter on ClassifiedEvent. The one mapping between the two
 * shapes: rules, filters, group keys and the JSON writer all use it, so a field means the same everywhere.
 */
export const FIELD_GETTERS: Readonly<Record<string, FieldGetter>> = {
  '@timestamp': (e) => e.time,
  message: (e) => e.message,
  'event.code': (e) => (e.eventId === undefined ? undefined : String(e.eventId)),
  'event.outcome': (e) => e.outcome,
  'event.provider': (e) => e.provider,
  'event.severity': (e) => SEVERITY_NUMBER[e.severity],
  'host.name': (e) => e.host,
  'user.name': (e) => e.user?.name,
  'user.domain': (e) => e.user?.domain,
  'user.email': (e) => e.user?.upn,
  'user.id': (e) => e.user?.raw,
  'source.ip': (e) => asIp(e.radius?.callingStationId),
  'client.ip': radius('clientIp'),
  'error.code': (e) => (hasErrorFields(e) ? e.code : undefined),
  'error.message': (e) => (hasErrorFields(e) ? e.detail : undefined),
  'log.level': (e) => e.level,
  'log.file.path': (e) => e.position.file,
  'winlog.channel': (e) => e.channel,
  'winlog.event_id': (e) => (e.eventId === undefined ? undefined : String(e.eventId)),
  'winlog.record_id': (e) => e.recordId,
  'winlog.provider_name': (e) => e.provider,
  'winlog.computer_name': (e) => e.host,
  'npswatch.kind': (e) => e.kind,
  'npswatch.format': (e) => e.format,
  'npswatch.line': (e) => e.position.line,
  'npswatch.code': (e) => e.code,
  'npswatch.entry_id': (e) => e.entryId,
  'npswatch.category': (e) => e.category,
  'npswatch.severity': (e) => e.severity,
  'npswatch.audience': (e) => e.audience,
  'npswatch.correlation_id': (e) => e.correlationId,
  'npswatch.correlation_id_valid': (e) => e.correlationIdValid,
  'npswatch.detail': (e) => e.detail,
  'npswatch.user.key': (e) => e.user?.name.toLowerCase(),
  'npswatch.user.redacted': (e) => e.user?.redacted,
  'npswatch.trace_id': (e) => e.traceId,
  'npswatch.sts_correlation_id': (e) => e.stsCorrelationId,
  'npswatch.radius.state': radius('state'),
  'npswatch.radius.reason_code': radius('reasonCode'),
  'npswatch.radius.reason': radius('reason'),
  'npswatch.radius.packet_type': radius('packetType'),
  'npswatch.radius.client_ip': radius('clientIp'),
  'npswatch.radius.client_name': radius('clientName'),
  'npswatch.radius.nas_ip': radius('nasIp'),
  'npswatch.radius.nas_identifier': radius('nasIdentifier'),
  'npswatch.radius.calling_station_id': radius('callingStationId'),
  'npswatch.radius.called_station_id': radius('calledStationId'),
  'npswatch.radius.network_policy': radius('networkPolicy'),
  'npswatch.radius.proxy_policy': radius('proxyPolicy'),
  'npswatch.radius.authentication_type': radius('authenticationType'),
  'npswatch.radius.class': radius('class'),
  'npswatch.radius.account_session_id': radius('accountSessionId'),
  'npswatch.correlation.matched': (e) => e.correlation?.matched,
  'npswatch.correlation.role': (e) => e.correlation?.role,
  // The document holds a keyword array; rules see the refs as one comma-separated string.
  'npswatch.correlation.partners': (e) =>
    e.correlation === undefined || e.correlation.partners.length === 0
      ? undefined
      : e.correlation.partners.map(partnerRef).join(', '),
};

/** Short names accepted in rule files for the fields people key on most. */
export const FIELD_ALIASES: Readonly<Record<string, string>> = {
  time: '@timestamp',
  code: 'npswatch.code',
  category: 'npswatch.category',
  severity: 'npswatch.severity',
  audience: 'npswatch.audience',
  kind: 'npswatch.kind',
  host: 'host.name',
  server: 'host.name',
  user: 'npswatch.user.key',
  channel: 'winlog.channel',
  event_id: 'winlog.event_id',
  outcome: 'event.outcome',
  client_ip: 'npswatch.radius.client_ip',
  nas: 'npswatch.radius.nas_identifier',
  nas_ip: 'npswatch.radius.nas_ip',
  source_ip: 'source.ip',
  state: 'npswatch.radius.state',
  reason_code: 'npswatch.radius.reason_code',
};

const SEVERITY_NUMBER: Readonly<Record<ClassifiedEvent['severity'], number>> = {
  critical: 1,
  high: 2,
  medium: 3,
  low: 4,
  info: 5,
};

/** The canonical path for a name used in a rule (`code` → `npswatch.code`), or undefined when unknown. */
export function resolveField(name: string): string | undefined {
  const path = FIELD_ALIASES[name] ?? name;
  return path in FIELD_GETTERS ? path : undefined;
}

/** A getter for a field path or alias; throws a RangeError naming the field and listing the known ones. */
export function fieldGetter(name: string): FieldGetter {
  const path = resolveField(name);
  if (path === undefined) {
    throw new RangeError(
      `unknown field "${name}"; known: ${[...Object.keys(FIELD_ALIASES), ...Object.keys(FIELD_GETTERS)].join(', ')}`,
    );
  }
  return FIELD_GETTERS[path]!;
}
