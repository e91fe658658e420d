import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { multiset, type PeerEnv, PeerOutput, peerEnv, testIndex } from './peer.js';

const bin = fileURLToPath(new URL('../../packages/cli/bin/npswatch.js', import.meta.url));
const sample = fileURLToPath(
  new URL('../../packages/core/samples/synthetic/nps-day.winlogbeat.ndjson', import.meta.url),
);

/** The state file's checkpoint offset of `file`, once one is written. */
function savedOffset(state: string, file: string): number | undefined {
  try {
    const doc = JSON.parse(readFileSync(state, 'utf8')) as {
      checkpoint: { inputs: Record<string, { offset: number }> };
    };
    return doc.checkpoint.inputs[resolve(file)]?.offset;
  } catch {
    return undefined;
  }
}

describe('npswatch watch --sink splunk-hec (built, own process, real HEC peer)', () => {
  let env: PeerEnv;
  let dir: string;
  before(() => {
    env = peerEnv();
    dir = mkdtempSync(join(tmpdir(), 'npswatch-watch-hec-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('sends every alert it prints to the collector, and exits 0 on SIGTERM', async () => {
    const file = join(dir, 'nps.ndjson');
    const state = join(dir, 'state.json');
    copyFileSync(sample, file);
    const index = testIndex('watch');
    const child = spawn(
      process.execPath,
      [
        bin,
        'watch',
        file,
        '--state',
        state,
        '--checkpoint-interval',
        '50ms',
        '--sink',
        `splunk-hec:${env.url}`,
        '--hec-index',
        index,
      ],
      { env: { ...process.env, NODE_OPTIONS: '', NPSWATCH_HEC_TOKEN: env.token }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const output = new PeerOutput(env.output);
    try {
      await output.until(() => savedOffset(state, file) !== undefined && stdout.includes('\n'));
      const printed = () =>
        stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as unknown);
      // With --sink, a chunk reaches stdout only once its alerts are delivered (or spooled).
      const before = printed();
      await output.until(() => output.of(index).length >= before.length);
      child.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
      const all = printed();
      await output.until(() => output.of(index).length >= all.length);
      assert.deepEqual(multiset(output.of(index).map((r) => r.event)), multiset(all));
      assert.match(stderr, new RegExp(`splunk-hec: ${all.length} events delivered`));
      assert.ok(!stderr.includes(env.token));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
