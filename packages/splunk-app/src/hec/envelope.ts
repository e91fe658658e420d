import { type Alert, alertToJson, type ClassifiedEvent, type Lang, toEcs } from '@npswatch/core';

/** npswatch's own sourcetypes; the Splunk app's props.conf and eventtypes know them. */
export const EVENT_SOURCETYPE = 'npswatch:event';
export const ALERT_SOURCETYPE = 'npswatch:alert';

/** Indexed fields must be flat: a string or an array of strings (HEC code 15 otherwise). */
export type HecFields = Readonly<Record<string, string | readonly string[]>>;

/** One HEC event: the JSON envelope of `/services/collector/event`. */
export interface HecEnvelope {
  /** Event time in ms since the epoch; sent as seconds with three decimals. */
  readonly time?: number;
  readonly host?: string;
  readonly source?: string;
  readonly sourcetype?: string;
  readonly index?: string;
  /** A string or a JSON object; must not be empty. */
  readonly event: string | Readonly<Record<string, unknown>>;
  /** Indexed fields (event endpoint only; raw requests cannot carry them). */
  readonly fields?: HecFields;
}

/** Envelope metadata the sink fills in where an envelope leaves it out. */
export interface EnvelopeDefaults {
  readonly host?: string;
  readonly source?: string;
  readonly index?: string;
}

/** Epoch ms as HEC's `<seconds>.<milliseconds>`, a JSON number with exactly three decimals. */
export function hecTime(ms: number): string {
  const whole = Math.floor(ms);
  const sec = Math.floor(whole / 1000);
  const milli = whole - sec * 1000;
  return `${sec}.${String(milli).padStart(3, '0')}`;
}

function flatFields(fields: HecFields): string | undefined {
  // No prototype: a field named __proto__ must stay a field.
  const out: Record<string, string | readonly string[]> = Object.create(null);
  let any = false;
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string' ? v === '' : !Array.isArray(v) || v.length === 0) continue;
    out[k] = typeof v === 'string' ? v : v.map(String);
    any = true;
  }
  return any ? JSON.stringify(out) : undefined;
}

/**
 * The envelope as one line of JSON (with its newline), written by hand so `time` keeps exactly three decimals
 * and members come in a stable order. Strings go through JSON.stringify: nothing in an event can break out of
 * its envelope.
 */
export function serializeEnvelope(e: HecEnvelope, defaults: EnvelopeDefaults = {}): string {
  const event = e.event;
  if (event === '' || event === null || event === undefined)
    throw new TypeError('a HEC event must not be empty (HEC code 13)');
  let out = '{';
  if (e.time !== undefined && Number.isFinite(e.time)) out += `"time":${hecTime(e.time)},`;
  const host = e.host ?? defaults.host;
  const source = e.source ?? defaults.source;
  const index = e.index ?? defaults.index;
  if (host !== undefined && host !== '') out += `"host":${JSON.stringify(host)},`;
  if (source !== undefined && source !== '') out += `"source":${JSON.stringify(source)},`;
  if (e.sourcetype !== undefined && e.sourcetype !== '') out += `"sourcetype":${JSON.stringify(e.sourcetype)},`;
  if (index !== undefined && index !== '') out += `"index":${JSON.stringify(index)},`;
  out += `"event":${JSON.stringify(event)}`;
  const fields = e.fields === undefined ? undefined : flatFields(e.fields);
  if (fields !== undefined) out += `,"fields":${fields}`;
  return `${out}}\n`;
}

/** A raw-endpoint line: the event's text (objects as JSON), one line, newline-terminated. */
export function serializeRaw(e: HecEnvelope): string {
  const text = typeof e.event === 'string' ? e.event : JSON.stringify(e.event);
  if (text === '') throw new TypeError('a HEC event must not be empty');
  // The raw endpoint splits lines into events: a newline inside an event would cut it in two.
  return `${text.replace(/\r?\n/g, ' ')}\n`;
}

export interface EventEnvelopeOptions {
  /** Language of cause and remediation in the document; `false` leaves them out. Default `en`. */
  readonly explain?: Lang | false;
  readonly sourcetype?: string;
  readonly index?: string;
  /**
   * Add indexed fields (npswatch_code, _category, _severity, _outcome) for fast `tstats` searches. Default true.
   * Prefixed so they never double the search-time fields of the JSON document (`code`, `category`, ...).
   */
  readonly indexedFields?: boolean;
}

type Doc = Readonly<Record<string, unknown>>;

function member(doc: unknown, ...path: string[]): unknown {
  let v: unknown = doc;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function docTime(doc: Doc): number | undefined {
  const t = str(doc['@timestamp']);
  const ms = t === undefined ? Number.NaN : Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

function withFields(fields: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * An ECS event document (what `toEcs` and `npswatch classify` produce) as a HEC envelope: its time, the NPS server
 * as host, the channel as source, and code, category, severity and outcome as indexed fields.
 */
export function ecsDocumentEnvelope(doc: Doc, options: Omit<EventEnvelopeOptions, 'explain'> = {}): HecEnvelope {
  const time = docTime(doc);
  const host = str(member(doc, 'host', 'name'));
  const channel = str(member(doc, 'winlog', 'channel'));
  return {
    ...(time === undefined ? {} : { time }),
    ...(host === undefined ? {} : { host }),
    ...(channel === undefined ? {} : { source: `npswatch:${channel}` }),
    sourcetype: options.sourcetype ?? EVENT_SOURCETYPE,
    ...(options.index === undefined ? {} : { index: options.index }),
    event: doc,
    fields:
      options.indexedFields === false
        ? {}
        : withFields({
            npswatch_code: str(member(doc, 'npswatch', 'code')),
            npswatch_category: str(member(doc, 'npswatch', 'category')),
            npswatch_severity: str(member(doc, 'npswatch', 'severity')),
            npswatch_outcome: str(member(doc, 'event', 'outcome')),
          }),
  };
}

/** A classified event as a HEC envelope: its ECS document as the event. */
export function eventEnvelope(e: ClassifiedEvent, options: EventEnvelopeOptions = {}): HecEnvelope {
  return ecsDocumentEnvelope(toEcs(e, { explain: options.explain ?? 'en' }), options);
}

export interface AlertEnvelopeOptions {
  readonly sourcetype?: string;
  readonly index?: string;
  readonly indexedFields?: boolean;
}

/**
 * An alert document (`alertToJson`, or the CLI's NDJSON with catalog context) as a HEC envelope. Host is left to
 * the sink (npswatch's own host); the NPS server the alert is about is in `npswatch.alert.key_fields`.
 */
export function alertDocumentEnvelope(doc: Doc, options: AlertEnvelopeOptions = {}): HecEnvelope {
  const time = docTime(doc);
  const rule = str(member(doc, 'rule', 'id'));
  return {
    ...(time === undefined ? {} : { time }),
    ...(rule === undefined ? {} : { source: `npswatch:rule:${rule}` }),
    sourcetype: options.sourcetype ?? ALERT_SOURCETYPE,
    ...(options.index === undefined ? {} : { index: options.index }),
    event: doc,
    fields:
      options.indexedFields === false
        ? {}
        : withFields({
            npswatch_rule_id: rule,
            npswatch_alert_status: str(member(doc, 'npswatch', 'alert', 'status')),
            npswatch_severity: str(member(doc, 'npswatch', 'alert', 'severity')),
          }),
  };
}

/** An alert as a HEC envelope, from `alertToJson(alert)` unless a document is given. */
export function alertEnvelope(
  alert: Alert,
  options: AlertEnvelopeOptions & { readonly document?: Doc } = {},
): HecEnvelope {
  return alertDocumentEnvelope(options.document ?? alertToJson(alert), options);
}

/** Any document npswatch prints as NDJSON: alerts (`event.kind: alert`) or ECS events. */
export function documentEnvelope(doc: Doc, options: AlertEnvelopeOptions = {}): HecEnvelope {
  return member(doc, 'event', 'kind') === 'alert'
    ? alertDocumentEnvelope(doc, options)
    : ecsDocumentEnvelope(doc, options);
}
