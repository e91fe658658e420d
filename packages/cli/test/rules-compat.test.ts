import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRules } from '@npswatch/core';
import { run } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../../core/test/elastalert/fixtures/', import.meta.url));

describe('npswatch rules import-elastalert --compat', () => {
  it('writes compat: elastalert on the rules ElastAlert semantics can be kept for', async () => {
    const { code, stdout, stderr } = await run([
      'rules',
      'import-elastalert',
      '--compat',
      join(FIXTURES, 'frequency-nps-rejects.yaml'),
      join(FIXTURES, 'change-client.yaml'),
    ]);
    assert.equal(code, 0, stderr);
    const rules = parseRules(stdout, 'stdout.yaml');
    assert.deepEqual(
      rules.map((r) => [r.id, r.compat?.mode]),
      [
        ['nps-rejects-per-server', 'elastalert'],
        ['user-changed-radius-client', undefined],
      ],
    );
    assert.match(stderr, /\n {2}mapped: type → compat: elastalert \(ElastAlert frequency semantics/);
    assert.match(stderr, /\n {2}approximated: type: no compat mode for change rules: /);
  });

  it('leaves rules in npswatch semantics without the flag', async () => {
    const { code, stdout } = await run(['rules', 'import-elastalert', join(FIXTURES, 'frequency-nps-rejects.yaml')]);
    assert.equal(code, 0);
    assert.equal(parseRules(stdout, 'stdout.yaml')[0]?.compat, undefined);
  });
});
