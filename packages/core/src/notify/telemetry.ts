import {
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  metrics,
  type Span,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { Alert } from '../rules/types.js';
import { VERSION } from '../version.js';
import type { SuppressReason } from './types.js';

const SCOPE = 'npswatch';

export interface TelemetryOptions {
  /** Defaults to the global provider: a no-op until an SDK registers one. */
  readonly meterProvider?: MeterProvider;
  readonly tracerProvider?: TracerProvider;
  /** Instrumentation scope version; defaults to the core package version. */
  readonly version?: string;
}

/** Metrics and spans of the pipeline. Every instrument is a no-op without an OpenTelemetry SDK. */
export interface Telemetry {
  /** `npswatch.events.in`: records read. */
  readonly eventsIn: Counter;
  /** `npswatch.events.classified` {category, code}. */
  readonly eventsClassified: Counter<{ category: string; code: string }>;
  /** `npswatch.events.late`: events behind the watermark by more than the allowed lateness. */
  readonly eventsLate: Counter;
  /** `npswatch.events.rejected`: records that could not be parsed. */
  readonly eventsRejected: Counter;
  /** `npswatch.alerts.fired` {rule, severity}: firing notifications sent. */
  readonly alertsFired: Counter<{ rule: string; severity: string }>;
  /** `npswatch.alerts.suppressed` {reason}. */
  readonly alertsSuppressed: Counter<{ reason: SuppressReason }>;
  /** `npswatch.alert.latency` (ms): from processing the window close to emitting the alert, measured by the caller. */
  readonly alertLatency: Histogram;
  recordClassified(event: { readonly category: string; readonly code?: string | undefined }): void;
  /** Counts a firing notification (resolved ones are not "fired"). */
  recordAlert(alert: Pick<Alert, 'status' | 'ruleId' | 'severity'>): void;
  recordSuppressed(suppression: { readonly reason: SuppressReason }): void;
  /**
   * Runs `fn` in an active span (for sink flushes): the span ends when `fn` settles and records the error
   * and an ERROR status if it throws or rejects.
   */
  withSpan<T>(name: string, fn: (span: Span) => T | Promise<T>, attributes?: Attributes): Promise<T>;
}

/** Creates the instruments on the given providers, or on the global (no-op by default) ones. */
export function createTelemetry(options: TelemetryOptions = {}): Telemetry {
  const version = options.version ?? VERSION;
  const meter: Meter =
    options.meterProvider === undefined
      ? metrics.getMeter(SCOPE, version)
      : options.meterProvider.getMeter(SCOPE, version);
  const tracer: Tracer =
    options.tracerProvider === undefined
      ? trace.getTracer(SCOPE, version)
      : options.tracerProvider.getTracer(SCOPE, version);

  const eventsIn = meter.createCounter('npswatch.events.in', { description: 'Records read', unit: '{event}' });
  const eventsClassified = meter.createCounter<{ category: string; code: string }>('npswatch.events.classified', {
    description: 'Events classified, by category and code',
    unit: '{event}',
  });
  const eventsLate = meter.createCounter('npswatch.events.late', {
    description: 'Events later than the allowed lateness',
    unit: '{event}',
  });
  const eventsRejected = meter.createCounter('npswatch.events.rejected', {
    description: 'Records that could not be parsed',
    unit: '{event}',
  });
  const alertsFired = meter.createCounter<{ rule: string; severity: string }>('npswatch.alerts.fired', {
    description: 'Firing notifications sent',
    unit: '{alert}',
  });
  const alertsSuppressed = meter.createCounter<{ reason: SuppressReason }>('npswatch.alerts.suppressed', {
    description: 'Detections and alerts that did not become a notification of their own',
    unit: '{alert}',
  });
  const alertLatency = meter.createHistogram('npswatch.alert.latency', {
    description: 'Time from processing a window close to emitting its alert',
    unit: 'ms',
    advice: { explicitBucketBoundaries: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000] },
  });

  return {
    eventsIn,
    eventsClassified,
    eventsLate,
    eventsRejected,
    alertsFired,
    alertsSuppressed,
    alertLatency,
    recordClassified(event) {
      eventsClassified.add(1, { category: event.category, code: event.code ?? '' });
    },
    recordAlert(alert) {
      if (alert.status === 'firing') alertsFired.add(1, { rule: alert.ruleId, severity: alert.severity });
    },
    recordSuppressed(suppression) {
      alertsSuppressed.add(1, { reason: suppression.reason });
    },
    withSpan(name, fn, attributes) {
      return tracer.startActiveSpan(name, attributes === undefined ? {} : { attributes }, async (span) => {
        try {
          return await fn(span);
        } catch (err) {
          span.recordException(err instanceof Error ? err : String(err));
          span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
          throw err;
        } finally {
          span.end();
        }
      });
    },
  };
}
