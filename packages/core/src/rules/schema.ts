import { z } from 'zod';
import { checkCompat, compileCompat } from './compat/index.js';
import { RULE_TYPES } from './registry.js';
import type { RuleRuntime } from './rule.js';

/** One rule, validated by its `type`. */
export const RuleSchema = z
  .discriminatedUnion('type', [
    RULE_TYPES.threshold.schema,
    RULE_TYPES.spike.schema,
    RULE_TYPES.flatline.schema,
    RULE_TYPES.cardinality.schema,
    RULE_TYPES.new_value.schema,
    RULE_TYPES.ratio.schema,
    RULE_TYPES.sequence.schema,
    RULE_TYPES.any.schema,
  ])
  .superRefine(checkCompat);

/** A rule file: `rules: [...]`. */
export const RuleFileSchema = z
  .object({
    rules: z.array(z.unknown()),
  })
  .strict();

/** A validated rule with defaults applied and durations in milliseconds. */
export type RuleConfig = z.output<typeof RuleSchema>;
/** A rule as written in a file (durations as strings, defaults optional). */
export type RuleConfigInput = z.input<typeof RuleSchema>;

/** Compiles a validated rule into its runtime (filters, keys and windows prepared once). */
/** Rule types whose detections are single moments (a matching event, a completed sequence, a new value). */
const MOMENT_TYPES: ReadonlySet<string> = new Set(['any', 'new_value', 'sequence']);

/**
 * Whether a rule's detections are moments rather than states that end: the moment types, and every
 * `compat: elastalert` rule (its detections are matches). The notification policy closes their alerts by itself.
 */
export function isMomentRule(cfg: RuleConfig): boolean {
  return cfg.compat !== undefined || MOMENT_TYPES.has(cfg.type);
}

export function compileRule(config: RuleConfig): RuleRuntime<unknown> {
  if (config.compat !== undefined) return compileCompat(config, config.compat);
  // The table is keyed by the same `type` the config is discriminated by; TS cannot correlate the two.
  const module = RULE_TYPES[config.type] as unknown as { create(c: RuleConfig): RuleRuntime<unknown> };
  return module.create(config);
}

/** The JSON Schema of rule files, for editors (yaml-language-server) and docs; generated from the zod schemas. */
export function ruleFileJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(z.object({ rules: z.array(RuleSchema) }).strict(), {
    io: 'input',
    unrepresentable: 'any',
  });
  return {
    ...schema,
    title: 'npswatch rule file',
    description:
      'Detection rules for npswatch (see docs/rules.md). Generated from the zod schemas by scripts/gen-rule-schema.ts: do not edit.',
  };
}
