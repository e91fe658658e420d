import assert from 'node:assert/strict';
import type { ClassifiedEvent } from '@npswatch/core';
import {
  createElasticSink,
  dailyEventIndex,
  type ElasticConnection,
  type ElasticSinkOptions,
  eventDocumentId,
  setup,
} from '@npswatch/elastic-plugin';
import { cleanup, connect, coreCodeCounts, esEnv, runId, sampleAlerts, sampleEvents } from './server.js';

describe('elastic sink on a real server: the synthetic sample day', () => {
  let conn: ElasticConnection;
  let events: ClassifiedEvent[];
  const run = runId();
  const options = (): ElasticSinkOptions => ({
    eventIndex: (e) => dailyEventIndex(e, `npswatch-events-${run}-`),
    alertIndex: `npswatch-alerts-${run}`,
    flushCount: 200,
  });
  const pattern = `npswatch-events-${run}-*`;

  before(async () => {
    conn = await connect(esEnv());
    await setup(conn);
    events = await sampleEvents();
  });
  after(async () => {
    if (!conn) return;
    await cleanup(conn.client, run);
    await conn.close();
  });

  async function codeCounts(): Promise<Map<string, number>> {
    await conn.client.indices.refresh({ index: pattern });
    const res = await conn.client.search({
      index: pattern,
      size: 0,
      query: { term: { 'npswatch.kind': 'extension' } },
      aggs: { codes: { terms: { field: 'npswatch.code', size: 1000 } } },
    });
    const agg = res.aggregations?.codes as { buckets: { key: string; doc_count: number }[] };
    return new Map(agg.buckets.map((b) => [b.key, b.doc_count]));
  }

  it('per-code counts from a terms aggregation equal the core’s own counts', async () => {
    const sink = createElasticSink(conn, options());
    await sink.consume(events);
    const stats = await sink.close();
    assert.equal(stats.successful, events.length);
    assert.equal(stats.failed, 0);
    const expected = coreCodeCounts(events);
    assert.ok(expected.size > 5, 'the sample day has many codes');
    assert.deepEqual(new Map([...(await codeCounts())].sort()), new Map([...expected].sort()));
    const { count } = await conn.client.count({ index: pattern });
    assert.equal(count, events.length);
  });

  it('the same events again: every one already there, still indexed once', async () => {
    const sink = createElasticSink(conn, options());
    await sink.consume(events);
    const stats = await sink.close();
    assert.equal(stats.successful, 0);
    assert.equal(stats.duplicates, events.length);
    const { count } = await conn.client.count({ index: pattern });
    assert.equal(count, events.length);
    assert.deepEqual(await codeCounts(), coreCodeCounts(events));
  });

  it('documents carry the ids derived from their source records', async () => {
    const ids = new Set(events.map(eventDocumentId));
    assert.equal(ids.size, events.length, 'sample records are distinct');
    const res = await conn.client.search({ index: pattern, size: 10_000, _source: false });
    assert.deepEqual(new Set(res.hits.hits.map((h) => h._id)), ids);
  });

  it('alerts of the built-in pack land once, however often they are written', async () => {
    const alerts = await sampleAlerts(events);
    assert.ok(alerts.length > 0, 'the sample day raises alerts');
    for (let i = 0; i < 2; i++) {
      const sink = createElasticSink(conn, options());
      for (const a of alerts) await sink.write(a);
      await sink.close();
    }
    await conn.client.indices.refresh({ index: `npswatch-alerts-${run}` });
    const res = await conn.client.search({ index: `npswatch-alerts-${run}`, size: 1000 });
    assert.equal(res.hits.hits.length, alerts.length);
    assert.deepEqual(new Set(res.hits.hits.map((h) => h._id)), new Set(alerts.map((a) => a.id)));
    const rules = await conn.client.search({
      index: `npswatch-alerts-${run}`,
      size: 0,
      aggs: { rules: { terms: { field: 'rule.id', size: 100 } } },
    });
    const agg = rules.aggregations?.rules as { buckets: { key: string }[] } | undefined;
    const buckets = (agg?.buckets ?? []).map((b) => b.key);
    assert.deepEqual(new Set(buckets), new Set(alerts.map((a) => a.ruleId)));
  });
});
