import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

// The installed command in its own process: a real SIGTERM must save the state and exit 0.
const bin = fileURLToPath(new URL('../packages/cli/bin/npswatch.js', import.meta.url));
const sample = fileURLToPath(new URL('../packages/core/samples/synthetic/nps-day.winlogbeat.ndjson', import.meta.url));

/** Waits for a condition in a bounded loop: no test depends on how long anything takes. */
async function waitFor(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (cond()) return;
    await delay(10);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** The state file's checkpoint of `file`, if one has been written. */
function savedOffset(state: string, file: string): number | undefined {
  try {
    const doc = JSON.parse(readFileSync(state, 'utf8')) as {
      checkpoint: { inputs: Record<string, { offset: number }> };
    };
    return doc.checkpoint.inputs[resolve(file)]?.offset;
  } catch {
    // Not written yet (the save itself is atomic: never half a file).
    return undefined;
  }
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
    copyFileSync(sample, file);
    const child = spawn(process.execPath, [bin, 'watch', file, '--state', state, '--checkpoint-interval', '50ms'], {
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    try {
      await waitFor('the whole file read and checkpointed', () => savedOffset(state, file) === statSync(file).size);
      await waitFor('alert lines', () => stdout.split('\n').filter((l) => l !== '').length > 0);
      child.kill('SIGTERM');
      await waitFor('the process to exit', () => child.exitCode !== null || child.signalCode !== null);
      assert.equal(await exited, 0, stderr);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const alerts = stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { rule: { id: string } });
    assert.ok(alerts.some((a) => a.rule.id === 'server-silent'));
    assert.ok(existsSync(state));
    assert.equal(savedOffset(state, file), statSync(file).size);
    assert.match(stderr, /747 events/);
  });
});
