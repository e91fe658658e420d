/**
 * Using @npswatch/core from a Node service: read a log file in any supported format, classify every event, and
 * act on what needs attention. Run after `npm run build`: `node examples/dist/classify-file/index.js [file]`.
 * Without an argument it reads the Winlogbeat sample shipped with the package.
 */
import { fileURLToPath } from 'node:url';
import { classify, entryById, type ParseIssue, readBatches, samplesDirectory, toEcs } from '@npswatch/core';

const input = process.argv[2] ?? fileURLToPath(new URL('reference/winlogbeat.ndjson', samplesDirectory()));
const counts = new Map<string, number>();
const rejected: ParseIssue[] = [];

for await (const batch of readBatches(input, { timeZone: 'UTC' })) {
  rejected.push(...batch.issues);
  for (const record of batch.records) {
    const event = classify(record);
    counts.set(event.category, (counts.get(event.category) ?? 0) + 1);
    if (event.category === 'error' || event.category === 'support-required') {
      const entry = event.entryId ? entryById(event.entryId) : undefined;
      // A real service would page, open a ticket or index the document; here we print the first step.
      console.log(`${event.host ?? '?'} ${event.code}: ${entry?.remediation.en[0] ?? 'unknown code'}`);
      console.log(JSON.stringify(toEcs(event, { explain: false })).slice(0, 120));
    }
  }
}
console.log(Object.fromEntries(counts));
if (rejected.length > 0) {
  for (const issue of rejected) console.error(`${issue.file}:${issue.line}: ${issue.reason}`);
  process.exitCode = 3;
}
