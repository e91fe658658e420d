import type { RuleConfig, Severity } from '@npswatch/core';
import { type Filter, filterExpression, groupField, splField, splString, splunkField } from './spl.js';

/** A scheduled alert of savedsearches.conf: one per rule of the pack. */
export interface SavedSearch {
  readonly name: string;
  readonly description: string;
  /** Pipeline stages; joined with line continuations in the conf file. */
  readonly stages: readonly string[];
  readonly cron: string;
  readonly earliest: string;
  readonly latest: string;
  readonly severity: number;
  /** Result fields that identify one alert (suppression key). */
  readonly suppressFields: readonly string[];
  readonly suppressPeriod: string;
}

/** Splunk `alert.severity`: 2 info, 3 warn, 4 error, 5 severe, 6 fatal. */
const SEVERITY: Readonly<Record<Severity, number>> = { info: 2, low: 3, medium: 4, high: 5, critical: 6 };

const MINUTE = 60_000;

/** Whole minutes of a duration (searches are scheduled by the minute). */
function minutes(ms: number): number {
  return Math.max(1, Math.ceil(ms / MINUTE));
}

/** A cron that runs every `ms` aligned to the hour or day when it divides them, else every 15 minutes. */
function cronEvery(ms: number): string {
  const m = minutes(ms);
  if (m < 5) return '*/5 * * * *';
  if (m < 60 && 60 % m === 0) return `*/${m} * * * *`;
  if (m % 60 === 0 && 24 % (m / 60) === 0) return m === 60 ? '0 * * * *' : `0 */${m / 60} * * *`;
  return '*/15 * * * *';
}

/** The schedule period in minutes that `cronEvery` gives. */
function periodOf(ms: number): number {
  const m = minutes(ms);
  if (m < 5) return 5;
  if ((m < 60 && 60 % m === 0) || (m % 60 === 0 && 24 % (m / 60) === 0)) return m;
  return 15;
}

const base = (filter: Filter | undefined): string[] => ['`npswatch_events`', `where ${filterExpression(filter)}`];

/** Evals the group fields and keeps events that have all of them (as npswatch's keys do). */
function groups(groupBy: RuleConfig['group_by']): { stages: string[]; names: string[] } {
  const fields = groupBy.map(groupField);
  if (fields.length === 0) return { stages: [], names: [] };
  return {
    stages: [
      `eval ${fields.map((f) => `${f.name}=${f.expr}`).join(', ')}`,
      `where ${fields.map((f) => `isnotnull(${splField(f.name)})`).join(' AND ')}`,
    ],
    names: fields.map((f) => f.name),
  };
}

const by = (names: readonly string[]) => (names.length === 0 ? '' : ` by ${names.join(' ')}`);

function describe(rule: RuleConfig, how: string): string {
  return `${rule.description ?? rule.id}. npswatch rule ${rule.id} (${rule.type}): ${how}`;
}

/** The saved search for one rule of the pack. Throws for rule shapes SPL cannot express here. */
export function savedSearch(rule: RuleConfig): SavedSearch {
  const g = groups(rule.group_by);
  const name = `npswatch - ${rule.id}`;
  const common = { name, severity: SEVERITY[rule.severity] };
  const keyOrAll = g.names.length === 0 ? ['npswatch_rule'] : g.names;
  const tag = `eval npswatch_rule=${splString(rule.id)}`;
  switch (rule.type) {
    case 'any': {
      const stages = [
        ...base(rule.filter),
        ...g.stages,
        `stats count min(_time) as first_seen max(_time) as last_seen values(code) as codes${by(g.names)}`,
        tag,
      ];
      return {
        ...common,
        description: describe(rule, 'every matching event, grouped per run'),
        stages,
        cron: '*/5 * * * *',
        earliest: '-5m@m',
        latest: '@m',
        suppressFields: keyOrAll,
        suppressPeriod: '1h',
      };
    }
    case 'threshold': {
      const w = minutes(rule.window);
      const period = periodOf(rule.step ?? rule.window);
      return {
        ...common,
        description: describe(rule, `at least ${rule.count} events in any ${w} minutes`),
        stages: [
          ...base(rule.filter),
          ...g.stages,
          'sort 0 _time',
          `streamstats time_window=${w}m count as npswatch_count${by(g.names)}`,
          `where npswatch_count>=${rule.count}`,
          `stats max(npswatch_count) as count min(_time) as first_seen max(_time) as last_seen values(code) as codes${by(g.names)}`,
          tag,
        ],
        cron: cronEvery(period * MINUTE),
        earliest: `-${w + period}m@m`,
        latest: '@m',
        suppressFields: keyOrAll,
        suppressPeriod: `${w}m`,
      };
    }
    case 'cardinality': {
      const w = minutes(rule.window);
      const period = periodOf(rule.step ?? rule.window);
      const field = splField(splunkField(rule.field));
      return {
        ...common,
        description: describe(rule, `more than ${rule.max} distinct ${rule.field} values in any ${w} minutes`),
        stages: [
          ...base(rule.filter),
          ...g.stages,
          `where isnotnull(${field}) AND ${field}!=""`,
          'sort 0 _time',
          `streamstats time_window=${w}m dc(${field}) as npswatch_distinct${by(g.names)}`,
          `where npswatch_distinct>${rule.max}`,
          `stats max(npswatch_distinct) as distinct_count values(${field}) as distinct_values min(_time) as first_seen max(_time) as last_seen${by(g.names)}`,
          tag,
        ],
        cron: cronEvery(period * MINUTE),
        earliest: `-${w + period}m@m`,
        latest: '@m',
        suppressFields: keyOrAll,
        suppressPeriod: `${w}m`,
      };
    }
    case 'spike':
      return spikeSearch(rule, g, common);
    case 'flatline': {
      const w = minutes(rule.window);
      const forget = minutes(rule.forget_after ?? 7 * 24 * 60 * MINUTE);
      const expected = rule.expected_keys ?? [];
      if (expected.length > 0 && g.names.length !== 1)
        throw new RangeError(`${rule.id}: expected_keys needs exactly one group_by field in Splunk`);
      const stages = [
        ...base(rule.filter),
        ...g.stages,
        `stats max(_time) as last_seen sum(eval(if(_time>=relative_time(now(), "-${w}m"), 1, 0))) as npswatch_recent${by(g.names)}`,
      ];
      if (expected.length > 0) {
        const key = g.names[0]!;
        stages.push(
          `append [| makeresults | eval ${key}=mvappend(${expected.map((k) => splString(typeof k === 'string' ? k : (Object.values(k)[0] ?? ''))).join(', ')}), last_seen=0, npswatch_recent=0 | mvexpand ${key} | fields - _time]`,
          `stats max(last_seen) as last_seen sum(npswatch_recent) as npswatch_recent by ${key}`,
        );
      }
      stages.push(`where npswatch_recent<${rule.min_count}`, 'eval silent_since=last_seen', tag);
      return {
        ...common,
        description: describe(rule, `fewer than ${rule.min_count} events in the last ${w} minutes`),
        stages,
        cron: cronEvery(Math.min(rule.window, 15 * MINUTE)),
        earliest: `-${forget}m@m`,
        latest: '@m',
        suppressFields: keyOrAll,
        suppressPeriod: `${w}m`,
      };
    }
    case 'new_value': {
      const fields = rule.fields.map((f) => splunkField(f));
      const period = 15;
      return {
        ...common,
        description: describe(rule, `a ${rule.fields.join('/')} value first seen in ${minutes(rule.lookback)} minutes`),
        stages: [
          ...base(rule.filter),
          `where ${fields.map((f) => `isnotnull(${splField(f)}) AND ${splField(f)}!=""`).join(' AND ')}`,
          `stats min(_time) as first_seen max(_time) as last_seen count by ${fields.join(' ')}`,
          `where first_seen>=relative_time(now(), "-${period}m@m")`,
          tag,
        ],
        cron: cronEvery(period * MINUTE),
        earliest: `-${minutes(rule.lookback)}m@m`,
        latest: '@m',
        suppressFields: fields,
        suppressPeriod: `${minutes(rule.lookback)}m`,
      };
    }
    case 'sequence':
      return sequenceSearch(rule, g, common);
    case 'ratio': {
      const w = minutes(rule.window);
      const num = filterExpression(rule.numerator);
      const bounds = [
        ...(rule.max === undefined ? [] : [`share>${rule.max}`]),
        ...(rule.min === undefined ? [] : [`share<${rule.min}`]),
      ];
      return {
        ...common,
        description: describe(rule, `share of matching events out of the band in the last ${w} minutes`),
        stages: [
          ...base(rule.filter),
          ...(rule.denominator === undefined ? [] : [`where ${filterExpression(rule.denominator)}`]),
          ...g.stages,
          `stats count as total sum(eval(if(${num}, 1, 0))) as matching${by(g.names)}`,
          `where total>=${rule.min_total}`,
          'eval share=matching/total',
          `where ${bounds.length === 0 ? '1==0' : bounds.join(' OR ')}`,
          tag,
        ],
        cron: cronEvery(rule.window),
        earliest: `-${w}m@m`,
        latest: '@m',
        suppressFields: keyOrAll,
        suppressPeriod: `${w}m`,
      };
    }
    default: {
      const unknown: { readonly type: string; readonly id: string } = rule;
      throw new RangeError(`${unknown.id}: rule type ${unknown.type} has no Splunk translation`);
    }
  }
}

type SpikeRule = Extract<RuleConfig, { type: 'spike' }>;
type SequenceRule = Extract<RuleConfig, { type: 'sequence' }>;
type Groups = { stages: string[]; names: string[] };
type Common = { name: string; severity: number };

/**
 * spike: counts per window (zero-filled by timechart), the last complete window against the median and robust σ
 * of the previous K windows (or against the previous window without a baseline), as npswatch computes them.
 */
function spikeSearch(rule: SpikeRule, g: Groups, common: Common): SavedSearch {
  const w = minutes(rule.window);
  const k = rule.baseline?.windows ?? 1;
  const key = g.names.length === 0 ? [] : [`eval npswatch_key=${g.names.map(splField).join('."|".')}`];
  const series =
    g.names.length === 0
      ? [`timechart span=${w}m count`, 'eval npswatch_key="all"']
      : [
          ...key,
          `timechart span=${w}m limit=0 useother=f usenull=f count by npswatch_key`,
          'untable _time npswatch_key count',
        ];
  const up = rule.direction !== 'down';
  const down = rule.direction !== 'up';
  const stages = [...base(rule.filter), ...g.stages, ...series, 'eventstats max(_time) as npswatch_now'];
  let conditions: string[];
  if (rule.baseline !== undefined) {
    const mads = rule.baseline.mads;
    stages.push(
      'eval npswatch_ref=if(_time<npswatch_now, count, null())',
      'eventstats median(npswatch_ref) as reference by npswatch_key',
      'eval npswatch_dev=abs(npswatch_ref-reference)',
      'eventstats median(npswatch_dev) as npswatch_mad by npswatch_key',
    );
    if (!rule.alert_on_new_keys)
      stages.push(
        'eventstats min(_time) as npswatch_first_bucket',
        'eventstats min(eval(if(count>0, _time, null()))) as npswatch_active_since by npswatch_key',
      );
    stages.push(
      'where _time==npswatch_now',
      `eval npswatch_sigma=max(1.4826*npswatch_mad, sqrt(reference), 1), upper=reference+${mads}*npswatch_sigma, lower=reference-${mads}*npswatch_sigma`,
    );
    conditions = [
      ...(up ? [`(count>=${rule.min_current} AND count>reference AND count>=upper)`] : []),
      ...(down ? [`(reference>=${rule.min_reference} AND count<reference AND count<=lower)`] : []),
    ];
  } else {
    stages.push(
      'sort 0 npswatch_key _time',
      'streamstats current=f window=1 last(count) as reference by npswatch_key',
      'where _time==npswatch_now',
      'eval reference=coalesce(reference, 0)',
    );
    if (!rule.alert_on_new_keys) stages.push('eval npswatch_first_bucket=0, npswatch_active_since=0');
    conditions = [
      ...(up ? [`(count>=${rule.min_current} AND count>reference AND count>=${rule.ratio}*max(reference, 1))`] : []),
      ...(down ? [`(reference>=${rule.min_reference} AND count<reference AND count<=reference/${rule.ratio})`] : []),
    ];
  }
  // Without alert_on_new_keys a key needs a full reference of history: active since the first window.
  const warm = rule.alert_on_new_keys ? '' : ' AND npswatch_active_since<=npswatch_first_bucket';
  stages.push(`where (${conditions.join(' OR ')})${warm}`);
  stages.push(
    g.names.length === 0
      ? 'fields _time count reference'
      : `eval ${g.names.map((n, i) => `${n}=mvindex(split(npswatch_key, "|"), ${i})`).join(', ')}`,
    `eval npswatch_rule=${splString(rule.id)}`,
  );
  return {
    ...common,
    description: `${rule.description ?? rule.id}. npswatch rule ${rule.id} (spike): the last ${w}-minute count against ${
      rule.baseline ? `the median and robust sigma of the previous ${k} windows` : 'the previous window'
    }`,
    stages,
    cron: cronEvery(rule.window),
    earliest: `-${w * (k + 1)}m@m`,
    latest: '@m',
    suppressFields: g.names.length === 0 ? ['npswatch_rule'] : g.names,
    suppressPeriod: `${w}m`,
  };
}

/** sequence (two steps): at the second step's event, count first-step events in the window since the last reset. */
function sequenceSearch(rule: SequenceRule, g: Groups, common: Common): SavedSearch {
  if (rule.steps.length !== 2)
    throw new RangeError(`${rule.id}: Splunk translation supports sequences of two steps, not ${rule.steps.length}`);
  const [first, second] = rule.steps as [SequenceRule['steps'][number], SequenceRule['steps'][number]];
  const w = minutes(rule.within);
  const period = 5;
  const until = rule.until === undefined ? 'null()' : `if(${filterExpression(rule.until)}, _time, null())`;
  return {
    ...common,
    description: `${rule.description ?? rule.id}. npswatch rule ${rule.id} (sequence): ${first.count} × ${first.name} then ${second.name} within ${w} minutes`,
    stages: [
      ...base(rule.filter),
      ...g.stages,
      'sort 0 _time',
      `eval npswatch_first=if(${filterExpression(first.filter)}, 1, 0), npswatch_second=if(${filterExpression(second.filter)}, 1, 0), npswatch_reset=${until}`,
      `streamstats current=f max(npswatch_reset) as npswatch_last_reset${by(g.names)}`,
      'eval npswatch_first=if(_time>coalesce(npswatch_last_reset, 0), npswatch_first, 0)',
      `streamstats time_window=${w}m sum(npswatch_first) as steps${by(g.names)}`,
      `where npswatch_second==1 AND steps>=${first.count}`,
      `stats max(steps) as ${(first.name ?? 'first_step').replace(/\W/g, '_')}_count min(_time) as first_seen max(_time) as last_seen values(code) as codes${by(g.names)}`,
      `eval npswatch_rule=${splString(rule.id)}`,
    ],
    cron: cronEvery(period * MINUTE),
    earliest: `-${w + period}m@m`,
    latest: '@m',
    suppressFields: g.names.length === 0 ? ['npswatch_rule'] : g.names,
    suppressPeriod: `${w}m`,
  };
}
