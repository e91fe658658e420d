import { FIELD_GETTERS } from '@npswatch/core';

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
