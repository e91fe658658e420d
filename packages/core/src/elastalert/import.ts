import { parseDocument } from 'yaml';
import type { Mutable } from '../mutable.js';
import type { FilterSpec } from '../rules/filter.js';
import { parseRules } from '../rules/load.js';
import type { RuleConfigInput } from '../rules/schema.js';
import { type ElastAlertImportError, isElastAlertImportError, refuse } from './errors.js';
import { reportLeftovers } from './leftovers.js';
import { notifyOptions } from './notify.js';
import { translateFilter } from './query-dsl.js';
import { ruleFileText } from './render.js';
import { formatImportNote, type ImportNote, Notes } from './report.js';
import { type CommonInput, type ImportOptions, TYPE_CHECKS, TYPE_MAPPERS, UNSUPPORTED_TYPES } from './ruletypes.js';
import { RuleSource } from './source.js';
import { durationText } from './time.js';

/** One ElastAlert rule file, imported (`rule`) or refused (`error`), and what happened to each option. */
export interface ImportResult {
  readonly file: string;
  /** The npswatch rule, already validated by `parseRules`. Absent when refused. */
  readonly rule?: RuleConfigInput;
  /** Every option: mapped, approximated or ignored; or the one reason for refusing. */
  readonly report: readonly ImportNote[];
  readonly error?: ElastAlertImportError;
}

/** Why a type becomes another npswatch type, where the name alone does not say. */
const TYPE_NOTES: Readonly<Record<string, string>> = {
  frequency: 'at least count events per key in a window',
  new_term: 'a value not seen within the lookback',
  change: 'a value not seen for the key within the lookback',
  blacklist: 'an any rule with a filter on the compared field',
  whitelist: 'an any rule with a filter on the compared field',
  percentage_match: 'the share of numerator events per key and window',
  metric_aggregation: 'the metric is a count',
};

const typeNote = (type: string): { message?: string } =>
  TYPE_NOTES[type] === undefined ? {} : { message: TYPE_NOTES[type] };

/**
 * Imports one ElastAlert 2 rule (the YAML text of its file). Field names are kept as written, so rules written
 * against Winlogbeat documents read the same fields; a rule that depends on something npswatch cannot express
 * is refused with the reason (`error.code`), never imported with a silent gap.
 */
export function importElastAlertRule(yamlText: string, file: string, options: ImportOptions = {}): ImportResult {
  const notes = new Notes();
  try {
    return { file, rule: convert(yamlText, file, options, notes), report: notes.list };
  } catch (err) {
    if (!isElastAlertImportError(err)) throw err;
    // What was mapped before the refusal would only distract: the one reason is the report.
    return {
      file,
      report: [{ kind: 'refused', option: err.option ?? 'rule', message: `${err.message} [${err.code}]` }],
      error: err,
    };
  }
}

function readSource(yamlText: string): RuleSource {
  // ElastAlert reads rules with PyYAML: YAML 1.1 (`yes` is true) and duplicate keys allowed (the last wins).
  const doc = parseDocument(yamlText, { version: '1.1', uniqueKeys: false });
  if (doc.errors.length > 0) return refuse('E_EA_YAML', `invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const raw: unknown = doc.toJS();
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return refuse('E_EA_YAML', 'expected an ElastAlert rule (a YAML mapping with name, type, filter, ...)');
  return new RuleSource(raw as Record<string, unknown>);
}

function convert(yamlText: string, file: string, options: ImportOptions, notes: Notes): RuleConfigInput {
  const src = readSource(yamlText);
  if (src.has('import'))
    return refuse(
      'E_EA_OPTION',
      'rules importing shared settings are not supported: inline the imported file (its filters are part of the rule)',
      'import',
    );
  src.take('import');
  const type = src.string('type');
  if (type === undefined) return refuse('E_EA_TYPE', 'type is required', 'type');
  const mapper = TYPE_MAPPERS[type];
  if (mapper === undefined) {
    const reason =
      UNSUPPORTED_TYPES[type] ??
      (type.includes('.') ? 'custom Python rule types cannot run here' : 'not an ElastAlert 2 rule type');
    return refuse('E_EA_TYPE', `type ${JSON.stringify(type)}: ${reason}`, 'type');
  }
  TYPE_CHECKS[type]?.(src);
  const { common, filter } = commonOptions(src, notes, file);
  const mapping = mapper({ src, notes, options, common, filter, type });
  // A compat rule keeps the ElastAlert type's meaning: its own note says so.
  notes.first({
    kind: 'mapped',
    option: 'type',
    to: `type: ${mapping.rule.type}`,
    ...(mapping.compat ? {} : typeNote(type)),
  });
  const groupBy = mapping.rule.group_by?.flatMap((g) => (typeof g === 'string' ? [g] : [...g])) ?? [];
  const lateness = allowedLateness(src, notes);
  const notify = notifyOptions(src, notes, mapping, groupBy);
  reportLeftovers(src, type, notes);
  // An empty group_by is the default: leave it out of the written rule.
  const { group_by: _unused, ...rest } = mapping.rule;
  const rule: RuleConfigInput = {
    ...(groupBy.length === 0 ? rest : mapping.rule),
    ...(lateness === undefined ? {} : { allowed_lateness: lateness }),
    ...(notify === undefined ? {} : { notify }),
  };
  validate(rule, file);
  return rule;
}

/** `SSH abuse (ElastAlert 3.0.1) - 2` → `ssh-abuse-elastalert-3.0.1-2`. */
export function ruleId(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/[-._]+$/, '');
}

const SEVERITY_BY_PRIORITY = ['critical', 'critical', 'high', 'medium', 'low', 'info'] as const;

function commonOptions(src: RuleSource, notes: Notes, file: string): { common: CommonInput; filter: FilterSpec } {
  const name = src.string('name');
  const base = file
    .split(/[\\/]/)
    .pop()!
    .replace(/\.ya?ml$/i, '');
  const id = ruleId(name ?? '') || ruleId(base) || 'elastalert-rule';
  if (name === undefined) notes.approximated('name', `not set: the id comes from the file name`, `id: ${id}`);
  else notes.mapped('name', `id: ${id}`, id === name ? undefined : 'the name itself is kept in description');
  const text = src.string('description');
  if (text !== undefined) notes.mapped('description', 'description');
  const description = [name === id ? undefined : name, text].filter((t) => t !== undefined && t !== '').join(': ');
  const common: Mutable<CommonInput> = { id };
  if (description !== '') common.description = description;
  const enabled = src.boolean('is_enabled');
  if (enabled !== undefined) {
    common.enabled = enabled;
    notes.mapped('is_enabled', `enabled: ${enabled}`);
  }
  const priority = src.number('priority', { integer: true, min: 0 });
  if (priority !== undefined) {
    common.severity = SEVERITY_BY_PRIORITY[Math.min(priority, SEVERITY_BY_PRIORITY.length - 1)]!;
    notes.approximated(
      'priority',
      'ElastAlert priorities are free numbers; read as 1 most urgent … 5 least',
      `severity: ${common.severity}`,
    );
  }
  const labels: Record<string, string> = {};
  for (const key of ['owner', 'category'] as const) {
    const value = src.string(key);
    if (value === undefined) continue;
    if (value === '') {
      notes.ignored(key, 'empty');
      continue;
    }
    labels[key] = value;
    notes.mapped(key, `labels.${key}`);
  }
  if (Object.keys(labels).length > 0) common.labels = labels;
  const written = 'filter' in src.raw;
  const filter = translateFilter(src.take('filter'), 'filter', notes);
  if (Object.keys(filter).length > 0) {
    common.filter = filter;
    notes.mapped('filter', 'filter', 'query DSL translated into an npswatch filter');
  } else if (written) notes.mapped('filter', 'no filter', 'it selects every event');
  return { common, filter };
}

/** `buffer_time` + `query_delay`: how late an event can be found by ElastAlert's queries. */
function allowedLateness(src: RuleSource, notes: Notes): string | undefined {
  const buffer = src.pending('buffer_time') ? src.millis('buffer_time') : undefined;
  const delay = src.millis('query_delay');
  if (buffer === undefined && delay === undefined) return undefined;
  const total = durationText((buffer ?? 0) + (delay ?? 0));
  const both = buffer !== undefined && delay !== undefined;
  const message = both
    ? 'ElastAlert finds events up to buffer_time + query_delay late; npswatch still counts them within allowed_lateness'
    : 'events this late are still counted where they belong';
  if (buffer !== undefined) notes.mapped('buffer_time', `allowed_lateness: ${total}`, message);
  if (delay !== undefined) notes.mapped('query_delay', `allowed_lateness: ${total}`, message);
  return total;
}

/** Round trip through the rule file loader: an imported rule is one `npswatch replay --rules` can load. */
function validate(rule: RuleConfigInput, file: string): void {
  try {
    parseRules(ruleFileText([rule]), file);
  } catch (err) {
    if (err instanceof Error && err.name === 'RuleFileError')
      refuse('E_EA_INVALID', `the produced rule does not validate: ${err.message}`);
    throw err;
  }
}

/** The report as lines (for the CLI and for the comment on top of written files). */
export const reportLines = (report: readonly ImportNote[]): string[] => report.map(formatImportNote);
