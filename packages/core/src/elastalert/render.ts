import { Document, isScalar, visit } from 'yaml';
import type { RuleConfigInput } from '../rules/schema.js';

/** Options in the order people read a rule: what it is, what it looks at, how it judges, how it notifies. */
const ORDER = [
  'id',
  'description',
  'type',
  'compat',
  'enabled',
  'severity',
  'filter',
  'group_by',
  'window',
  'step',
  'count',
  'direction',
  'ratio',
  'min_current',
  'min_reference',
  'alert_on_new_keys',
  'min_count',
  'forget_after',
  'field',
  'fields',
  'lookback',
  'numerator',
  'denominator',
  'max',
  'min',
  'min_total',
  'allowed_lateness',
  'sample_size',
  'max_keys',
  'labels',
  'notify',
];

const rank = (key: string): number => {
  const i = ORDER.indexOf(key);
  return i < 0 ? ORDER.length : i;
};

/** The rule with its options in reading order (unknown ones last, in their own order). */
export function orderRule(rule: RuleConfigInput): RuleConfigInput {
  const entries = Object.entries(rule).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => rank(a) - rank(b));
  return Object.fromEntries(entries) as RuleConfigInput;
}

/**
 * A rule file (`rules: [...]`) as YAML, with `comment` lines (the import report) on top. Lists of plain values
 * are written inline (`group_by: [host.name]`); long values are never folded.
 */
export function ruleFileText(rules: readonly RuleConfigInput[], comment: readonly string[] = []): string {
  const doc = new Document({ rules: rules.map(orderRule) });
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  if (comment.length > 0) doc.commentBefore = comment.map((line) => ` ${line}`).join('\n');
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
