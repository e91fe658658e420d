/**
 * npswatch telemetry through the OpenTelemetry SDK: the core only uses `@opentelemetry/api` (no-op by default);
 * this script gives it a real MeterProvider and TracerProvider, pushes a few detections through the notification
 * policy, and prints what was recorded. Run from the repository root: `npx tsx examples/otel/index.ts`.
 */
import { performance } from 'node:perf_hooks';
import {
  compileNotifyPolicies,
  createTelemetry,
  type Detection,
  type NotifyTick,
  notify,
  VERSION,
} from '@npswatch/core';
import {
  AggregationTemporality,
  ConsoleMetricExporter,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { from, lastValueFrom, tap, toArray } from 'rxjs';

// Two readers: the in-memory one is read back below; the console one prints on shutdown. Long intervals, so
// export happens only when flushed.
const memory = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const memoryReader = new PeriodicExportingMetricReader({ exporter: memory, exportIntervalMillis: 3_600_000 });
const consoleReader = new PeriodicExportingMetricReader({
  exporter: new ConsoleMetricExporter(),
  exportIntervalMillis: 3_600_000,
});
const meterProvider = new MeterProvider({ readers: [memoryReader, consoleReader] });
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())],
});

// Explicit providers keep the example self-contained. An application would rather register them globally
// (metrics.setGlobalMeterProvider / trace.setGlobalTracerProvider) and call createTelemetry() with no options.
const telemetry = createTelemetry({ meterProvider, tracerProvider, version: VERSION });

const T0 = Date.UTC(2024, 2, 1, 8, 0, 0);
const MIN = 60_000;

function detection(minute: number, user: string, active = true): Detection {
  const time = T0 + minute * MIN;
  return {
    ruleId: 'otp-brute-force',
    ruleType: 'threshold',
    active,
    key: `nps1|${user}`,
    keyFields: { 'host.name': 'nps1', 'user.name': user },
    windowStart: time - 10 * MIN,
    windowEnd: time,
    time,
    severity: 'high',
    value: active ? 25 : 2,
    threshold: 20,
    summary: `${user}: ${active ? 25 : 2} wrong OTP codes in 10m`,
    sample: [],
    codes: ['OathCodeIncorrect'],
  };
}
const tick = (minute: number): NotifyTick => ({ type: 'tick', time: T0 + minute * MIN });

const policies = compileNotifyPolicies({
  rules: { 'otp-brute-force': { for: '5m', repeat_interval: '1h' } },
  global: {
    silences: [
      {
        matchers: { ruleId: 'otp-brute-force', keyFields: { 'user.name': 'svc-test' } },
        starts_at: new Date(T0).toISOString(),
        ends_at: new Date(T0 + 24 * 60 * MIN).toISOString(),
        comment: 'load test account',
      },
    ],
  },
});

// Classification counters are the caller's: here, pretend 40 records were read and classified.
telemetry.eventsIn.add(40);
for (let i = 0; i < 38; i++) telemetry.recordClassified({ category: 'non-error', code: 'OathCodeIncorrect' });
telemetry.eventsRejected.add(2);

const inputs = [
  detection(0, 'alice'),
  detection(0, 'svc-test'),
  tick(0),
  detection(5, 'alice'),
  detection(5, 'svc-test'),
  tick(5),
  detection(10, 'alice'),
  tick(10),
  detection(15, 'alice', false),
  tick(15),
];

// Latency: from handing a window's detections to the policy to the alert leaving it (processing time).
let started = performance.now();
const alerts = await lastValueFrom(
  from(inputs).pipe(
    tap(() => {
      started = performance.now();
    }),
    notify(policies, { telemetry }),
    tap(() => telemetry.alertLatency.record(performance.now() - started)),
    toArray(),
  ),
);

// A sink flush in a span (a real sink would write to Elasticsearch or Splunk HEC here).
await telemetry.withSpan('npswatch.sink.flush', async (span) => {
  span.setAttribute('npswatch.sink', 'stdout');
  span.setAttribute('npswatch.alerts', alerts.length);
  for (const a of alerts) console.log(`alert ${a.status} ${a.ruleId} ${a.key} at ${new Date(a.time).toISOString()}`);
});

await memoryReader.forceFlush();
for (const rm of memory.getMetrics()) {
  for (const scope of rm.scopeMetrics) {
    console.log(`scope ${scope.scope.name}@${scope.scope.version ?? '?'}`);
    for (const metric of scope.metrics) {
      for (const point of metric.dataPoints) {
        const value =
          metric.dataPointType === DataPointType.HISTOGRAM
            ? `count=${(point.value as { count: number }).count}`
            : String(point.value);
        console.log(`  ${metric.descriptor.name} ${JSON.stringify(point.attributes)} ${value}`);
      }
    }
  }
}

await meterProvider.shutdown();
await tracerProvider.shutdown();
