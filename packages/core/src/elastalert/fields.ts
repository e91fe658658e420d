import { FIELD_ALIASES, FIELD_GETTERS, resolveField } from '../classify/fields.js';
import type { FieldOps, FilterSpec } from '../rules/filter.js';
import { refuse } from './errors.js';
import type { Notes } from './report.js';
import { and, field } from './spec.js';
import { condition, type QueryValue } from './values.js';

/** Elasticsearch multi-field suffixes: the unanalysed copy of a field holds the same value as the field here. */
const SUB_FIELDS = ['.keyword', '.raw'];

/**
 * Full-text fields: Elasticsearch analyses them (lower-cased words), so `match` and `query_string` values are
 * words inside them, not the whole value. Every other field npswatch reads is a keyword in Winlogbeat and ECS.
 */
const TEXT_FIELDS = new Set(['message', 'error.message', 'npswatch.detail']);

/** True for a field (name as written, already checked) that Elasticsearch would analyse as full text. */
export function isTextField(name: string): boolean {
  const path = resolveField(name);
  return path !== undefined && TEXT_FIELDS.has(path);
}

function unknownField(name: string): string {
  const hint = name.startsWith('winlog.event_data.')
    ? 'Winlogbeat event_data fields are not kept on classified events'
    : name.includes('*')
      ? 'field wildcards are not supported'
      : 'it is not one of the ECS paths npswatch reads';
  return `field "${name}": ${hint} (see docs/rules.md#fields-and-filters for the fields rules can use)`;
}

/**
 * The name to write in the npswatch rule for an ElastAlert field, kept as written so rules against Winlogbeat
 * documents read the same fields. A `.keyword` suffix is dropped; an npswatch alias is kept but reported (it
 * may not mean what the Elasticsearch field meant). A field npswatch cannot read refuses the rule: every caller
 * passes fields the rule depends on (filters, keys, compared fields).
 */
export function ruleField(name: unknown, option: string, notes: Notes): string {
  if (typeof name !== 'string' || name === '')
    return refuse('E_EA_OPTION', `expected a field name, got ${JSON.stringify(name)}`, option);
  if (resolveField(name) !== undefined) {
    if (!(name in FIELD_GETTERS))
      notes.approximated(option, `"${name}" is read as npswatch's alias for ${FIELD_ALIASES[name]}`);
    return name;
  }
  for (const suffix of SUB_FIELDS) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && resolveField(base) !== undefined) {
      notes.mapped(option, base, `"${name}" is the keyword copy of ${base}; npswatch compares the value as logged`);
      return ruleField(base, option, notes);
    }
  }
  return refuse('E_EA_FIELD', unknownField(name), option);
}

/** A filter testing one ElastAlert field with a query value (the field checked and kept as written). */
export function fieldFilter(name: unknown, value: QueryValue, option: string, notes: Notes): FilterSpec {
  const path = ruleField(name, option, notes);
  const text = isTextField(path);
  if (text)
    notes.approximated(option, `${path} is full text in Elasticsearch: its words are matched case-insensitively`);
  return and(condition(value, text).map((cond) => field(path, cond)));
}

/** A filter testing one ElastAlert field with npswatch operators (ranges, exists). */
export function fieldOpsFilter(name: unknown, ops: FieldOps, option: string, notes: Notes): FilterSpec {
  return field(ruleField(name, option, notes), ops);
}
