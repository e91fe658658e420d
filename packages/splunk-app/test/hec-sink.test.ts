import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { isHecError } from '../src/hec/errors.js';
import { HecSink, type HecSinkOptions } from '../src/hec/sink.js';
import { HecTransport } from '../src/hec/transport.js';
import { deferred, ManualTimers, ScriptedHec, until } from './helpers/scripted-hec.js';

const TOKEN = '1f0e2d3c-4b5a-4978-8a9b-cafef00dcafe';

describe('HEC sink', () => {
  let hec: ScriptedHec;
  let timers: ManualTimers;
  let dir: string;
  const sinks: HecSink[] = [];
  const warnings: string[] = [];

  /** A sink against the scripted server: manual timers, no waiting between retries. */
  function sink(options: Partial<HecSinkOptions> = {}): HecSink {
    const s = new HecSink({
      transport: { url: hec.url, token: TOKEN, sleep: async () => undefined, retry: { retries: 1 } },
      timers,
      host: 'npswatch-test',
      onWarning: (m) => warnings.push(m),
      ...options,
    });
    sinks.push(s);
    return s;
  }
  const write = (s: HecSink, from: number, to: number) =>
    (async () => {
      for (let i = from; i < to; i++) await s.write({ time: 1_700_000_000_000 + i, event: { i }, sourcetype: 't' });
    })();
  const ids = () => hec.events().map((e) => (e.event as { i: number }).i);
  /**
   * A collector with indexer acks: every batch gets the next ack id; `/ack` answers `acked(poll)` for each id asked
   * (poll counts from 1). Returns the number of polls so far.
   */
  const withAcks = (acked: (poll: number) => boolean): (() => number) => {
    let ackId = 0;
    let polls = 0;
    hec.handler = (r) => {
      if (r.path.endsWith('/event')) return { status: 200, body: { text: 'Success', code: 0, ackId: ackId++ } };
      if (r.path.endsWith('/ack')) {
        polls++;
        const asked = (JSON.parse(r.body) as { acks: number[] }).acks;
        return { status: 200, body: { acks: Object.fromEntries(asked.map((id) => [String(id), acked(polls)])) } };
      }
      return undefined;
    };
    return () => polls;
  };

  beforeEach(async () => {
    hec = await new ScriptedHec().start();
    timers = new ManualTimers();
    dir = mkdtempSync(join(tmpdir(), 'npswatch-spool-'));
    warnings.length = 0;
  });
  afterEach(async () => {
    for (const s of sinks.splice(0)) {
      const closing = s.close({ timeoutMs: 0 }).catch(() => undefined);
      timers.advance(0);
      await closing;
    }
    await hec.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong option when created, naming it (nothing is sent)', () => {
    const transport = { url: 'http://127.0.0.1:9', token: 'x' };
    const cases: [Partial<HecSinkOptions>, RegExp][] = [
      [{ transport: { ...transport, gzipLevel: 42 } }, /option gzipLevel: /],
      [{ transport: { ...transport, connections: 0 } }, /option connections: /],
      [{ transport: { ...transport, retry: { retries: -1 } } }, /option retry\.retries: /],
      [{ transport: { ...transport, retry: { minDelayMs: 1000, maxDelayMs: 10 } } }, /minDelayMs must not exceed/],
      [{ channel: 'abc' }, /option channel: a GUID/],
      [{ index: 'bad index' }, /option index: a Splunk index name/],
      [{ batch: { maxEvents: 0 } }, /option batch\.maxEvents: /],
      [{ maxInFlight: 0 }, /option maxInFlight: /],
      [{ ack: { timeoutMs: 0 } }, /option ack\.timeoutMs: /],
      [{ probe: { minDelayMs: 5000, maxDelayMs: 10 } }, /option probe: minDelayMs must not exceed maxDelayMs/],
    ];
    for (const [options, message] of cases)
      assert.throws(
        () => new HecSink({ transport, ...options } as HecSinkOptions),
        (err: unknown) => isHecError(err) && err.code === 'HEC_CONFIG' && message.test(err.message),
        JSON.stringify(options),
      );
  });

  it('never shows its token when logged: util.inspect at any depth, JSON.stringify', async () => {
    const token = '11111111-2222-3333-4444-555555555555';
    const sink = new HecSink({ transport: { url: 'http://127.0.0.1:9', token } });
    try {
      for (const text of [inspect(sink, { depth: Number.POSITIVE_INFINITY, showHidden: true }), JSON.stringify(sink)])
        assert.ok(!text.includes(token), text.slice(0, 200));
    } finally {
      await sink.close({ timeoutMs: 0 }).catch(() => {});
    }
  });

  it('cuts batches by count, gzips them and delivers every event once', async () => {
    const s = sink({ batch: { maxEvents: 3 } });
    await write(s, 0, 7);
    await s.flush();
    const posts = hec.seen.filter((r) => r.path === '/services/collector/event');
    // Up to four requests travel at once: their order on arrival is not fixed.
    assert.deepEqual(posts.map((p) => p.body.split('\n').filter(Boolean).length).sort(), [1, 3, 3]);
    assert.ok(posts.every((p) => p.headers['content-encoding'] === 'gzip'));
    assert.ok(posts.every((p) => p.headers['x-splunk-request-channel'] === s.channel));
    assert.deepEqual(
      ids().sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6],
    );
    assert.equal(hec.events().find((e) => (e.event as { i: number }).i === 0)!.time, 1_700_000_000.0);
    assert.equal(hec.events()[0]!.host, 'npswatch-test');
    assert.equal(s.stats.delivered, 7);
    assert.equal(s.stats.batches, 3);
  });

  it('cuts batches by bytes', async () => {
    const s = sink({ batch: { maxBytes: 200 } });
    await write(s, 0, 10);
    await s.flush();
    const sizes = hec.seen.map((r) => Buffer.byteLength(r.body));
    assert.ok(sizes.length > 1);
    // A batch closes on the line that reaches the limit: at most one line over.
    assert.ok(sizes.every((n) => n < 200 + 80));
    // Batches travel concurrently: order across batches is not kept.
    assert.deepEqual(
      ids().sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
  });

  it('sends a partial batch when its first event is maxDelayMs old, not before', async () => {
    const s = sink({ batch: { maxDelayMs: 1000 } });
    await write(s, 0, 2);
    timers.advance(999);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(hec.seen.length, 0);
    timers.advance(1);
    await until(() => hec.seen.length === 1);
    assert.deepEqual(ids(), [0, 1]);
  });

  it('waits for indexer acknowledgement, polling /ack on its channel', async () => {
    // Not yet on the first poll, acknowledged on the second.
    const polled = withAcks((poll) => poll > 1);
    const s = sink({ batch: { maxEvents: 2 }, ack: { pollIntervalMs: 100 } });
    await write(s, 0, 4);
    let flushed = false;
    const done = s.flush().then(() => {
      flushed = true;
    });
    await until(() => s.stats.batches === 2);
    timers.advance(100);
    // The first poll answered "not yet" and scheduled the next.
    await until(() => polled() === 1 && timers.pending > 0);
    assert.equal(flushed, false, 'not delivered before acknowledgement');
    timers.advance(100);
    await done;
    assert.equal(s.stats.acknowledged, 4);
    const ackReq = hec.seen.find((r) => r.path.endsWith('/ack'))!;
    assert.equal(ackReq.query.get('channel'), s.channel);
    assert.deepEqual(
      ids().sort((a, b) => a - b),
      [0, 1, 2, 3],
      'nothing resent',
    );
  });

  it('resends a batch whose ack does not come within the timeout, then gives up counting it unconfirmed', async () => {
    let ackId = 0;
    hec.handler = (r) => {
      if (r.path.endsWith('/event')) return { status: 200, body: { text: 'Success', code: 0, ackId: ackId++ } };
      if (r.path.endsWith('/ack')) return { status: 200, body: { acks: {} } };
      return undefined;
    };
    const s = sink({ ack: { pollIntervalMs: 100, timeoutMs: 250, maxResends: 1 } });
    await write(s, 0, 2);
    const done = s.flush();
    await until(() => s.stats.batches === 1);
    // One poll per step; a finished poll schedules the next while anything is unacknowledged.
    const poll = async () => {
      timers.advance(100);
      await until(() => timers.pending > 0 || s.stats.unconfirmed > 0);
    };
    await poll(); // t=100: not acknowledged
    await poll(); // t=200
    assert.equal(s.stats.resent, 0);
    await poll(); // t=300: past the timeout, resent
    await until(() => s.stats.batches === 2);
    assert.equal(s.stats.resent, 2);
    await poll(); // t=400
    await poll(); // t=500
    await poll(); // t=600: the resend timed out too; given up
    await done;
    assert.equal(s.stats.unconfirmed, 2);
    assert.deepEqual(ids(), [0, 1, 0, 1]);
  });

  it('stops waiting for acks when the token has them disabled', async () => {
    hec.handler = (r) => {
      if (r.path.endsWith('/event')) return { status: 200, body: { text: 'Success', code: 0, ackId: 7 } };
      if (r.path.endsWith('/ack')) return { status: 400, body: { text: 'ACK is disabled', code: 14 } };
      return undefined;
    };
    const s = sink();
    await write(s, 0, 1);
    const done = s.flush();
    await until(() => s.stats.batches === 1);
    timers.advance(1000);
    await done;
    assert.equal(s.stats.delivered, 1);
    assert.equal(s.stats.acknowledged, 0);
    assert.ok(warnings.some((w) => w.includes('acknowledgement is disabled')));
  });

  it('spools while the collector is unreachable and drains the spool when it is back', async () => {
    const port = hec.port;
    await hec.stop();
    const s = sink({ batch: { maxEvents: 5 }, spool: { dir } });
    await write(s, 0, 12);
    await s.flush();
    assert.equal(s.status, 'down');
    assert.equal(s.stats.spooled, 12);
    assert.equal(readdirSync(dir).length, 3);
    assert.ok(warnings.some((w) => w.includes('unreachable') && w.includes(dir)));
    // Still down at the first probe, back for the second.
    timers.advance(500);
    // A failed probe schedules the next one.
    await until(() => timers.pending > 0);
    assert.equal(s.status, 'down');
    await hec.start(port);
    timers.advance(1000);
    await until(() => s.status === 'up');
    await s.flush();
    assert.deepEqual(
      ids().sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    );
    assert.equal(s.stats.drained, 12);
    assert.deepEqual(readdirSync(dir), []);
    assert.ok(!warnings.join('\n').includes(TOKEN));
  });

  it('flush({ timeoutMs }) gives up waiting on an unreachable collector without a spool; nothing is lost', async () => {
    const port = hec.port;
    await hec.stop();
    const s = sink({ batch: { maxEvents: 5 } });
    await write(s, 0, 7);
    const flushing = s.flush({ timeoutMs: 2000 }).catch((e: unknown) => e);
    await until(() => s.status === 'down');
    timers.advance(2000);
    const err = await flushing;
    assert.ok(isHecError(err) && err.code === 'HEC_UNDELIVERED', String(err));
    assert.match(err.message, /7 events not yet delivered .* after 2000 ms/);
    assert.equal(s.stats.pending, 7);
    // Back: a flush without a timeout then delivers every event once.
    await hec.start(port);
    const later = s.flush();
    for (let i = 0; i < 100 && s.stats.delivered < 7; i++) {
      timers.advance(1000);
      await new Promise((r) => setTimeout(r, 5));
    }
    await later;
    assert.deepEqual(
      ids().sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6],
    );
  });

  it('drains batches an earlier run left in the spool', async () => {
    const port = hec.port;
    await hec.stop();
    const first = sink({ spool: { dir } });
    await write(first, 0, 3);
    // close() waits for the collector until its deadline (on the manual clock), then keeps the spool.
    const closing = first.close({ timeoutMs: 10 });
    await until(() => first.status === 'down');
    timers.advance(10);
    await closing;
    assert.equal(readdirSync(dir).length, 1);
    await hec.start(port);
    const second = sink({ spool: { dir } });
    await until(() => second.stats.drained === 3);
    await second.flush();
    assert.deepEqual(ids(), [0, 1, 2]);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('applies backpressure: write() waits while too much is pending', async () => {
    const hold = deferred();
    hec.handler = (r) =>
      r.path.endsWith('/event') ? { status: 200, body: { code: 0 }, after: hold.promise } : undefined;
    const s = sink({ batch: { maxEvents: 1 }, maxInFlight: 1, maxPendingBytes: 100 });
    await write(s, 0, 2);
    let third = false;
    const pending = s.write({ event: { i: 2 } }).then(() => {
      third = true;
    });
    await until(() => hec.seen.length === 1);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(third, false, 'the third write waits for room');
    hold.resolve();
    await pending;
    await s.flush();
    assert.deepEqual(ids(), [0, 1, 2]);
  });

  it('a writer out of room asks for acks promptly instead of waiting for the regular poll', async () => {
    // Regression: with acks, memory is freed only by acks; a writer blocked on room waited for the 1 s poll, so a
    // sender faster than maxPendingBytes per second stalled every second.
    const polled = withAcks(() => true);
    const s = sink({ batch: { maxEvents: 1 }, maxPendingBytes: 100, ack: { pollIntervalMs: 1000 } });
    const ev = (i: number) => ({ time: 1_700_000_000_000 + i, event: { i }, sourcetype: 't' });
    await s.write(ev(0));
    // Its batch went out and got an ack id: the regular 1000 ms poll is scheduled, and nobody waits yet.
    await until(() => s.stats.batches === 1 && timers.pending > 0);
    const writer = (async () => {
      for (let i = 1; i < 6; i++) await s.write(ev(i));
    })();
    // Only acks free room, and acks need the virtual clock: the writer ends up waiting. Wait until it does.
    let seen = -1;
    for (let stable = 0; stable < 10; stable = s.stats.written === seen ? stable + 1 : 0) {
      seen = s.stats.written;
      await new Promise((r) => setTimeout(r, 2));
    }
    assert.ok(seen < 6, 'the writer is out of room');
    timers.advance(50);
    const deadline = Date.now() + 2000;
    await until(() => polled() >= 1 || Date.now() > deadline);
    assert.equal(polled(), 1, 'one prompt poll 50 ms after the writer began to wait, not at the regular 1000 ms poll');
    // Keep time moving until every write is in and flush has every ack.
    let flushed = false;
    const flushing = writer
      .then(() => s.flush())
      .then(() => {
        flushed = true;
      });
    while (!flushed) {
      timers.advance(50);
      await new Promise((r) => setTimeout(r, 5));
    }
    await flushing;
    assert.equal(s.stats.acknowledged, 6);
    // One event a batch, several in flight: they may arrive in any order, each exactly once.
    assert.deepEqual(
      ids().sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5],
    );
  });

  it('counts as resent only the attempts that may duplicate: not after a 503, but after a dropped connection', async () => {
    let n = 0;
    hec.handler = (r) => {
      if (!r.path.endsWith('/event')) return undefined;
      n++;
      if (n === 1) return { status: 503, body: { text: 'Server is busy', code: 9 } };
      if (n === 2) return { status: 200, hangUp: true };
      return undefined;
    };
    const s = sink({
      batch: { maxEvents: 3 },
      transport: { url: hec.url, token: TOKEN, sleep: async () => undefined, retry: { retries: 3 } },
    });
    await write(s, 0, 3);
    const flushing = s.flush();
    timers.advance(0);
    await flushing;
    assert.equal(n, 3);
    // The busy reply indexed nothing; the request whose connection dropped may have been indexed.
    assert.equal(s.stats.resent, 3);
    assert.equal(s.stats.delivered, 3);
  });

  it('marks what a failed request may have left indexed', async () => {
    const transport = new HecTransport({ url: 'http://127.0.0.1:9', token: TOKEN, retry: { retries: 0 } });
    try {
      const refused = await transport.post({ path: '/services/collector/event', body: '{}' }).catch((e: unknown) => e);
      assert.ok(isHecError(refused) && refused.code === 'HEC_CONNECTION' && !refused.maybeDelivered, String(refused));
    } finally {
      await transport.close();
    }
    hec.handler = () => ({ status: 200, hangUp: true });
    const dropped = new HecTransport({ url: hec.url, token: TOKEN, retry: { retries: 0 } });
    try {
      const err = await dropped.post({ path: '/services/collector/event', body: '{}' }).catch((e: unknown) => e);
      assert.ok(isHecError(err) && err.maybeDelivered, String(err));
    } finally {
      await dropped.close();
    }
  });

  it('drops an event the collector rejects and sends the rest of its batch', async () => {
    let first = true;
    hec.handler = (r) => {
      if (!r.path.endsWith('/event') || !first) return undefined;
      first = false;
      return { status: 400, body: { text: 'Invalid data format', code: 6, 'invalid-event-number': 1 } };
    };
    const dropped: string[] = [];
    const s = sink({ onDrop: (line, err) => dropped.push(`${err.code}:${line.trim()}`) });
    await write(s, 0, 3);
    await s.flush();
    assert.equal(s.stats.dropped, 1);
    assert.equal(dropped.length, 1);
    assert.match(dropped[0]!, /^HEC_INVALID_DATA_FORMAT:.*"i":1/);
    assert.deepEqual(ids(), [0, 1, 2, 0, 2]);
  });

  it('stops on a refused token: write and flush reject with a clear error, never the token, and data is spooled', async () => {
    hec.handler = (r) =>
      r.path.endsWith('/event') ? { status: 403, body: { text: 'Invalid token', code: 4 } } : undefined;
    const s = sink({ spool: { dir } });
    await write(s, 0, 2);
    await assert.rejects(s.flush(), (err: unknown) => {
      assert.ok(isHecError(err));
      assert.equal(err.code, 'HEC_INVALID_TOKEN');
      assert.ok(!`${err.message}${err.stack}${JSON.stringify(err)}`.includes(TOKEN));
      return true;
    });
    await assert.rejects(s.write({ event: 'x' }), { code: 'HEC_INVALID_TOKEN' });
    await assert.rejects(s.close(), { code: 'HEC_INVALID_TOKEN' });
    assert.equal(s.stats.spooled, 2);
    assert.equal(readdirSync(dir).length, 1);
    assert.equal(hec.seen.filter((r) => r.path.endsWith('/event')).length, 1, 'not retried');
    assert.ok(warnings.some((w) => w.includes('NPSWATCH_HEC_TOKEN')));
    assert.ok(!warnings.join('\n').includes(TOKEN));
  });

  it('reports undelivered events at close when the collector is gone and there is no spool', async () => {
    await hec.stop();
    const s = sink();
    await write(s, 0, 4);
    const closing = s.close({ timeoutMs: 10 });
    await until(() => s.status === 'down');
    // The close deadline runs on the manual clock.
    timers.advance(10);
    await assert.rejects(closing, (err: unknown) => {
      assert.ok(isHecError(err));
      assert.equal(err.code, 'HEC_UNDELIVERED');
      assert.match(err.message, /^4 events could not be delivered/);
      return true;
    });
  });

  it('sends raw lines with metadata in the query string, one batch per metadata', async () => {
    const s = sink({ endpoint: 'raw', index: 'nps' });
    await s.write({ event: 'line one', sourcetype: 'a' });
    await s.write({ event: { two: 2 }, sourcetype: 'a' });
    await s.write({ event: 'line three', sourcetype: 'b', host: 'h2' });
    await s.flush();
    const raws = hec.seen.filter((r) => r.path === '/services/collector/raw');
    assert.equal(raws.length, 2);
    const a = raws.find((r) => r.query.get('sourcetype') === 'a')!;
    const b = raws.find((r) => r.query.get('sourcetype') === 'b')!;
    assert.equal(a.body, 'line one\n{"two":2}\n');
    assert.equal(a.query.get('index'), 'nps');
    assert.equal(a.query.get('host'), 'npswatch-test');
    assert.equal(b.body, 'line three\n');
    assert.equal(b.query.get('host'), 'h2');
  });

  it('shares a transport between sinks without closing it', async () => {
    const transport = new HecTransport({ url: hec.url, token: TOKEN });
    try {
      const a = sink({ transport });
      await write(a, 0, 1);
      await a.close();
      const b = sink({ transport });
      await write(b, 1, 2);
      await b.close();
      assert.deepEqual(ids(), [0, 1]);
    } finally {
      await transport.close();
    }
  });

  it('checks health and rejects writes after close', async () => {
    const s = sink();
    assert.equal((await s.health()).healthy, true);
    await s.close();
    await assert.rejects(s.write({ event: 'late' }), { code: 'HEC_CLOSED' });
  });
});
