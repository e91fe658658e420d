import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RULE_SCHEMA_PATH, renderRuleSchema, ruleSchemaIsCurrent } from '../../scripts/gen-rule-schema.js';
import { BUILTIN_RULES_PATH } from '../../src/rules/builtin.js';
import { RULE_DEFAULTS } from '../../src/rules/defaults.js';
import { RULE_TYPES } from '../../src/rules/registry.js';
import { ruleFileJsonSchema } from '../../src/rules/schema.js';

describe('rule JSON Schema', () => {
  it('rules/schema.json is current (run `node --import tsx packages/core/scripts/gen-rule-schema.ts`)', () => {
    assert.ok(ruleSchemaIsCurrent(), `${RULE_SCHEMA_PATH} is stale`);
    assert.deepEqual(JSON.parse(renderRuleSchema()), JSON.parse(readFileSync(RULE_SCHEMA_PATH, 'utf8')));
  });

  it('describes every rule type, with documented defaults', () => {
    const schema = ruleFileJsonSchema() as {
      properties: {
        rules: { items: { oneOf: { properties: Record<string, { const?: string; default?: unknown }> }[] } };
      };
    };
    const variants = schema.properties.rules.items.oneOf;
    assert.deepEqual(variants.map((v) => v.properties.type?.const).sort(), Object.keys(RULE_TYPES).sort());
    const threshold = variants.find((v) => v.properties.type?.const === 'threshold')!;
    assert.equal(threshold.properties.sample_size?.default, RULE_DEFAULTS.common.sample_size);
    assert.equal(threshold.properties.max_keys?.default, RULE_DEFAULTS.common.max_keys);
  });

  it('is referenced by the built-in pack for editors', () => {
    assert.match(readFileSync(BUILTIN_RULES_PATH, 'utf8'), /^# yaml-language-server: \$schema=\.\/schema\.json/);
  });
});
