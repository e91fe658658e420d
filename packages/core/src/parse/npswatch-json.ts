import type { FormatDefinition, FormatId, NpsRecord, ParseContext, ParseSink, RecordParser } from '../record/types.js';
import { parseTimestamp } from '../time/parse.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const int = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
};

// npswatch.radius.* back to the source field names, so re-classification sees what the original record had.
const SECURITY_FIELDS: Readonly<Record<string, string>> = {
  reason_code: 'ReasonCode',
  reason: 'Reason',
  client_ip: 'ClientIPAddress',
  client_name: 'ClientName',
  nas_ip: 'NASIPv4Address',
  nas_identifier: 'NASIdentifier',
  calling_station_id: 'CallingStationID',
  called_station_id: 'CalledStationID',
  network_policy: 'NetworkPolicyName',
  proxy_policy: 'ProxyPolicyName',
  authentication_type: 'AuthenticationType',
  account_session_id: 'AccountSessionIdentifier',
};
const ACCOUNTING_FIELDS: Readonly<Record<string, string>> = {
  packet_type: 'Packet-Type',
  reason_code: 'Reason-Code',
  client_ip: 'Client-IP-Address',
  client_name: 'Client-Friendly-Name',
  nas_ip: 'NAS-IP-Address',
  nas_identifier: 'NAS-Identifier',
  calling_station_id: 'Calling-Station-Id',
  called_station_id: 'Called-Station-Id',
  network_policy: 'NP-Policy-Name',
  proxy_policy: 'Proxy-Policy-Name',
  authentication_type: 'Authentication-Type',
  account_session_id: 'Acct-Session-Id',
  class: 'Class',
};
const SOURCE_FORMATS = new Set<FormatId>([
  'winlogbeat',
  'splunk-wineventlog',
  'splunk-xmlwineventlog',
  'windows-xml',
  'wevtutil-text',
  'get-winevent-list',
  'message',
  'ias',
  'odbc',
  'dts',
]);

/** Rebuilds the source record of a document `npswatch classify` wrote, so replays classify it the same way. */
export function recordFromEcs(doc: Json, file: string, line: number): NpsRecord | { field: string; reason: string } {
  const stamp = doc['@timestamp'];
  const time = typeof stamp === 'string' ? parseTimestamp(stamp) : undefined;
  if (time === undefined)
    return {
      field: '@timestamp',
      reason: stamp === undefined ? 'missing @timestamp' : `invalid @timestamp ${JSON.stringify(stamp)}`,
    };
  const nps = obj(doc.npswatch)!;
  const winlog = obj(doc.winlog);
  const user = obj(doc.user);
  const sourceFormat = str(nps.format) as FormatId | undefined;
  const format: FormatId = sourceFormat && SOURCE_FORMATS.has(sourceFormat) ? sourceFormat : 'npswatch';
  const names = nps.kind === 'accounting' ? ACCOUNTING_FIELDS : SECURITY_FIELDS;
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(nps.radius) ?? {})) {
    const name = names[k];
    if (name !== undefined && (typeof v === 'string' || typeof v === 'number')) fields[name] = String(v);
  }
  const userId = str(user?.id);
  if (userId !== undefined) {
    if (nps.kind === 'accounting') fields['User-Name'] = userId;
    else fields.FullyQualifiedSubjectUserName = userId;
  }
  return {
    format,
    position: { file, line },
    time,
    host: str(obj(doc.host)?.name) ?? str(winlog?.computer_name),
    channel: str(winlog?.channel),
    provider: str(winlog?.provider_name) ?? str(obj(doc.event)?.provider),
    eventId: int(winlog?.event_id ?? obj(doc.event)?.code),
    recordId: int(winlog?.record_id),
    level: str(obj(doc.log)?.level),
    message: str(doc.message),
    fields: Object.keys(fields).length > 0 ? fields : undefined,
  };
}

function createParser(ctx: ParseContext, sink: ParseSink): RecordParser {
  return {
    push(text, line) {
      if (text.trim() === '') return;
      const reject = (reason: string, field?: string) =>
        sink.reject({ file: ctx.file, line, field, reason, raw: text.slice(0, 65536), format: 'npswatch' });
      let doc: Json | undefined;
      try {
        doc = obj(JSON.parse(text));
      } catch (err) {
        return reject(`invalid JSON: ${(err as Error).message}`);
      }
      if (doc === undefined || obj(doc.npswatch) === undefined) return reject('not an npswatch document', 'npswatch');
      const r = recordFromEcs(doc, ctx.file, line);
      if ('reason' in r) return reject(r.reason, r.field);
      sink.record(r);
    },
    end() {},
  };
}

/** npswatch's own output (`npswatch classify`), read back for replay: the source record is rebuilt and re-classified. */
export const NPSWATCH_FORMAT: FormatDefinition = {
  id: 'npswatch',
  description: 'npswatch classify output (ECS NDJSON with an npswatch object)',
  sniff: (head) => {
    const first = head.find((l) => l.trim() !== '')?.trim();
    if (!first?.startsWith('{')) return false;
    try {
      return obj(obj(JSON.parse(first))?.npswatch) !== undefined;
    } catch {
      return false;
    }
  },
  create: createParser,
};
