import { fileURLToPath } from 'node:url';
import { loadRules } from './load.js';
import type { RuleConfig } from './schema.js';

/** Path of the built-in rule pack shipped with the package (`rules/builtin.yaml`, beside `dist/` and `src/`). */
export const BUILTIN_RULES_PATH: string = fileURLToPath(new URL('../../rules/builtin.yaml', import.meta.url));

/** The built-in detections (ids are the catalog's DetectionIds, `-overall` for the ungrouped variants). */
export function loadBuiltinRules(): Promise<RuleConfig[]> {
  return loadRules([BUILTIN_RULES_PATH]);
}
