import { FIELD_ALIASES } from '@npswatch/core';

type Scalar = string | number | boolean;
type Query = Record<string, unknown>;

/** A rule filter as the core's schema accepts it (rule files); only its shape matters here. */
export type Filter = { readonly [key: string]: unknown };

/** The document path of a rule field name (`code` → `npswatch.code`). */
export function fieldPath(name: string): string {
  return FIELD_ALIASES[name] ?? name;
}

const isScalar = (v: unknown): v is Scalar => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * A JS regular expression as a Lucene `regexp` query: anchors become implicit (Lucene matches the whole value),
 * unanchored ends get `.*`, `/i` becomes `case_insensitive`. Lucene's syntax is a subset of JS: classes like `\d`
 * are spelled out.
 */
export function regexpQuery(field: string, pattern: string): Query {
  const literal = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
  let source = literal ? literal[1]! : pattern;
  const insensitive = literal ? literal[2]!.includes('i') : false;
  const start = source.startsWith('^');
  const end = source.endsWith('$') && !source.endsWith('\\$');
  source = source.slice(start ? 1 : 0, end ? -1 : undefined);
  source = source.replaceAll('\\d', '[0-9]').replaceAll('\\w', '[A-Za-z0-9_]').replaceAll('\\s', '[ \\t\\n\\r]');
  const value = `${start ? '' : '.*'}${source}${end ? '' : '.*'}`;
  return { regexp: { [field]: { value, ...(insensitive ? { case_insensitive: true } : {}) } } };
}

function condition(field: string, cond: unknown): Query {
  if (isScalar(cond)) return { term: { [field]: cond } };
  if (Array.isArray(cond)) return { terms: { [field]: cond } };
  const ops = cond as Record<string, unknown>;
  const must: Query[] = [];
  const mustNot: Query[] = [];
  if (ops.eq !== undefined) must.push(condition(field, ops.eq));
  if (ops.in !== undefined) must.push(condition(field, ops.in));
  // The core's `not` holds for a missing field too; must_not has the same meaning.
  if (ops.not !== undefined) mustNot.push(condition(field, ops.not));
  if (typeof ops.matches === 'string') must.push(regexpQuery(field, ops.matches));
  if (ops.exists === true) must.push({ exists: { field } });
  if (ops.exists === false) mustNot.push({ exists: { field } });
  const range: Record<string, unknown> = {};
  for (const op of ['gte', 'lte', 'gt', 'lt']) if (typeof ops[op] === 'number') range[op] = ops[op];
  if (Object.keys(range).length > 0) must.push({ range: { [field]: range } });
  if (must.length === 1 && mustNot.length === 0) return must[0]!;
  return { bool: { ...(must.length ? { filter: must } : {}), ...(mustNot.length ? { must_not: mustNot } : {}) } };
}

/** A rule filter (`{code: [...], any: [...], not: {...}}`) as Elasticsearch query DSL with the same meaning. */
export function filterQuery(filter: Filter | undefined): Query {
  if (filter === undefined) return { match_all: {} };
  const must: Query[] = [];
  const mustNot: Query[] = [];
  for (const [name, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (name === 'all') must.push(...(value as Filter[]).map(filterQuery));
    else if (name === 'any')
      must.push({ bool: { should: (value as Filter[]).map(filterQuery), minimum_should_match: 1 } });
    else if (name === 'not') mustNot.push(filterQuery(value as Filter));
    else must.push(condition(fieldPath(name), value));
  }
  if (must.length === 1 && mustNot.length === 0) return must[0]!;
  if (must.length === 0 && mustNot.length === 0) return { match_all: {} };
  return { bool: { ...(must.length ? { filter: must } : {}), ...(mustNot.length ? { must_not: mustNot } : {}) } };
}

/** Every document field a query reads: the structural tests check each against the mappings. */
export function queryFields(query: unknown): string[] {
  const out = new Set<string>();
  const walk = (node: unknown, parent?: string) => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n, parent);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (parent && ['term', 'terms', 'regexp', 'range'].includes(parent)) out.add(k);
      if (parent === 'exists' && k === 'field' && typeof v === 'string') out.add(v);
      walk(v, k);
    }
  };
  walk(query);
  return [...out].sort();
}
