import type { RuleConfig } from '@npswatch/core';
import { type Filter, fieldPath, filterQuery } from './query.js';

/** How close a Kibana rule comes to the npswatch rule it is made from. */
export type Equivalence = 'exact' | 'approximate';

/** A Kibana alerting rule (`POST /api/alerting/rule/<id>`) with what it stands for. */
export interface KibanaRule {
  readonly id: string;
  readonly body: {
    readonly name: string;
    readonly rule_type_id: '.es-query';
    readonly consumer: 'stackAlerts';
    readonly schedule: { readonly interval: string };
    readonly enabled: boolean;
    readonly tags: readonly string[];
    readonly params: Record<string, unknown>;
    readonly actions: readonly unknown[];
  };
  readonly source: string;
  readonly equivalence: Equivalence;
  /** What an Elasticsearch query rule cannot express, for the export's README. */
  readonly note?: string;
}

/** A duration in ms as the largest whole Kibana unit (`timeWindowUnit` s, m, h, d). */
export function kibanaDuration(ms: number): { size: number; unit: 's' | 'm' | 'h' | 'd' } {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return { size: ms / size, unit };
  }
  return { size: Math.max(1, Math.round(ms / 1000)), unit: 's' };
}

const interval = (ms: number) => {
  const d = kibanaDuration(ms);
  return `${d.size}${d.unit}`;
};

/** Group fields for `termField` (a "first present" list takes its first field). */
function termFields(groupBy: readonly (string | readonly string[])[]): string[] {
  return groupBy.map((g) => fieldPath(typeof g === 'string' ? g : g[0]!));
}

function grouping(groupBy: readonly (string | readonly string[])[]): Record<string, unknown> {
  const fields = termFields(groupBy);
  if (fields.length === 0) return { groupBy: 'all' };
  // Kibana takes one field, or 2 to 4 as a multi-terms grouping.
  return { groupBy: 'top', termField: fields.length === 1 ? fields[0] : fields.slice(0, 4), termSize: 100 };
}

interface Translation {
  readonly filter: Filter | undefined;
  readonly window: number;
  readonly comparator: '>' | '>=' | '<' | '<=';
  readonly threshold: number;
  readonly aggType?: 'cardinality';
  readonly aggField?: string;
  readonly groupBy: readonly (string | readonly string[])[];
  readonly schedule: number;
  readonly equivalence: Equivalence;
  readonly note?: string;
}

const MINUTE = 60_000;

/** The .es-query form of each rule type; undefined for what a query rule cannot express at all. */
function translate(rule: RuleConfig): Translation | undefined {
  const filter = rule.filter as Filter | undefined;
  switch (rule.type) {
    case 'any':
      return {
        filter,
        window: 5 * MINUTE,
        comparator: '>',
        threshold: 0,
        groupBy: rule.group_by,
        schedule: 5 * MINUTE,
        equivalence: 'exact',
        note: 'one alert per group per run with matching events (npswatch: one per event)',
      };
    case 'threshold':
      return {
        filter,
        window: rule.window,
        comparator: '>=',
        threshold: rule.count,
        groupBy: rule.group_by,
        schedule: rule.step ?? rule.window,
        equivalence: 'exact',
      };
    case 'cardinality':
      return {
        filter,
        window: rule.window,
        comparator: rule.max !== undefined ? '>' : '<',
        threshold: rule.max ?? rule.min ?? 0,
        aggType: 'cardinality',
        aggField: fieldPath(rule.field),
        groupBy: rule.group_by,
        schedule: rule.step ?? rule.window,
        equivalence: 'exact',
      };
    case 'spike':
      return {
        filter,
        window: rule.window,
        comparator: '>=',
        threshold: Math.max(1, rule.min_current),
        groupBy: rule.group_by,
        schedule: rule.window,
        equivalence: 'approximate',
        note: `a fixed threshold of min_current (${rule.min_current}) per ${interval(rule.window)}: query rules have no baseline (median/MAD)`,
      };
    case 'flatline':
      return {
        filter,
        window: rule.window,
        comparator: '<',
        threshold: rule.min_count,
        groupBy: [],
        schedule: Math.min(rule.window, 5 * MINUTE),
        equivalence: 'approximate',
        note: 'fires when all servers together log fewer events; a query rule cannot see a group that logged nothing',
      };
    case 'new_value':
      return {
        filter,
        window: 5 * MINUTE,
        comparator: '>',
        threshold: 0,
        groupBy: rule.fields,
        schedule: 5 * MINUTE,
        equivalence: 'approximate',
        note: `every run with matching events, not only values new in the last ${interval(rule.lookback)}`,
      };
    case 'sequence': {
      const first = rule.steps[0]!;
      return {
        filter: first.filter as Filter,
        window: rule.within,
        comparator: '>=',
        threshold: first.count,
        groupBy: rule.group_by,
        schedule: MINUTE,
        equivalence: 'approximate',
        note: `counts the first step (${first.name ?? 'step 1'}) only: query rules cannot check the order of steps`,
      };
    }
    case 'ratio':
      return undefined;
  }
}

/**
 * Kibana Elasticsearch query rules (`.es-query`) for rules of npswatch's pack: one per enabled rule a query rule
 * can express, exactly where the type allows it and approximately (said in `note`) where it does not.
 */
export function kibanaRules(rules: readonly RuleConfig[], index = 'npswatch-events-*'): KibanaRule[] {
  const out: KibanaRule[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const t = translate(rule);
    if (!t) continue;
    const window = kibanaDuration(t.window);
    const detection = rule.labels.detection ?? rule.id;
    out.push({
      id: `npswatch-${rule.id}`,
      source: rule.id,
      equivalence: t.equivalence,
      ...(t.note ? { note: t.note } : {}),
      body: {
        name: `npswatch: ${rule.description || rule.id}`,
        rule_type_id: '.es-query',
        consumer: 'stackAlerts',
        schedule: { interval: interval(t.schedule) },
        enabled: true,
        tags: ['npswatch', detection, rule.severity, ...(rule.labels.audience ? [rule.labels.audience] : [])],
        params: {
          searchType: 'esQuery',
          index: [index],
          timeField: '@timestamp',
          esQuery: JSON.stringify({ query: filterQuery(t.filter) }),
          threshold: [t.threshold],
          thresholdComparator: t.comparator,
          timeWindowSize: window.size,
          timeWindowUnit: window.unit,
          size: 100,
          excludeHitsFromPreviousRun: true,
          aggType: t.aggType ?? 'count',
          ...(t.aggField ? { aggField: t.aggField } : {}),
          ...grouping(t.groupBy),
        },
        actions: [],
      },
    });
  }
  return out;
}
