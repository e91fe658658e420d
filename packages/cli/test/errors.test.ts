import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './helpers.js';

describe('npswatch errors with a hint', () => {
  it('suggests the command meant by a typo', async () => {
    const typo = await run(['reprot', 'x.log']);
    assert.equal(typo.code, 2);
    assert.equal(typo.stderr, 'npswatch: unknown command "reprot"\nhint: did you mean report?\n');
    const unknown = await run(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^npswatch: unknown command "frobnicate"\nhint: commands: classify, replay, report,/);
  });

  it('names a missing input or a directory given as input, and says what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npswatch-errors-'));
    const missing = await run(['replay', join(dir, 'nope.log')]);
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr,
      `npswatch: cannot open ${join(dir, 'nope.log')}: no such file or directory\nhint: check the path (- reads stdin)\n`,
    );
    const directory = await run(['report', dir, '--out', '-']);
    assert.equal(directory.code, 2);
    assert.match(directory.stderr, /is a directory\nhint: name the files in it/);
  });
});
