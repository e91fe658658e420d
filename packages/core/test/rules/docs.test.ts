import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadBuiltinRules } from '../../src/rules/builtin.js';
import { RULE_DEFAULTS } from '../../src/rules/defaults.js';
import { RULE_TYPES } from '../../src/rules/registry.js';

// Table cells may be padded by the formatter: compare with runs of spaces collapsed.
const docs = readFileSync(new URL('../../../../docs/rules.md', import.meta.url), 'utf8').replace(/ {2,}/g, ' ');

describe('docs/rules.md', () => {
  it('documents every rule type and every option', () => {
    for (const [type, module] of Object.entries(RULE_TYPES)) {
      assert.ok(docs.includes(`### ${type}`), `no section for ${type}`);
      for (const option of Object.keys(module.schema.shape))
        assert.ok(docs.includes(`\`${option}\``), `${type}.${option} undocumented`);
    }
    for (const option of Object.keys(RULE_TYPES.spike.schema.shape.baseline.unwrap().shape)) {
      assert.ok(docs.includes(`\`baseline.${option}\``), `baseline.${option} undocumented`);
    }
  });

  it('lists every default with its value', () => {
    const rows = (values: Readonly<Record<string, unknown>>, prefix = '') =>
      Object.entries(values).map(
        ([k, v]) => [`${prefix}${k}`, typeof v === 'string' ? `\`${v}\`` : `\`${String(v)}\``] as const,
      );
    const expected = [
      ...rows(RULE_DEFAULTS.common),
      ...rows(RULE_DEFAULTS.spike),
      ...rows(RULE_DEFAULTS.baseline, 'baseline.'),
      ...rows(RULE_DEFAULTS.flatline),
      ...rows(RULE_DEFAULTS.new_value),
      ...rows(RULE_DEFAULTS.ratio),
    ];
    for (const [option, value] of expected) {
      const shown = option === 'description' ? '`""`' : option === 'max_keys' ? '`10000`' : value;
      const row = docs.split('\n').find((l) => l.startsWith(`| \`${option}\` |`));
      assert.ok(row?.includes(shown), `default of ${option} should read ${shown}: ${row}`);
    }
    assert.ok(docs.includes(`engine default \`${RULE_DEFAULTS.allowed_lateness}\``));
  });

  it('describes every built-in rule', async () => {
    for (const r of await loadBuiltinRules())
      assert.ok(docs.includes(`| \`${r.id}\` |`), `built-in ${r.id} missing from the table`);
  });
});
