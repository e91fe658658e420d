import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type ClassifiedEvent, classify, parseText, samplesDirectory } from '@npswatch/core';

export const PEER_SCRIPT = fileURLToPath(new URL('../../scripts/services/hec-peer.sh', import.meta.url));
const run = promisify(execFile);

/** Where the HEC test peer listens and writes, from `eval "$(scripts/services/hec-peer.sh env)"`. */
export interface PeerEnv {
  readonly url: string;
  readonly token: string;
  readonly output: string;
}

/** The peer's environment; throws (the suite fails, never skips) when it is missing. */
export function peerEnv(): PeerEnv {
  // Set by the test command, not inputs of a build: read by name.
  const variable = (name: string): string | undefined => process.env[name];
  const url = variable('NPSWATCH_HEC_PEER_URL');
  const token = variable('NPSWATCH_HEC_PEER_TOKEN');
  const output = variable('NPSWATCH_HEC_PEER_OUTPUT');
  if (!url || !token || !output)
    throw new Error(
      'the Splunk HEC test peer is not configured: run `bash scripts/services/hec-peer.sh start` and ' +
        '`eval "$(bash scripts/services/hec-peer.sh env)"` (it sets NPSWATCH_HEC_PEER_URL, _TOKEN and _OUTPUT)',
    );
  return { url, token, output };
}

/** A per-test index: the peer records it, so each test reads only what it sent. */
export function testIndex(tag: string): string {
  return `npswatch_test_${tag}_${randomUUID().slice(0, 8)}`;
}

/** One event as the peer wrote it (OTLP JSON from the file exporter), back in HEC terms. */
export interface Received {
  /** Event time in ms (from timeUnixNano), if the envelope had one. */
  readonly time?: number;
  readonly host?: string;
  readonly source?: string;
  readonly sourcetype?: string;
  readonly index?: string;
  /** The token the client sent (`access_token_passthrough`). */
  readonly token?: string;
  readonly event: unknown;
  /** Indexed fields. */
  readonly fields: Record<string, unknown>;
}

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  kvlistValue?: { values?: { key: string; value: AnyValue }[] };
  arrayValue?: { values?: AnyValue[] };
}

/** An OTLP AnyValue as the JSON value it came from. */
export function fromAnyValue(v: AnyValue | undefined): unknown {
  if (v === undefined) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.kvlistValue !== undefined)
    return Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, fromAnyValue(kv.value)]));
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(fromAnyValue);
  return null;
}

interface ResourceLogs {
  resource?: { attributes?: { key: string; value: AnyValue }[] };
  scopeLogs?: {
    logRecords?: { timeUnixNano?: string; body?: AnyValue; attributes?: { key: string; value: AnyValue }[] }[];
  }[];
}

function attributes(list: { key: string; value: AnyValue }[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, fromAnyValue(a.value)]));
}

/** Reads the peer's output file incrementally (it only grows) and keeps every record seen. */
export class PeerOutput {
  readonly records: Received[] = [];
  private offset = 0;
  private partial = '';

  constructor(readonly path: string) {}

  /** Reads what was appended since the last call. */
  async poll(): Promise<void> {
    let fh: Awaited<ReturnType<typeof open>>;
    try {
      fh = await open(this.path, 'r');
    } catch {
      return;
    }
    try {
      const size = (await fh.stat()).size;
      if (size <= this.offset) return;
      const buf = Buffer.alloc(size - this.offset);
      await fh.read(buf, 0, buf.length, this.offset);
      this.offset = size;
      const lines = (this.partial + buf.toString('utf8')).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') this.add(JSON.parse(line) as { resourceLogs?: ResourceLogs[] });
    } finally {
      await fh.close();
    }
  }

  private add(doc: { resourceLogs?: ResourceLogs[] }): void {
    for (const rl of doc.resourceLogs ?? []) {
      const res = attributes(rl.resource?.attributes);
      for (const sl of rl.scopeLogs ?? [])
        for (const r of sl.logRecords ?? []) {
          const ns = r.timeUnixNano === undefined ? undefined : BigInt(r.timeUnixNano);
          this.records.push({
            ...(ns === undefined ? {} : { time: Number((ns + 500_000n) / 1_000_000n) }),
            ...(typeof res['host.name'] === 'string' ? { host: res['host.name'] } : {}),
            ...(typeof res['com.splunk.source'] === 'string' ? { source: res['com.splunk.source'] } : {}),
            ...(typeof res['com.splunk.sourcetype'] === 'string' ? { sourcetype: res['com.splunk.sourcetype'] } : {}),
            ...(typeof res['com.splunk.index'] === 'string' ? { index: res['com.splunk.index'] } : {}),
            ...(typeof res['com.splunk.hec.access_token'] === 'string'
              ? { token: res['com.splunk.hec.access_token'] }
              : {}),
            event: fromAnyValue(r.body),
            fields: attributes(r.attributes),
          });
        }
    }
  }

  /** Records of one index. */
  of(index: string): Received[] {
    return this.records.filter((r) => r.index === index);
  }

  /** Polls until `done` holds (the peer flushes its file every 50 ms); bounded by mocha's timeout. */
  async until(done: () => boolean): Promise<void> {
    for (;;) {
      await this.poll();
      if (done()) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** A private peer on its own port and directory, for tests that stop and restart it. */
export class PrivatePeer {
  readonly url: string;
  readonly output: string;
  constructor(
    readonly port: number,
    readonly dir: string,
    /** Extra environment for hec-peer.sh (HEC_PEER_GOGC, …). */
    private readonly extraEnv: Readonly<Record<string, string>> = {},
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.output = `${dir}/events.jsonl`;
  }
  private env() {
    return { ...process.env, ...this.extraEnv, HEC_PEER_PORT: String(this.port), HEC_PEER_DIR: this.dir };
  }
  async start(): Promise<void> {
    await run('bash', [PEER_SCRIPT, 'start'], { env: this.env() });
  }
  /** SIGTERM: the collector stops accepting, answers what it took and flushes its file (as a service stop would). */
  async stop(): Promise<void> {
    await run('bash', [PEER_SCRIPT, 'stop'], { env: this.env() });
  }
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export type ProxyDecision =
  | { readonly forward: true }
  | { readonly status: number; readonly body: unknown; readonly headers?: Record<string, string> };

/**
 * A small HTTP proxy in front of the peer that models what the OpenTelemetry receiver does not: token checks,
 * 503/429 bursts. `decide` sees each request (path, headers) and either forwards it or answers itself.
 */
export class FaultProxy {
  decide: (req: IncomingMessage) => ProxyDecision = () => ({ forward: true });
  answered = 0;
  forwarded = 0;
  private server: Server | undefined;
  url = '';

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    const upstream = new URL(this.target);
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const decision = this.decide(req);
      if (!('forward' in decision)) {
        this.answered++;
        req.resume();
        res.writeHead(decision.status, { 'content-type': 'application/json', ...decision.headers });
        res.end(JSON.stringify(decision.body));
        return;
      }
      this.forwarded++;
      const out = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      out.on('error', () => {
        res.destroy();
      });
      req.pipe(out);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

/** The synthetic NPS day, classified (747 events of every kind). */
export function sampleEvents(): ClassifiedEvent[] {
  const text = readFileSync(new URL('synthetic/nps-day.winlogbeat.ndjson', samplesDirectory()), 'utf8');
  return parseText(text, { name: 'nps-day.winlogbeat.ndjson' }).records.map(classify);
}

/** JSON with sorted keys: the identity of a document, whatever order its members came in. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** Counts per canonical form. */
export function multiset(values: readonly unknown[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) {
    const k = canonical(v);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}
