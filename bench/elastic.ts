// The Elasticsearch sink against the client's own bulk helper: the same documents, the same server, the same
// batch size and concurrency, in one run. Prints docs/s for both and their ratio (sink / helper; target ≥ 0.9).
// Needs the test server: scripts/services/elasticsearch.sh start. Usage: tsx bench/elastic.ts [--docs N] [--rounds R]
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { classify, toEcs } from '@npswatch/core';
import { syntheticDay } from '@npswatch/core/testing';
import { connectElastic, createElasticSink, dailyEventIndex, eventDocumentId, setup } from '@npswatch/elastic-plugin';

const DAY = 86_400_000;
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const total = arg('--docs', 100_000);
const rounds = arg('--rounds', 3);
const FLUSH_BYTES = 5 * 1024 * 1024;
const CONCURRENCY = 2;

const envFile = fileURLToPath(new URL('../.cache/es.env', import.meta.url));
if (!existsSync(envFile)) {
  console.error(`bench/elastic: ${envFile} missing; run scripts/services/elasticsearch.sh start`);
  process.exit(1);
}
const env = new Map(
  readFileSync(envFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
);

const conn = await connectElastic({
  url: env.get('ES_URL')!,
  auth: { username: env.get('ES_USERNAME')!, password: env.get('ES_PASSWORD')! },
  requestTimeout: 120_000,
});
await setup(conn);

// The same documents for both: ECS form and source-derived ids computed once, outside the timings.
const day = syntheticDay({ perHour: 40 });
const docs = Array.from({ length: total }, (_, i) => {
  const base = day[i % day.length]!;
  const event = classify({ ...base, time: base.time + Math.floor(i / day.length) * DAY, recordId: i + 1 });
  return { day: dailyEventIndex(event, ''), id: eventDocumentId(event), doc: toEcs(event) };
});
const bytes = docs.reduce((n, d) => n + JSON.stringify(d.doc).length, 0);
console.log(
  `bench/elastic: ${total} docs (${(bytes / total).toFixed(0)} B avg), Elasticsearch ${conn.server.version}, ` +
    `flushBytes ${FLUSH_BYTES}, concurrency ${CONCURRENCY}, ${rounds} rounds`,
);

async function clean(prefix: string): Promise<void> {
  await conn.client.indices.delete({ index: `${prefix}*`, ignore_unavailable: true, allow_no_indices: true });
}

async function helper(prefix: string): Promise<number> {
  const start = performance.now();
  let i = 0;
  const stats = await conn.client.helpers.bulk({
    datasource: docs.map((d) => d.doc),
    onDocument: () => {
      const d = docs[i++]!;
      return { create: { _index: `${prefix}${d.day}`, _id: d.id } };
    },
    flushBytes: FLUSH_BYTES,
    concurrency: CONCURRENCY,
    refreshOnCompletion: false,
  });
  if (stats.successful !== total) throw new Error(`helper indexed ${stats.successful} of ${total}`);
  return performance.now() - start;
}

async function sink(prefix: string): Promise<number> {
  const start = performance.now();
  const s = createElasticSink(conn, {
    flushBytes: FLUSH_BYTES,
    flushCount: Number.MAX_SAFE_INTEGER,
    concurrency: CONCURRENCY,
    flushInterval: 0,
  });
  for (const d of docs) await s.writeDocument(`${prefix}${d.day}`, d.id, d.doc);
  const stats = await s.close();
  if (stats.successful !== total) throw new Error(`sink indexed ${stats.successful} of ${total}`);
  return performance.now() - start;
}

const rate = (ms: number) => (total / ms) * 1000;
const best = { helper: Number.POSITIVE_INFINITY, sink: Number.POSITIVE_INFINITY };
try {
  for (let r = 1; r <= rounds; r++) {
    // Alternate which goes first, so neither always meets a warmer (or busier) server.
    const order = r % 2 === 1 ? (['helper', 'sink'] as const) : (['sink', 'helper'] as const);
    for (const which of order) {
      const prefix = `npswatch-events-bench-${which}-`;
      await clean(prefix);
      const ms = which === 'helper' ? await helper(prefix) : await sink(prefix);
      best[which] = Math.min(best[which], ms);
      console.log(`  round ${r} ${which.padEnd(6)} ${rate(ms).toFixed(0).padStart(7)} docs/s`);
      await clean(prefix);
    }
  }
  const ratio = rate(best.sink) / rate(best.helper);
  console.log(
    `bench/elastic: client.helpers.bulk ${rate(best.helper).toFixed(0)} docs/s, npswatch sink ${rate(best.sink).toFixed(0)} docs/s, ` +
      `ratio ${ratio.toFixed(2)} (target ≥ 0.9)`,
  );
} finally {
  await conn.close();
}
