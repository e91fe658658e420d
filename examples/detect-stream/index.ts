/**
 * The built-in detection pack on an rxjs stream, as a Node service would run it: records read from a log (here the
 * synthetic NPS day shipped with the package), classified, and pushed through `detectAlerts`; each alert is printed
 * with the first thing to do about its code. Run after `npm run build`: `node examples/dist/detect-stream/index.js
 * [file]`. Replace `from(readBatches(…))` with any source of records (a queue, a socket) to run it live.
 */
import { fileURLToPath } from 'node:url';
import {
  classify,
  detectAlerts,
  entriesForCode,
  formatInZone,
  loadBuiltinRules,
  type NotifyAlert,
  readBatches,
  samplesDirectory,
} from '@npswatch/core';
import { concatMap, from, lastValueFrom, map, tap, toArray } from 'rxjs';

const input = process.argv[2] ?? fileURLToPath(new URL('synthetic/nps-day.winlogbeat.ndjson', samplesDirectory()));
const rules = await loadBuiltinRules();
let late = 0;

function describe(alert: NotifyAlert): string {
  const key = Object.entries(alert.keyFields)
    .map(([field, value]) => `${field}=${value}`)
    .join(' ');
  const first = alert.codes[0] === undefined ? undefined : entriesForCode(alert.codes[0])[0];
  const todo = alert.status === 'firing' && first ? `\n    → ${first.remediation.en[0]}` : '';
  return `${formatInZone(alert.time, 'UTC')} ${alert.status.padEnd(8)} ${alert.severity.padEnd(8)} ${alert.ruleId} ${key}${todo}`;
}

const alerts = await lastValueFrom(
  from(readBatches(input, { timeZone: 'UTC' })).pipe(
    // Batches keep file order; each batch's records go through one by one.
    concatMap((batch) => batch.records),
    map(classify),
    detectAlerts(rules, { onLate: () => late++ }),
    tap((alert) => console.log(describe(alert))),
    toArray(),
  ),
);
const firing = alerts.filter((a) => a.status === 'firing');
console.log(`${alerts.length} notifications (${firing.length} firing) from ${rules.length} rules; ${late} late events`);
if (firing.length === 0) process.exitCode = 1;
