import type { Mutable } from '../mutable.js';
import type { FieldOps, FilterSpec, Scalar } from '../rules/filter.js';
import { refuse } from './errors.js';
import { fieldFilter, fieldOpsFilter } from './fields.js';
import { translateQueryString } from './query-string.js';
import type { Notes } from './report.js';
import { and, MATCH_ALL, not, or } from './spec.js';
import type { QueryValue } from './values.js';

type Json = Readonly<Record<string, unknown>>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isScalar = (value: unknown): value is Scalar =>
  typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

/** Document types and index names select Elasticsearch storage, not events: there is one stream here. */
const STORAGE_FIELDS = new Set(['_type', '_index']);

/**
 * An ElastAlert `filter` (a list of query DSL clauses that must all hold, as ElastAlert puts them in a
 * `bool.must`) as one npswatch filter. Refuses a clause outside the supported subset, naming its path.
 */
export function translateFilter(value: unknown, option: string, notes: Notes): FilterSpec {
  if (value === undefined || value === null) return MATCH_ALL;
  if (Array.isArray(value)) return and(value.map((item, i) => translateQuery(item, `${option}[${i}]`, notes)));
  return translateQuery(value, option, notes);
}

/** One query DSL clause (`{term: {...}}`, `{bool: {...}}`, `{query: {query_string: {...}}}`, ...). */
export function translateQuery(node: unknown, option: string, notes: Notes): FilterSpec {
  if (!isRecord(node))
    return refuse('E_EA_FILTER', `expected a query clause like {term: {field: value}}, got ${describe(node)}`, option);
  const keys = Object.keys(node);
  if (keys.length !== 1)
    return refuse(
      'E_EA_FILTER',
      `expected one query type per clause, got ${keys.length === 0 ? 'none' : keys.join(', ')}`,
      option,
    );
  const type = keys[0]!;
  const body = node[type];
  const at = `${option}.${type}`;
  switch (type) {
    case 'query':
      // ElastAlert's examples wrap queries in `query:` (a leftover of the old filtered query).
      return translateQuery(body, at, notes);
    case 'term':
      return term(body, at, notes);
    case 'terms':
      return terms(body, at, notes);
    case 'match':
      return match(body, at, notes, false);
    case 'match_phrase':
      return match(body, at, notes, true);
    case 'query_string':
      return queryString(body, at, notes);
    case 'range':
      return range(body, at, notes);
    case 'exists': {
      const name = isRecord(body) ? body.field : undefined;
      return fieldOpsFilter(name, { exists: true }, at, notes);
    }
    case 'wildcard':
      return singleField(body, at, notes, 'wildcard', (v, opts) => ({
        kind: 'wildcard',
        pattern: String(v),
        caseInsensitive: opts.case_insensitive === true,
      }));
    case 'prefix':
      return singleField(body, at, notes, 'value', (v, opts) => ({
        kind: 'prefix',
        value: String(v),
        caseInsensitive: opts.case_insensitive === true,
      }));
    case 'regexp':
      notes.approximated(at, 'Lucene regular expressions are read as JavaScript ones (same for common syntax)');
      return singleField(body, at, notes, 'value', (v) => ({ kind: 'regexp', pattern: String(v) }));
    case 'bool':
      return bool(body, at, notes);
    case 'match_all':
      return MATCH_ALL;
    case 'type':
      notes.ignored(at, 'document types do not exist here: every event is one stream');
      return MATCH_ALL;
    case 'eql':
    case 'esql':
      return refuse(
        'E_EA_FILTER',
        `${type.toUpperCase()} filters are not supported: write the condition as an npswatch filter (or a sequence rule)`,
        at,
      );
    default:
      return refuse(
        'E_EA_FILTER',
        `unsupported query type "${type}" (supported: term, terms, match, match_phrase, query_string, range, exists, wildcard, prefix, regexp, bool)`,
        at,
      );
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return JSON.stringify(value);
}

/** The one field of `{term: {field: ...}}` and its value or options object. */
function fieldEntry(body: unknown, option: string): [string, unknown] {
  if (!isRecord(body)) return refuse('E_EA_FILTER', `expected {field: value}, got ${describe(body)}`, option);
  const entries = Object.entries(body).filter(([k]) => k !== 'boost' && k !== '_name');
  if (entries.length !== 1)
    return refuse(
      'E_EA_FILTER',
      `expected one field, got ${entries.length === 0 ? 'none' : entries.map(([k]) => k).join(', ')}`,
      option,
    );
  return entries[0]!;
}

/** `{wildcard: {field: "x*"}}` or `{wildcard: {field: {value: "x*", case_insensitive: true}}}`. */
function singleField(
  body: unknown,
  option: string,
  notes: Notes,
  valueKey: string,
  make: (value: Scalar, options: Json) => QueryValue,
): FilterSpec {
  const [name, spec] = fieldEntry(body, option);
  if (isStorageField(name, option, notes)) return MATCH_ALL;
  const opts = isRecord(spec) ? spec : {};
  const value = isRecord(spec) ? (spec.value ?? spec[valueKey]) : spec;
  if (!isScalar(value)) return refuse('E_EA_FILTER', `expected a value for "${name}", got ${describe(value)}`, option);
  return fieldFilter(name, make(value, opts), option, notes);
}

function isStorageField(name: string, option: string, notes: Notes): boolean {
  if (!STORAGE_FIELDS.has(name)) return false;
  notes.ignored(option, `${name} selects Elasticsearch storage, not events: every event is one stream here`);
  return true;
}

function term(body: unknown, option: string, notes: Notes): FilterSpec {
  return singleField(body, option, notes, 'value', (value, opts) => ({
    kind: 'exact',
    value,
    caseInsensitive: opts.case_insensitive === true,
  }));
}

function terms(body: unknown, option: string, notes: Notes): FilterSpec {
  const [name, values] = fieldEntry(body, option);
  if (isStorageField(name, option, notes)) return MATCH_ALL;
  if (!Array.isArray(values) || values.length === 0 || !values.every(isScalar))
    return refuse('E_EA_FILTER', `expected a list of values for "${name}" (terms lookups are not supported)`, option);
  return or(values.map((value) => fieldFilter(name, { kind: 'exact', value }, option, notes)));
}

function match(body: unknown, option: string, notes: Notes, phrase: boolean): FilterSpec {
  const [name, spec] = fieldEntry(body, option);
  if (isStorageField(name, option, notes)) return MATCH_ALL;
  const query = isRecord(spec) ? spec.query : spec;
  if (!isScalar(query)) return refuse('E_EA_FILTER', `expected a value for "${name}", got ${describe(query)}`, option);
  const text = String(query);
  if (phrase) return fieldFilter(name, { kind: 'phrase', text }, option, notes);
  const operator = isRecord(spec) && typeof spec.operator === 'string' ? spec.operator.toLowerCase() : 'or';
  if (isRecord(spec) && spec.minimum_should_match !== undefined)
    return refuse('E_EA_FILTER', 'match with minimum_should_match is not supported', option);
  return fieldFilter(name, { kind: 'words', text, all: operator === 'and' }, option, notes);
}

function queryString(body: unknown, option: string, notes: Notes): FilterSpec {
  if (!isRecord(body) || typeof body.query !== 'string')
    return refuse('E_EA_FILTER', `expected {query: "field:value"}, got ${describe(body)}`, option);
  const fields =
    typeof body.default_field === 'string'
      ? [body.default_field]
      : Array.isArray(body.fields) && body.fields.every((f) => typeof f === 'string')
        ? (body.fields as string[])
        : undefined;
  const operator = typeof body.default_operator === 'string' ? body.default_operator.toLowerCase() : 'or';
  if (operator !== 'and' && operator !== 'or')
    return refuse(
      'E_EA_FILTER',
      `default_operator must be AND or OR, got ${JSON.stringify(body.default_operator)}`,
      option,
    );
  const ignored = Object.keys(body).filter(
    (k) => !['query', 'default_field', 'fields', 'default_operator'].includes(k),
  );
  if (ignored.length > 0)
    notes.approximated(option, `query_string parameters without meaning for a filter here: ${ignored.join(', ')}`);
  return translateQueryString(
    body.query,
    { defaultOperator: operator, ...(fields ? { defaultFields: fields } : {}) },
    option,
    notes,
  );
}

/** Numeric ranges. Date ranges (`now-1h`) refuse: windows already bound rules in time. */
function range(body: unknown, option: string, notes: Notes): FilterSpec {
  const [name, spec] = fieldEntry(body, option);
  if (!isRecord(spec)) return refuse('E_EA_FILTER', `expected bounds for "${name}", got ${describe(spec)}`, option);
  const ops: Mutable<FieldOps> = {};
  const bound = (key: string, value: unknown): number | undefined => {
    if (value === undefined || value === null) return undefined;
    const n =
      typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    if (!Number.isFinite(n))
      return refuse(
        'E_EA_FILTER',
        `range ${key} ${JSON.stringify(value)} on "${name}" is not a number (date ranges are not supported)`,
        option,
      );
    return n;
  };
  for (const key of ['gte', 'gt', 'lte', 'lt'] as const) {
    const n = bound(key, spec[key]);
    if (n !== undefined) ops[key] = n;
  }
  // The pre-5.0 form: from/to, inclusive unless include_lower/include_upper say otherwise.
  const from = bound('from', spec.from);
  if (from !== undefined) ops[spec.include_lower === false ? 'gt' : 'gte'] = from;
  const to = bound('to', spec.to);
  if (to !== undefined) ops[spec.include_upper === false ? 'lt' : 'lte'] = to;
  const unknown = Object.keys(spec).filter(
    (k) => !['gte', 'gt', 'lte', 'lt', 'from', 'to', 'include_lower', 'include_upper', 'boost'].includes(k),
  );
  if (unknown.length > 0) return refuse('E_EA_FILTER', `range parameters not supported: ${unknown.join(', ')}`, option);
  if (Object.keys(ops).length === 0) ops.exists = true;
  return fieldOpsFilter(name, ops, option, notes);
}

const clauses = (value: unknown): unknown[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];

/** `bool`: must and filter all hold, must_not none, should as many as minimum_should_match says. */
function bool(body: unknown, option: string, notes: Notes): FilterSpec {
  if (!isRecord(body))
    return refuse('E_EA_FILTER', `expected {must: [...], should: [...], ...}, got ${describe(body)}`, option);
  const unknown = Object.keys(body).filter(
    (k) => !['must', 'filter', 'should', 'must_not', 'minimum_should_match', 'boost', '_name'].includes(k),
  );
  if (unknown.length > 0) return refuse('E_EA_FILTER', `bool parameters not supported: ${unknown.join(', ')}`, option);
  const part = (key: string) => clauses(body[key]).map((c, i) => translateQuery(c, `${option}.${key}[${i}]`, notes));
  const must = [...part('must'), ...part('filter')];
  const should = part('should');
  const mustNot = part('must_not').map(not);
  if (should.length === 0) return and([...must, ...mustNot]);
  const needed = minimumShouldMatch(body.minimum_should_match, should.length, must.length > 0, option);
  if (needed === 0) {
    notes.approximated(
      `${option}.should`,
      'should clauses next to must/filter clauses only score in Elasticsearch; they select nothing',
    );
    return and([...must, ...mustNot]);
  }
  if (needed === 1) return and([...must, or(should), ...mustNot]);
  if (needed >= should.length) return and([...must, ...should, ...mustNot]);
  return refuse(
    'E_EA_FILTER',
    `minimum_should_match ${needed} of ${should.length} should clauses is not supported (only 1 or all)`,
    option,
  );
}

/** Elasticsearch's default is 1 without must/filter clauses, else 0; integers, `"2"` and `"100%"` are read. */
function minimumShouldMatch(value: unknown, count: number, hasMust: boolean, option: string): number {
  if (value === undefined || value === null) return hasMust ? 0 : 1;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return Number(value);
    const pct = /^(\d+)%$/.exec(value);
    if (pct) return Math.floor((Number(pct[1]) / 100) * count);
  }
  return refuse('E_EA_FILTER', `minimum_should_match ${JSON.stringify(value)} is not supported`, option);
}
