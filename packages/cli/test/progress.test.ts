import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Io } from '../src/io.js';
import { main } from '../src/main.js';
import { createProgress, progressLine } from '../src/progress.js';

const day = fileURLToPath(new URL('../../core/samples/synthetic/nps-day.winlogbeat.ndjson', import.meta.url));

/** Runs the CLI with a stderr that says it is a terminal. */
async function runOnTerminal(args: string[]): Promise<{ code: number; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: true });
  let err = '';
  stdout.resume();
  stderr.on('data', (d) => {
    err += d;
  });
  const io: Io = { stdout, stderr, stdin: Readable.from([]), env: {} };
  return { code: await main(args, io), stderr: err };
}

describe('progress on stderr', () => {
  it('shows a bar with percentage, size, events and time left when the total is known, else what was read', () => {
    assert.equal(
      progressLine({ bytes: 512 * 1024, total: 2 * 1_048_576, events: 1234, elapsed: 1000 }),
      '[######..................]  25%  0.5 MB / 2.0 MB  1,234 events  3s left',
    );
    assert.equal(
      progressLine({ bytes: 2 * 1_048_576, total: 2 * 1_048_576, events: 5000, elapsed: 90_000 }),
      '[########################] 100%  2.0 MB / 2.0 MB  5,000 events',
    );
    assert.equal(progressLine({ bytes: 512 * 1024, events: 7, elapsed: 61_000 }), '0.5 MB  7 events  1m1s');
  });

  it('stays quiet when stderr is not a terminal', () => {
    const stderr = new PassThrough();
    const io: Io = { stdout: new PassThrough(), stderr, stdin: Readable.from([]), env: {} };
    const p = createProgress(io, [day]);
    assert.equal(p.io, io);
    assert.equal(p.onBytes, undefined);
  });

  it('draws on a terminal during replay and report, and keeps other messages on their own lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npswatch-progress-'));
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, `${readFileSync(day, 'utf8').split('\n')[0]}\n{not json\n`);
    for (const args of [
      ['replay', day, bad, '--no-correlate'],
      ['report', day, bad, '--no-correlate', '--out', join(dir, 'r.html')],
    ]) {
      const { code, stderr } = await runOnTerminal(args);
      assert.equal(code, 3, stderr);
      assert.match(stderr, /\r\x1b\[K\[[#.]{24}\] +\d+%/, args[0]);
      // Each message starts a line: the bar is cleared before it.
      const lines = stderr.split('\n').map((l) => l.replace(/^[^\n]*\r\x1b\[K/, ''));
      assert.ok(
        lines.some((l) => /^npswatch: rejected .*bad\.ndjson:2/.test(l)),
        stderr,
      );
      assert.match(lines.at(-2) ?? '', /^npswatch: .*748 events/, args[0]);
    }
  });
});
