// Peak RSS of the full parse+classify path on one input, in a plain node process (no TypeScript loader),
// so the figure is the library's own. Prints megabytes.
import { classify, readBatches } from '@npswatch/core';

let n = 0;
for await (const batch of readBatches(process.argv[2])) {
  for (const record of batch.records) {
    classify(record);
    n++;
  }
}
console.log(`${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (${n} events)`);
