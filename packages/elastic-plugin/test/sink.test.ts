import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import type { Alert, ClassifiedEvent } from '@npswatch/core';
import { from, lastValueFrom, Subject } from 'rxjs';
import { elasticConnection } from '../src/client.js';
import { isElasticError } from '../src/errors.js';
import { eventDocumentId } from '../src/ids.js';
import { indexInto } from '../src/rx.js';
import {
  backoffDelay,
  createElasticSink,
  type DeadLetter,
  type ElasticSinkOptions,
  parseRetryAfter,
} from '../src/sink.js';
import { FakeEs, FakeTimers, settle, until } from './helpers.js';

const DAY = Date.UTC(2024, 8, 20);

function event(i: number, extra: Partial<ClassifiedEvent> = {}): ClassifiedEvent {
  return {
    time: DAY + i * 1000,
    kind: 'extension',
    format: 'winlogbeat',
    position: { file: 'f', line: i + 1 },
    host: 'nps01.contoso.com',
    channel: 'AuthZOptCh',
    recordId: i,
    message: `CID: ${i} : Access Accepted for user u${i}@contoso.com`,
    category: 'non-error',
    severity: 'info',
    outcome: 'success',
    ...extra,
  };
}
const events = (n: number, start = 0) => Array.from({ length: n }, (_, i) => event(start + i));

const servers: FakeEs[] = [];
const dirs: string[] = [];
async function fake(options: ConstructorParameters<typeof FakeEs>[0] = {}): Promise<FakeEs> {
  const es = new FakeEs(options);
  await es.start();
  servers.push(es);
  return es;
}
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'npswatch-sink-'));
  dirs.push(dir);
  return dir;
}
const clientFor = (es: FakeEs, password?: string) =>
  new Client({ node: es.url, maxRetries: 0, ...(password ? { auth: { username: 'elastic', password } } : {}) });
/** Retries without waiting: every backoff fires on the next turn, and the delay asked for is recorded. */
const instant = (): Pick<ElasticSinkOptions, 'timers' | 'closeTimeout'> => ({
  timers: new FakeTimers(true),
  closeTimeout: 2 * FakeTimers.AUTO_LIMIT,
});

afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('elastic sink: batching', () => {
  it('flushes by count, then the rest on close', async () => {
    const es = await fake();
    const sink = createElasticSink(clientFor(es), { flushCount: 3, ...instant() });
    for (const e of events(7)) await sink.write(e);
    await until(() => es.calls.length === 2);
    const stats = await sink.close();
    assert.deepEqual(
      es.calls.map((c) => c.docs.length),
      [3, 3, 1],
    );
    assert.equal(es.count, 7);
    assert.equal(stats.total, 7);
    assert.equal(stats.successful, 7);
    assert.equal(stats.pending, 0);
  });

  it('flushes by bytes', async () => {
    const es = await fake();
    const sink = createElasticSink(clientFor(es), { flushBytes: 3000, ...instant() });
    for (const e of events(10)) await sink.write(e);
    await sink.close();
    assert.ok(es.calls.length > 1, `${es.calls.length} requests`);
    assert.ok(es.calls.every((c) => c.docs.length < 10));
    assert.equal(es.count, 10);
  });

  it('flushes by time: a batch is sent flushInterval after its first document, not before', async () => {
    const es = await fake();
    const timers = new FakeTimers();
    const sink = createElasticSink(clientFor(es), { flushInterval: 5000, timers, clock: timers });
    await sink.write(event(1));
    await timers.advance(2000);
    await sink.write(event(2));
    await timers.advance(2999);
    await settle();
    assert.equal(es.calls.length, 0);
    await timers.advance(1);
    await until(() => es.calls.length === 1);
    assert.equal(es.calls[0]!.docs.length, 2);
    await sink.close();
    assert.equal(es.calls.length, 1);
  });

  it('write() waits while every request is in flight and a batch is waiting (backpressure)', async () => {
    let release: () => void = () => undefined;
    let gate = new Promise<void>((r) => {
      release = r;
    });
    const es = await fake({ hold: () => gate });
    const sink = createElasticSink(clientFor(es), { flushCount: 2, concurrency: 1, ...instant() });
    await sink.write(event(1));
    await sink.write(event(2)); // batch 1 in flight
    await sink.write(event(3));
    await sink.write(event(4)); // batch 2 waits for the slot
    let resolved = false;
    const blocked = sink.write(event(5)).then(() => {
      resolved = true;
    });
    await until(() => es.calls.length === 1);
    await settle();
    assert.equal(resolved, false, 'write returned while the sink was full');
    assert.equal(sink.stats.pending, 4);
    release();
    gate = Promise.resolve();
    await blocked;
    assert.equal(resolved, true);
    const stats = await sink.close();
    assert.equal(stats.successful, 5);
  });

  it('consume() pulls from an async iterable at the sink pace', async () => {
    const es = await fake();
    const sink = createElasticSink(clientFor(es), { flushCount: 10, ...instant() });
    async function* gen() {
      for (const e of events(35)) yield e;
    }
    await sink.consume(gen());
    const stats = await sink.close();
    assert.equal(stats.successful, 35);
    assert.equal(es.count, 35);
  });
});

describe('elastic sink: ids and duplicates', () => {
  it('writes the same events twice: stored once, the second time counted as duplicates', async () => {
    const es = await fake();
    const first = await (async () => {
      const sink = createElasticSink(clientFor(es), { flushCount: 4, ...instant() });
      await sink.consume(events(10));
      return sink.close();
    })();
    const sink = createElasticSink(clientFor(es), { flushCount: 4, ...instant() });
    await sink.consume(events(10));
    const second = await sink.close();
    assert.equal(es.count, 10);
    assert.equal(first.successful, 10);
    assert.equal(second.successful, 0);
    assert.equal(second.duplicates, 10);
    const ids = es.calls.flatMap((c) => c.docs.map((d) => d.id));
    assert.deepEqual(ids.slice(0, 10), ids.slice(10));
  });

  it('ids depend on the source record only', () => {
    const a = event(1);
    assert.equal(eventDocumentId(a), eventDocumentId({ ...a, position: { file: 'other.ndjson', line: 99 } }));
    for (const change of [
      { recordId: 2 },
      { host: 'nps02' },
      { channel: 'AuthNOptCh' },
      { time: a.time + 1 },
      { message: 'x' },
      { format: 'windows-xml' as const },
    ]) {
      assert.notEqual(eventDocumentId(a), eventDocumentId({ ...a, ...change }), JSON.stringify(change));
    }
  });

  it('alerts go to the alerts index with the alert id', async () => {
    const es = await fake();
    const alert: Alert = {
      id: 'a1b2',
      fingerprint: 'fp',
      status: 'firing',
      ruleId: 'r',
      ruleType: 'threshold',
      key: '',
      keyFields: {},
      severity: 'high',
      windowStart: DAY,
      windowEnd: DAY + 60_000,
      time: DAY + 60_000,
      startsAt: DAY + 60_000,
      value: 5,
      threshold: 3,
      summary: 'five errors',
      codes: ['X'],
      sample: [event(1)],
      count: 1,
    };
    const sink = createElasticSink(clientFor(es), instant());
    await sink.write(alert);
    await sink.write(alert);
    const stats = await sink.close();
    assert.equal(es.stored.get('npswatch-alerts')?.size, 1);
    assert.equal(es.stored.get('npswatch-alerts')?.get('a1b2')?.message, 'five errors');
    assert.equal(stats.successful + stats.duplicates, 2);
  });
});

describe('elastic sink: retries', () => {
  it('retries whole-request 429s, honouring Retry-After, and indexes everything once', async () => {
    const es = await fake({
      request: (_call, n) => (n <= 2 ? { status: 429, headers: { 'retry-after': '3' } } : undefined),
    });
    const timers = new FakeTimers(true);
    const sink = createElasticSink(clientFor(es), { timers, random: () => 0 });
    await sink.consume(events(20));
    const stats = await sink.close();
    assert.equal(es.count, 20);
    assert.equal(stats.successful, 20);
    assert.equal(stats.retry, 40);
    // Two backoffs asked for at least the server's 3 s, though the jittered backoff alone is 100-200 ms.
    assert.equal(timers.delays.filter((d) => d === 3000).length, 2);
  });

  it('retries only the items answered 429 or 503', async () => {
    const failedOnce = new Set<string>();
    const es = await fake({
      item: (doc) => {
        if (Number(doc.source.winlog && (doc.source.winlog as { record_id: number }).record_id) % 3 !== 0)
          return undefined;
        if (failedOnce.has(doc.id)) return undefined;
        failedOnce.add(doc.id);
        return doc.id.charCodeAt(0) % 2 ? { status: 429 } : { status: 503, type: 'unavailable_shards_exception' };
      },
    });
    const sink = createElasticSink(clientFor(es), instant());
    await sink.consume(events(30));
    const stats = await sink.close();
    assert.equal(es.count, 30);
    assert.equal(stats.retry, 10);
    assert.equal(es.calls[1]!.docs.length, 10, 'only the failed items are sent again');
  });

  it('backoff is exponential, capped, jittered; Retry-After parses seconds and dates', () => {
    assert.equal(
      backoffDelay(1, 100, 1000, () => 0),
      50,
    );
    assert.equal(
      backoffDelay(1, 100, 1000, () => 1),
      100,
    );
    assert.equal(
      backoffDelay(3, 100, 1000, () => 1),
      400,
    );
    assert.equal(
      backoffDelay(10, 100, 1000, () => 1),
      1000,
    );
    assert.equal(parseRetryAfter('7', 0), 7000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4000), 6000);
    assert.equal(parseRetryAfter('soon', 0), undefined);
    assert.equal(parseRetryAfter(undefined, 0), undefined);
  });

  it('out of retries without a spool: dead-lettered with the reason', async () => {
    const es = await fake({ item: () => ({ status: 503, reason: 'no shard' }) });
    const dir = tempDir();
    const file = join(dir, 'dead.ndjson');
    const sink = createElasticSink(clientFor(es), { ...instant(), maxRetries: 2, deadLetter: { file } });
    await sink.consume(events(3));
    const stats = await sink.close();
    assert.equal(stats.failed, 3);
    assert.equal(es.calls.length, 3);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /gave up after 3 attempts: HTTP 503 no shard/);
  });

  it('splits a batch answered 413 (too large)', async () => {
    const es = await fake({ request: (call) => (call.docs.length > 2 ? { status: 413 } : undefined) });
    const sink = createElasticSink(clientFor(es), instant());
    await sink.consume(events(8));
    const stats = await sink.close();
    assert.equal(es.count, 8);
    assert.equal(stats.successful, 8);
    assert.equal(stats.failed, 0);
  });
});

describe('elastic sink: dead letters', () => {
  it('dead-letters documents refused for good, with their reason, and indexes the rest', async () => {
    const es = await fake({
      item: (doc) =>
        doc.index.startsWith('npswatch-events') && (doc.source.winlog as { record_id: number }).record_id === 4
          ? {
              status: 400,
              type: 'document_parsing_exception',
              reason: 'failed to parse field [source.ip] of type [ip]',
            }
          : undefined,
    });
    const seen: DeadLetter[] = [];
    const sink = createElasticSink(clientFor(es), { ...instant(), onDeadLetter: (d) => seen.push(d) });
    await sink.consume(events(6));
    const stats = await sink.close();
    assert.equal(stats.successful, 5);
    assert.equal(stats.failed, 1);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.type, 'document_parsing_exception');
    const dead = [...(es.stored.get('npswatch-deadletter')?.values() ?? [])];
    assert.equal(dead.length, 1);
    const entry = (dead[0]!.npswatch as { dead_letter: Record<string, unknown> }).dead_letter;
    assert.equal(entry.status, 400);
    assert.equal(entry.error_type, 'document_parsing_exception');
    assert.match(String(entry.reason), /source\.ip/);
    assert.equal((JSON.parse(String(entry.document)) as { winlog: { record_id: number } }).winlog.record_id, 4);
  });
});

describe('elastic sink: connection loss', () => {
  it('spools while the server is down and sends the spool when it is back: every event once', async () => {
    const es = await fake();
    const dir = tempDir();
    const spool = join(dir, 'spool.ndjson');
    const sink = createElasticSink(clientFor(es), { ...instant(), flushCount: 5, spool, concurrency: 2 });
    await sink.consume(events(20));
    await sink.flush();
    await es.stop();
    await sink.consume(events(30, 20));
    await sink.flush();
    assert.ok(sink.stats.spooled > 0, 'nothing spooled');
    await es.start();
    const stats = await sink.close();
    assert.equal(es.count, 50);
    assert.equal(stats.spooled, 0);
    assert.equal(stats.successful + stats.duplicates, 50);
    assert.equal(readFileSync(spool, 'utf8'), '');
  });

  it('resumes a spool left by an earlier run before anything new', async () => {
    const es = await fake();
    await es.stop();
    const dir = tempDir();
    const spool = join(dir, 'spool.ndjson');
    const first = createElasticSink(clientFor(es), { ...instant(), spool, closeTimeout: 0 });
    await first.consume(events(12));
    const left = await first.close();
    assert.equal(left.spooled, 12);
    await es.start();
    const second = createElasticSink(clientFor(es), { spool, ...instant() });
    await second.consume(events(3, 12));
    const stats = await second.close();
    assert.equal(es.count, 15);
    assert.equal(stats.total, 15);
    assert.equal(stats.successful, 15);
  });

  it('without a spool, a server that stays down fails the sink and reports what was not sent', async () => {
    const es = await fake();
    await es.stop();
    const sink = createElasticSink(clientFor(es), { ...instant(), maxRetries: 2 });
    await sink.consume(events(4));
    const err = await sink.close().then(
      () => assert.fail('no error'),
      (e: unknown) => e,
    );
    assert.ok(isElasticError(err));
    assert.equal(err.code, 'NPSWATCH_ES_CONNECTION');
    assert.equal(err.unsent, 4);
  });
});

describe('elastic sink: credentials', () => {
  it('a 401 is an NPSWATCH_ES_AUTH error that never shows the password', async () => {
    const password = 'correct-horse-battery-staple';
    const wrong = 'Tr0ub4dor&3-wrong-secret';
    const es = await fake({ password });
    const sink = createElasticSink(clientFor(es, wrong), { ...instant(), secrets: [wrong] });
    await sink.consume(events(2));
    const err = await sink.close().then(
      () => assert.fail('no error'),
      (e: unknown) => e,
    );
    assert.ok(isElasticError(err));
    assert.equal(err.code, 'NPSWATCH_ES_AUTH');
    assert.equal(err.status, 401);
    assert.match(err.message, /401/);
    const basic = Buffer.from(`elastic:${wrong}`).toString('base64');
    for (const text of [
      err.message,
      err.stack ?? '',
      JSON.stringify(err),
      inspect(err, { depth: 10 }),
      String(err.hint),
    ]) {
      assert.ok(!text.includes(wrong), 'password in error');
      assert.ok(!text.includes(basic), 'basic auth header in error');
    }
    assert.equal((err as { cause?: unknown }).cause, undefined);
  });

  it('write() after a failure or after close() rejects with a stable code', async () => {
    const es = await fake();
    const sink = createElasticSink(clientFor(es), instant());
    await sink.close();
    await assert.rejects(sink.write(event(1)), { code: 'NPSWATCH_ES_CLOSED' });
  });
});

describe('elastic sink: rxjs adapter', () => {
  it('indexes an observable and emits the final stats', async () => {
    const es = await fake();
    const sink = createElasticSink(clientFor(es), { flushCount: 7, ...instant() });
    const stats = await lastValueFrom(from(events(25)).pipe(indexInto(sink)));
    assert.equal(stats.successful, 25);
    assert.equal(es.count, 25);
  });

  it('errors with NPSWATCH_ES_OVERFLOW instead of buffering without bound', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const es = await fake({ hold: () => gate });
    const sink = createElasticSink(clientFor(es), { flushCount: 1, concurrency: 1, ...instant() });
    const subject = new Subject<ClassifiedEvent>();
    const done = lastValueFrom(subject.pipe(indexInto(sink, { maxPending: 5 })));
    for (const e of events(20)) subject.next(e);
    await assert.rejects(done, { code: 'NPSWATCH_ES_OVERFLOW' });
    release();
    await sink.close();
  });
});

describe('elastic sink: spool file format', () => {
  it('the spool is a valid _bulk body', async () => {
    const es = await fake();
    await es.stop();
    const dir = tempDir();
    const spool = join(dir, 'spool.ndjson');
    const sink = createElasticSink(clientFor(es), { ...instant(), spool, closeTimeout: 0 });
    await sink.consume(events(2));
    await sink.close();
    const lines = readFileSync(spool, 'utf8').trim().split('\n');
    assert.equal(lines.length, 4);
    assert.deepEqual(JSON.parse(lines[0]!), {
      create: { _index: 'npswatch-events-2024.09.20', _id: eventDocumentId(event(0)) },
    });
    writeFileSync(spool, `${lines.join('\n')}\n{"create":{"_index":"x","_id":"partial"}}\n{"trunc`);
    await es.start();
    const again = createElasticSink(clientFor(es), { spool, ...instant() });
    const stats = await again.close();
    assert.equal(stats.successful, 2);
  });
});

describe('sink options', () => {
  it('refuses wrong ones when the sink is created, naming them', () => {
    const client = new Client({ node: 'http://127.0.0.1:9' });
    const cases: [ElasticSinkOptions, RegExp][] = [
      [{ flushBytes: 0 }, /flushBytes must be at least 1/],
      [{ concurrency: 0 }, /concurrency must be at least 1/],
      [{ maxRetries: -1 }, /maxRetries must be at least 0/],
      [{ backoff: { initial: 1000, max: 10 } }, /backoff\.initial must not exceed backoff\.max/],
    ];
    for (const [options, message] of cases)
      assert.throws(
        () => createElasticSink(client, options),
        (err: unknown) => isElasticError(err) && err.code === 'NPSWATCH_ES_CONFIG' && message.test(err.message),
        JSON.stringify(options),
      );
  });
});

describe('secrets when a connection or sink is logged', () => {
  it('neither util.inspect (any depth) nor JSON.stringify shows the password or API key', async () => {
    const password = 'S3cret-Passw0rd';
    const apiKey = 'QUtleUlkOkFLZXlTZWNyZXQ=';
    const basic = Buffer.from(`elastic:${password}`).toString('base64');
    for (const auth of [{ username: 'elastic', password }, { apiKey }]) {
      const client = new Client({ node: 'http://127.0.0.1:9', auth });
      // The official client itself prints them; this is what the wrappers must not let through.
      assert.ok(inspect(client, { depth: 4 }).includes('apiKey' in auth ? apiKey : basic));
      const server = { version: '8.19.21', major: 8, minor: 19, modules: [], processors: [] };
      const conn = elasticConnection(client, server, [password, apiKey], 'http://127.0.0.1:9');
      const sinks = [createElasticSink(conn), createElasticSink(client)];
      for (const value of [conn, ...sinks]) {
        const texts = [inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }), JSON.stringify(value)];
        for (const text of texts)
          for (const secret of [password, apiKey, basic]) assert.ok(!text.includes(secret), text.slice(0, 300));
      }
      assert.equal(String(inspect(conn)), 'ElasticConnection http://127.0.0.1:9 (Elasticsearch 8.19.21)');
      assert.deepEqual(conn.secrets, [password, apiKey]);
      await client.close();
    }
  });
});
