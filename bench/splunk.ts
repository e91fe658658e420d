// npswatch's HEC sink against splunk-logging (Splunk's own npm HEC client), both sending the same events to the
// same real HEC peer (the OpenTelemetry splunkhecreceiver, scripts/services/hec-peer.sh) in one run.
//   node --import tsx bench/splunk.ts [--events 20000] [--rounds 3] [--peer-gogc 400]
// The three clients run in turn, round after round, and each keeps its best round: drift in machine load then hits
// all of them alike (as bench/engine and bench/elastic do).
// A private peer is started on a free port (the collector binary is built once and cached) and stopped after.
// --peer-gogc sets its Go GC target (hec-peer.sh explains the default of 400; 100 is Go's own default).
// Every figure counts only events the peer wrote to its output: a client that drops events gains nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { eventEnvelope, type HecEnvelope, HecSink } from '@npswatch/splunk-app';
import { Logger } from 'splunk-logging';
import { freePort, PeerOutput, PrivatePeer, sampleEvents } from '../test/splunk/peer.js';

const TOKEN = '00000000-0000-4000-8000-00000000cafe';

interface Result {
  readonly name: string;
  readonly events: number;
  readonly seconds: number;
  readonly note: string;
}

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** The synthetic NPS day repeated to `n` envelopes, with distinct times (no indexed fields: splunk-logging has none). */
function envelopes(n: number, index: string): HecEnvelope[] {
  const day = sampleEvents();
  return Array.from({ length: n }, (_, i) => {
    const e = day[i % day.length]!;
    return { ...eventEnvelope(e, { indexedFields: false, index }), time: e.time + Math.floor(i / day.length) };
  });
}

async function ours(url: string, items: readonly HecEnvelope[]): Promise<Result> {
  const start = performance.now();
  const sink = new HecSink({ transport: { url, token: TOKEN } });
  for (const x of items) await sink.write(x);
  await sink.close({ timeoutMs: 300_000 });
  const seconds = (performance.now() - start) / 1000;
  const s = sink.stats;
  return {
    name: 'npswatch HecSink (512 KiB batches, gzip, 4 in flight, indexer acks)',
    events: s.delivered,
    seconds,
    note: `${s.batches} requests, ${(s.wireBytes / 1e6).toFixed(1)} MB on the wire for ${(s.bytes / 1e6).toFixed(1)} MB`,
  };
}

function metadata(x: HecEnvelope) {
  return {
    time: x.time!,
    ...(x.host === undefined ? {} : { host: x.host }),
    ...(x.source === undefined ? {} : { source: x.source }),
    ...(x.sourcetype === undefined ? {} : { sourcetype: x.sourcetype }),
    ...(x.index === undefined ? {} : { index: x.index }),
  };
}

/**
 * splunk-logging as documented by default: one request per event (maxBatchCount 1). Fire-and-forget of tens of
 * thousands of requests would exhaust sockets, so at most `window` sends are outstanding.
 */
async function splunkLoggingPerEvent(url: string, items: readonly HecEnvelope[], window: number): Promise<Result> {
  const logger = new Logger({ token: TOKEN, url });
  logger.eventFormatter = (message) => message;
  const start = performance.now();
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < items.length) {
      const x = items[next++]!;
      await new Promise<void>((resolve) =>
        logger.send({ message: x.event, metadata: metadata(x) }, (err) => {
          if (err) failed++;
          resolve();
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  return {
    name: `splunk-logging 0.11 default (1 event per request, ${window} outstanding)`,
    events: items.length - failed,
    seconds: (performance.now() - start) / 1000,
    note: `${items.length} requests, no gzip`,
  };
}

/** splunk-logging with its own batching (maxBatchCount): its best configuration. */
async function splunkLoggingBatched(url: string, items: readonly HecEnvelope[], count: number): Promise<Result> {
  const logger = new Logger({ token: TOKEN, url, maxBatchCount: count });
  logger.eventFormatter = (message) => message;
  const start = performance.now();
  const replies: Promise<boolean>[] = [];
  for (let i = 0; i < items.length; i++) {
    const context = { message: items[i]!.event, metadata: metadata(items[i]!) };
    // Only the send that fills a batch starts a request, and only its callback is called.
    if ((i + 1) % count === 0) replies.push(new Promise((resolve) => logger.send(context, (err) => resolve(!err))));
    else logger.send(context);
  }
  if (items.length % count !== 0) replies.push(new Promise((resolve) => logger.flush((err) => resolve(!err))));
  const ok = await Promise.all(replies);
  return {
    name: `splunk-logging 0.11 batched (maxBatchCount ${count})`,
    events: ok.every(Boolean) ? items.length : Number.NaN,
    seconds: (performance.now() - start) / 1000,
    note: `${Math.ceil(items.length / count)} requests, no gzip`,
  };
}

const n = argument('--events', 20_000);
const rounds = argument('--rounds', 3);
const gogc = argument('--peer-gogc', 400);
const dir = mkdtempSync(join(tmpdir(), 'npswatch-bench-hec-'));
const peer = new PrivatePeer(await freePort(), dir, { HEC_PEER_GOGC: String(gogc) });
await peer.start();
try {
  const output = new PeerOutput(peer.output);
  let round = 0;
  const run = async (label: string, go: (items: HecEnvelope[]) => Promise<Result>): Promise<Result> => {
    const index = `bench_${label}_${round}`;
    const items = envelopes(n, index);
    const result = await go(items);
    // Count what the peer really wrote before believing the client.
    await output.until(() => output.of(index).length >= n);
    return { ...result, events: Math.min(result.events, output.of(index).length) };
  };
  // Warm-up: connections, JIT, the peer's first allocations.
  await ours(peer.url, envelopes(2000, 'warmup'));
  await splunkLoggingPerEvent(peer.url, envelopes(2000, 'warmup'), 32);

  const rate = (r: Result) => r.events / r.seconds;
  const clients: [string, (items: HecEnvelope[]) => Promise<Result>][] = [
    ['ours', (items) => ours(peer.url, items)],
    ['sl_default', (items) => splunkLoggingPerEvent(peer.url, items, 32)],
    ['sl_batched', (items) => splunkLoggingBatched(peer.url, items, 100)],
  ];
  const results: Result[] = [];
  for (round = 0; round < rounds; round++) {
    for (const [i, [label, go]] of clients.entries()) {
      const r = await run(label, go);
      process.stdout.write(
        `  round ${round + 1} ${r.name.split(' (')[0]!.padEnd(28)} ${Math.round(rate(r))} events/s\n`,
      );
      if (results[i] === undefined || rate(r) > rate(results[i]!)) results[i] = r;
    }
  }
  const bytes = envelopes(n, 'x').reduce((sum, x) => sum + JSON.stringify(x.event).length, 0) / n;
  process.stdout.write(
    `bench/splunk: ${n} events (ECS documents, ${Math.round(bytes)} B each on average) to the OpenTelemetry splunkhecreceiver on 127.0.0.1 (GOGC=${gogc})\n`,
  );
  for (const r of results)
    process.stdout.write(
      `  ${r.name.padEnd(72)} ${Math.round(rate(r)).toLocaleString('en-US').padStart(9)} events/s  (${r.seconds.toFixed(2)} s; ${r.note})\n`,
    );
  const [a, b, c] = results as [Result, Result, Result];
  process.stdout.write(
    `  ratio: ${(rate(a) / rate(b)).toFixed(1)}x splunk-logging default, ${(rate(a) / rate(c)).toFixed(1)}x splunk-logging batched\n`,
  );
} finally {
  await peer.stop();
  rmSync(dir, { recursive: true, force: true });
}
