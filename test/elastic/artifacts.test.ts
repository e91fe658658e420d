import assert from 'node:assert/strict';
import type { estypes } from '@elastic/elasticsearch';
import {
  type ClassifiedEvent,
  createEngine,
  loadBuiltinRules,
  parseRules,
  type RuleConfig,
  tick,
} from '@npswatch/core';
import {
  createElasticSink,
  dailyEventIndex,
  type ElasticConnection,
  ingestPipeline,
  isElasticError,
  kibanaRules,
  PIPELINE_ID,
  setup,
} from '@npswatch/elastic-plugin';
import { cleanup, connect, esEnv, runId, sampleEvents } from './server.js';

/** How many events the core's own filter matches (an `any` rule with the same filter: one detection each). */
function coreMatches(filter: unknown, events: readonly ClassifiedEvent[]): number {
  const rules = parseRules(JSON.stringify({ rules: [{ id: 'f', type: 'any', filter }] }), 'filter.json');
  const engine = createEngine(rules, { allowedLateness: 0 });
  let state = engine.init();
  let n = 0;
  const sorted = [...events].sort((a, b) => a.time - b.time);
  for (const input of [...sorted, tick(sorted.at(-1)!.time, true)]) {
    const step = engine.step(state, input);
    state = step.state;
    n += step.out.filter((d) => d.active).length;
  }
  return n;
}

describe('generated artifacts against a real server', () => {
  let conn: ElasticConnection;
  let events: ClassifiedEvent[];
  let rules: RuleConfig[];
  const run = runId();
  const pattern = `npswatch-events-${run}-*`;
  before(async () => {
    conn = await connect(esEnv());
    await setup(conn);
    events = await sampleEvents();
    rules = await loadBuiltinRules();
    const sink = createElasticSink(conn, { eventIndex: (e) => dailyEventIndex(e, `npswatch-events-${run}-`) });
    await sink.consume(events);
    await sink.close();
    await conn.client.indices.refresh({ index: pattern });
  });
  after(async () => {
    if (!conn) return;
    await cleanup(conn.client, run);
    await conn.close();
  });

  it('every Kibana rule query runs, and matches the events the core’s filter matches', async () => {
    const translated = kibanaRules(rules, pattern);
    assert.ok(translated.length > 10);
    let nonZero = 0;
    for (const r of translated) {
      const source = rules.find((x) => x.id === r.source)!;
      const filter = source.type === 'sequence' ? source.steps[0]!.filter : source.filter;
      const { query } = JSON.parse(String(r.body.params.esQuery)) as { query: Record<string, unknown> };
      const { count } = await conn.client.count({ index: pattern, query });
      assert.equal(count, coreMatches(filter, events), `${r.id}: ${JSON.stringify(query)}`);
      if (count > 0) nonZero++;
    }
    assert.ok(nonZero >= 5, `only ${nonZero} rules match the sample day`);
  });

  it('Kibana rule groupings and aggregations run as the rule would run them', async () => {
    for (const r of kibanaRules(rules, pattern)) {
      const p = r.body.params;
      const { query } = JSON.parse(String(p.esQuery)) as { query: Record<string, unknown> };
      const terms = p.groupBy === 'top' ? (Array.isArray(p.termField) ? p.termField : [p.termField]) : [];
      const metric: Record<string, estypes.AggregationsAggregationContainer> =
        p.aggType === 'cardinality' ? { m: { cardinality: { field: String(p.aggField) } } } : {};
      const group: estypes.AggregationsAggregationContainer =
        terms.length === 1
          ? { terms: { field: String(terms[0]), size: Number(p.termSize) }, aggs: metric }
          : {
              multi_terms: { terms: terms.map((f) => ({ field: String(f) })), size: Number(p.termSize) },
              aggs: metric,
            };
      const aggs = terms.length === 0 ? metric : { g: group };
      const search = conn.client.search({ index: pattern, size: 0, query, aggs });
      if (terms.length > 1 && !conn.server.modules.includes('x-pack-analytics')) {
        // Kibana groups by several fields with multi_terms, from x-pack-analytics: the zip lacks it.
        await assert.rejects(search, /Unknown aggregation type \[multi_terms\]/, r.id);
      } else {
        await assert.doesNotReject(search, r.id);
      }
    }
  });

  it('the ingest pipeline: loaded and simulated where the server has the processors, refused by name where not', async () => {
    const body = ingestPipeline();
    const needed = ['grok', 'script'];
    const has = needed.every((p) => conn.server.processors.includes(p));
    if (has) {
      await conn.client.transport.request({ method: 'PUT', path: `/_ingest/pipeline/${PIPELINE_ID}-${run}`, body });
      await conn.client.transport.request({ method: 'DELETE', path: `/_ingest/pipeline/${PIPELINE_ID}-${run}` });
      return;
    }
    // The integ-test zip: no ingest-common (grok, set, ...) and no lang-painless. The server names what it lacks.
    const err = await conn.client.transport
      .request({ method: 'PUT', path: `/_ingest/pipeline/${PIPELINE_ID}-${run}`, body })
      .then(
        () => assert.fail('pipeline accepted without its processors'),
        (e: unknown) => e as { meta?: { statusCode?: number; body?: { error?: { type?: string; reason?: string } } } },
      );
    assert.equal(err.meta?.statusCode, 400);
    assert.equal(err.meta?.body?.error?.type, 'parse_exception');
    assert.match(String(err.meta?.body?.error?.reason), /No processor type exists with name \[grok\]/);
    // What it has: the pipeline APIs themselves (an empty pipeline loads and simulates).
    const empty = { description: 'npswatch probe', processors: [] };
    const sim = await conn.client.transport.request<{ docs: { doc: { _source: Record<string, unknown> } }[] }>({
      method: 'POST',
      path: '/_ingest/pipeline/_simulate',
      body: { pipeline: empty, docs: [{ _source: { message: 'x' } }] },
    });
    assert.equal(sim.docs[0]?.doc._source.message, 'x');
    assert.ok(!isElasticError(err));
  });
});
