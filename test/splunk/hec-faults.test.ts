import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { toEcs } from '@npswatch/core';
import { HecSink, isHecError } from '@npswatch/splunk-app';
import { main } from 'npswatch';
import {
  canonical,
  FaultProxy,
  freePort,
  multiset,
  type PeerEnv,
  PeerOutput,
  PrivatePeer,
  peerEnv,
  sampleEvents,
  testIndex,
} from './peer.js';

const SAMPLE = fileURLToPath(
  new URL('../../packages/core/samples/synthetic/nps-day.winlogbeat.ndjson', import.meta.url),
);
const WRONG_TOKEN = 'bad0bad0-dead-4bee-8f00-0123456789ab';

/** Every way an error can be shown or logged. */
function renderings(err: unknown): string {
  const e = err as Error & { hint?: string };
  return [String(e.message), String(e.stack), JSON.stringify(e), inspect(e, { depth: 20 }), String(e.hint)].join('\n');
}

describe('HEC sink faults against a real HEC peer', () => {
  let env: PeerEnv;
  let output: PeerOutput;
  let proxy: FaultProxy;
  before(() => {
    env = peerEnv();
    output = new PeerOutput(env.output);
  });
  beforeEach(async () => {
    proxy = await new FaultProxy(env.url).start();
  });
  afterEach(() => proxy.close());

  /** The proxy refuses tokens other than the peer's, as Splunk does (403, HEC code 4). */
  function checkTokens(): void {
    proxy.decide = (req) =>
      req.headers.authorization === `Splunk ${env.token}`
        ? { forward: true }
        : { status: 403, body: { text: 'Invalid token', code: 4 } };
  }

  it('refuses a bad token with a clear error that never contains it, and sends nothing', async () => {
    checkTokens();
    const index = testIndex('badtoken');
    const sink = new HecSink({ transport: { url: proxy.url, token: WRONG_TOKEN }, index });
    for (const e of sampleEvents().slice(0, 10)) await sink.writeEvent(e);
    const err = await sink.flush().then(
      () => assert.fail('flush should fail'),
      (e: unknown) => e,
    );
    assert.ok(isHecError(err));
    assert.equal(err.code, 'HEC_INVALID_TOKEN');
    assert.equal(err.status, 403);
    assert.match(err.message, /invalid token/);
    assert.match(String(err.hint), /NPSWATCH_HEC_TOKEN/);
    assert.ok(!renderings(err).includes(WRONG_TOKEN));
    await assert.rejects(sink.close(), { code: 'HEC_INVALID_TOKEN' });
    assert.equal(proxy.forwarded, 0);

    // The same events with the right token go through, so the proxy itself is not what failed.
    const good = new HecSink({ transport: { url: proxy.url, token: env.token }, index });
    for (const e of sampleEvents().slice(0, 10)) await good.writeEvent(e);
    await good.close();
    await output.until(() => output.of(index).length >= 10);
    assert.equal(output.of(index).length, 10);
  });

  it('the CLI reports a refused token and exits 1 without printing it', async () => {
    checkTokens();
    const stderr = new PassThrough();
    let errors = '';
    stderr.on('data', (c: Buffer) => {
      errors += c.toString();
    });
    const io = {
      stdout: new PassThrough().resume(),
      stderr,
      stdin: Readable.from([]),
      env: { NPSWATCH_HEC_TOKEN: WRONG_TOKEN },
    };
    assert.equal(await main(['replay', SAMPLE, '--sink', `splunk-hec:${proxy.url}`], io), 1);
    assert.match(errors, /invalid token/);
    assert.match(errors, /hint: check the HEC token/);
    assert.ok(!errors.includes(WRONG_TOKEN));
  });

  it('retries a burst of 503 and 429 replies and delivers every event exactly once', async () => {
    let refused = 0;
    proxy.decide = (req) => {
      if (!req.url?.startsWith('/services/collector/event') || refused >= 6) return { forward: true };
      refused++;
      return refused % 2 === 1
        ? { status: 503, body: { text: 'Server is busy', code: 9 } }
        : { status: 429, body: { text: 'Too many requests' }, headers: { 'retry-after': '1' } };
    };
    const events = sampleEvents().slice(0, 300);
    const index = testIndex('busy');
    const sink = new HecSink({
      transport: { url: proxy.url, token: env.token, retry: { retries: 8, minDelayMs: 20, maxDelayMs: 200 } },
      index,
      batch: { maxEvents: 50 },
      maxInFlight: 1,
    });
    for (const e of events) await sink.writeEvent(e);
    await sink.close();
    assert.equal(proxy.answered, 6);
    await output.until(() => output.of(index).length >= events.length);
    assert.deepEqual(multiset(output.of(index).map((r) => r.event)), multiset(events.map((e) => toEcs(e))));
    assert.equal(sink.stats.delivered, events.length);
    assert.equal(sink.stats.outages, 0, 'absorbed by retries');
  });

  describe('with the peer killed mid-stream and restarted', () => {
    let peer: PrivatePeer;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'npswatch-hec-restart-'));
      peer = new PrivatePeer(await freePort(), join(dir, 'peer'));
      await peer.start();
    });
    after(async () => {
      await peer.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('loses nothing: spooled while down, drained after; duplicates only where a resend was needed', async () => {
      const events = sampleEvents().slice(0, 600);
      const warnings: string[] = [];
      const sink = new HecSink({
        transport: { url: peer.url, token: env.token, retry: { retries: 2, minDelayMs: 20, maxDelayMs: 100 } },
        index: 'restart',
        batch: { maxEvents: 20, maxDelayMs: 5 },
        ack: { pollIntervalMs: 20, timeoutMs: 2000 },
        spool: { dir: join(dir, 'spool') },
        probe: { minDelayMs: 50, maxDelayMs: 200 },
        onWarning: (m) => warnings.push(m),
      });
      // Phase 1: a stream in progress when the peer goes away (no flush before the stop).
      for (const e of events.slice(0, 200)) await sink.writeEvent(e);
      await peer.stop();
      // Phase 2: events keep coming while it is down; they go to the spool.
      for (const e of events.slice(200, 400)) await sink.writeEvent(e);
      await sink.flush();
      assert.equal(sink.status, 'down');
      assert.ok(sink.stats.spooled > 0);
      assert.ok(readdirSync(join(dir, 'spool')).length > 0);
      // Phase 3: the peer is back; the spool drains while new events arrive.
      await peer.start();
      for (const e of events.slice(400)) await sink.writeEvent(e);
      await sink.close({ timeoutMs: 60_000 });
      assert.deepEqual(readdirSync(join(dir, 'spool')), []);
      assert.ok(warnings.some((w) => w.includes('unreachable')) && warnings.some((w) => w.includes('reachable again')));
      assert.ok(!warnings.join('\n').includes(env.token));

      const received = new PeerOutput(peer.output);
      const want = multiset(events.map((e) => toEcs(e)));
      await received.until(() => {
        const got = multiset(received.of('restart').map((r) => r.event));
        return [...want.keys()].every((k) => (got.get(k) ?? 0) >= want.get(k)!);
      });
      const got = multiset(received.of('restart').map((r) => r.event));
      let duplicates = 0;
      for (const [k, n] of want) {
        assert.ok((got.get(k) ?? 0) >= n, `lost: ${k.slice(0, 120)}`);
        duplicates += (got.get(k) ?? 0) - n;
      }
      for (const k of got.keys()) assert.ok(want.has(k), `unexpected: ${k.slice(0, 120)}`);
      // At least once; exactly once except for events whose outcome was unknown and were sent again.
      assert.ok(duplicates <= sink.stats.resent, `${duplicates} duplicates, ${sink.stats.resent} resent`);
      assert.equal(received.of('restart').length, events.length + duplicates);
      assert.ok(canonical(sink.stats).length > 0);
    });
  });
});
