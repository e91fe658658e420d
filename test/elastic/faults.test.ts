import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClassifiedEvent } from '@npswatch/core';
import { toEcs } from '@npswatch/core';
import {
  createElasticSink,
  type DeadLetter,
  dailyEventIndex,
  type ElasticConnection,
  eventDocumentId,
  setup,
} from '@npswatch/elastic-plugin';
import { cleanup, connect, esEnv, runId, sampleEvents, service } from './server.js';

/**
 * A pass-through proxy on 127.0.0.1 in front of the real server that answers the first `failures` `_bulk`
 * requests itself with 429 and `Retry-After`, as an overloaded node would.
 */
async function throttlingProxy(
  target: string,
  failures: number,
): Promise<{ url: string; throttled: () => number; close: () => Promise<void> }> {
  const upstream = new URL(target);
  let throttled = 0;
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/_bulk') && throttled < failures) {
      throttled++;
      req.resume();
      res.writeHead(429, {
        'content-type': 'application/json',
        'retry-after': '1',
        'x-elastic-product': 'Elasticsearch',
      });
      res.end(
        JSON.stringify({
          error: { type: 'es_rejected_execution_exception', reason: 'rejected execution (queue capacity 200)' },
          status: 429,
        }),
      );
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    throttled: () => throttled,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('elastic sink faults on a real server', () => {
  let conn: ElasticConnection;
  let events: ClassifiedEvent[];
  const run = runId();
  const dirs: string[] = [];
  const index = (tag: string) => (e: ClassifiedEvent) => dailyEventIndex(e, `npswatch-events-${run}-${tag}-`);

  async function idsIn(pattern: string): Promise<Set<string>> {
    await conn.client.indices.refresh({ index: pattern });
    const res = await conn.client.search({ index: pattern, size: 10_000, _source: false });
    return new Set(res.hits.hits.map((h) => h._id!));
  }

  before(async () => {
    conn = await connect(esEnv());
    await setup(conn);
    events = await sampleEvents();
  });
  after(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    if (!conn) return;
    await cleanup(conn.client, run);
    await conn.close();
  });

  it('a poisoned document is dead-lettered with its reason; the others are indexed', async () => {
    const poisoned = events[7]!;
    const seen: DeadLetter[] = [];
    const sink = createElasticSink(conn, {
      eventIndex: index('poison'),
      deadLetter: { index: `npswatch-deadletter-${run}` },
      onDeadLetter: (d) => seen.push(d),
      // winlog.record_id is a long: a text value there is a mapping conflict no retry can fix.
      eventDocument: (e) => {
        const doc = toEcs(e);
        if (e === poisoned) (doc.winlog as Record<string, unknown>).record_id = 'not-a-number';
        return doc;
      },
    });
    await sink.consume(events.slice(0, 50));
    const stats = await sink.close();
    assert.equal(stats.successful, 49);
    assert.equal(stats.failed, 1);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.id, eventDocumentId(poisoned));
    assert.equal(seen[0]!.status, 400);
    assert.match(seen[0]!.reason, /winlog\.record_id/);
    assert.equal((await idsIn(`npswatch-events-${run}-poison-*`)).size, 49);
    await conn.client.indices.refresh({ index: `npswatch-deadletter-${run}` });
    const dead = await conn.client.search<{ npswatch: { dead_letter: Record<string, unknown> } }>({
      index: `npswatch-deadletter-${run}`,
    });
    assert.equal(dead.hits.hits.length, 1);
    const entry = dead.hits.hits[0]!._source!.npswatch.dead_letter;
    assert.equal(entry.id, eventDocumentId(poisoned));
    assert.equal(entry.status, 400);
    assert.match(String(entry.error_type), /parsing_exception/);
    assert.match(String(entry.reason), /winlog\.record_id/);
    assert.equal(
      (JSON.parse(String(entry.document)) as { winlog: { record_id: unknown } }).winlog.record_id,
      'not-a-number',
    );
  });

  it('dead letters can go to a file instead', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npswatch-dl-'));
    dirs.push(dir);
    const file = join(dir, 'dead.ndjson');
    const sink = createElasticSink(conn, {
      eventIndex: index('dlfile'),
      deadLetter: { file },
      eventDocument: (e) => ({ ...toEcs(e), '@timestamp': 'yesterday-ish' }),
    });
    await sink.consume(events.slice(0, 3));
    const stats = await sink.close();
    assert.equal(stats.failed, 3);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /@timestamp/);
  });

  it('forced 429s: retried with Retry-After, every event indexed once', async () => {
    const proxy = await throttlingProxy(esEnv().url, 3);
    const viaProxy = await connect(esEnv(), undefined, proxy.url);
    try {
      const sink = createElasticSink(viaProxy, { eventIndex: index('throttled'), flushCount: 250 });
      await sink.consume(events);
      const stats = await sink.close();
      assert.equal(proxy.throttled(), 3);
      assert.ok(stats.retry >= 3 * 250, `retry ${stats.retry}`);
      assert.equal(stats.successful, events.length);
      assert.equal(stats.failed, 0);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
    assert.deepEqual(await idsIn(`npswatch-events-${run}-throttled-*`), new Set(events.map(eventDocumentId)));
  });

  it('the server stopped mid-stream and started again: every event indexed exactly once', async function () {
    // Stopping and starting a real node takes tens of seconds.
    this.timeout(600_000);
    const dir = mkdtempSync(join(tmpdir(), 'npswatch-spool-'));
    dirs.push(dir);
    const spool = join(dir, 'spool.ndjson');
    const half = Math.floor(events.length / 2);
    const sink = createElasticSink(conn, {
      eventIndex: index('restart'),
      flushCount: 100,
      spool,
      backoff: { initial: 200, max: 2000 },
      closeTimeout: 300_000,
    });
    await sink.consume(events.slice(0, half));
    await sink.flush();
    await service('stop');
    try {
      await sink.consume(events.slice(half));
      await sink.flush();
      assert.ok(sink.stats.spooled > 0, 'nothing was spooled while the server was down');
    } finally {
      await service('start');
    }
    const stats = await sink.close();
    assert.equal(stats.spooled, 0);
    assert.equal(stats.failed, 0);
    assert.equal(stats.successful + stats.duplicates, events.length);
    assert.equal(readFileSync(spool, 'utf8'), '');
    const ids = await idsIn(`npswatch-events-${run}-restart-*`);
    assert.equal(ids.size, events.length);
    assert.deepEqual(ids, new Set(events.map(eventDocumentId)));
    const { count } = await conn.client.count({ index: `npswatch-events-${run}-restart-*` });
    assert.equal(count, events.length);
  });
});
