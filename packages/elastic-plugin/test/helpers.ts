import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { SinkTimers } from '../src/sink.js';

/** One `_bulk` request as the fake server saw it. */
export interface BulkCall {
  readonly docs: readonly { readonly index: string; readonly id: string; readonly source: Record<string, unknown> }[];
  readonly authorization?: string;
}

/** What the fake answers for one document: a status, and an error body for failures. */
export type ItemAnswer = { status: number; type?: string; reason?: string } | undefined;

export interface FakeEsOptions {
  /** Whole-request answer before any item is looked at (e.g. 429 with Retry-After); undefined: answer items. */
  readonly request?: (call: BulkCall, n: number) => { status: number; headers?: Record<string, string> } | undefined;
  /** Per-document answer; undefined: index it (201, or 409 when the _id exists in that index). */
  readonly item?: (doc: BulkCall['docs'][number], n: number) => ItemAnswer;
  /** Hold each bulk response until the returned promise resolves. */
  readonly hold?: () => Promise<void>;
  readonly password?: string;
}

/**
 * A minimal stand-in for Elasticsearch's `_bulk` (and `_nodes/_local`) on 127.0.0.1, for the sink's logic where a
 * real server is not needed: it stores documents per index by `_id` and answers `create` like Elasticsearch.
 */
export class FakeEs {
  readonly stored = new Map<string, Map<string, Record<string, unknown>>>();
  readonly calls: BulkCall[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private itemCount = 0;
  port = 0;

  constructor(private readonly options: FakeEsOptions = {}) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Documents stored, over all indices. */
  get count(): number {
    let n = 0;
    for (const m of this.stored.values()) n += m.size;
    return n;
  }

  async start(port = this.port): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops answering and drops open connections, as a crashed server would. */
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
    const body = Buffer.concat(chunks).toString('utf8');
    const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch', ...headers });
      res.end(JSON.stringify(json));
    };
    if (this.options.password !== undefined) {
      const expected = `Basic ${Buffer.from(`elastic:${this.options.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        send(401, {
          error: { type: 'security_exception', reason: 'unable to authenticate user [elastic] for REST request' },
          status: 401,
        });
        return;
      }
    }
    if (req.url?.startsWith('/_nodes/_local')) {
      send(200, { nodes: { n1: { version: '8.19.21', modules: [{ name: 'x-pack-core' }] } } });
      return;
    }
    if (!req.url?.startsWith('/_bulk')) {
      send(404, { error: { type: 'not_found', reason: `no fake for ${req.url}` }, status: 404 });
      return;
    }
    const lines = body.split('\n').filter((l) => l !== '');
    const docs: BulkCall['docs'][number][] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i]!) as { create: { _index: string; _id: string } };
      docs.push({
        index: action.create._index,
        id: action.create._id,
        source: JSON.parse(lines[i + 1]!) as Record<string, unknown>,
      });
    }
    const call: BulkCall = { docs, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) };
    this.calls.push(call);
    if (this.options.hold) await this.options.hold();
    const whole = this.options.request?.(call, this.calls.length);
    if (whole) {
      send(
        whole.status,
        { error: { type: 'es_rejected_execution_exception', reason: 'busy' }, status: whole.status },
        whole.headers,
      );
      return;
    }
    let errors = false;
    const items = docs.map((doc) => {
      const answer = this.options.item?.(doc, ++this.itemCount);
      if (answer) {
        errors = true;
        return {
          create: { status: answer.status, error: { type: answer.type ?? 'error', reason: answer.reason ?? 'failed' } },
        };
      }
      const index = this.stored.get(doc.index) ?? new Map<string, Record<string, unknown>>();
      this.stored.set(doc.index, index);
      if (index.has(doc.id)) {
        errors = true;
        return {
          create: {
            status: 409,
            error: { type: 'version_conflict_engine_exception', reason: 'document already exists' },
          },
        };
      }
      index.set(doc.id, doc.source);
      return { create: { status: 201 } };
    });
    send(200, { errors, items });
  }
}

/**
 * Timers under the test's control. `auto` fires timers shorter than AUTO_LIMIT on the next turn of the event
 * loop (a backoff then takes no wall time) and records the delay asked for; others fire only through `advance()`.
 */
export class FakeTimers implements SinkTimers {
  time = 0;
  readonly delays: number[] = [];
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  private readonly autoFired = new Set<number>();
  /** Longer timers (a close timeout) are not fired by `auto`: only advance() fires them. */
  static readonly AUTO_LIMIT = 600_000;

  constructor(private readonly auto = false) {}

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.delays.push(ms);
    if (this.auto && ms < FakeTimers.AUTO_LIMIT) {
      const handle = setImmediate(() => {
        this.pending.delete(id);
        fn();
      });
      this.autoFired.add(id);
      this.pending.set(id, { at: this.time + ms, fn: () => clearImmediate(handle) });
    } else {
      this.pending.set(id, { at: this.time + ms, fn });
    }
    return id;
  }

  clearTimeout(handle: unknown): void {
    const t = this.pending.get(handle as number);
    if (t && this.auto && this.autoFired.has(handle as number)) t.fn();
    this.pending.delete(handle as number);
  }

  now(): number {
    return this.time;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Moves the clock forward, firing due timers in order. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.pending) if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.pending.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
      await settle();
    }
    this.time = target;
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Waits until a condition holds, turning the event loop (no wall-clock threshold: bounded by turns). */
export async function until(condition: () => boolean, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error('condition not reached');
}
