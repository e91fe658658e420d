import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY_SAMPLE, savedOffset, startNpswatch } from '../watch-helpers.js';
import { multiset, type PeerEnv, PeerOutput, peerEnv, testIndex } from './peer.js';

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
    copyFileSync(DAY_SAMPLE, file);
    const index = testIndex('watch');
    const run = startNpswatch(
      [
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
      { NPSWATCH_HEC_TOKEN: env.token },
    );
    const { child } = run;
    const output = new PeerOutput(env.output);
    try {
      await output.until(() => savedOffset(state, file) !== undefined && run.stdout.includes('\n'));
      const printed = () =>
        run.stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as unknown);
      // With --sink, a chunk reaches stdout only once its alerts are delivered (or spooled).
      const before = printed();
      await output.until(() => output.of(index).length >= before.length);
      child.kill('SIGTERM');
      assert.equal(await run.exited, 0, run.stderr);
      const all = printed();
      await output.until(() => output.of(index).length >= all.length);
      assert.deepEqual(multiset(output.of(index).map((r) => r.event)), multiset(all));
      assert.match(run.stderr, new RegExp(`splunk-hec: ${all.length} events delivered`));
      assert.ok(!run.stderr.includes(env.token));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
