/**
 * Writes rules/schema.json (the JSON Schema of rule files) from the zod schemas, so editors validate rule files
 * as the engine does. Run: `node --import tsx packages/core/scripts/gen-rule-schema.ts` (add `--check` to fail
 * instead of writing when the file is stale). The rules tests check that the file is current.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ruleFileJsonSchema } from '../src/rules/schema.js';

export const RULE_SCHEMA_PATH = fileURLToPath(new URL('../rules/schema.json', import.meta.url));

export function renderRuleSchema(): string {
  return `${JSON.stringify(ruleFileJsonSchema(), null, 2)}\n`;
}

/** True when the file on disk means the same as the generated schema (formatting may differ after biome). */
export function ruleSchemaIsCurrent(): boolean {
  try {
    const onDisk: unknown = JSON.parse(readFileSync(RULE_SCHEMA_PATH, 'utf8'));
    return JSON.stringify(onDisk) === JSON.stringify(ruleFileJsonSchema());
  } catch {
    return false;
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    if (!ruleSchemaIsCurrent()) {
      process.stderr.write(`${RULE_SCHEMA_PATH} is stale: run scripts/gen-rule-schema.ts\n`);
      process.exitCode = 1;
    }
  } else {
    writeFileSync(RULE_SCHEMA_PATH, renderRuleSchema());
    process.stdout.write(`wrote ${RULE_SCHEMA_PATH}\n`);
  }
}
