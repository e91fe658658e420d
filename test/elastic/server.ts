import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Client } from '@elastic/elasticsearch';
import {
  addToSummary,
  type ClassifiedEvent,
  classify,
  createDetector,
  createSummary,
  loadBuiltinRules,
  type NotifyAlert,
  readBatches,
} from '@npswatch/core';
import { connectElastic, type ElasticAuth, type ElasticConnection } from '@npswatch/elastic-plugin';
import type { Io } from 'npswatch';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = `${ROOT}scripts/services/elasticsearch.sh`;
export const ENV_FILE = `${ROOT}.cache/es.env`;
export const SAMPLE_DAY = `${ROOT}packages/core/samples/synthetic/nps-day.winlogbeat.ndjson`;

export interface EsEnv {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly version: string;
}

/**
 * The running test server, from the env file `scripts/services/elasticsearch.sh start` writes. No server is a
 * failure, never a skip: these tests are the proof that the plugin works against Elasticsearch.
 */
export function esEnv(): EsEnv {
  if (!existsSync(ENV_FILE))
    throw new Error(
      `no Elasticsearch test server: ${ENV_FILE} is missing. Run \`scripts/services/elasticsearch.sh start\` first ` +
        '(it fetches Elasticsearch from Maven Central, starts it on 127.0.0.1 and writes that file).',
    );
  const vars = new Map<string, string>();
  for (const line of readFileSync(ENV_FILE, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) vars.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const get = (k: string) => {
    const v = vars.get(k);
    if (v === undefined) throw new Error(`${ENV_FILE} has no ${k}: run scripts/services/elasticsearch.sh start again`);
    return v;
  };
  return { url: get('ES_URL'), username: get('ES_USERNAME'), password: get('ES_PASSWORD'), version: get('ES_VERSION') };
}

export function basicAuth(env: EsEnv): ElasticAuth {
  return { username: env.username, password: env.password };
}

export function connect(env: EsEnv, auth: ElasticAuth = basicAuth(env), url = env.url): Promise<ElasticConnection> {
  return connectElastic({ url, auth });
}

/** Runs the service script (`stop`, `start`) as the tests' fault injection. */
export async function service(command: 'start' | 'stop'): Promise<void> {
  await promisify(execFile)('bash', [SCRIPT, command], { timeout: 600_000 });
}

/** A name part unique to one test, so indices of different tests and runs never mix. */
export function runId(): string {
  return `t${randomBytes(4).toString('hex')}`;
}

/** Deletes every index of a test run (expand_wildcards=all: hidden and data stream backing indices too). */
export async function cleanup(client: Client, run: string): Promise<void> {
  await client.indices.delete({
    index: `*${run}*`,
    ignore_unavailable: true,
    allow_no_indices: true,
    expand_wildcards: 'all',
  });
}

/** The synthetic sample day, classified by the core as the CLI would. */
export async function sampleEvents(): Promise<ClassifiedEvent[]> {
  const events: ClassifiedEvent[] = [];
  for await (const batch of readBatches(SAMPLE_DAY, { format: 'auto', timeZone: 'UTC', defaultTime: 0 })) {
    if (batch.issues.length > 0) throw new Error(`sample rejected: ${batch.issues[0]!.reason}`);
    for (const r of batch.records) events.push(classify(r));
  }
  return events;
}

/** The core's own count of each extension code. */
export function coreCodeCounts(events: readonly ClassifiedEvent[]): Map<string, number> {
  const summary = createSummary();
  for (const e of events) addToSummary(summary, e);
  return new Map([...summary.byCode.values()].map((c) => [c.code, c.count]));
}

/** The built-in pack's alerts for the events, as replay computes them. */
export async function sampleAlerts(events: readonly ClassifiedEvent[]): Promise<NotifyAlert[]> {
  const detector = createDetector(await loadBuiltinRules());
  const alerts: NotifyAlert[] = [];
  for (const e of events) alerts.push(...detector.push(e).alerts);
  alerts.push(...detector.finish().alerts);
  return alerts;
}

/** An in-process CLI run's streams, with what it printed on each (no stdin; `env` as the environment). */
export function capture(env: Record<string, string>): { io: Io; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return { io: { stdout, stderr, stdin: Readable.from([]), env }, out: () => out, err: () => err };
}
