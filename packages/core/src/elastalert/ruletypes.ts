import type { FilterSpec, Scalar } from '../rules/filter.js';
import type { RuleConfigInput } from '../rules/schema.js';
import { refuse } from './errors.js';
import { ruleField } from './fields.js';
import { translateFilter } from './query-dsl.js';
import type { Notes } from './report.js';
import type { RuleSource } from './source.js';
import { and, field } from './spec.js';
import { durationText, slidingStep } from './time.js';

/** Options every npswatch rule shares, as the importer fills them in before the type is mapped. */
export type CommonInput = Omit<Extract<RuleConfigInput, { type: 'any' }>, 'type'>;

export interface ImportOptions {
  /**
   * Reads a `"!file /path"` list of blacklist or whitelist values (the path as written in the rule; the CLI
   * resolves it against the rule's directory). Undefined or a throw means unreadable, which refuses the rule.
   */
  readonly readListFile?: (path: string) => string | undefined;
  /**
   * Write `compat: elastalert` on the rules whose ElastAlert semantics npswatch can reproduce (docs/rules.md,
   * "Compatibility mode"), with options mapped one to one; other rules are imported with npswatch semantics.
   */
  readonly compat?: boolean;
}

export interface TypeContext {
  readonly src: RuleSource;
  readonly notes: Notes;
  readonly options: ImportOptions;
  /** Common options, with `filter` already translated from the ElastAlert filter. */
  readonly common: CommonInput;
  /** The translated filter (as in `common`, typed). */
  readonly filter: FilterSpec;
  readonly type: string;
}

export interface TypeMapping {
  readonly rule: RuleConfigInput;
  /** The window length in ms, for windowed rules (realert 0 becomes one notification per window). */
  readonly windowMs?: number;
  /** Rules whose detections are moments (any, new_value, compat rules): their alerts close by themselves. */
  readonly point: boolean;
  /** The rule runs with `compat: elastalert` (realert then keeps ElastAlert's default of 1 minute). */
  readonly compat?: boolean;
}

type Mapper = (ctx: TypeContext) => TypeMapping;

// ---------------------------------------------------------------------------------------------------------------
// Shared options

/**
 * `query_key` (one field or a compound list) → `group_by`. `compat`: how a compat rule treats events missing the
 * field, as ElastAlert does: counted under `_missing`, or in no key (Elasticsearch aggregations).
 */
function queryKey(ctx: TypeContext, option = 'query_key', compat?: 'missing' | 'skipped'): string[] {
  const names = ctx.src.names(option);
  if (names === undefined) return [];
  const fields = names.map((n, i) => ruleField(n, names.length === 1 ? option : `${option}[${i}]`, ctx.notes));
  if (compat !== undefined) {
    ctx.notes.mapped(
      option,
      `group_by: [${fields.join(', ')}]`,
      compat === 'missing'
        ? 'events missing a field are counted under "_missing", as in ElastAlert'
        : "events missing a field are in no key, as in Elasticsearch's terms aggregation",
    );
    return fields;
  }
  ctx.notes.mapped(option, `group_by: [${fields.join(', ')}]`);
  ctx.notes.approximated(
    option,
    fields.length > 1
      ? 'events missing one of the fields are skipped (ElastAlert groups them under "None" in the compound key)'
      : 'events missing the field are skipped (ElastAlert groups them under "_missing")',
  );
  return fields;
}

interface Window {
  readonly window: string;
  readonly step?: string;
  readonly ms: number;
}

/**
 * `timeframe` → `window`. `sliding` adds a step of about a tenth of the window: ElastAlert's window slides with
 * every event; npswatch evaluates the window at each step boundary, on closed buckets.
 */
function windowOf(ctx: TypeContext, option: string, sliding: boolean, difference?: string): Window {
  const length = ctx.src.millis(option);
  if (length === undefined) return refuse('E_EA_OPTION', `${option} is required for ${ctx.type} rules`, option);
  if (length <= 0) return refuse('E_EA_OPTION', `${option} must be longer than 0`, option);
  const window = durationText(length);
  const step = sliding ? slidingStep(length) : undefined;
  if (step === undefined) {
    if (difference === undefined) ctx.notes.mapped(option, `window: ${window}`);
    else ctx.notes.approximated(option, difference, `window: ${window}`);
    return { window, ms: length };
  }
  ctx.notes.approximated(
    option,
    'ElastAlert re-counts the window at every event; npswatch evaluates the last window at every step, on closed buckets',
    `window: ${window}, step: ${durationText(step)}`,
  );
  return { window, step: durationText(step), ms: length };
}

/** A number option of the ElastAlert rule, required. */
function required(ctx: TypeContext, option: string, opts: { integer?: boolean; min?: number } = {}): number {
  const value = ctx.src.number(option, opts);
  return value ?? refuse('E_EA_OPTION', `${option} is required for ${ctx.type} rules`, option);
}

type CompatInput = NonNullable<Extract<RuleConfigInput, { type: 'any' }>['compat']>;

/** Whether this import writes `compat: elastalert` (only types with a compat runtime call it). */
const compatMode = (ctx: TypeContext): boolean => ctx.options.compat === true;

/**
 * The `compat` option of a compat import: `elastalert`, or the long form when the rule sets `run_every` (ElastAlert
 * takes it from the global config otherwise; npswatch's default is 1 minute) or `forget_keys`.
 */
function compatOption(ctx: TypeContext, extra: { readonly forgetKeys?: boolean; readonly runEvery?: number } = {}) {
  const runEvery = extra.runEvery ?? (ctx.src.pending('run_every') ? ctx.src.millis('run_every') : undefined);
  if (runEvery !== undefined && extra.runEvery === undefined)
    ctx.notes.mapped('run_every', `compat.run_every: ${durationText(runEvery)}`, 'runs end on this grid of event time');
  ctx.notes.mapped(
    'type',
    'compat: elastalert',
    `ElastAlert ${ctx.type} semantics (docs/rules.md, Compatibility mode)`,
  );
  for (const option of ['use_count_query', 'use_terms_query'] as const) {
    if (ctx.src.peek(option) !== true) continue;
    ctx.src.take(option);
    ctx.notes.approximated(
      option,
      'ElastAlert then adds one count per run (at its end) instead of each event; compat mode decides per event',
    );
  }
  const value: CompatInput =
    runEvery === undefined && extra.forgetKeys !== true
      ? 'elastalert'
      : {
          mode: 'elastalert',
          ...(runEvery === undefined ? {} : { run_every: durationText(runEvery) }),
          ...(extra.forgetKeys === true ? { forget_keys: true } : {}),
        };
  return { compat: value };
}

/** `timeframe` → `window` as it is: a compat rule measures it back from each event, as ElastAlert does. */
function compatWindow(ctx: TypeContext): Window {
  const length = ctx.src.millis('timeframe');
  if (length === undefined) return refuse('E_EA_OPTION', `timeframe is required for ${ctx.type} rules`, 'timeframe');
  if (length <= 0) return refuse('E_EA_OPTION', 'timeframe must be longer than 0', 'timeframe');
  const window = durationText(length);
  ctx.notes.mapped('timeframe', `window: ${window}`, 'measured back from the newest event, as in ElastAlert');
  return { window, ms: length };
}

/** A type imported with npswatch semantics although compat was asked for, and why. */
function noCompat(ctx: TypeContext, why: string): void {
  if (compatMode(ctx))
    ctx.notes.approximated('type', `no compat mode for ${ctx.type} rules: ${why}; npswatch semantics`);
}

/** The calculation window of rules ElastAlert evaluates per query (percentage_match, metric_aggregation). */
function queryWindow(ctx: TypeContext): Window {
  const bucket = ctx.src.millis('bucket_interval');
  const everyRunOption = ctx.src.boolean('use_run_every_query_size');
  const everyRun = everyRunOption === true;
  const runEvery = ctx.src.millis('run_every');
  const buffer = ctx.src.millis('buffer_time');
  const [option, ms] =
    bucket !== undefined
      ? ['bucket_interval', bucket]
      : everyRun && runEvery !== undefined
        ? ['run_every', runEvery]
        : ['buffer_time', buffer];
  if (ms === undefined)
    return refuse(
      'E_EA_OPTION',
      `${ctx.type} rules are computed over buffer_time (or bucket_interval), which this rule does not set (the global config's value cannot be known)`,
      'buffer_time',
    );
  ctx.notes.approximated(
    option,
    'ElastAlert computes the value per query run; npswatch per aligned window of this length',
    `window: ${durationText(ms)}`,
  );
  for (const other of ['bucket_interval', 'run_every', 'buffer_time'] as const)
    if (other !== option && ctx.src.has(other)) ctx.notes.ignored(other, `the calculation window comes from ${option}`);
  if (option === 'run_every') ctx.notes.mapped('use_run_every_query_size', 'window from run_every');
  else if (everyRunOption !== undefined)
    ctx.notes.ignored('use_run_every_query_size', `the calculation window comes from ${option}`);
  return { window: durationText(ms), ms };
}

// ---------------------------------------------------------------------------------------------------------------
// Rule types

const anyType: Mapper = (ctx) =>
  compatMode(ctx)
    ? {
        rule: { ...ctx.common, type: 'any', group_by: queryKey(ctx, 'query_key', 'missing'), ...compatOption(ctx) },
        point: true,
        compat: true,
      }
    : { rule: { ...ctx.common, type: 'any', group_by: queryKey(ctx) }, point: true };

const frequency: Mapper = (ctx) => {
  const count = required(ctx, 'num_events', { integer: true, min: 1 });
  if (compatMode(ctx)) return compatFrequency(ctx, count);
  ctx.notes.mapped('num_events', `count: ${count}`);
  const win = windowOf(ctx, 'timeframe', true);
  const rule: Extract<RuleConfigInput, { type: 'threshold' }> = {
    ...ctx.common,
    type: 'threshold',
    group_by: queryKey(ctx),
    window: win.window,
    ...(win.step === undefined ? {} : { step: win.step }),
    count,
  };
  const related = ctx.src.boolean('attach_related');
  if (related === false)
    ctx.notes.mapped('attach_related', 'sample_size default', 'detections carry a few sample events');
  if (related === true) {
    const sample = Math.min(count, 100);
    ctx.notes.mapped(
      'attach_related',
      `sample_size: ${sample}`,
      'detections carry up to this many of the events behind them',
    );
    return { rule: { ...rule, sample_size: sample }, windowMs: win.ms, point: false };
  }
  ctx.notes.approximated(
    'num_events',
    'ElastAlert empties the window after a match (one match per num_events events); npswatch keeps every window that holds active',
  );
  return { rule, windowMs: win.ms, point: false };
};

/** frequency with `compat: elastalert`: the same window, emptied after each match. */
function compatFrequency(ctx: TypeContext, count: number): TypeMapping {
  ctx.notes.mapped('num_events', `count: ${count}`, "the key's window is emptied after a match, as in ElastAlert");
  const win = compatWindow(ctx);
  const related = ctx.src.boolean('attach_related');
  const sample = Math.min(count, 100);
  if (related === true)
    ctx.notes.mapped('attach_related', `sample_size: ${sample}`, 'detections carry the newest events of the window');
  if (related === false) ctx.notes.mapped('attach_related', 'sample_size default', 'detections carry a few events');
  const rule: Extract<RuleConfigInput, { type: 'threshold' }> = {
    ...ctx.common,
    type: 'threshold',
    group_by: queryKey(ctx, 'query_key', 'missing'),
    window: win.window,
    count,
    ...(related === true ? { sample_size: sample } : {}),
    ...compatOption(ctx),
  };
  return { rule, windowMs: win.ms, point: true, compat: true };
}

/** spike with `compat: elastalert`: ElastAlert's options one to one, its floors of 0 written out. */
function compatSpike(ctx: TypeContext, height: number, direction: 'up' | 'down' | 'both'): TypeMapping {
  const win = compatWindow(ctx);
  const floor = (option: 'threshold_cur' | 'threshold_ref', to: 'min_current' | 'min_reference'): number => {
    const given = ctx.src.number(option, { min: 0 });
    const value = given === undefined ? 0 : to === 'min_current' ? Math.ceil(given) : given;
    if (given === undefined) ctx.notes.mapped(option, `${to}: 0`, "not set: ElastAlert's default, no floor");
    else ctx.notes.mapped(option, `${to}: ${value}`, 'applies to every direction, as in ElastAlert');
    return value;
  };
  const rule: Extract<RuleConfigInput, { type: 'spike' }> = {
    ...ctx.common,
    type: 'spike',
    group_by: queryKey(ctx, 'query_key', 'missing'),
    window: win.window,
    direction,
    ratio: height,
    min_current: floor('threshold_cur', 'min_current'),
    min_reference: floor('threshold_ref', 'min_reference'),
  };
  const newData = ctx.src.boolean('alert_on_new_data');
  if (newData !== undefined)
    ctx.notes.mapped(
      'alert_on_new_data',
      `alert_on_new_keys: ${newData}`,
      "with ElastAlert's rule-wide warm-up: once one key is warm, new keys are checked",
    );
  return {
    rule: { ...rule, ...(newData === undefined ? {} : { alert_on_new_keys: newData }), ...compatOption(ctx) },
    windowMs: win.ms,
    point: true,
    compat: true,
  };
}

const spike: Mapper = (ctx) => {
  if (ctx.src.has('field_value'))
    return refuse(
      'E_EA_OPTION',
      'spikes of a field value (field_value) are not supported: npswatch counts events',
      'field_value',
    );
  const height = required(ctx, 'spike_height', { min: 0 });
  if (height <= 1)
    return refuse('E_EA_OPTION', `spike_height must be greater than 1 for a spike (got ${height})`, 'spike_height');
  ctx.notes.mapped('spike_height', `ratio: ${height}`);
  const direction = ctx.src.string('spike_type');
  if (direction !== 'up' && direction !== 'down' && direction !== 'both')
    return refuse('E_EA_OPTION', `spike_type must be up, down or both, got ${JSON.stringify(direction)}`, 'spike_type');
  ctx.notes.mapped('spike_type', `direction: ${direction}`);
  if (compatMode(ctx)) return compatSpike(ctx, height, direction);
  const win = windowOf(
    ctx,
    'timeframe',
    false,
    'the current window is compared with the one before it once it is complete (ElastAlert compares after every event, which misfires on bursts)',
  );
  const thresholds: { min_current?: number; min_reference?: number } = {};
  const cur = ctx.src.number('threshold_cur', { min: 0 });
  const ref = ctx.src.number('threshold_ref', { min: 0 });
  if (cur !== undefined) {
    thresholds.min_current = Math.ceil(cur);
    if (direction === 'up') ctx.notes.mapped('threshold_cur', `min_current: ${thresholds.min_current}`);
    else
      ctx.notes.approximated(
        'threshold_cur',
        'npswatch applies the current-window floor to up spikes only; down spikes are gated by min_reference',
        `min_current: ${thresholds.min_current}`,
      );
  } else if (direction !== 'down') {
    ctx.notes.approximated(
      'threshold_cur',
      `not set: ElastAlert has no floor; npswatch's min_current default (5) applies, so 0 → 3 is no spike`,
    );
  }
  if (ref !== undefined) {
    thresholds.min_reference = ref;
    if (direction === 'down') ctx.notes.mapped('threshold_ref', `min_reference: ${ref}`);
    else
      ctx.notes.approximated(
        'threshold_ref',
        'npswatch applies the reference floor to down spikes only; up spikes are gated by min_current',
        `min_reference: ${ref}`,
      );
  } else if (direction !== 'up') {
    ctx.notes.approximated(
      'threshold_ref',
      `not set: ElastAlert has no floor; npswatch's min_reference default (5) applies, so 2 → 0 is no spike`,
    );
  }
  const rule: Extract<RuleConfigInput, { type: 'spike' }> = {
    ...ctx.common,
    type: 'spike',
    group_by: queryKey(ctx),
    window: win.window,
    direction,
    ratio: height,
    ...thresholds,
  };
  const newData = ctx.src.boolean('alert_on_new_data');
  if (newData !== undefined) {
    ctx.notes.approximated(
      'alert_on_new_data',
      "each key's history counts from the rule's start (ElastAlert's warm-up flag is global)",
      `alert_on_new_keys: ${newData}`,
    );
    return { rule: { ...rule, alert_on_new_keys: newData }, windowMs: win.ms, point: false };
  }
  return { rule, windowMs: win.ms, point: false };
};

/** The flatline rule both mappings write (compat adds its option). */
function flatlineRule(
  ctx: TypeContext,
  groupBy: string[],
  win: Window,
  minCount: number,
): Extract<RuleConfigInput, { type: 'flatline' }> {
  return { ...ctx.common, type: 'flatline', group_by: groupBy, window: win.window, min_count: minCount };
}

const flatline: Mapper = (ctx) => {
  const min = required(ctx, 'threshold', { min: 0 });
  const minCount = Math.ceil(min);
  if (minCount < 1)
    return refuse('E_EA_OPTION', `threshold ${min} can never be undercut (a flatline needs at least 1)`, 'threshold');
  ctx.notes.mapped('threshold', `min_count: ${minCount}`);
  if (compatMode(ctx)) return compatFlatline(ctx, minCount);
  const win = windowOf(ctx, 'timeframe', false);
  const groupBy = queryKey(ctx);
  const rule = flatlineRule(ctx, groupBy, win, minCount);
  const forget = ctx.src.boolean('forget_keys');
  if (forget === true && groupBy.length > 0) {
    const after = durationText(2 * win.ms);
    ctx.notes.approximated(
      'forget_keys',
      'a key silent for two windows alerts once and is then forgotten until it is seen again',
      `forget_after: ${after}`,
    );
    return { rule: { ...rule, forget_after: after }, windowMs: win.ms, point: false };
  }
  if (forget === true) ctx.notes.ignored('forget_keys', 'only has a meaning with query_key');
  if (forget === false)
    ctx.notes.mapped('forget_keys', 'forget_after default', 'keys are not forgotten at their first alert');
  if (groupBy.length > 0)
    ctx.notes.approximated(
      'query_key',
      'a key silent for longer than forget_after (default 7d) stops being expected; list servers that must always log in expected_keys',
    );
  return { rule, windowMs: win.ms, point: false };
};

/** flatline with `compat: elastalert`: keys learned from events, re-checked every run, forget_keys as it is. */
function compatFlatline(ctx: TypeContext, minCount: number): TypeMapping {
  const win = compatWindow(ctx);
  const groupBy = queryKey(ctx, 'query_key', 'missing');
  const forget = ctx.src.boolean('forget_keys');
  if (forget !== undefined)
    ctx.notes.mapped(
      'forget_keys',
      forget ? 'compat.forget_keys: true' : 'compat.forget_keys default',
      forget ? 'a key is forgotten at its first alert until it is seen again' : 'keys are never forgotten',
    );
  const rule = { ...flatlineRule(ctx, groupBy, win, minCount), ...compatOption(ctx, { forgetKeys: forget === true }) };
  return { rule, windowMs: win.ms, point: true, compat: true };
}

const cardinality: Mapper = (ctx) => {
  const fieldName = ruleField(ctx.src.take('cardinality_field'), 'cardinality_field', ctx.notes);
  ctx.notes.mapped('cardinality_field', `field: ${fieldName}`);
  const max = ctx.src.number('max_cardinality', { integer: true, min: 0 });
  const min = ctx.src.number('min_cardinality', { integer: true, min: 1 });
  if (max === undefined && min === undefined)
    return refuse('E_EA_OPTION', 'cardinality rules need max_cardinality or min_cardinality', 'max_cardinality');
  if (compatMode(ctx)) {
    if (max !== undefined) ctx.notes.mapped('max_cardinality', `max: ${max}`, 'a match on every event while over it');
    if (min !== undefined)
      ctx.notes.mapped('min_cardinality', `min: ${min}`, "checked after the key's timeframe, which a match restarts");
    const win = compatWindow(ctx);
    const rule: Extract<RuleConfigInput, { type: 'cardinality' }> = {
      ...ctx.common,
      type: 'cardinality',
      group_by: queryKey(ctx, 'query_key', 'missing'),
      window: win.window,
      field: fieldName,
      ...(max === undefined ? {} : { max }),
      ...(min === undefined ? {} : { min }),
      ...compatOption(ctx),
    };
    return { rule, windowMs: win.ms, point: true, compat: true };
  }
  if (max !== undefined)
    ctx.notes.approximated(
      'max_cardinality',
      'one detection per key and window above the limit (ElastAlert matches on every event while over it)',
      `max: ${max}`,
    );
  if (min !== undefined)
    ctx.notes.approximated(
      'min_cardinality',
      "judged per window with traffic once the key's activity spans a whole window (ElastAlert: timeframe after the first event, then the timeframe restarts)",
      `min: ${min}`,
    );
  const win = windowOf(ctx, 'timeframe', true);
  const rule: Extract<RuleConfigInput, { type: 'cardinality' }> = {
    ...ctx.common,
    type: 'cardinality',
    group_by: queryKey(ctx),
    window: win.window,
    ...(win.step === undefined ? {} : { step: win.step }),
    field: fieldName,
    ...(max === undefined ? {} : { max }),
    ...(min === undefined ? {} : { min }),
  };
  return { rule, windowMs: win.ms, point: false };
};

const newTerm: Mapper = (ctx) => {
  let fields: string[];
  if (ctx.src.has('fields')) {
    const entries = ctx.src.names('fields')!;
    if (entries.length > 1 && entries.every((e) => !Array.isArray(e)))
      return refuse(
        'E_EA_OPTION',
        `fields lists ${entries.length} separately watched fields; an npswatch new_value rule watches one field or one composite (write one ElastAlert rule per field, or a composite [[a, b]])`,
        'fields',
      );
    const composite = entries.length === 1 && Array.isArray(entries[0]) ? (entries[0] as unknown[]) : entries;
    fields = composite.map((f, i) => ruleField(f, `fields[${i}]`, ctx.notes));
    ctx.notes.mapped('fields', `fields: [${fields.join(', ')}]`);
    if (ctx.src.has('query_key'))
      ctx.notes.approximated(
        'query_key',
        'in new_term rules it only keys realert; new values are tracked across the whole rule',
      );
    ctx.src.take('query_key');
  } else {
    const names = ctx.src.names('query_key');
    if (names === undefined) return refuse('E_EA_OPTION', 'new_term rules need fields (or query_key)', 'fields');
    fields = names.map((f, i) => ruleField(f, names.length === 1 ? 'query_key' : `query_key[${i}]`, ctx.notes));
    ctx.notes.mapped(
      'query_key',
      `fields: [${fields.join(', ')}]`,
      'new_term watches query_key when fields is not set',
    );
  }
  if (compatMode(ctx)) return compatNewTerm(ctx, fields);
  const rule: Extract<RuleConfigInput, { type: 'new_value' }> = { ...ctx.common, type: 'new_value', fields };
  const lookback = ctx.src.millis('terms_window_size');
  ctx.notes.approximated(
    'terms_window_size',
    'npswatch does not query past terms at start: values seen before the rule started are new unless old logs are replayed first (or warmup is set)',
    lookback === undefined ? undefined : `lookback: ${durationText(lookback)}`,
  );
  const missing = ctx.src.boolean('alert_on_missing_field');
  if (missing === true)
    ctx.notes.approximated('alert_on_missing_field', 'events missing a watched field are ignored, not alerted on');
  else if (missing === false) ctx.notes.mapped('alert_on_missing_field', 'events missing a watched field are ignored');
  return {
    rule: lookback === undefined || lookback === 0 ? rule : { ...rule, lookback: durationText(lookback) },
    point: true,
  };
};

/** new_term with `compat: elastalert`: one match per value for as long as the rule runs. */
function compatNewTerm(ctx: TypeContext, fields: string[]): TypeMapping {
  if (ctx.src.has('terms_window_size'))
    ctx.notes.approximated(
      'terms_window_size',
      'npswatch does not query past terms at start: values seen before the rule started are new unless old logs are replayed first (or warmup is set); new values are remembered as long as the rule runs, as in ElastAlert',
    );
  ctx.src.take('terms_window_size');
  const missing = ctx.src.boolean('alert_on_missing_field');
  if (missing === true)
    ctx.notes.approximated('alert_on_missing_field', 'events missing a watched field are ignored, not alerted on');
  else if (missing === false) ctx.notes.mapped('alert_on_missing_field', 'events missing a watched field are ignored');
  const rule: Extract<RuleConfigInput, { type: 'new_value' }> = {
    ...ctx.common,
    type: 'new_value',
    fields,
    ...compatOption(ctx),
  };
  return { rule, point: true, compat: true };
}

const change: Mapper = (ctx) => {
  noCompat(ctx, 'a change is a value differing from the previous one, which npswatch does not track');
  const names = ctx.src.names('compare_key') ?? ctx.src.names('compound_compare_key');
  if (names === undefined) return refuse('E_EA_OPTION', 'change rules need compare_key', 'compare_key');
  const fields = names.map((f, i) => ruleField(f, names.length === 1 ? 'compare_key' : `compare_key[${i}]`, ctx.notes));
  if (!ctx.src.has('query_key')) return refuse('E_EA_OPTION', 'change rules need query_key', 'query_key');
  const groupBy = queryKey(ctx);
  ctx.notes.approximated(
    'compare_key',
    'alerts on a value not seen for the key within the lookback, including its first value; ElastAlert alerts when the value differs from the previous one (A → B → A alerts twice there, once here)',
    `fields: [${fields.join(', ')}]`,
  );
  if (ctx.src.boolean('ignore_null') === true)
    ctx.notes.mapped('ignore_null', 'events missing a compared field are ignored');
  else
    ctx.notes.approximated(
      'ignore_null',
      'events missing a compared field are ignored (ElastAlert compares the missing value)',
    );
  const timeframe = ctx.src.millis('timeframe');
  if (timeframe === undefined)
    ctx.notes.approximated(
      'timeframe',
      'not set: ElastAlert remembers the last value forever; npswatch for 30 days (lookback)',
    );
  else if (timeframe > 0) ctx.notes.mapped('timeframe', `lookback: ${durationText(timeframe)}`);
  else ctx.notes.approximated('timeframe', '0 is read as not set: npswatch remembers values for 30 days (lookback)');
  const rule: Extract<RuleConfigInput, { type: 'new_value' }> = {
    ...ctx.common,
    type: 'new_value',
    group_by: groupBy,
    fields,
    ...(timeframe === undefined || timeframe === 0 ? {} : { lookback: durationText(timeframe) }),
  };
  return { rule, point: true };
};

/** `!file /path` entries of a black/whitelist, read through the caller's reader. */
function listValues(ctx: TypeContext, option: string): Scalar[] {
  const raw = ctx.src.take(option);
  if (!Array.isArray(raw) || raw.length === 0)
    return refuse('E_EA_OPTION', `${option} must be a list of values`, option);
  const values: Scalar[] = [];
  for (const item of raw) {
    if (typeof item === 'string' && item.startsWith('!file ')) {
      const path = item.slice('!file '.length).trim();
      let text: string | undefined;
      try {
        text = ctx.options.readListFile?.(path);
      } catch {
        text = undefined;
      }
      if (text === undefined) return refuse('E_EA_OPTION', `cannot read the ${option} file ${path}`, option);
      const lines = text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '');
      values.push(...lines);
      ctx.notes.mapped(
        option,
        `${lines.length} values from ${path}`,
        'written into the rule; re-import when the file changes',
      );
    } else if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') {
      values.push(item);
    } else {
      return refuse('E_EA_OPTION', `${option} values must be text or numbers, got ${JSON.stringify(item)}`, option);
    }
  }
  if (values.length === 0) return refuse('E_EA_OPTION', `${option} is empty`, option);
  return [...new Set(values)];
}

const list =
  (kind: 'blacklist' | 'whitelist'): Mapper =>
  (ctx) => {
    const names = ctx.src.names('compare_key');
    if (names === undefined || names.length !== 1)
      return refuse('E_EA_OPTION', `${kind} rules need one compare_key`, 'compare_key');
    const name = ruleField(names[0], 'compare_key', ctx.notes);
    ctx.notes.mapped('compare_key', `filter on ${name}`);
    const values = listValues(ctx, kind);
    let cond: FilterSpec;
    if (kind === 'blacklist') {
      cond = field(name, values);
      ctx.notes.mapped(
        kind,
        `filter: {${name}: [...${values.length} values]}`,
        'events without the field never match, as in ElastAlert',
      );
    } else {
      const ignoreOption = ctx.src.boolean('ignore_null');
      const ignoreNull = ignoreOption === true;
      if (ignoreNull) ctx.notes.mapped('ignore_null', 'exists: true');
      else if (ignoreOption === false)
        ctx.notes.mapped('ignore_null', 'no exists test', 'events without the field match');
      cond = field(name, ignoreNull ? { not: values, exists: true } : { not: values });
      ctx.notes.mapped(
        kind,
        `filter: {${name}: {not: [...${values.length} values]${ignoreNull ? ', exists: true' : ''}}}`,
        ignoreNull
          ? 'events without the field do not match (ignore_null)'
          : 'events without the field match, as in ElastAlert',
      );
    }
    const filter = and([ctx.filter, cond]);
    if (compatMode(ctx)) {
      const groupBy = queryKey(ctx, 'query_key', 'missing');
      return {
        rule: { ...ctx.common, type: 'any', filter, group_by: groupBy, ...compatOption(ctx) },
        point: true,
        compat: true,
      };
    }
    return { rule: { ...ctx.common, type: 'any', filter, group_by: queryKey(ctx) }, point: true };
  };

const percentageMatch: Mapper = (ctx) => {
  if (!ctx.src.has('match_bucket_filter'))
    return refuse('E_EA_OPTION', 'percentage_match rules need match_bucket_filter', 'match_bucket_filter');
  const numerator = translateFilter(ctx.src.take('match_bucket_filter'), 'match_bucket_filter', ctx.notes);
  ctx.notes.mapped('match_bucket_filter', 'numerator', 'the denominator is every event the rule filter passes');
  const share = (option: 'min_percentage' | 'max_percentage'): number | undefined => {
    const pct = ctx.src.number(option, { min: 0 });
    if (pct === undefined) return undefined;
    if (pct > 100) return refuse('E_EA_OPTION', `${option} must be at most 100, got ${pct}`, option);
    const value = pct / 100;
    ctx.notes.mapped(option, `${option === 'min_percentage' ? 'min' : 'max'}: ${value}`, 'a share between 0 and 1');
    return value;
  };
  const min = share('min_percentage');
  const max = share('max_percentage');
  if (min === undefined && max === undefined)
    return refuse('E_EA_OPTION', 'percentage_match rules need min_percentage or max_percentage', 'min_percentage');
  const denominator = ctx.src.number('min_denominator', { min: 0 });
  if (compatMode(ctx)) {
    const mapped = compatPercentage(ctx, numerator, min, max, denominator);
    if (mapped !== undefined) return mapped;
  }
  let minTotal: number | undefined;
  if (denominator === undefined)
    ctx.notes.approximated(
      'min_denominator',
      "not set: ElastAlert's default is 0; npswatch's min_total default (10) applies",
    );
  else if (denominator < 1) {
    minTotal = 1;
    ctx.notes.approximated('min_denominator', 'windows without events are never judged', 'min_total: 1');
  } else {
    minTotal = Math.ceil(denominator);
    ctx.notes.mapped('min_denominator', `min_total: ${minTotal}`);
  }
  const win = queryWindow(ctx);
  const rule: Extract<RuleConfigInput, { type: 'ratio' }> = {
    ...ctx.common,
    type: 'ratio',
    group_by: queryKey(ctx),
    window: win.window,
    numerator,
    ...(min === undefined ? {} : { min }),
    ...(max === undefined ? {} : { max }),
    ...(minTotal === undefined ? {} : { min_total: minTotal }),
  };
  return { rule, windowMs: win.ms, point: false };
};

/**
 * percentage_match with `compat: elastalert`: the share over the last `buffer_time` (or `run_every` with
 * use_run_every_query_size) at the end of every run. Undefined (npswatch semantics) when the rule checks
 * `bucket_interval` sub-buckets or its window is not a whole number of runs.
 */
function compatPercentage(
  ctx: TypeContext,
  numerator: FilterSpec,
  min: number | undefined,
  max: number | undefined,
  denominator: number | undefined,
): TypeMapping | undefined {
  if (ctx.src.has('bucket_interval')) {
    noCompat(ctx, 'bucket_interval checks each interval of every query, which compat mode does not reproduce');
    return undefined;
  }
  const runEvery = ctx.src.millis('run_every');
  const everyRun = ctx.src.boolean('use_run_every_query_size') === true;
  const buffer = ctx.src.millis('buffer_time');
  const windowMs = everyRun ? runEvery : buffer;
  const grid = runEvery ?? 60_000;
  if (windowMs === undefined || windowMs <= 0 || windowMs % grid !== 0) {
    noCompat(
      ctx,
      windowMs === undefined
        ? 'the query window (buffer_time) is not set in the rule'
        : 'the query window is not a whole number of runs (run_every, default 1 minute)',
    );
    return undefined;
  }
  const option = everyRun ? 'use_run_every_query_size' : 'buffer_time';
  ctx.notes.mapped(option, `window: ${durationText(windowMs)}`, 'ElastAlert queries this far back at every run');
  if (!everyRun && ctx.src.has('use_run_every_query_size'))
    ctx.notes.mapped('use_run_every_query_size', 'window from buffer_time');
  if (runEvery !== undefined)
    ctx.notes.mapped('run_every', `compat.run_every: ${durationText(runEvery)}`, 'runs end on this grid of event time');
  const minTotal = denominator === undefined || denominator < 1 ? 1 : Math.ceil(denominator);
  ctx.notes.mapped(
    'min_denominator',
    `min_total: ${minTotal}`,
    denominator === undefined ? "not set: ElastAlert's default 0, and runs without events are skipped" : undefined,
  );
  const rule: Extract<RuleConfigInput, { type: 'ratio' }> = {
    ...ctx.common,
    type: 'ratio',
    group_by: queryKey(ctx, 'query_key', 'skipped'),
    window: durationText(windowMs),
    numerator,
    ...(min === undefined ? {} : { min }),
    ...(max === undefined ? {} : { max }),
    min_total: minTotal,
    ...compatOption(ctx, runEvery === undefined ? {} : { runEvery }),
  };
  return { rule, windowMs, point: true, compat: true };
}

/** Only the metrics that are counts map: distinct values (cardinality) and events with the field (value_count). */
function checkMetric(src: RuleSource): void {
  if (src.has('metric_agg_script'))
    refuse('E_EA_OPTION', 'scripted metrics (metric_agg_script) are not supported', 'metric_agg_script');
  const agg = src.peek('metric_agg_type');
  if (agg !== 'cardinality' && agg !== 'value_count')
    refuse(
      'E_EA_TYPE',
      `metric_aggregation with metric_agg_type ${JSON.stringify(agg)} is not supported: npswatch counts events and distinct values, it has no numeric metrics (only cardinality and value_count map)`,
      'metric_agg_type',
    );
}

const metricAggregation: Mapper = (ctx) => {
  checkMetric(ctx.src);
  noCompat(ctx, 'metrics are computed by Elasticsearch per query');
  const agg = ctx.src.string('metric_agg_type');
  ctx.notes.mapped('metric_agg_type', agg === 'cardinality' ? 'type: cardinality' : 'a count of events with the field');
  const key = ruleField(ctx.src.take('metric_agg_key'), 'metric_agg_key', ctx.notes);
  const maxT = ctx.src.number('max_threshold');
  const minT = ctx.src.number('min_threshold');
  if (maxT === undefined && minT === undefined)
    return refuse('E_EA_OPTION', 'metric_aggregation rules need max_threshold or min_threshold', 'max_threshold');
  // ElastAlert's thresholds are strict: value > max_threshold, value < min_threshold.
  const max = maxT === undefined ? undefined : Math.floor(maxT);
  const min = minT === undefined || minT <= 0 ? undefined : Math.ceil(minT);
  if (minT !== undefined && min === undefined)
    ctx.notes.ignored('min_threshold', `${minT} can never be undercut by a count`);
  if (ctx.src.has('min_doc_count'))
    ctx.notes.approximated('min_doc_count', 'keys are judged in windows where they have events');
  ctx.src.take('min_doc_count');
  const win = queryWindow(ctx);
  const groupBy = queryKey(ctx);
  if (agg === 'cardinality') {
    if (max === undefined && min === undefined)
      return refuse('E_EA_OPTION', 'no threshold can ever hold', 'min_threshold');
    ctx.notes.mapped('metric_agg_key', `field: ${key}`, 'the distinct values counted');
    if (max !== undefined) ctx.notes.mapped('max_threshold', `max: ${max}`, 'alerts above it, as ElastAlert');
    if (min !== undefined) ctx.notes.mapped('min_threshold', `min: ${min}`, 'alerts below it, as ElastAlert');
    const rule: Extract<RuleConfigInput, { type: 'cardinality' }> = {
      ...ctx.common,
      type: 'cardinality',
      group_by: groupBy,
      window: win.window,
      field: key,
      ...(max === undefined ? {} : { max }),
      ...(min === undefined ? {} : { min }),
    };
    return { rule, windowMs: win.ms, point: false };
  }
  // value_count: events that have the field.
  const filter = and([ctx.filter, field(key, { exists: true })]);
  if (max !== undefined && min !== undefined)
    return refuse(
      'E_EA_OPTION',
      'value_count with both max_threshold and min_threshold needs two npswatch rules (a threshold and a flatline): split the ElastAlert rule',
      'min_threshold',
    );
  if (max !== undefined) {
    ctx.notes.mapped(
      'metric_agg_key',
      `filter: {${key}: {exists: true}}`,
      'value_count counts the events that have the field',
    );
    ctx.notes.mapped('max_threshold', `count: ${max + 1}`, 'a count above max_threshold');
    const rule: Extract<RuleConfigInput, { type: 'threshold' }> = {
      ...ctx.common,
      type: 'threshold',
      filter,
      group_by: groupBy,
      window: win.window,
      count: max + 1,
    };
    return { rule, windowMs: win.ms, point: false };
  }
  if (min === undefined) return refuse('E_EA_OPTION', 'no threshold can ever hold', 'min_threshold');
  ctx.notes.mapped(
    'metric_agg_key',
    `filter: {${key}: {exists: true}}`,
    'value_count counts the events that have the field',
  );
  ctx.notes.approximated(
    'min_threshold',
    'flatline also alerts for keys that fall silent (ElastAlert only sees keys with events in the window)',
    `min_count: ${min}`,
  );
  const rule: Extract<RuleConfigInput, { type: 'flatline' }> = {
    ...ctx.common,
    type: 'flatline',
    filter,
    group_by: groupBy,
    window: win.window,
    min_count: min,
  };
  return { rule, windowMs: win.ms, point: false };
};

/** ElastAlert rule type → mapper, with the npswatch type named in the report. */
export const TYPE_MAPPERS: Readonly<Record<string, Mapper>> = {
  any: anyType,
  frequency,
  spike,
  flatline,
  cardinality,
  new_term: newTerm,
  change,
  blacklist: list('blacklist'),
  whitelist: list('whitelist'),
  percentage_match: percentageMatch,
  metric_aggregation: metricAggregation,
};

/** Checks run before anything else is read, so the most fundamental reason to refuse is the one reported. */
export const TYPE_CHECKS: Readonly<Record<string, (src: RuleSource) => void>> = {
  metric_aggregation: checkMetric,
};

/** Types ElastAlert 2 has that cannot be expressed, and why. */
export const UNSUPPORTED_TYPES: Readonly<Record<string, string>> = {
  spike_aggregation: 'spikes of numeric metrics are not supported: npswatch counts events',
};
