import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { classify, createDetector, loadBuiltinRules, loadState, type NpsRecord, parseText } from '@npswatch/core';
import { renderWinlogbeat } from '@npswatch/core/testing';
import { runWatch, type WatchOptions, type WatchRuntime } from '../src/commands/watch.js';
import { capturedIo, run } from './helpers.js';

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
  readonly npswatch: {
    readonly alert: {
      readonly id: string;
      readonly status: string;
      readonly key: string;
      readonly key_fields: Record<string, unknown>;
      readonly sample: readonly { readonly code?: string }[];
    };
  };
}

const T0 = Date.UTC(2024, 8, 20, 10);

/**
 * One rejected RADIUS request as two logs record it (Winlogbeat lines): the extension's event (UPN, FQDN, no
 * client) and, 0.7 s later by the Security log's clock, the 6273 of NPS (DOMAIN\user, the RADIUS client and NAS).
 */
function request(n: number, time: number, client: string): { readonly ext: string; readonly sec: string } {
  const base = { format: 'winlogbeat', position: { file: 'generated', line: 1 } } as const;
  const ext: NpsRecord = {
    ...base,
    time,
    host: 'NPS01.contoso.com',
    channel: 'AuthZOptCh',
    provider: 'Microsoft-AzureMfa-AuthZ',
    eventId: 1,
    message: `NPS Extension for Azure MFA: CID: 00000000-0000-4000-a000-${String(n).padStart(12, '0')} : Access Rejected for user user${n}@contoso.com with Azure MFA response: AuthenticationMethodNotConfigured and message: x`,
  };
  const sec: NpsRecord = {
    ...base,
    time: time + 700,
    host: 'nps01.contoso.com',
    channel: 'Security',
    provider: 'Microsoft-Windows-Security-Auditing',
    eventId: 6273,
    fields: {
      SubjectUserName: `user${n}@contoso.com`,
      FullyQualifiedSubjectUserName: `CONTOSO\\user${n}`,
      CallingStationID: `station-${n}`,
      NASIdentifier: 'vpn-gw',
      ClientIPAddress: client,
      NetworkPolicyName: 'VPN Users',
      AuthenticationType: 'PAP',
      ReasonCode: '21',
      Reason: 'An NPS extension DLL rejected it.',
    },
  };
  return { ext: `${renderWinlogbeat(ext)}\n`, sec: `${renderWinlogbeat(sec)}\n` };
}

/**
 * Two password sprays through two RADIUS clients, 15 minutes apart (twelve users each, 10 s apart), and two last
 * requests later that move event time past their windows (the correlator holds the very last one).
 */
const SPRAYS = [
  ...Array.from({ length: 12 }, (_, i) => request(i, T0 + i * 10_000, '10.9.0.1')),
  ...Array.from({ length: 12 }, (_, i) => request(12 + i, T0 + 15 * 60_000 + i * 10_000, '10.9.0.2')),
  request(98, T0 + 60 * 60_000, '10.9.0.3'),
  request(99, T0 + 61 * 60_000, '10.9.0.3'),
];

// Watchers a failed test left running, stopped after it so mocha can exit.
const running = new Map<AbortController, Promise<unknown>>();

/** `npswatch watch` in-process, with captured streams and an AbortController in place of SIGINT/SIGTERM. */
function startWatch(
  inputs: string[],
  options: Partial<WatchOptions> = {},
  runtime: WatchRuntime = {},
  stdinText?: string,
) {
  const stdin = stdinText === undefined ? new PassThrough() : Readable.from([Buffer.from(stdinText)]);
  const { io, stdout, stderr } = capturedIo(stdin);
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
    stdout()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as AlertDoc);
  return {
    done,
    alerts,
    ids: () => alerts().map((a) => a.npswatch.alert.id),
    stderr,
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

  it('takes only its share of the NPS servers with --partition, and says how many records it left out', async () => {
    const one = startWatch(['-'], { partition: { index: 1, count: 2 } }, {}, DAY);
    assert.equal(await one.done, 0);
    const two = startWatch(['-'], { partition: { index: 2, count: 2 } }, {}, DAY);
    assert.equal(await two.done, 0);
    const events = (w: typeof one) => Number(/(\d+) events, \d+ alerts/.exec(w.stderr())?.[1]);
    assert.equal(events(one) + events(two), LINES.length);
    assert.ok(events(one) > 0 && events(two) > 0);
    assert.match(one.stderr(), new RegExp(`partition 1/2: ${events(two)} records of other NPS servers left out`));
  });

  it('exits 3 when its input ends with records rejected, 0 when a signal stops it (README exit codes)', async () => {
    // Regression: watch always exited 0, even when stdin ended with rejected records.
    const bad = `${LINES.slice(0, 5).join('\n')}\n{"@timestamp": "not a time"}\n`;
    const ended = startWatch(['-'], {}, {}, bad);
    assert.equal(await ended.done, 3);
    assert.match(ended.stderr(), / 1 records rejected/);
    writeFileSync(file, bad);
    const stopped = startWatch([file]);
    await waitFor('the rejected line', () => /rejected|not a time/.test(stopped.stderr()));
    assert.equal(await stopped.stop(), 0);
    assert.match(stopped.stderr(), / 1 records rejected/);
  });

  describe('with --correlate', () => {
    let ext: string;
    let sec: string;
    beforeEach(() => {
      ext = join(dir, 'AuthZOptCh.ndjson');
      sec = join(dir, 'Security.ndjson');
      writeFileSync(ext, '');
      writeFileSync(sec, '');
    });

    /** Both logs' checkpoints have reached their ends in `path`. */
    const bothCheckpointed = (path: string) => async () => {
      const inputs = (await loadState(path).catch(() => undefined))?.checkpoint.inputs;
      return [ext, sec].every((f) => inputs?.[resolve(f)]?.offset === statSync(f).size);
    };
    /** Appends the lines as NPS writes them, live: one request at a time, each read before the next is written. */
    const feed = async (path: string, lines: readonly { readonly ext?: string; readonly sec?: string }[]) => {
      for (const r of lines) {
        if (r.ext !== undefined) appendFileSync(ext, r.ext);
        if (r.sec !== undefined) appendFileSync(sec, r.sec);
        await waitFor('the checkpoint of both logs', bothCheckpointed(path));
      }
    };
    const correlated = /correlated (\d+) extension events, (\d+) with Security or accounting records/;

    it('joins the extension log with the Security log live: spray alerts name the RADIUS client', async () => {
      const w = startWatch([ext, sec], { state, correlate: true });
      await feed(state, SPRAYS);
      assert.equal(await w.stop(), 0);
      const sprays = w.alerts().filter((a) => a.rule.id === 'password-spray' && a.npswatch.alert.status === 'firing');
      assert.deepEqual(
        sprays.map((a) => a.npswatch.alert.key_fields),
        [{ 'npswatch.radius.client_ip': '10.9.0.1' }, { 'npswatch.radius.client_ip': '10.9.0.2' }],
      );
      // Counted from the extension events (their reason-21 6273s are explained by them), which got the client.
      for (const a of sprays)
        assert.ok(a.npswatch.alert.sample.every((e) => e.code === 'AuthenticationMethodNotConfigured'));
      // Every request paired: nothing unmatched to report.
      assert.deepEqual(
        w.alerts().filter((a) => a.rule.id === 'extension-reject-unmatched'),
        [],
      );
      assert.deepEqual(correlated.exec(w.stderr())?.slice(1), ['25', '25']);
      // The last request is still held, waiting for partners: it is in the state file.
      const saved = await loadState(state);
      assert.equal((saved?.correlation as { held: unknown[] } | undefined)?.held.length, 2);
    });

    it('resumes from --state mid-way without losing a pairing or repeating an alert', async () => {
      const whole = startWatch([ext, sec], { state, correlate: true });
      await feed(state, SPRAYS);
      assert.equal(await whole.stop(), 0);
      const reference = whole.ids();
      assert.ok(reference.length >= 2);

      rmSync(state);
      writeFileSync(ext, '');
      writeFileSync(sec, '');
      // Stopped between the extension event of request 17 and its 6273: the state holds the one, the log the other.
      const cut = 17;
      const one = startWatch([ext, sec], { state, correlate: true });
      await feed(state, [...SPRAYS.slice(0, cut), { ext: SPRAYS[cut]!.ext }]);
      assert.equal(await one.stop(), 0);
      const held = (await loadState(state))?.correlation as { held: { event: { message?: string } }[] } | undefined;
      assert.ok(held?.held.some((h) => h.event.message?.includes(`user${cut}@`)));
      assert.ok(one.ids().length > 0, 'the first spray fires before the restart');

      const two = startWatch([ext, sec], { state, correlate: true });
      await feed(state, [{ sec: SPRAYS[cut]!.sec }, ...SPRAYS.slice(cut + 1)]);
      assert.equal(await two.stop(), 0);
      assert.deepEqual([...one.ids(), ...two.ids()], reference);
      assert.deepEqual(correlated.exec(two.stderr())?.slice(1), correlated.exec(whole.stderr())?.slice(1));
      assert.match(two.stderr(), /resumed from/);
    });

    it('releases what it holds at the end without --state, and honours --tolerance', async () => {
      const { ext: e, sec: s } = request(1, T0, '10.9.0.1');
      const unmatched = (w: ReturnType<typeof startWatch>) =>
        w
          .alerts()
          .filter((a) => a.rule.id === 'extension-reject-unmatched')
          .map((a) => a.npswatch.alert.key)
          .sort();
      const near = startWatch(['-'], { correlate: true }, {}, e + s);
      assert.equal(await near.done, 0);
      assert.deepEqual(correlated.exec(near.stderr())?.slice(1), ['1', '1']);
      assert.deepEqual(unmatched(near), []);
      // 0.7 s apart: not one request within 100 ms. Each is reported unmatched once the correlator lets it go.
      const tight = startWatch(['-'], { correlate: true, tolerance: '100ms' }, {}, e + s);
      assert.equal(await tight.done, 0);
      assert.deepEqual(correlated.exec(tight.stderr())?.slice(1), ['1', '0']);
      assert.deepEqual(unmatched(tight), ['NPS01.contoso.com|extension', 'nps01.contoso.com|security']);
      // Off by default: nothing correlated, no summary.
      const off = startWatch(['-'], {}, {}, e + s);
      assert.equal(await off.done, 0);
      assert.doesNotMatch(off.stderr(), /correlated/);
    });

    it('restores a state saved with --correlate into a run without it: what was held is not lost', async () => {
      const one = startWatch([ext, sec], { state, correlate: true });
      await feed(state, SPRAYS.slice(0, 3));
      assert.equal(await one.stop(), 0);
      const saved = (await loadState(state))?.correlation as { held: unknown[] } | undefined;
      assert.ok((saved?.held.length ?? 0) > 0);
      const two = startWatch([ext, sec], { state });
      await waitFor('a checkpoint without the correlator', async () => {
        const saved = await loadState(state).catch(() => undefined);
        return saved !== undefined && saved.correlation === undefined;
      });
      assert.equal(await two.stop(), 0);
      assert.match(two.stderr(), / 0 late events/);
    });
  });

  it('is a command with its options, and rejects a bad duration or a repeated input', async () => {
    const help = await run(['watch', '--help']);
    assert.equal(help.code, 0);
    for (const option of [
      '--state',
      '--idle-advance',
      '--checkpoint-interval',
      '--rules',
      '--dead-letter',
      '--correlate',
      '--no-correlate',
      '--tolerance',
    ]) {
      assert.match(help.stdout, new RegExp(option));
    }
    const bad = await run(['watch', file, '--idle-advance', 'soon']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--idle-advance/);
    const tolerance = await run(['watch', file, '--correlate', '--tolerance', 'soon']);
    assert.equal(tolerance.code, 2);
    assert.match(tolerance.stderr, /--tolerance/);
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
