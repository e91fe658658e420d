import assert from 'node:assert/strict';
import {
  createElasticSink,
  dailyEventIndex,
  type ElasticConnection,
  EVENTS_DATA_STREAM,
  RESOURCES,
  setup,
} from '@npswatch/elastic-plugin';
import { cleanup, connect, esEnv, runId, sampleEvents } from './server.js';

type Props = Record<string, { type?: string; properties?: Props }>;
const typeAt = (props: Props, path: string) =>
  path.split('.').reduce<{ type?: string; properties?: Props } | undefined>((n, k) => n?.properties?.[k], {
    properties: props,
  })?.type;

describe('elastic setup on a real server', () => {
  let conn: ElasticConnection;
  const run = runId();
  before(async () => {
    conn = await connect(esEnv());
  });
  after(async () => {
    if (!conn) return;
    await cleanup(conn.client, run);
    // Leave the server as the other tests expect it: events as daily indices.
    await setup(conn);
    await conn.close();
  });

  it('is idempotent: the second run changes nothing', async () => {
    await setup(conn);
    const second = await setup(conn);
    assert.ok(second.actions.length >= 8);
    assert.deepEqual(
      second.actions.filter((a) => a.action !== 'unchanged'),
      [],
    );
    const template = await conn.client.indices.getIndexTemplate({ name: RESOURCES.eventsTemplate });
    assert.deepEqual(template.index_templates[0]?.index_template.index_patterns, ['npswatch-events-*']);
    const meta = template.index_templates[0]?.index_template._meta as { managed_by?: string } | undefined;
    assert.equal(meta?.managed_by, 'npswatch');
  });

  it('reports what the server lacks, from its modules', async () => {
    const result = await setup(conn);
    assert.equal(result.server.version, esEnv().version);
    const hasMot = result.server.modules.includes('mapper-extras');
    assert.equal(result.capabilities.matchOnlyText, hasMot);
    if (!result.capabilities.ilm) assert.ok(result.notes.some((n) => /ILM/.test(n)));
  });

  it('an event index gets the ECS mappings, with types the server has', async () => {
    await setup(conn);
    const index = `npswatch-events-${run}-2024.09.20`;
    await conn.client.indices.create({ index });
    const mapping = await conn.client.indices.getMapping({ index });
    const props = mapping[index]!.mappings.properties as Props;
    assert.equal(typeAt(props, '@timestamp'), 'date');
    assert.equal(typeAt(props, 'source.ip'), 'ip');
    assert.equal(typeAt(props, 'npswatch.code'), 'keyword');
    assert.equal(typeAt(props, 'message'), conn.server.modules.includes('mapper-extras') ? 'match_only_text' : 'text');
    assert.equal(mapping[index]!.mappings.dynamic, 'false');
    const alerts = await conn.client.indices.getMapping({ index: 'npswatch-alerts' });
    const alertProps = alerts['npswatch-alerts']!.mappings.properties as Props;
    assert.equal(typeAt(alertProps, 'npswatch.alert.key_fields'), 'flattened');
    assert.equal(typeAt(alertProps, 'npswatch.alert.window_start'), 'date');
    assert.equal(typeAt(alertProps, 'kibana.alert.status'), 'keyword');
  });

  it('events as a data stream where the server supports it: written with create, once', async () => {
    const result = await setup(conn, { events: 'data-stream' });
    assert.ok(result.actions.some((a) => a.name === RESOURCES.eventsStreamTemplate));
    const events = (await sampleEvents()).slice(0, 50);
    for (let i = 0; i < 2; i++) {
      const sink = createElasticSink(conn, { eventIndex: () => EVENTS_DATA_STREAM });
      await sink.consume(events);
      await sink.close();
    }
    await conn.client.indices.refresh({ index: EVENTS_DATA_STREAM });
    const resolved = await conn.client.indices.resolveIndex({ name: EVENTS_DATA_STREAM, expand_wildcards: 'all' });
    assert.equal(resolved.data_streams[0]?.name, EVENTS_DATA_STREAM);
    // The zip cannot delete data streams (no data-streams module), so the stream outlives runs: ids keep it at 50.
    const { count } = await conn.client.count({ index: EVENTS_DATA_STREAM });
    assert.equal(count, 50);
    // Back to daily indices: both templates coexist, the existing stream keeps its template.
    const back = await setup(conn);
    assert.equal(back.events, 'indices');
    assert.equal(dailyEventIndex(events[0]!), 'npswatch-events-2024.09.20');
  });
});
