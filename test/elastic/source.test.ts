import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classify, createDetector, loadBuiltinRules, type NpsRecord } from '@npswatch/core';
import {
  checkpointFromJSON,
  checkpointToJSON,
  connectElastic,
  type ElasticCheckpoint,
  type ElasticConnection,
  type ElasticSourceOptions,
  type ElasticSourcePage,
  isElasticError,
  readElastic,
} from '@npswatch/elastic-plugin';
import { main } from 'npswatch';
import { capture, cleanup, connect, coreCodeCounts, esEnv, runId, SAMPLE_DAY, sampleEvents } from './server.js';

const DAY = readFileSync(SAMPLE_DAY, 'utf8')
  .split('\n')
  .filter((l) => l !== '');
// The same day a day later: new documents whose alerts are new ones.
const NEXT_DAY = DAY.map((l) => l.replace('"@timestamp":"2024-09-20', '"@timestamp":"2024-09-21'));

type Json = Record<string, unknown>;

/** Winlogbeat-like index: `@timestamp` a date, the rest dynamic, ids chosen by the server as Winlogbeat's are. */
async function createIndex(conn: ElasticConnection, index: string): Promise<void> {
  await conn.client.indices.create({ index, mappings: { properties: { '@timestamp': { type: 'date' } } } });
}

async function indexDocs(conn: ElasticConnection, index: string, docs: readonly Json[]): Promise<void> {
  const res = await conn.client.bulk({
    operations: docs.flatMap((d) => [{ index: { _index: index } }, d]),
    refresh: true,
  });
  assert.equal(res.errors, false, 'the test documents are indexed');
}

/** A new index of two documents: the sample's first event, and at 00:12:27 one that is no event (its id is text). */
async function indexOneBad(conn: ElasticConnection, index: string): Promise<void> {
  await createIndex(conn, index);
  const good = JSON.parse(DAY[0]!) as Json;
  await indexDocs(conn, index, [
    good,
    { ...good, '@timestamp': '2024-09-20T00:12:27.000Z', winlog: { event_id: 'not-a-number' } },
  ]);
}

/** `index/_id` of every document of a pattern, as the source names them. */
async function allKeys(conn: ElasticConnection, pattern: string): Promise<string[]> {
  const res = await conn.client.search({ index: pattern, size: 10_000, _source: false });
  return res.hits.hits.map((h) => `${h._index}/${h._id}`);
}

/** Open search contexts (points in time among them) on one index: 0 once the source closed its own. */
async function openContexts(conn: ElasticConnection, index: string): Promise<number> {
  const stats = await conn.client.indices.stats({ index, metric: 'search' });
  return stats._all.primaries?.search?.open_contexts ?? 0;
}

const keysOf = (records: readonly NpsRecord[]) => records.map((r) => r.position.file);

/** Reads to the end of current data, or `pages` pages; the checkpoint to resume from is the last page's. */
async function readAll(
  conn: ElasticConnection,
  options: ElasticSourceOptions,
  pages = Number.POSITIVE_INFINITY,
): Promise<{ records: NpsRecord[]; pages: ElasticSourcePage[]; checkpoint: ElasticCheckpoint | undefined }> {
  const records: NpsRecord[] = [];
  const seen: ElasticSourcePage[] = [];
  if (pages > 0)
    for await (const page of readElastic(conn, { follow: false, ...options })) {
      records.push(...page.records);
      seen.push(page);
      if (seen.length >= pages) break;
    }
  return { records, pages: seen, checkpoint: seen.at(-1)?.checkpoint ?? options.checkpoint };
}

/** The checkpoint through JSON, as `watch --state` keeps it among the state file's source checkpoints. */
function throughStateFile(checkpoint: ElasticCheckpoint | undefined): ElasticCheckpoint | undefined {
  if (checkpoint === undefined) return undefined;
  const json = checkpointToJSON(checkpoint);
  return json === undefined ? undefined : checkpointFromJSON(JSON.parse(JSON.stringify(json)));
}

/** What a proxy hook decides for one request: pass it on, or answer it itself (as an overloaded node would). */
type HookResult = 'forward' | { readonly status: number; readonly body: Json };

/** Sends one request to the real server, with the client's own headers (its credentials), and reads the answer. */
function upstream(
  target: URL,
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path,
        method,
        headers: { ...headers, 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A proxy on 127.0.0.1 in front of the real server: each request (method, path, body) goes through `hook` first,
 * which may act on the real server with the request's own headers, or answer in its place.
 */
async function hookProxy(
  target: string,
  hook: (
    method: string,
    path: string,
    body: Buffer,
    send: (method: string, path: string, body: Json) => Promise<unknown>,
  ) => Promise<HookResult>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const up = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      try {
        const send = (m: string, p: string, b: Json) => upstream(up, m, p, req.headers, Buffer.from(JSON.stringify(b)));
        const decision = await hook(method, path, body, send);
        if (decision !== 'forward') {
          res.writeHead(decision.status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
          res.end(JSON.stringify(decision.body));
          return;
        }
        const answer = await upstream(up, method, path, req.headers, body);
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      } catch {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('elastic source on a real server', () => {
  let conn: ElasticConnection;
  const run = runId();
  const keyIds: string[] = [];
  const day = `winlogbeat-${run}-2024.09.20`;
  const pattern = `winlogbeat-${run}-*`;

  before(async () => {
    conn = await connect(esEnv());
    await createIndex(conn, day);
    await indexDocs(
      conn,
      day,
      DAY.map((l) => JSON.parse(l) as Json),
    );
  });
  after(async () => {
    if (!conn) return;
    if (keyIds.length > 0) await conn.client.security.invalidateApiKey({ ids: keyIds });
    await cleanup(conn.client, run);
    await conn.close();
  });

  it('reads the sample day: per-code counts equal the core’s own classification of the file', async () => {
    const { records, pages } = await readAll(conn, { index: pattern, pageSize: 100 });
    assert.equal(records.length, DAY.length);
    assert.equal(pages.length, Math.ceil(DAY.length / 100));
    assert.ok(pages.every((p) => p.issues.length === 0 && p.skipped === 0));
    assert.deepEqual(new Set(keysOf(records)), new Set(await allKeys(conn, pattern)));
    const fromIndex = coreCodeCounts(records.map(classify));
    const fromFile = coreCodeCounts(await sampleEvents());
    assert.ok(fromFile.size > 5, 'the sample day has many codes');
    assert.deepEqual(new Map([...fromIndex].sort()), new Map([...fromFile].sort()));
    assert.deepEqual(
      records.map((r) => r.time),
      records.map((r) => r.time).sort((a, b) => a - b),
      'oldest first',
    );
    assert.equal(await openContexts(conn, day), 0, 'the point in time is closed at the end');
  });

  it('stopped after 3 pages and resumed from the saved checkpoint: every document once', async () => {
    const first = await readAll(conn, { index: pattern, pageSize: 50 }, 3);
    assert.equal(first.records.length, 150);
    assert.equal(await openContexts(conn, day), 0, 'stopping early closes the point in time too');
    const resumed = await readAll(conn, {
      index: pattern,
      pageSize: 50,
      checkpoint: throughStateFile(first.checkpoint),
    });
    const keys = [...keysOf(first.records), ...keysOf(resumed.records)];
    assert.equal(new Set(keys).size, keys.length, 'no document twice');
    assert.deepEqual(new Set(keys), new Set(await allKeys(conn, pattern)), 'none left out');
    assert.ok(resumed.pages.reduce((n, p) => n + p.skipped, 0) > 0, 'the lookback overlap was re-read and skipped');
    const again = await readAll(conn, { index: pattern, checkpoint: resumed.checkpoint });
    assert.equal(again.records.length, 0, 'at the end, a further read finds nothing new');
  });

  it('ties: 25 documents with one @timestamp, pages of 10, a restart inside them, lookback 0', async () => {
    const index = `ties-${run}`;
    await createIndex(conn, index);
    const template = JSON.parse(DAY[0]!) as Json;
    await indexDocs(
      conn,
      index,
      Array.from({ length: 25 }, (_, n) => ({ ...template, '@timestamp': '2024-09-22T00:00:00.000Z', n })),
    );
    for (const killAfter of [1, 2]) {
      const options = { index, pageSize: 10, lookback: 0 };
      const first = await readAll(conn, options, killAfter);
      const resumed = await readAll(conn, { ...options, checkpoint: throughStateFile(first.checkpoint) });
      const keys = [...keysOf(first.records), ...keysOf(resumed.records)];
      assert.equal(keys.length, 25, `kill after ${killAfter}: 25 read`);
      assert.deepEqual(new Set(keys), new Set(await allKeys(conn, index)));
    }
  });

  it('following: new documents are picked up, late ones within the lookback too, older ones not', async () => {
    const index = `follow-${run}`;
    await createIndex(conn, index);
    const base = Date.UTC(2024, 8, 23, 12);
    const at = (ms: number, n: number) => ({
      ...(JSON.parse(DAY[0]!) as Json),
      '@timestamp': new Date(ms).toISOString(),
      n,
    });
    await indexDocs(
      conn,
      index,
      Array.from({ length: 20 }, (_, n) => at(base + n * 1000, n)),
    );
    const stop = new AbortController();
    const keys: string[] = [];
    let added = false;
    for await (const page of readElastic(conn, {
      index,
      pageSize: 8,
      pollInterval: 50,
      lookback: 60_000,
      signal: stop.signal,
    })) {
      keys.push(...keysOf(page.records));
      if (keys.length === 20 && !added) {
        added = true;
        // While the reader waits: two newer documents, one 30 s older than the newest read, one 2 h older.
        await indexDocs(conn, index, [
          at(base + 60_000, 100),
          at(base + 61_000, 101),
          at(base + 19_000 - 30_000, 102),
          at(base - 7_200_000, 103),
        ]);
      }
      if (keys.length === 23) stop.abort();
    }
    assert.equal(new Set(keys).size, keys.length, 'no document twice');
    const res = await conn.client.search<{ n: number }>({ index, size: 100, query: { term: { n: 103 } } });
    const tooOld = `${index}/${res.hits.hits[0]!._id}`;
    assert.equal(keys.length, 23);
    assert.ok(!keys.includes(tooOld), 'a document older than the lookback is not read');
    assert.equal(await openContexts(conn, index), 0, 'stopping closes the point in time');
  });

  it('a point in time closed under the reader: reopened at the checkpoint, every document still once', async () => {
    let searches = 0;
    const proxy = await hookProxy(esEnv().url, async (method, path, body, send) => {
      // Before the third page, the point in time is closed on the real server, as expiry would.
      if (method === 'POST' && path.startsWith('/_search') && ++searches === 3) {
        const { pit } = JSON.parse(body.toString()) as { pit: { id: string } };
        await send('DELETE', '/_pit', { id: pit.id });
      }
      return 'forward';
    });
    const viaProxy = await connect(esEnv(), undefined, proxy.url);
    try {
      const warnings: string[] = [];
      const { records } = await readAll(viaProxy, {
        index: pattern,
        pageSize: 50,
        onWarning: (m) => warnings.push(m),
      });
      const keys = keysOf(records);
      assert.equal(new Set(keys).size, keys.length, 'no document twice');
      assert.deepEqual(new Set(keys), new Set(await allKeys(conn, pattern)), 'none left out');
      assert.deepEqual(warnings, [`${pattern}: the point in time expired or was closed; reopened at the checkpoint`]);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });

  it('following: an overloaded server is waited out with one warning, then reading goes on', async () => {
    let refused = 0;
    const proxy = await hookProxy(esEnv().url, async (method, path) => {
      // More 503s than the client's own retries (2) when opening the first point in time.
      if (method === 'POST' && path.includes('/_pit') && refused < 3) {
        refused++;
        return {
          status: 503,
          body: { error: { type: 'cluster_block_exception', reason: 'state not recovered' }, status: 503 },
        };
      }
      return 'forward';
    });
    const env = esEnv();
    const viaProxy = await connect(env, undefined, proxy.url);
    try {
      const warnings: string[] = [];
      const stop = new AbortController();
      let read = 0;
      for await (const page of readElastic(viaProxy, {
        index: pattern,
        pollInterval: 50,
        signal: stop.signal,
        onWarning: (m) => warnings.push(m),
      })) {
        read += page.records.length;
        if (read === DAY.length) stop.abort();
      }
      assert.equal(read, DAY.length);
      assert.equal(refused, 3);
      assert.equal(warnings.length, 2, warnings.join('\n'));
      assert.match(warnings[0]!, /503 \(cluster_block_exception\): state not recovered; retrying every 50 ms/);
      assert.equal(warnings[1], `${pattern}: reading again`);
      assert.ok(!warnings.join('').includes(env.password));
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });

  it('a hit that is no event is dead-lettered by index and id, counted once, never read again', async () => {
    const index = `bad-${run}`;
    await indexOneBad(conn, index);
    const first = await readAll(conn, { index });
    assert.equal(first.records.length, 1);
    const issues = first.pages.flatMap((p) => p.issues);
    assert.equal(issues.length, 1);
    const [bad] = await allKeys(conn, index).then((ks) => ks.filter((k) => k !== first.records[0]!.position.file));
    assert.equal(issues[0]!.file, bad, 'named index/_id');
    assert.equal(issues[0]!.field, 'winlog.event_id');
    assert.match(issues[0]!.raw, /not-a-number/);
    const again = await readAll(conn, { index, checkpoint: first.checkpoint });
    assert.equal(again.pages.flatMap((p) => p.issues).length, 0, 'not dead-lettered a second time');
  });

  it('errors: a missing index, a key without read on the pattern (no secret shown); a pattern matching nothing', async () => {
    const missing = readAll(conn, { index: `no-such-index-${run}` });
    await assert.rejects(missing, (err: unknown) => {
      assert.ok(isElasticError(err));
      assert.equal(err.status, 404);
      assert.match(err.message, new RegExp(`no such index \\[no-such-index-${run}\\]`));
      assert.match(err.hint ?? '', /check the name/);
      return true;
    });
    assert.equal((await readAll(conn, { index: `nothing-matches-${run}-*` })).records.length, 0);

    const key = await conn.client.security.createApiKey({
      name: `npswatch-source-${run}`,
      role_descriptors: { other: { cluster: ['monitor'], indices: [{ names: ['other-*'], privileges: ['read'] }] } },
    });
    keyIds.push(key.id);
    const keyed = await connectElastic({ url: esEnv().url, auth: { apiKey: key.encoded } });
    try {
      await assert.rejects(readAll(keyed, { index: day }), (err: unknown) => {
        assert.ok(isElasticError(err));
        assert.equal(err.code, 'NPSWATCH_ES_AUTH');
        assert.equal(err.status, 403);
        assert.match(err.hint ?? '', /read privilege/);
        const shown = `${err.message} ${err.hint} ${err.stack} ${JSON.stringify(err)}`;
        assert.ok(!shown.includes(key.api_key) && !shown.includes(key.encoded));
        return true;
      });
    } finally {
      await keyed.close();
    }
  });

  it('least privilege: an API key with cluster monitor and index read on the pattern reads everything', async () => {
    const key = await conn.client.security.createApiKey({
      name: `npswatch-source-reader-${run}`,
      role_descriptors: { reader: { cluster: ['monitor'], indices: [{ names: [pattern], privileges: ['read'] }] } },
    });
    keyIds.push(key.id);
    const keyed = await connectElastic({ url: esEnv().url, auth: { apiKey: key.encoded } });
    try {
      const { records } = await readAll(keyed, { index: pattern, pageSize: 500 });
      assert.equal(records.length, DAY.length);
    } finally {
      await keyed.close();
    }
  });

  describe('npswatch watch --source elastic:… (CLI)', () => {
    let dir: string;
    const cliPattern = `cli-${run}-*`;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'npswatch-source-'));
      await createIndex(conn, `cli-${run}-2024.09.20`);
      await indexDocs(
        conn,
        `cli-${run}-2024.09.20`,
        DAY.map((l) => JSON.parse(l) as Json),
      );
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    /** Alert ids one uninterrupted detector emits while reading each part in turn (no end-of-input flush). */
    async function referenceAlerts(...parts: (readonly string[])[]): Promise<string[][]> {
      const { parseText } = await import('@npswatch/core');
      const detector = createDetector(await loadBuiltinRules());
      return parts.map((lines) =>
        parseText(`${lines.join('\n')}\n`, { format: 'winlogbeat' }).records.flatMap((r) =>
          detector.push(classify(r)).alerts.map((a) => a.id),
        ),
      );
    }

    async function watch(state: string, alerts: string) {
      const env = esEnv();
      const c = capture({ ELASTIC_URL: env.url, ELASTIC_PASSWORD: env.password });
      const code = await main(
        ['watch', '--source', `elastic:${cliPattern}`, '--once', '--state', state, '--sink', `elastic:${alerts}`],
        c.io,
      );
      assert.equal(code, 0, c.err());
      assert.ok(!c.err().includes(env.password) && !c.out().includes(env.password));
      const ids = c
        .out()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as { npswatch: { alert: { id: string } } }).npswatch.alert.id);
      return { ids, err: c.err() };
    }

    async function alertIds(index: string): Promise<string[]> {
      await conn.client.indices.refresh({ index });
      const res = await conn.client.search({ index, size: 10_000, _source: false });
      return res.hits.hits.map((h) => h._id!);
    }

    it('alerts as watch raises them for files; a restart neither re-reads nor re-alerts; alerts land once', async () => {
      const state = join(dir, 'state.json');
      const alerts = `npswatch-alerts-${run}`;
      const [day1, day2] = await referenceAlerts(DAY, NEXT_DAY);
      assert.ok(day1!.length > 0 && day2!.length > 0, 'the sample raises alerts');

      const first = await watch(state, alerts);
      assert.deepEqual(first.ids, day1);
      assert.match(first.err, new RegExp(`${DAY.length} documents read`));
      assert.match(first.err, new RegExp(`${day1!.length} alerts indexed into ${alerts}, 0 already there`));

      const second = await watch(state, alerts);
      assert.deepEqual(second.ids, [], 'resumed: nothing re-read, nothing re-alerted');
      assert.match(second.err, /: 0 documents read/);

      const next = `cli-${run}-2024.09.21`;
      await createIndex(conn, next);
      await indexDocs(
        conn,
        next,
        NEXT_DAY.map((l) => JSON.parse(l) as Json),
      );
      const third = await watch(state, alerts);
      assert.deepEqual(third.ids, day2, 'only the new day, alerting as one uninterrupted run would');
      assert.deepEqual(new Set(await alertIds(alerts)), new Set([...day1!, ...day2!]));

      // From scratch (no state): everything read and alerted again, and every alert is already in the index.
      const fresh = await watch(join(dir, 'fresh.json'), alerts);
      assert.match(fresh.err, new RegExp(`0 alerts indexed into ${alerts}, ${fresh.ids.length} already there`));
      const stored = await alertIds(alerts);
      assert.equal(stored.length, new Set(stored).size);
      assert.deepEqual(new Set(stored), new Set([...day1!, ...day2!]));
    });

    it('usage errors: an unknown source, --once without --source or with files, a bad page size', async () => {
      const env = { ELASTIC_URL: esEnv().url, ELASTIC_PASSWORD: esEnv().password };
      const a = capture(env);
      assert.equal(await main(['watch', '--source', 'kafka:topic', '--once'], a.io), 2);
      assert.match(a.err(), /unknown source "kafka:topic"/);
      const b = capture(env);
      assert.equal(await main(['watch', '--once', join(dir, 'x.ndjson')], b.io), 2);
      assert.match(b.err(), /--once reads --source to its end and takes no file inputs/);
      const f = capture(env);
      assert.equal(
        await main(['watch', '--source', `elastic:${cliPattern}`, '--once', join(dir, 'x.ndjson')], f.io),
        2,
      );
      assert.match(f.err(), /takes no file inputs/);
      const c = capture(env);
      assert.equal(
        await main(['watch', '--source', `elastic:${cliPattern}`, '--once', '--source-page-size', '0'], c.io),
        2,
      );
      assert.match(c.err(), /--source-page-size must be a whole number from 1 to 10000/);
    });

    it('a document that is no event: named on stderr, in the --dead-letter file, counted, exit 3; the rest goes on', async () => {
      const index = `clibad-${run}`;
      await indexOneBad(conn, index);
      const deadLetter = join(dir, 'rejected.ndjson');
      const c = capture({ ELASTIC_URL: esEnv().url, ELASTIC_PASSWORD: esEnv().password });
      assert.equal(
        await main(['watch', '--source', `elastic:${index}`, '--once', '--dead-letter', deadLetter], c.io),
        3,
        c.err(),
      );
      const found = await conn.client.search({ index, query: { term: { '@timestamp': '2024-09-20T00:12:27.000Z' } } });
      const bad = `${index}/${found.hits.hits[0]!._id}`;
      assert.match(c.err(), new RegExp(`rejected ${bad}:1 \\(winlog\\.event_id\\): event id is not an integer`));
      assert.match(c.err(), /1 events, 0 alerts, 0 late events, 1 records rejected/);
      const letters = readFileSync(deadLetter, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { file: string; field: string; raw: string });
      assert.equal(letters.length, 1);
      assert.equal(letters[0]!.file, bad);
      assert.match(letters[0]!.raw, /not-a-number/);
    });

    it('failures: a missing index, a wrong password: exit 1 with the message and hint, never the secret', async () => {
      const c = capture({ ELASTIC_URL: esEnv().url, ELASTIC_PASSWORD: esEnv().password });
      assert.equal(await main(['watch', '--source', `elastic:no-such-index-${run}`, '--once'], c.io), 1);
      assert.match(c.err(), /no such index/);
      assert.match(c.err(), /hint: check the name/);
      const wrong = 'N0t-the-Passw0rd!';
      const w = capture({ ELASTIC_URL: esEnv().url, ELASTIC_PASSWORD: wrong });
      assert.equal(await main(['watch', '--source', `elastic:${cliPattern}`, '--once'], w.io), 1);
      assert.match(w.err(), /401/);
      assert.match(w.err(), /hint: check the user and password or the API key/);
      assert.ok(!w.err().includes(wrong) && !w.out().includes(wrong));
    });
  });
});
