import assert from 'node:assert/strict';
import {
  type Attributes,
  type Counter,
  createNoopMeter,
  type Histogram,
  type MeterProvider,
  ProxyTracerProvider,
} from '@opentelemetry/api';
import { createTelemetry } from '../../src/notify/telemetry.js';

/** A meter provider that records every measurement, built on the API's no-op meter. */
function recordingProvider() {
  const records: { name: string; value: number; attributes?: Attributes }[] = [];
  const created: string[] = [];
  const versions: (string | undefined)[] = [];
  const meter = createNoopMeter();
  meter.createCounter = <A extends Attributes>(name: string): Counter<A> => {
    created.push(name);
    return { add: (value, attributes) => records.push({ name, value, ...(attributes ? { attributes } : {}) }) };
  };
  meter.createHistogram = <A extends Attributes>(name: string): Histogram<A> => {
    created.push(name);
    return { record: (value, attributes) => records.push({ name, value, ...(attributes ? { attributes } : {}) }) };
  };
  const provider: MeterProvider = {
    getMeter: (name, version) => {
      assert.equal(name, 'npswatch');
      versions.push(version);
      return meter;
    },
  };
  return { provider, records, created, versions };
}

describe('telemetry', () => {
  it('is a no-op without an SDK', async () => {
    const t = createTelemetry();
    t.eventsIn.add(1);
    t.recordClassified({ category: 'error', code: 'ESTS_TOKEN_ERROR' });
    t.alertLatency.record(12);
    assert.equal(await t.withSpan('sink.flush', () => 42), 42);
  });

  it('creates the documented instruments and records with their attributes', () => {
    const { provider, records, created, versions } = recordingProvider();
    const t = createTelemetry({ meterProvider: provider, version: '0.1.0' });
    assert.deepEqual(versions, ['0.1.0']);
    assert.deepEqual(created, [
      'npswatch.events.in',
      'npswatch.events.classified',
      'npswatch.events.late',
      'npswatch.events.rejected',
      'npswatch.alerts.fired',
      'npswatch.alerts.suppressed',
      'npswatch.alert.latency',
    ]);
    t.eventsIn.add(3);
    t.recordClassified({ category: 'non-error', code: 'OathCodeIncorrect' });
    t.recordClassified({ category: 'unknown' });
    t.recordAlert({ status: 'firing', ruleId: 'otp', severity: 'high' });
    t.recordAlert({ status: 'resolved', ruleId: 'otp', severity: 'high' });
    t.recordSuppressed({ reason: 'silenced' });
    t.alertLatency.record(7);
    assert.deepEqual(records, [
      { name: 'npswatch.events.in', value: 3 },
      {
        name: 'npswatch.events.classified',
        value: 1,
        attributes: { category: 'non-error', code: 'OathCodeIncorrect' },
      },
      { name: 'npswatch.events.classified', value: 1, attributes: { category: 'unknown', code: '' } },
      { name: 'npswatch.alerts.fired', value: 1, attributes: { rule: 'otp', severity: 'high' } },
      { name: 'npswatch.alerts.suppressed', value: 1, attributes: { reason: 'silenced' } },
      { name: 'npswatch.alert.latency', value: 7 },
    ]);
  });

  it('withSpan ends the span and passes errors through', async () => {
    const t = createTelemetry({ tracerProvider: new ProxyTracerProvider() });
    assert.equal(await t.withSpan('sink.flush', async (span) => (span.isRecording() ? 'rec' : 'noop')), 'noop');
    await assert.rejects(
      t.withSpan('sink.flush', () => {
        throw new Error('503 from HEC');
      }),
      /503 from HEC/,
    );
  });
});
