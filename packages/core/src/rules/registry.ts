import type { z } from 'zod';
import { anySchema, createAny } from './any.js';
import { cardinalitySchema, createCardinality } from './cardinality.js';
import { createFlatline, flatlineSchema } from './flatline.js';
import { createNewValue, newValueSchema } from './new_value.js';
import { createRatio, ratioSchema } from './ratio.js';
import type { RuleRuntime } from './rule.js';
import { createSequence, sequenceSchema } from './sequence.js';
import { createSpike, spikeSchema } from './spike.js';
import { createThreshold, thresholdSchema } from './threshold.js';
import type { RuleType } from './types.js';

/** One rule type: its options schema and how to compile a validated config. */
export interface RuleModule<S extends z.ZodType> {
  readonly schema: S;
  readonly summary: string;
  create(config: z.output<S>): RuleRuntime<unknown>;
}

const rule = <S extends z.ZodType, St>(
  schema: S,
  summary: string,
  create: (config: z.output<S>) => RuleRuntime<St>,
): RuleModule<S> => ({ schema: schema.describe(summary), summary, create });

/** Rule type → module. The only place that knows every type. */
export const RULE_TYPES = {
  threshold: rule(thresholdSchema, 'at least `count` matching events per key in a window', createThreshold),
  spike: rule(spikeSchema, 'current window against the previous one or a robust (seasonal) baseline', createSpike),
  flatline: rule(
    flatlineSchema,
    'fewer than `min_count` events per key in a window, including expected keys never seen',
    createFlatline,
  ),
  cardinality: rule(
    cardinalitySchema,
    'distinct values of a field per key above `max` or below `min`',
    createCardinality,
  ),
  new_value: rule(newValueSchema, 'a value of `fields` not seen for the key within `lookback`', createNewValue),
  ratio: rule(
    ratioSchema,
    'share of `numerator` among `denominator` events per key above `max` or below `min`',
    createRatio,
  ),
  sequence: rule(
    sequenceSchema,
    'steps in order per key within `within` (e.g. rejections then an accept)',
    createSequence,
  ),
  any: rule(anySchema, 'every matching event', createAny),
} as const satisfies Record<RuleType, RuleModule<z.ZodType>>;
