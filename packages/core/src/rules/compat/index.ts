import type { RuleRuntime } from '../rule.js';
import type { RuleConfig } from '../schema.js';
import { createCompatAny } from './any.js';
import { createCompatCardinality } from './cardinality.js';
import { createCompatFlatline } from './flatline.js';
import { createCompatNewValue } from './new_value.js';
import type { CompatOptions } from './options.js';
import { createCompatRatio } from './ratio.js';
import { createCompatSpike } from './spike.js';
import { createCompatThreshold } from './threshold.js';

export { type CompatOptions, checkCompat } from './options.js';

type Creators = {
  readonly [T in RuleConfig['type']]?: (
    config: Extract<RuleConfig, { type: T }>,
    compat: CompatOptions,
  ) => RuleRuntime<unknown>;
};

/** Rule type → its ElastAlert compat runtime (options.ts COMPAT_TYPES lists the same types). */
const CREATE: Creators = {
  threshold: createCompatThreshold,
  spike: createCompatSpike,
  flatline: createCompatFlatline,
  cardinality: createCompatCardinality,
  new_value: createCompatNewValue,
  ratio: createCompatRatio,
  any: createCompatAny,
};

/** Compiles a validated rule with `compat` set into its ElastAlert compat runtime. */
export function compileCompat(config: RuleConfig, compat: CompatOptions): RuleRuntime<unknown> {
  // The table is keyed by the same `type` the config is discriminated by; TS cannot correlate the two.
  const create = CREATE[config.type] as ((c: RuleConfig, o: CompatOptions) => RuleRuntime<unknown>) | undefined;
  if (create === undefined)
    throw new RangeError(`rule "${config.id}": compat: elastalert does not support ${config.type}`);
  return create(config, compat);
}
