import type { Severity } from '../catalog/types.js';
import type { ClassifiedEvent } from '../classify/types.js';
import type { Alert } from '../rules/types.js';

export interface AlertJsonOptions {
  /** Events of the sample to include (newest kept). Default 5. */
  readonly sampleSize?: number;
}

/** ECS `event.severity` numbers: lower is more severe, as for events. */
const SEVERITY_NUMBER: Readonly<Record<Severity, number>> = { critical: 1, high: 2, medium: 3, low: 4, info: 5 };

const iso = (ms: number): string => new Date(ms).toISOString();

/** The minimal form of a sample event: enough to recognise it, without the whole record. */
export interface AlertSampleJson {
  readonly time: string;
  readonly host?: string;
  readonly user?: string;
  readonly code?: string;
  readonly message?: string;
}

function sampleEvent(e: ClassifiedEvent): AlertSampleJson {
  return {
    time: iso(e.time),
    ...(e.host === undefined ? {} : { host: e.host }),
    ...(e.user === undefined ? {} : { user: e.user.raw }),
    ...(e.code === undefined ? {} : { code: e.code }),
    ...(e.message === undefined ? {} : { message: e.message }),
  };
}

/**
 * An alert as a JSON document with ECS-style nested names (`@timestamp`, `event.kind: alert`, `rule.id`), a
 * Kibana-like `kibana.alert.status` (`active` / `recovered`) and the details under `npswatch.alert`.
 * Undefined values are left out, so the document is the same after a JSON round trip.
 */
export function alertToJson(
  alert: Alert & { readonly flapping?: boolean },
  opts: AlertJsonOptions = {},
): Record<string, unknown> {
  const size = Math.max(0, Math.floor(opts.sampleSize ?? 5));
  const sample = size === 0 ? [] : alert.sample.slice(-size).map(sampleEvent);
  const flapping = alert.flapping === true;
  return {
    '@timestamp': iso(alert.time),
    message: alert.summary,
    event: {
      kind: 'alert',
      severity: SEVERITY_NUMBER[alert.severity],
      start: iso(alert.startsAt),
      ...(alert.endsAt === undefined ? {} : { end: iso(alert.endsAt) }),
    },
    rule: { id: alert.ruleId, type: alert.ruleType },
    kibana: {
      alert: {
        uuid: alert.id,
        status: alert.status === 'firing' ? 'active' : 'recovered',
        start: iso(alert.startsAt),
        ...(alert.endsAt === undefined ? {} : { end: iso(alert.endsAt) }),
        flapping,
      },
    },
    npswatch: {
      alert: {
        id: alert.id,
        fingerprint: alert.fingerprint,
        status: alert.status,
        severity: alert.severity,
        key: alert.key,
        key_fields: { ...alert.keyFields },
        window_start: iso(alert.windowStart),
        window_end: iso(alert.windowEnd),
        starts_at: iso(alert.startsAt),
        ...(alert.endsAt === undefined ? {} : { ends_at: iso(alert.endsAt) }),
        value: alert.value,
        ...(alert.threshold === undefined ? {} : { threshold: alert.threshold }),
        ...(alert.reference === undefined ? {} : { reference: alert.reference }),
        count: alert.count,
        codes: [...alert.codes],
        summary: alert.summary,
        flapping,
        sample,
      },
    },
  };
}
