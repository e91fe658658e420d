import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DAY_SAMPLE, savedOffset, startNpswatch } from './watch-helpers.js';

// The installed command in its own process: a real SIGTERM must save the state and exit 0.

/** Waits for a condition in a bounded loop: no test depends on how long anything takes. */
async function waitFor(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (cond()) return;
    await delay(10);
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('npswatch watch (built, own process)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'npswatch-watch-e2e-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes alerts as NDJSON on stdout, and on SIGTERM saves the state and exits 0', async () => {
    const file = join(dir, 'nps.ndjson');
    const state = join(dir, 'state.json');
    copyFileSync(DAY_SAMPLE, file);
    const run = startNpswatch(['watch', file, '--state', state, '--checkpoint-interval', '50ms']);
    const { child } = run;
    try {
      await waitFor('the whole file read and checkpointed', () => savedOffset(state, file) === statSync(file).size);
      await waitFor('alert lines', () => run.stdout.split('\n').filter((l) => l !== '').length > 0);
      child.kill('SIGTERM');
      await waitFor('the process to exit', () => child.exitCode !== null || child.signalCode !== null);
      assert.equal(await run.exited, 0, run.stderr);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const alerts = run.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { rule: { id: string } });
    assert.ok(alerts.some((a) => a.rule.id === 'server-silent'));
    assert.ok(existsSync(state));
    assert.equal(savedOffset(state, file), statSync(file).size);
    assert.match(run.stderr, /747 events/);
  });
});
