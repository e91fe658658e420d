import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { alertToJson, createDetector, loadBuiltinRules, type NotifyAlert, toEcs } from '@npswatch/core';
import { eventEnvelope, HecSink } from '@npswatch/splunk-app';
import { main } from 'npswatch';
import { multiset, type PeerEnv, PeerOutput, peerEnv, sampleEvents, testIndex } from './peer.js';

const SAMPLE = fileURLToPath(
  new URL('../../packages/core/samples/synthetic/nps-day.winlogbeat.ndjson', import.meta.url),
);

describe('HEC sink against a real HEC peer (OpenTelemetry splunkhecreceiver)', () => {
  let env: PeerEnv;
  let output: PeerOutput;
  before(() => {
    env = peerEnv();
    output = new PeerOutput(env.output);
  });

  it('finds the collector healthy', async () => {
    const sink = new HecSink({ transport: { url: env.url, token: env.token } });
    try {
      const health = await sink.health();
      assert.equal(health.healthy, true);
      assert.equal(health.code, 17);
    } finally {
      await sink.close();
    }
  });

  it('delivers every classified event exactly once with its metadata and fields intact, batched and gzipped', async () => {
    const events = sampleEvents();
    const index = testIndex('events');
    const sink = new HecSink({
      transport: { url: env.url, token: env.token },
      index,
      batch: { maxEvents: 100 },
      ack: { pollIntervalMs: 50 },
    });
    for (const e of events) await sink.writeEvent(e);
    await sink.close();
    await output.until(() => output.of(index).length >= events.length);
    const got = output.of(index);
    assert.equal(got.length, events.length);
    assert.deepEqual(
      multiset(got.map((r) => r.event)),
      multiset(events.map((e) => toEcs(e))),
      'documents intact, each exactly once',
    );
    const envelopes = events.map((e) => eventEnvelope(e, { index }));
    assert.deepEqual(
      multiset(got.map((r) => [r.time, r.host, r.source, r.sourcetype, r.index, r.fields])),
      multiset(envelopes.map((x) => [x.time, x.host, x.source, x.sourcetype, x.index, x.fields])),
      'time, host, source, sourcetype, index and indexed fields intact',
    );
    assert.ok(
      got.every((r) => r.token === env.token),
      'sent as Authorization: Splunk <token>',
    );
    const s = sink.stats;
    assert.equal(s.delivered, events.length);
    assert.equal(s.batches, Math.ceil(events.length / 100));
    assert.ok(s.wireBytes * 5 < s.bytes, `gzip: ${s.wireBytes} bytes on the wire for ${s.bytes}`);
    // The peer has indexer acknowledgement (ack extension): every batch was confirmed through /ack.
    assert.equal(s.acknowledged, events.length);
    assert.equal(s.resent, 0);
  });

  it('delivers alerts as their JSON documents', async () => {
    const detector = createDetector(await loadBuiltinRules());
    const alerts: NotifyAlert[] = [];
    for (const e of sampleEvents()) alerts.push(...detector.push(e).alerts);
    alerts.push(...detector.finish().alerts);
    assert.ok(alerts.length > 0);
    const index = testIndex('alerts');
    const sink = new HecSink({ transport: { url: env.url, token: env.token }, index, host: 'npswatch-test' });
    for (const a of alerts) await sink.writeAlert(a);
    await sink.close();
    await output.until(() => output.of(index).length >= alerts.length);
    const got = output.of(index);
    assert.deepEqual(multiset(got.map((r) => r.event)), multiset(alerts.map((a) => alertToJson(a))));
    assert.ok(got.every((r) => r.sourcetype === 'npswatch:alert' && r.host === 'npswatch-test'));
    assert.deepEqual(multiset(got.map((r) => r.time)), multiset(alerts.map((a) => a.time)));
  });

  it('sends raw lines with metadata in the query string', async () => {
    const events = sampleEvents().slice(0, 40);
    const index = testIndex('raw');
    const sink = new HecSink({
      transport: { url: env.url, token: env.token },
      endpoint: 'raw',
      index,
      host: 'raw-host',
    });
    for (const e of events) await sink.write({ event: toEcs(e), sourcetype: 'npswatch:event' });
    await sink.close();
    await output.until(() => output.of(index).length >= events.length);
    const got = output.of(index);
    assert.deepEqual(multiset(got.map((r) => JSON.parse(String(r.event)))), multiset(events.map((e) => toEcs(e))));
    assert.ok(got.every((r) => r.host === 'raw-host' && r.sourcetype === 'npswatch:event'));
  });

  it('`npswatch replay --sink splunk-hec:URL` sends what it prints, token from NPSWATCH_HEC_TOKEN', async () => {
    const index = testIndex('cli');
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let printed = '';
    let errors = '';
    stdout.on('data', (c: Buffer) => {
      printed += c.toString();
    });
    stderr.on('data', (c: Buffer) => {
      errors += c.toString();
    });
    const io = { stdout, stderr, stdin: Readable.from([]), env: { NPSWATCH_HEC_TOKEN: env.token } };
    const code = await main(['replay', SAMPLE, '--sink', `splunk-hec:${env.url}`, '--hec-index', index], io);
    assert.equal(code, 0, errors);
    const lines = printed.split('\n').filter(Boolean);
    assert.ok(lines.length > 0);
    await output.until(() => output.of(index).length >= lines.length);
    assert.deepEqual(multiset(output.of(index).map((r) => r.event)), multiset(lines.map((l) => JSON.parse(l))));
    assert.match(errors, new RegExp(`splunk-hec: ${lines.length} events delivered`));
    assert.ok(!errors.includes(env.token));
  });
});
