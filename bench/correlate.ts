/**
 * bench/correlate: the cost of correlation on generated traffic where every request is logged by the extension,
 * the Security log and the IAS accounting log (bench/correlate-traffic.mjs). Two parts:
 *
 * - throughput: the same records through classify, classify + correlate, classify + the built-in pack, and
 *   classify + correlate + the built-in pack, alternating, best of `--rounds`; events/s and the on/off ratios;
 * - rss: peak RSS of classify + correlate (and of classify alone, for reference) on `--rss-requests` requests at
 *   `--per-hour` requests per hour, in a plain `node` child on the built packages (run `npm run build` first),
 *   with the most records the correlator held.
 *
 * Prints figures and ratios only: machines are shared and noisy, so nothing here is a pass/fail test.
 *
 *   node --import tsx bench/correlate.ts [--requests 100000] [--rounds 2] [--rss-requests 1000000]
 *                                        [--per-hour 1000000] [--part throughput|rss]
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  type ClassifiedEvent,
  type CorrelateState,
  classify,
  correlateFlush,
  correlateHoldback,
  correlateStep,
  createDetector,
  type EngineInput,
  initCorrelate,
  isTick,
  loadBuiltinRules,
  type NpsRecord,
  type RuleConfig,
  resolveCorrelateOptions,
} from '@npswatch/core';
import { trafficChunks } from './correlate-traffic.mjs';

export interface CorrelateBenchOptions {
  readonly requests: number;
  readonly rounds: number;
  readonly rssRequests: number;
  readonly perHour: number;
  readonly parts: readonly ('throughput' | 'rss')[];
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

type Sink = (event: ClassifiedEvent) => void;

/** Feeds every record through classify, optionally the correlator, into `sink`; returns records in. */
function pass(records: readonly NpsRecord[], correlateOn: boolean, sink: Sink): CorrelateState | undefined {
  if (!correlateOn) {
    for (const r of records) sink(classify(r));
    return undefined;
  }
  const options = resolveCorrelateOptions();
  let state = initCorrelate();
  const drain = (out: readonly EngineInput[]) => {
    for (const o of out) if (!isTick(o)) sink(o);
  };
  for (const r of records) {
    const step = correlateStep(options, state, classify(r));
    state = step.state;
    drain(step.out);
  }
  const end = correlateFlush(options, state);
  drain(end.out);
  return end.state;
}

async function throughput(o: CorrelateBenchOptions): Promise<void> {
  const records: NpsRecord[] = [];
  for (const chunk of trafficChunks({ requests: o.requests, perHour: o.perHour })) records.push(...chunk);
  const rules: RuleConfig[] = await loadBuiltinRules();
  // Both detect runs get the lateness correlated output needs, so the only difference is the correlator.
  const allowedLateness = correlateHoldback();
  console.log(
    `bench/correlate: ${fmt(o.requests)} requests (${fmt(records.length)} records: extension, Security, IAS request and response) at ${fmt(o.perHour)}/h`,
  );
  const variants = [
    { name: 'classify', correlate: false, detect: false },
    { name: 'classify + correlate', correlate: true, detect: false },
    { name: 'classify + detect (built-in pack)', correlate: false, detect: true },
    { name: 'classify + correlate + detect', correlate: true, detect: true },
  ] as const;
  const best = variants.map(() => Number.POSITIVE_INFINITY);
  let state: CorrelateState | undefined;
  for (let round = 0; round < o.rounds; round++) {
    variants.forEach((v, i) => {
      let n = 0;
      const detector = v.detect ? createDetector(rules, { allowedLateness }) : undefined;
      const start = performance.now();
      const s = pass(
        records,
        v.correlate,
        detector
          ? (e) => {
              detector.push(e);
              n++;
            }
          : () => {
              n++;
            },
      );
      detector?.finish();
      const ms = performance.now() - start;
      if (n !== records.length) throw new Error(`${v.name}: ${n} events out of ${records.length}`);
      if (s) state = s;
      best[i] = Math.min(best[i]!, ms);
    });
  }
  const rate = (i: number) => records.length / (best[i]! / 1000);
  variants.forEach((v, i) => {
    console.log(`  ${v.name.padEnd(34)}: ${fmt(rate(i))} events/s`);
  });
  console.log(`  ratio correlate on/off, classify only : ${(rate(1) / rate(0)).toFixed(2)}`);
  console.log(`  ratio correlate on/off, with detection: ${(rate(3) / rate(2)).toFixed(2)}`);
  const t = state!.totals;
  console.log(
    `  matched: ${fmt(t.matched)} of ${fmt(t.extension)} extension events; ${fmt(t.npsOnly)} NPS-only groups, ${fmt(t.late)} late, ${fmt(t.forced)} forced`,
  );
}

function rss(o: CorrelateBenchOptions): void {
  const child = fileURLToPath(new URL('./correlate-rss-child.mjs', import.meta.url));
  for (const mode of ['on', 'off'] as const) {
    const run = spawnSync(process.execPath, ['--expose-gc', child, mode, String(o.rssRequests), String(o.perHour)], {
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`RSS child failed: ${run.stderr}`);
    const hours = o.rssRequests / o.perHour;
    console.log(
      `  peak RSS, ${fmt(o.rssRequests)} requests at ${fmt(o.perHour)}/h (${hours.toFixed(1)} h), correlate ${mode}: ${run.stdout.trim()}`,
    );
  }
}

export async function benchCorrelate(o: CorrelateBenchOptions): Promise<void> {
  if (o.parts.includes('throughput')) await throughput(o);
  if (o.parts.includes('rss')) rss(o);
}

export function correlateBenchOptions(argv: readonly string[]): CorrelateBenchOptions {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, fallback: number) => {
    const v = arg(name);
    return v === undefined ? fallback : Number(v);
  };
  const part = arg('--part');
  return {
    requests: num('--requests', 100_000),
    rounds: num('--rounds', 2),
    rssRequests: num('--rss-requests', 1_000_000),
    perHour: num('--per-hour', 1_000_000),
    parts: part === 'throughput' || part === 'rss' ? [part] : ['throughput', 'rss'],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCorrelate(correlateBenchOptions(process.argv.slice(2)));
