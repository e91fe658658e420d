import { classify, correlateSize, correlateStep, initCorrelate, resolveCorrelateOptions } from '@npswatch/core';
import { trafficChunks } from './correlate-traffic.mjs';
const mode = process.argv[2];
const options = resolveCorrelateOptions();
let state = initCorrelate();
let n = 0;
for (const chunk of trafficChunks({ requests: 30000 })) {
  for (const r of chunk) { const e = classify(r); n++; if (mode === 'on') state = correlateStep(options, state, e).state; }
  if (n % 40000 < 4096) { globalThis.gc(); console.log(n, correlateSize(state), (process.memoryUsage().heapUsed/1e6).toFixed(1), 'MB heap', (process.memoryUsage().rss/1e6).toFixed(0), 'MB rss'); }
}
