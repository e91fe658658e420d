import { createHash } from 'node:crypto';
import type { Severity } from '../catalog/types.js';
import type { RuleType } from '../rules/types.js';
import type { AlertMatchers, InhibitRule, Silence } from './options.js';

/** The labels an alert instance is matched on. */
export interface AlertLabels {
  readonly ruleId: string;
  readonly ruleType: RuleType;
  readonly key: string;
  readonly severity: Severity;
  readonly keyFields: Readonly<Record<string, string>>;
}

/**
 * Deduplication key of an alert or a notification group: rule id + group key. A stable hash (16 hex digits of
 * SHA-1 over JSON, as Alertmanager keeps 64 bits) so it survives restarts and can be an index document id.
 */
export function alertFingerprint(ruleId: string, key: string): string {
  return sha1([ruleId, key]).slice(0, 16);
}

export function sha1(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value)).digest('hex');
}

function oneOf<T extends string>(want: T | readonly T[] | undefined, have: T | undefined): boolean {
  if (want === undefined) return true;
  if (have === undefined) return false;
  return typeof want === 'string' ? want === have : want.includes(have);
}

/** True when every given matcher holds. Missing key fields never match. */
export function matches(m: AlertMatchers, a: AlertLabels): boolean {
  if (!oneOf(m.ruleId, a.ruleId) || !oneOf(m.ruleType, a.ruleType)) return false;
  if (!oneOf(m.key, a.key) || !oneOf(m.severity, a.severity)) return false;
  if (m.keyFields !== undefined) {
    for (const [field, want] of Object.entries(m.keyFields)) {
      if (!oneOf(want, a.keyFields[field])) return false;
    }
  }
  return true;
}

/** A label by name for `equal`: the built-in labels, else a key field. */
export function labelValue(a: AlertLabels, name: string): string | undefined {
  switch (name) {
    case 'ruleId':
      return a.ruleId;
    case 'ruleType':
      return a.ruleType;
    case 'key':
      return a.key;
    case 'severity':
      return a.severity;
    default:
      return Object.hasOwn(a.keyFields, name) ? a.keyFields[name] : undefined;
  }
}

/**
 * True when `source` (firing) inhibits `target` under `rule`. Unlike Alertmanager, an `equal` field missing on
 * both sides does not count as equal: a host-wide alert must name the host to mute per-user alerts.
 */
export function inhibits(rule: InhibitRule, source: AlertLabels, target: AlertLabels): boolean {
  if (!matches(rule.target, target) || !matches(rule.source, source)) return false;
  for (const field of rule.equal) {
    const s = labelValue(source, field);
    if (s === undefined || s !== labelValue(target, field)) return false;
  }
  return true;
}

/** The silence muting `a` at event time `time`, if any. */
export function activeSilence(silences: readonly Silence[], a: AlertLabels, time: number): Silence | undefined {
  return silences.find((s) => s.startsAt <= time && time < s.endsAt && matches(s.matchers, a));
}
