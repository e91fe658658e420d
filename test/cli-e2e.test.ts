import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

// The installed command as a user runs it: the bin shim over the built dist/, in its own process.
const bin = fileURLToPath(new URL('../packages/cli/bin/npswatch.js', import.meta.url));
const sample = (name: string) => fileURLToPath(new URL(`../packages/core/samples/reference/${name}`, import.meta.url));
const npswatch = (args: string[], input?: Buffer) =>
  spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });

describe('npswatch command (built)', () => {
  it('runs the main job on the bundled samples with no server', () => {
    const r = npswatch([]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /What to do:/);
  });

  it('classifies a gzip-compressed UTF-16LE export from stdin', () => {
    const text = readFileSync(sample('raw-messages.txt'), 'utf8').replace(/\n/g, '\r\n');
    const r = npswatch(
      ['classify', '-', '--no-explain'],
      gzipSync(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])),
    );
    assert.equal(r.status, 0, r.stderr);
    const codes = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).npswatch.code);
    assert.equal(codes.length, 13);
    assert.equal(codes[0], 'ESTS_TOKEN_ERROR');
  });

  it('exits 3 and writes the dead-letter file when records are rejected', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npswatch-e2e-'));
    const input = join(dir, 'in.log');
    writeFileSync(input, '10.0.0.1,u,13/45/2024,10:00:00,IAS,NPS01,4136,1\n');
    const r = npswatch(['classify', input, '--dead-letter', join(dir, 'dead.ndjson')]);
    assert.equal(r.status, 3);
    assert.match(r.stderr, /in\.log:1 \(Record-Date\)/);
    assert.equal(JSON.parse(readFileSync(join(dir, 'dead.ndjson'), 'utf8')).line, 1);
  });

  it('stops quietly when the reader goes away (npswatch … | head)', async () => {
    // Regression: an EPIPE on stdout used to crash with an unhandled error event and a stack trace.
    const day = fileURLToPath(new URL('../packages/core/samples/synthetic/nps-day.winlogbeat.ndjson', import.meta.url));
    const child = spawn(process.execPath, [bin, 'classify', day], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.doesNotMatch(stderr, /EPIPE|Unhandled/);
    assert.ok(code === 0 || code === 3, `exit ${code}`);
  });
});
