import { once } from 'node:events';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** A request as the scripted server saw it, body decompressed. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly wireBytes: number;
}

export interface ScriptedReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Destroy the socket instead of answering (a connection failure after the request was read). */
  readonly hangUp?: boolean;
  /** Answer only once this promise resolves (a slow collector). */
  readonly after?: Promise<void>;
}

export type Handler = (req: SeenRequest) => ScriptedReply | undefined;

/**
 * A programmable HTTP server for the unit tests of the transport and sink: each request is recorded and answered by
 * the current handler (default: HEC success). It models only what a test scripts; the wire format against a real
 * collector is tested in test/splunk/ with the OpenTelemetry splunkhecreceiver.
 */
export class ScriptedHec {
  readonly seen: SeenRequest[] = [];
  handler: Handler = () => undefined;
  private server: Server | undefined;
  private sockets = new Set<import('node:net').Socket>();
  port = 0;

  constructor(private readonly tls?: { key: string; cert: string }) {}

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** Events (envelopes) received on the event endpoint, parsed. */
  events(): Record<string, unknown>[] {
    return this.seen
      .filter((r) => r.path.startsWith('/services/collector/event'))
      .flatMap((r) => parseConcatenated(r.body));
  }

  async start(port = 0): Promise<this> {
    const listener = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const server = this.tls ? createHttps(this.tls, listener) : createHttp(listener);
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening and drops every connection (the collector goes away). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString();
    const url = new URL(req.url ?? '/', 'http://x');
    const seen: SeenRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      wireBytes: raw.length,
    };
    this.seen.push(seen);
    const reply = this.handler(seen) ?? defaultReply(seen);
    if (reply.after) await reply.after;
    if (reply.hangUp) {
      req.socket.destroy();
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }
}

function defaultReply(req: SeenRequest): ScriptedReply {
  if (req.path.endsWith('/health')) return { status: 200, body: { text: 'HEC is healthy', code: 17 } };
  return { status: 200, body: { text: 'Success', code: 0 } };
}

/** Concatenated JSON objects (HEC's batch format) as a list. */
export function parseConcatenated(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) out.push(JSON.parse(text.slice(start, i + 1)) as Record<string, unknown>);
    }
  }
  return out;
}

/** Resolves once `condition` holds, checking after each turn of the event loop (bounded by mocha's timeout). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

/** A deferred promise: tests release a held reply with it. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Timers a test advances by hand (the sink's batching, ack polling and health probes). */
export class ManualTimers {
  private t = 0;
  private seq = 0;
  private readonly tasks = new Map<number, { at: number; fn: () => void }>();
  readonly setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.tasks.set(id, { at: this.t + ms, fn });
    return id;
  };
  readonly clearTimeout = (handle: unknown): void => {
    this.tasks.delete(handle as number);
  };
  readonly now = (): number => this.t;

  get pending(): number {
    return this.tasks.size;
  }

  /** Moves time forward, running each timer that falls due in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.tasks) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.tasks.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }
}
