import { type Alert, alertToJson, type ClassifiedEvent, FIELD_GETTERS } from '@npswatch/core';

type Mapping = Readonly<Record<string, unknown>>;
const keyword: Mapping = { type: 'keyword', ignore_above: 1024 };

/**
 * Elasticsearch types of the fields npswatch writes (the paths of `toEcs` / FIELD_GETTERS), ECS types where ECS
 * defines the field. Anything not listed is a keyword.
 */
const TYPES: Readonly<Record<string, Mapping>> = {
  '@timestamp': { type: 'date' },
  message: { type: 'match_only_text' },
  'event.severity': { type: 'long' },
  'source.ip': { type: 'ip' },
  'client.ip': { type: 'ip' },
  'error.message': { type: 'match_only_text' },
  'winlog.record_id': { type: 'long' },
  'npswatch.line': { type: 'long' },
  'npswatch.correlation_id_valid': { type: 'boolean' },
  'npswatch.user.redacted': { type: 'boolean' },
  'npswatch.detail': { type: 'match_only_text' },
  'npswatch.radius.reason_code': { type: 'integer' },
  'npswatch.radius.packet_type': { type: 'integer' },
  'npswatch.remediation': { type: 'text' },
  'npswatch.cause': { type: 'text' },
};

/** Fields written but not read by rules (explanations), mapped too so documents never map dynamically. */
const EXTRA_FIELDS = [
  'npswatch.title',
  'npswatch.cause',
  'npswatch.remediation',
  'npswatch.doc_url',
  'event.kind',
  'event.category',
  'event.type',
  'event.dataset',
  'related.user',
];

/** Nests dotted paths into the `properties` tree Elasticsearch mappings use. */
function nest(paths: readonly string[]): Record<string, unknown> {
  const root: Record<string, Record<string, unknown>> = {};
  for (const path of paths) {
    const parts = path.split('.');
    let node: Record<string, Record<string, unknown>> = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        node[part] = { ...(TYPES[path] ?? keyword) };
      } else {
        node[part] ??= { properties: {} };
        node = node[part]!.properties as Record<string, Record<string, unknown>>;
      }
    });
  }
  return root;
}

/** The mappings of npswatch's event documents: every field rules can read, typed, and nothing dynamic. */
export function eventMappings(): { dynamic: 'strict' | false; properties: Record<string, unknown> } {
  const paths = [...new Set([...Object.keys(FIELD_GETTERS), ...EXTRA_FIELDS])].sort();
  // `false`, not `strict`: extra ECS fields from shippers are kept in _source without failing the document.
  return { dynamic: false, properties: nest(paths) };
}

export type Mappings = { dynamic: 'strict' | false; properties: Record<string, unknown> };

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/** Types that a value alone cannot tell: free text, fractional numbers, maps with arbitrary keys. */
const ALERT_TYPES: Readonly<Record<string, Mapping>> = {
  message: { type: 'match_only_text' },
  'npswatch.alert.summary': { type: 'match_only_text' },
  'npswatch.alert.value': { type: 'double' },
  'npswatch.alert.threshold': { type: 'double' },
  'npswatch.alert.reference': { type: 'double' },
  // Keys are the rule's group_by fields, different per rule: one field, every key searchable.
  'npswatch.alert.key_fields': { type: 'flattened' },
  'npswatch.alert.sample.message': { type: 'match_only_text' },
  'npswatch.context.title': { type: 'text' },
  'npswatch.context.cause': { type: 'text' },
  'npswatch.context.remediation': { type: 'text' },
};

/** Mapping of one JSON value: dates by ISO form, whole numbers as long, objects recursively; overrides by path. */
function infer(value: unknown, path: string, types: Readonly<Record<string, Mapping>>): Record<string, unknown> {
  const fixed = types[path];
  if (fixed) return { ...fixed };
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v === 'string') return ISO_TIME.test(v) ? { type: 'date' } : { ...keyword };
  if (typeof v === 'number') return Number.isInteger(v) ? { type: 'long' } : { type: 'double' };
  if (typeof v === 'boolean') return { type: 'boolean' };
  if (v !== null && typeof v === 'object') {
    const properties: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(v)) properties[k] = infer(child, path ? `${path}.${k}` : k, types);
    return { properties };
  }
  return { ...keyword };
}

/** An alert with every optional member set, so its JSON form shows every field an alert document can have. */
function fullAlert(): Alert & { flapping: boolean } {
  const event: ClassifiedEvent = {
    time: 1_700_000_000_000,
    kind: 'extension',
    format: 'winlogbeat',
    position: { file: 'x', line: 1 },
    host: 'nps01.example.com',
    user: { raw: 'u@example.com', name: 'u', domain: 'example.com', upn: 'u@example.com', redacted: false },
    code: 'CODE',
    message: 'message',
    category: 'error',
    severity: 'high',
    outcome: 'failure',
  };
  return {
    id: 'id',
    fingerprint: 'fp',
    status: 'resolved',
    ruleId: 'rule',
    ruleType: 'threshold',
    key: 'k',
    keyFields: { 'host.name': 'nps01' },
    severity: 'high',
    windowStart: 1_700_000_000_000,
    windowEnd: 1_700_000_060_000,
    time: 1_700_000_060_000,
    startsAt: 1_700_000_060_000,
    endsAt: 1_700_000_120_000,
    value: 1.5,
    threshold: 1.5,
    reference: 1.5,
    summary: 'summary',
    codes: ['CODE'],
    sample: [event],
    count: 1,
    flapping: false,
  };
}

/**
 * The mappings of alert documents, inferred from the core's `alertToJson` of an alert with every field set (so a
 * field added to alerts is mapped without editing this file), plus the catalog context the CLI adds.
 */
export function alertMappings(): Mappings {
  const doc = alertToJson(fullAlert());
  const nps = doc.npswatch as Record<string, unknown>;
  nps.context = { code: 'c', category: 'c', title: 't', cause: 'c', remediation: 'r', doc_url: 'u' };
  const { properties } = infer(doc, '', ALERT_TYPES) as { properties: Record<string, unknown> };
  return { dynamic: false, properties };
}

/** Documents that could not be indexed, with why. The original is kept as an unindexed string: as an object it
 * would hit the same mapping conflict again. */
export function deadLetterMappings(): Mappings {
  return {
    dynamic: false,
    properties: {
      '@timestamp': { type: 'date' },
      npswatch: {
        properties: {
          dead_letter: {
            properties: {
              index: { ...keyword },
              id: { ...keyword },
              status: { type: 'integer' },
              error_type: { ...keyword },
              reason: { type: 'text' },
              attempts: { type: 'integer' },
              document: { type: 'text', index: false },
            },
          },
        },
      },
    },
  };
}

/** What mapping types the server offers beyond the core ones. */
export interface MappingCapabilities {
  /** `match_only_text` (module `mapper-extras`); otherwise such fields become `text`. */
  readonly matchOnlyText: boolean;
  /** `flattened` (x-pack); otherwise such fields become dynamic objects of keywords. */
  readonly flattened: boolean;
}

/** Replaces types the server lacks with the nearest core type, so one definition serves every distribution. */
export function adaptMappings<T extends Record<string, unknown>>(mappings: T, caps: MappingCapabilities): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const obj = node as Record<string, unknown>;
    if (obj.type === 'match_only_text' && !caps.matchOnlyText) return { ...obj, type: 'text' };
    if (obj.type === 'flattened' && !caps.flattened) return { type: 'object', dynamic: true };
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, walk(v)]));
  };
  return walk(mappings) as T;
}
