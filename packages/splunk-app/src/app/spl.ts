import { type RuleConfig, resolveField } from '@npswatch/core';

/**
 * SPL text built from the catalog and rule files. Every value that reaches a search goes through `splString`
 * (a double-quoted eval/search string literal with `\` and `"` escaped) and every field through `splField`, so
 * no value can end a string or a command early; event data is only ever compared, never pasted into SPL.
 */

/** A double-quoted SPL string literal. Newlines are refused: a conf value is one line. */
export function splString(value: string | number | boolean): string {
  const text = String(value);
  if (/[\r\n]/.test(text)) throw new RangeError(`an SPL string must be one line: ${JSON.stringify(text)}`);
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A field name in an eval expression: single-quoted (dots and dashes are fine), quote characters refused. */
export function splField(name: string): string {
  if (!/^[A-Za-z_@][\w.@-]*$/.test(name)) throw new RangeError(`not a field name usable in SPL: ${name}`);
  return `'${name}'`;
}

/**
 * Rule field (alias or ECS path) → the field searches use. The app's props.conf and the `npswatch_normalize`
 * macro give these names the same meaning for npswatch's HEC events and for Windows event log events; any other
 * ECS path is searched as is (present in HEC events only).
 */
const SPLUNK_FIELDS: Readonly<Record<string, string>> = {
  'npswatch.code': 'code',
  'npswatch.category': 'category',
  'npswatch.severity': 'severity',
  'npswatch.audience': 'audience',
  'npswatch.kind': 'kind',
  'host.name': 'dest',
  'npswatch.user.key': 'user_key',
  'winlog.channel': 'channel',
  'winlog.event_id': 'event_id',
  'event.outcome': 'outcome',
  'npswatch.radius.client_ip': 'client_ip',
  'npswatch.radius.nas_identifier': 'nas',
  'npswatch.radius.nas_ip': 'nas_ip',
  'npswatch.radius.network_policy': 'network_policy',
  'source.ip': 'src_ip',
  'npswatch.radius.state': 'radius_state',
  'npswatch.radius.reason_code': 'reason_code',
  'npswatch.correlation_id': 'correlation_id',
};

/** The Splunk field for a rule field name. */
export function splunkField(name: string): string {
  const path = resolveField(name);
  if (path === undefined) throw new RangeError(`unknown rule field "${name}"`);
  return SPLUNK_FIELDS[path] ?? path;
}

type Scalar = string | number | boolean;
type Condition = Scalar | readonly Scalar[] | Readonly<Record<string, unknown>>;
export type Filter = NonNullable<RuleConfig['filter']>;

const FALSE = '1==0';
const TRUE = '1==1';

/** Equality the way npswatch compares: as text, and a missing field equals nothing. */
function equals(field: string, value: Scalar): string {
  return `coalesce(tostring(${field}),"")==${splString(value)}`;
}

/** A JavaScript pattern (`^adm` or `/^adm/i`) as a PCRE string for `match()`. */
function pcre(pattern: string): string {
  const literal = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
  if (literal === null) return pattern;
  const flags = literal[2]!.replace(/[gyduv]/g, '');
  return flags === '' ? literal[1]! : `(?${flags})${literal[1]!}`;
}

function condition(field: string, cond: Condition): string {
  if (typeof cond !== 'object') return equals(field, cond);
  if (Array.isArray(cond)) return `(${(cond as readonly Scalar[]).map((v) => equals(field, v)).join(' OR ')})`;
  const ops = cond as Readonly<Record<string, unknown>>;
  const parts: string[] = [];
  const num = `tonumber(${field})`;
  for (const [op, arg] of Object.entries(ops)) {
    if (arg === undefined) continue;
    switch (op) {
      case 'eq':
      case 'in':
        parts.push(condition(field, arg as Condition));
        break;
      case 'not':
        parts.push(`NOT (${condition(field, arg as Condition)})`);
        break;
      case 'matches':
        parts.push(`match(coalesce(tostring(${field}),""), ${splString(pcre(String(arg)))})`);
        break;
      case 'exists':
        parts.push(arg === true ? `(isnotnull(${field}) AND ${field}!="")` : `(isnull(${field}) OR ${field}=="")`);
        break;
      case 'gte':
      case 'lte':
      case 'gt':
      case 'lt': {
        const cmp = { gte: '>=', lte: '<=', gt: '>', lt: '<' }[op];
        parts.push(`if(isnull(${num}), ${FALSE}, ${num}${cmp}${Number(arg)})`);
        break;
      }
      default:
        throw new RangeError(`unknown filter operator "${op}"`);
    }
  }
  return parts.length === 0 ? TRUE : parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
}

/** A rule filter as an eval/where expression with npswatch's semantics (missing fields equal nothing). */
export function filterExpression(filter: Filter | undefined): string {
  if (filter === undefined) return TRUE;
  const parts: string[] = [];
  for (const [name, cond] of Object.entries(filter as Readonly<Record<string, unknown>>)) {
    if (cond === undefined) continue;
    if (name === 'all' || name === 'any') {
      const subs = (cond as readonly Filter[]).map(filterExpression);
      parts.push(`(${subs.join(name === 'all' ? ' AND ' : ' OR ')})`);
    } else if (name === 'not') parts.push(`NOT (${filterExpression(cond as Filter)})`);
    else parts.push(condition(splField(splunkField(name)), cond as Condition));
  }
  return parts.length === 0 ? TRUE : parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
}

/** A group_by entry: its output field name and the expression giving its value ("first present" for lists). */
export function groupField(entry: string | readonly string[]): { name: string; expr: string } {
  const names = (typeof entry === 'string' ? [entry] : entry).map(splunkField);
  const field = (n: string) => `if(${splField(n)}=="", null(), ${splField(n)})`;
  const name = names.map((n) => n.replace(/\W/g, '_')).join('_or_');
  return { name, expr: names.length === 1 ? field(names[0]!) : `coalesce(${names.map(field).join(', ')})` };
}
