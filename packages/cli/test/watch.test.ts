import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { classify, createDetector, loadBuiltinRules, loadState, parseText } from '@npswatch/core';
import { runWatch, type WatchOptions, type WatchRuntime } from '../src/commands/watch.js';
import type { Io } from '../src/io.js';
import { run } from './helpers.js';

const SAMPLE = fileURLToPath(new URL('../../core/samples/synthetic/nps-day.winlogbeat.ndjson', import.meta.url));
const DAY = readFileSync(SAMPLE, 'utf8');
const LINES = DAY.split('\n').filter((l) => l !== '');
const HALF = Math.floor(LINES.length / 2);
const FIRST_HALF = `${LINES.slice(0, HALF).join('\n')}\n`;
const SECOND_HALF = `${LINES.slice(HALF).join('\n')}\n`;
// "More" for the resumed run: the same day again, a day later, so its alerts are new ones.
const NEXT_DAY = DAY.replaceAll('"@timestamp":"2024-09-20', '"@timestamp":"2024-09-21');

/** Waits for a condition in a bounded loop: no test depends on how long anything takes. */
async function waitFor(what: string, cond: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 4000; i++) {
    if (await cond()) return;
    await delay(5);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Alert ids a single uninterrupted detector emits while reading each part in turn (no end-of-input flush). */
async function referenceAlerts(...parts: string[]): Promise<string[][]> {
  const detector = createDetector(await loadBuiltinRules());
  return parts.map((text) => {
    const ids: string[] = [];
    for (const record of parseText(text, { format: 'winlogbeat' }).records) {
      for (const alert of detector.push(classify(record)).alerts) ids.push(alert.id);
    }
    return ids;
  });
}

interface AlertDoc {
  readonly rule: { readonly id: string };
  readonly npswatch: { readonly alert: { readonly id: string; readonly status: string } };
}

// Watchers a failed test left running, stopped after it so mocha can exit.
const running = new Map<AbortController, Promise<unknown>>();

/** `npswatch watch` in-process, with captured streams and an AbortController in place of SIGINT/SIGTERM. */
function startWatch(
  inputs: string[],
  options: Partial<WatchOptions> = {},
  runtime: WatchRuntime = {},
  stdinText?: string,
) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  const stdin = stdinText === undefined ? new PassThrough() : Readable.from([Buffer.from(stdinText)]);
  const io: Io = { stdout, stderr, stdin, env: {} };
  const controller = new AbortController();
  const done = runWatch(
    inputs,
    {
      format: 'auto',
      tz: 'UTC',
      lang: 'en',
      // Long enough that no idle tick interferes, unless a test asks for one.
      idleAdvance: '1h',
      checkpointInterval: '20ms',
      ...options,
    },
    io,
    { signal: controller.signal, pollInterval: 5, ...runtime },
  );
  running.set(
    controller,
    done.catch(() => undefined),
  );
  const alerts = (): AlertDoc[] =>
    out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as AlertDoc);
  return {
    done,
    alerts,
    ids: () => alerts().map((a) => a.npswatch.alert.id),
    stderr: () => err,
    stop: async () => {
      controller.abort();
      return done;
    },
  };
}

describe('npswatch watch', () => {
  let dir: string;
  let file: string;
  let state: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'npswatch-watch-'));
    file = join(dir, 'nps.ndjson');
    state = join(dir, 'state.json');
  });
  afterEach(async () => {
    for (const [controller, done] of running) {
      controller.abort();
      await done;
    }
    running.clear();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The saved checkpoint of `file` has reached its end (every line parsed and applied, then saved). */
  const checkpointAtEnd = async () => {
    const saved = (await loadState(state).catch(() => undefined))?.checkpoint.inputs[resolve(file)];
    const now = statSync(file);
    return saved?.offset === now.size && saved.inode === now.ino;
  };

  it('alerts as lines arrive, resumes from --state without repeating, then alerts only on what is new', async () => {
    const [first, second, third] = await referenceAlerts(FIRST_HALF, SECOND_HALF, `${NEXT_DAY}{"broken\n`);
    assert.ok(second!.length > 0 && third!.length > 0);

    writeFileSync(file, FIRST_HALF);
    const one = startWatch([file], { state });
    await waitFor('alerts of the first half', () => one.ids().length >= first!.length);
    await waitFor('checkpoint of the first half', checkpointAtEnd);
    appendFileSync(file, SECOND_HALF);
    await waitFor('alerts of the second half', () => one.ids().length >= first!.length + second!.length);
    await waitFor('checkpoint of the second half', checkpointAtEnd);
    assert.equal(await one.stop(), 0);
    assert.deepEqual(one.ids(), [...first!, ...second!]);
    const saved = await loadState(state);
    assert.deepEqual(saved?.checkpoint.inputs[resolve(file)], {
      offset: statSync(file).size,
      line: LINES.length + 1,
      inode: statSync(file).ino,
    });

    // Restart on the same state with nothing appended: a few periodic checkpoints later (it is running, and has
    // looked at the file) it has said nothing. The exact comparison after the next append catches late repeats.
    const two = startWatch([file], { state });
    const seen = new Set([saved?.savedAt]);
    await waitFor('three checkpoints by the resumed run', async () => {
      const at = (await loadState(state).catch(() => undefined))?.savedAt;
      if (at !== undefined) seen.add(at);
      return seen.size >= 4;
    });
    assert.ok(await checkpointAtEnd());
    assert.deepEqual(two.ids(), []);
    appendFileSync(file, `${NEXT_DAY}{"broken\n`);
    await waitFor('alerts of the next day', () => two.ids().length >= third!.length);
    await waitFor('checkpoint of the next day', checkpointAtEnd);
    assert.equal(await two.stop(), 0);
    assert.deepEqual(two.ids(), third);
    // Line numbers count on from the checkpoint: the broken line is the file's last.
    assert.match(two.stderr(), new RegExp(`nps\\.ndjson:${2 * LINES.length + 1}\\b`));
    assert.match(two.stderr(), /resumed from/);
  });

  it('checkpoints at the last complete line: a line being written is read whole after a restart', async () => {
    const [first, second] = await referenceAlerts(FIRST_HALF, SECOND_HALF);
    const cut = 50;
    writeFileSync(file, FIRST_HALF + SECOND_HALF.slice(0, cut));
    const one = startWatch([file], { state });
    const boundary = Buffer.byteLength(FIRST_HALF);
    await waitFor('checkpoint of the complete lines', async () => {
      const saved = await loadState(state).catch(() => undefined);
      return saved?.checkpoint.inputs[resolve(file)]?.offset === boundary;
    });
    assert.equal(await one.stop(), 0);
    assert.deepEqual(one.ids(), first);
    assert.match(one.stderr(), / 0 records rejected/);
    assert.deepEqual((await loadState(state))?.checkpoint.inputs[resolve(file)], {
      offset: boundary,
      line: HALF + 1,
      inode: statSync(file).ino,
    });

    const two = startWatch([file], { state });
    appendFileSync(file, SECOND_HALF.slice(cut));
    await waitFor('checkpoint of the second half', checkpointAtEnd);
    assert.equal(await two.stop(), 0);
    assert.deepEqual(two.ids(), second);
    assert.match(two.stderr(), new RegExp(` ${LINES.length - HALF} events, .* 0 records rejected`));
  });

  it('follows a rotation (rename + create) into the new file, and checkpoints the new file', async () => {
    const [day] = await referenceAlerts(DAY);
    writeFileSync(file, FIRST_HALF);
    const w = startWatch([file], { state });
    await waitFor('checkpoint of the first file', checkpointAtEnd);
    renameSync(file, `${file}.1`);
    writeFileSync(file, SECOND_HALF);
    await waitFor('checkpoint of the new file', checkpointAtEnd);
    assert.equal(await w.stop(), 0);
    assert.deepEqual(w.ids(), day);
    assert.equal((await loadState(state))?.checkpoint.inputs[resolve(file)]?.inode, statSync(file).ino);
  });

  it('keeps a UTF-16 file (PowerShell >) resumable: checkpoints on even offsets, decodes after resuming', async () => {
    const [first, second] = await referenceAlerts(FIRST_HALF, SECOND_HALF);
    writeFileSync(
      file,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(FIRST_HALF.replaceAll('\n', '\r\n'), 'utf16le')]),
    );
    const one = startWatch([file], { state });
    await waitFor('checkpoint of the first half', checkpointAtEnd);
    assert.equal(await one.stop(), 0);
    assert.deepEqual(one.ids(), first);
    assert.equal((await loadState(state))?.checkpoint.inputs[resolve(file)]?.line, HALF + 1);

    const two = startWatch([file], { state });
    appendFileSync(file, Buffer.from(SECOND_HALF.replaceAll('\n', '\r\n'), 'utf16le'));
    await waitFor('checkpoint of the second half', checkpointAtEnd);
    assert.equal(await two.stop(), 0);
    assert.deepEqual(two.ids(), second);
    assert.match(two.stderr(), / 0 records rejected/);
  });

  it('fires a silent server flatline through idle ticks while nothing arrives', async () => {
    const [day] = await referenceAlerts(DAY);
    let clock = Date.parse('2030-01-01T00:00:00Z');
    writeFileSync(file, DAY);
    const w = startWatch([file], { state, idleAdvance: '10ms' }, { now: () => clock });
    await waitFor('alerts of the day', () => w.ids().length >= day!.length);
    // Every line read (an event arriving after the clock moves would restart the idle time).
    await waitFor('checkpoint at the end of the day', checkpointAtEnd);
    // Idle ticks at "newest event + 0 ms elapsed" change nothing.
    assert.deepEqual(w.ids(), day);
    clock += 2 * 3_600_000;
    await waitFor('a flatline from idle ticks', () => w.alerts().length > day!.length);
    const fresh = w.alerts().slice(day!.length);
    assert.ok(
      fresh.some((a) => a.rule.id === 'server-silent' && a.npswatch.alert.status === 'firing'),
      JSON.stringify(fresh.map((a) => a.rule.id)),
    );
    assert.equal(await w.stop(), 0);
  });

  it('follows several files into one detector, including one that appears later', async () => {
    const other = join(dir, 'nps02.ndjson');
    const [day] = await referenceAlerts(DAY);
    writeFileSync(file, FIRST_HALF);
    const w = startWatch([file, other], { state });
    await waitFor('checkpoint of the first file', checkpointAtEnd);
    writeFileSync(other, SECOND_HALF);
    await waitFor('alerts of both files', () => w.ids().length >= day!.length);
    await waitFor('checkpoint of the second file', async () => {
      const saved = await loadState(state).catch(() => undefined);
      return saved?.checkpoint.inputs[resolve(other)]?.offset === statSync(other).size;
    });
    assert.equal(await w.stop(), 0);
    assert.deepEqual(w.ids(), day);
  });

  it('reads stdin with - and stops by itself at its end, flushing what is pending', async () => {
    const [day] = await referenceAlerts(DAY);
    const w = startWatch(['-'], {}, {}, DAY);
    assert.equal(await w.done, 0);
    assert.deepEqual(w.ids().slice(0, day!.length), day);
    assert.match(w.stderr(), new RegExp(`${LINES.length} events`));
  });

  it('is a command with its options, and rejects a bad duration or a repeated input', async () => {
    const help = await run(['watch', '--help']);
    assert.equal(help.code, 0);
    for (const option of ['--state', '--idle-advance', '--checkpoint-interval', '--rules', '--dead-letter']) {
      assert.match(help.stdout, new RegExp(option));
    }
    const bad = await run(['watch', file, '--idle-advance', 'soon']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--idle-advance/);
    await assert.rejects(
      runWatch(
        [file, file],
        { format: 'auto', tz: 'UTC', lang: 'en', idleAdvance: '1s', checkpointInterval: '1s' },
        { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {} },
      ),
      /more than once/,
    );
  });

  it('names a corrupt state file as a usage error', async () => {
    writeFileSync(state, '{ not json');
    const r = await run(['watch', file, '--state', state]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /state\.json/);
  });
});
