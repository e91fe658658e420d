import { entryById } from '../catalog/lookup.js';
import type { Lang } from '../catalog/types.js';
import { formatIso } from '../time/parse.js';
import { hasErrorFields, partnerRef } from './fields.js';
import type { ClassifiedEvent, RecordKind } from './types.js';

export interface EcsOptions {
  /** Language of `npswatch.cause` / `npswatch.remediation`; `false` leaves them out (smaller documents). */
  readonly explain?: Lang | false;
}

/** ECS `event.type` by outcome for authentication events. */
const EVENT_TYPE = { success: ['start', 'allowed'], failure: ['start', 'denied'], unknown: ['info'] } as const;
const DATASET: Readonly<Record<RecordKind, string>> = {
  extension: 'npswatch.extension',
  security: 'npswatch.security',
  accounting: 'npswatch.accounting',
  system: 'npswatch.system',
  other: 'npswatch.other',
};
const SEVERITY_NUMBER = { critical: 1, high: 2, medium: 3, low: 4, info: 5 } as const;

/** Copies defined members only: documents stay small and stable for snapshots. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}
function nonEmpty(obj: Record<string, unknown>): Record<string, unknown> | undefined {
  for (const _ in obj) return obj;
  return undefined;
}

const IP = /^(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9a-f:]+:[0-9a-f:.]*)$/i;

/**
 * The JSON form of a classified event: ECS field names where ECS has them (`@timestamp`, `event.*`, `host.name`,
 * `user.*`, `source.ip`, `client.ip`, `error.*`, `log.*`, `winlog.*`), npswatch's own under `npswatch.*`.
 * Field paths here are the ones `FIELD_GETTERS` reads, so rules and documents agree.
 */
export function toEcs(e: ClassifiedEvent, options: EcsOptions = {}): Record<string, unknown> {
  const explain = options.explain ?? 'en';
  const doc: Record<string, unknown> = { '@timestamp': formatIso(e.time) };
  const event: Record<string, unknown> = {
    kind: 'event',
    category: ['authentication'],
    type: EVENT_TYPE[e.outcome],
    outcome: e.outcome,
    dataset: DATASET[e.kind],
    severity: SEVERITY_NUMBER[e.severity],
  };
  put(event, 'code', e.eventId === undefined ? undefined : String(e.eventId));
  put(event, 'provider', e.provider);
  doc.event = event;
  put(doc, 'message', e.message);
  if (e.host !== undefined) doc.host = { name: e.host };
  if (e.user) {
    const user: Record<string, unknown> = { name: e.user.name, id: e.user.raw };
    put(user, 'domain', e.user.domain);
    put(user, 'email', e.user.upn);
    doc.user = user;
    doc.related = { user: [e.user.name] };
  }
  const r = e.radius;
  if (r?.callingStationId !== undefined && IP.test(r.callingStationId)) doc.source = { ip: r.callingStationId };
  if (r?.clientIp !== undefined) doc.client = { ip: r.clientIp };
  if (hasErrorFields(e)) {
    const error: Record<string, unknown> = { code: e.code };
    put(error, 'message', e.detail);
    doc.error = error;
  }
  const log: Record<string, unknown> = { file: { path: e.position.file } };
  put(log, 'level', e.level);
  doc.log = log;
  const winlog: Record<string, unknown> = {};
  put(winlog, 'channel', e.channel);
  put(winlog, 'event_id', e.eventId === undefined ? undefined : String(e.eventId));
  put(winlog, 'record_id', e.recordId);
  put(winlog, 'provider_name', e.provider);
  put(winlog, 'computer_name', e.host);
  if (nonEmpty(winlog)) doc.winlog = winlog;

  const nps: Record<string, unknown> = { kind: e.kind, format: e.format, line: e.position.line, category: e.category };
  put(nps, 'code', e.code);
  put(nps, 'entry_id', e.entryId);
  nps.severity = e.severity;
  put(nps, 'audience', e.audience);
  put(nps, 'correlation_id', e.correlationId);
  put(nps, 'correlation_id_valid', e.correlationIdValid);
  put(nps, 'detail', e.detail);
  put(nps, 'trace_id', e.traceId);
  put(nps, 'sts_correlation_id', e.stsCorrelationId);
  if (e.user) nps.user = { key: e.user.name.toLowerCase(), redacted: e.user.redacted };
  if (r) {
    const radius: Record<string, unknown> = {};
    put(radius, 'state', r.state);
    put(radius, 'reason_code', r.reasonCode);
    put(radius, 'reason', r.reason);
    put(radius, 'packet_type', r.packetType);
    put(radius, 'client_ip', r.clientIp);
    put(radius, 'client_name', r.clientName);
    put(radius, 'nas_ip', r.nasIp);
    put(radius, 'nas_identifier', r.nasIdentifier);
    put(radius, 'calling_station_id', r.callingStationId);
    put(radius, 'called_station_id', r.calledStationId);
    put(radius, 'network_policy', r.networkPolicy);
    put(radius, 'proxy_policy', r.proxyPolicy);
    put(radius, 'authentication_type', r.authenticationType);
    put(radius, 'class', r.class);
    put(radius, 'account_session_id', r.accountSessionId);
    nps.radius = radius;
  }
  const c = e.correlation;
  if (c) {
    const correlation: Record<string, unknown> = { matched: c.matched, role: c.role };
    // One string, as FIELD_GETTERS reads it, so documents and rules agree on the value.
    if (c.partners.length > 0) correlation.partners = c.partners.map(partnerRef).join(', ');
    nps.correlation = correlation;
  }
  const entry = explain && e.entryId ? entryById(e.entryId) : undefined;
  if (entry && explain) {
    nps.title = entry.title[explain];
    nps.cause = entry.cause[explain];
    nps.remediation = entry.remediation[explain];
    nps.doc_url = entry.docUrl;
  }
  doc.npswatch = nps;
  return doc;
}
