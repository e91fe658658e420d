// Peak RSS of classify (+ correlate) over generated traffic (no parsing), in a plain node process on the built
// packages (no TypeScript loader counted). Prints one line: peak RSS, live heap, records, most held, records/s.
//   node --expose-gc bench/correlate-rss-child.mjs <on|off> <requests> <requests per hour>
import {
  classify,
  correlateFlush,
  correlateSize,
  correlateStep,
  initCorrelate,
  resolveCorrelateOptions,
} from '@npswatch/core';
import { trafficChunks } from './correlate-traffic.mjs';

const [mode = 'on', requests = '1000000', perHour = '1000000'] = process.argv.slice(2);
const options = resolveCorrelateOptions();
let state = initCorrelate();
let records = 0;
let out = 0;
let maxHeld = 0;
const start = performance.now();
for (const chunk of trafficChunks({ requests: Number(requests), perHour: Number(perHour) })) {
  for (const record of chunk) {
    const event = classify(record);
    records++;
    if (mode !== 'on') continue;
    const step = correlateStep(options, state, event);
    state = step.state;
    out += step.out.length;
    const held = correlateSize(state);
    if (held > maxHeld) maxHeld = held;
  }
}
// Live heap with the correlator's state at the end of the traffic (run with --expose-gc): what it really holds,
// as opposed to the peak RSS, which is mostly garbage the collector had not yet returned.
globalThis.gc?.();
const live = process.memoryUsage().heapUsed / 1e6;
if (mode === 'on') {
  const end = correlateFlush(options, state);
  out += end.out.length;
  if (out < records) throw new Error(`emitted ${out} of ${records} records`);
}
const seconds = (performance.now() - start) / 1000;
console.log(
  `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB peak RSS, ${live.toFixed(0)} MB live heap at the end (${records} records, at most ${maxHeld} held, ${Math.round(records / seconds)} records/s)`,
);
