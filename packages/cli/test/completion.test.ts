import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { run } from './helpers.js';

/** Asks the bash completion what it offers after the words typed so far (the last one being completed). */
function bashComplete(script: string, words: readonly string[]): string[] {
  const test = `${script}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMPREPLY=()
_npswatch
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '-c', test], { encoding: 'utf8', cwd: '/' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean);
}

describe('npswatch completion', () => {
  it('writes a bash script that completes commands, subcommands, options and their choices', async () => {
    const { code, stdout } = await run(['completion', 'bash']);
    assert.equal(code, 0);
    assert.deepEqual(bashComplete(stdout, ['npswatch', 're']), ['replay', 'report']);
    assert.deepEqual(bashComplete(stdout, ['npswatch', 'report', '--pseudo']), [
      '--pseudonymize',
      '--pseudonymize-key-env',
    ]);
    assert.deepEqual(bashComplete(stdout, ['npswatch', 'report', '--lang', '']), ['en', 'ko']);
    assert.deepEqual(bashComplete(stdout, ['npswatch', 'rules', '']), ['import-elastalert', 'check']);
    assert.deepEqual(bashComplete(stdout, ['npswatch', 'completion', '']), ['bash', 'zsh', 'fish']);
    // `elastic` builds its subcommands lazily; completion still offers them and their options.
    assert.deepEqual(bashComplete(stdout, ['npswatch', 'elastic', '']), ['setup', 'index', 'export']);
    assert.deepEqual(bashComplete(stdout, ['npswatch', 'elastic', 'index', '--events', '']), [
      'indices',
      'data-stream',
    ]);
    // Inputs are file names.
    assert.ok(bashComplete(stdout, ['npswatch', 'replay', '/et']).includes('/etc'));
  });

  it('writes zsh (through its bash layer) and fish scripts from the same commands', async () => {
    const zsh = await run(['completion', 'zsh']);
    assert.match(zsh.stdout, /^#compdef npswatch\n/);
    assert.match(zsh.stdout, /bashcompinit/);
    assert.match(zsh.stdout, /complete -o filenames -F _npswatch npswatch/);
    const fish = await run(['completion', 'fish']);
    assert.match(fish.stdout, /complete -c npswatch -n '__fish_use_subcommand' -a report -d 'write one self-contained/);
    assert.match(fish.stdout, /-n '__fish_seen_subcommand_from report' -l lang -x -a 'en ko'/);
    assert.match(
      fish.stdout,
      /-n '__fish_seen_subcommand_from rules; and not __fish_seen_subcommand_from import-elastalert check' -a check/,
    );
  });

  it('names an unknown shell with the choices', async () => {
    const { code, stderr } = await run(['completion', 'powershell']);
    assert.equal(code, 2);
    assert.match(stderr, /Allowed choices are bash, zsh, fish/);
  });
});
