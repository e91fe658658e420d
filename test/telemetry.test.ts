import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { main } from 'npswatch';

const sample = (name: string) => fileURLToPath(new URL(`../packages/core/samples/${name}`, import.meta.url));

describe('telemetry through a real OpenTelemetry SDK', () => {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  before(() => metrics.setGlobalMeterProvider(provider));
  after(async () => {
    await provider.shutdown();
    metrics.disable();
  });

  it('counts events in, classified by category and code, rejected, and alerts fired', async () => {
    const quiet = {
      stdout: new PassThrough().resume(),
      stderr: new PassThrough().resume(),
      stdin: Readable.from([]),
      env: {},
    };
    assert.equal(await main(['replay', sample('synthetic/nps-day.winlogbeat.ndjson')], quiet), 0);
    await reader.forceFlush();
    const points = new Map<string, number>();
    for (const rm of exporter.getMetrics()) {
      for (const sm of rm.scopeMetrics) {
        for (const m of sm.metrics) {
          if (m.dataPointType !== DataPointType.SUM) continue;
          for (const p of m.dataPoints) {
            const key = `${m.descriptor.name}${JSON.stringify(p.attributes)}`;
            points.set(key, (points.get(key) ?? 0) + (p.value as number));
          }
        }
      }
    }
    const total = (name: string) =>
      [...points].filter(([k]) => k.startsWith(`${name}{`)).reduce((a, [, v]) => a + v, 0);
    assert.equal(total('npswatch.events.in'), 747);
    assert.equal(total('npswatch.events.classified'), 747);
    assert.equal(points.get('npswatch.events.classified{"category":"error","code":"UserNotFound"}'), 30);
    assert.ok(total('npswatch.alerts.fired') >= 9);
    assert.ok([...points.keys()].some((k) => k.startsWith('npswatch.alerts.fired{') && k.includes('otp-brute-force')));
  });
});
