import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { Pool } from 'undici';
import { HecError, isHecError, replyError, safeUrl, transportError } from './errors.js';
import { checkTransportOptions } from './options.js';

const gzip = promisify(gzipCallback);

/** TLS settings of the connection to the collector. Verification is on unless turned off explicitly. */
export interface HecTlsOptions {
  /** Verify the collector's certificate chain and name (default true). */
  readonly rejectUnauthorized?: boolean;
  /** CA certificates (PEM) to trust instead of Node's bundle, e.g. a Splunk deployment's own CA. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Client certificate and key (PEM) when the collector requires mutual TLS. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Name to verify the certificate against when it differs from the URL's host. */
  readonly servername?: string;
}

export interface HecRetryOptions {
  /** Retries after the first attempt (default 5). */
  readonly retries?: number;
  /** First backoff step in ms (default 250); doubles per attempt, with jitter. */
  readonly minDelayMs?: number;
  /** Cap of a backoff step in ms (default 30 s). */
  readonly maxDelayMs?: number;
  /** Cap of a server's `Retry-After` in ms (default 5 min): a broken header must not stall the sink for hours. */
  readonly maxRetryAfterMs?: number;
}

export interface HecTransportOptions {
  /** Base URL of the collector, e.g. `https://splunk.example.com:8088` (a `/services/collector…` suffix is ignored). */
  readonly url: string | URL;
  /** The HEC token. Sent only in the `Authorization` header; never part of an error or a log line. */
  readonly token: string;
  readonly tls?: HecTlsOptions;
  /** Gzip request bodies (default true): HEC accepts `Content-Encoding: gzip`, and NDJSON shrinks ~10×. */
  readonly gzip?: boolean;
  /**
   * zlib level (default 1, as Beats' outputs use): about 14× smaller NDJSON for a fraction of level 6's CPU, which
   * the collector side of a busy host needs more than the last 30 % of bytes.
   */
  readonly gzipLevel?: number;
  /** Keep-alive connections to the collector (default 8). */
  readonly connections?: number;
  /** Time to wait for a reply, per attempt, in ms (default 30 s). */
  readonly timeoutMs?: number;
  /** Time to wait for a connection, in ms (default 10 s). */
  readonly connectTimeoutMs?: number;
  readonly retry?: HecRetryOptions;
  /** Injected for tests: the wait between retries and the jitter source. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  readonly userAgent?: string;
}

export interface HecPost {
  /** Path under the collector's base, e.g. `/services/collector/event`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body: string | Uint8Array;
  /** Value of `X-Splunk-Request-Channel` (a GUID). */
  readonly channel?: string;
  /** Overrides the retry count for this request (0: one attempt, e.g. for a probe). */
  readonly retries?: number;
  readonly signal?: AbortSignal;
  /** Called before each retry: the previous attempt's outcome is unknown, so its events may arrive twice. */
  readonly onRetry?: (error: HecError) => void;
}

/** A success reply of the collector. */
export interface HecReply {
  readonly status: number;
  readonly code: number;
  readonly text: string;
  /** Present when the token has indexer acknowledgement on. */
  readonly ackId?: number;
  /** Attempts that failed before this one. */
  readonly retries: number;
  /** Bytes of the body as sent (after gzip). */
  readonly wireBytes: number;
}

export interface HecHealth {
  readonly healthy: boolean;
  readonly status: number;
  readonly code?: number;
  readonly text: string;
}

export interface HecTransportStats {
  requests: number;
  retries: number;
  /** Bytes of request bodies before and after compression. */
  bytesIn: number;
  bytesOut: number;
}

const COLLECTOR_SUFFIX = /\/services\/collector(?:\/(?:event|raw)(?:\/1\.0)?)?\/?$/;
const TOKEN_SHAPE = /^[\x21-\x7e]+$/;

/** The collector's base URL, validated: http(s), no credentials or query string in it. */
export function collectorBase(url: string | URL): URL {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    throw new HecError('HEC_CONFIG', 'the HEC URL is not a valid URL', { retryable: false });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new HecError('HEC_CONFIG', `the HEC URL must be http or https, not ${u.protocol}`, { retryable: false });
  if (u.username !== '' || u.password !== '' || u.search !== '')
    throw new HecError('HEC_CONFIG', 'the HEC URL must not carry credentials or a query string', {
      retryable: false,
      hint: 'give the token in NPSWATCH_HEC_TOKEN',
    });
  u.hash = '';
  u.pathname = u.pathname.replace(COLLECTOR_SUFFIX, '').replace(/\/+$/, '') || '/';
  return u;
}

/** `Retry-After` as ms: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Backoff before retry `attempt` (1-based): exponential, capped, with "equal jitter" so clients spread out. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  const step = Math.min(maxMs, minMs * 2 ** (attempt - 1));
  return step / 2 + (random() * step) / 2;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

interface RawReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly json: unknown;
}

/** A HEC JSON reply's fields we read; anything else (a plain string, HTML from a proxy) yields none. */
function replyFields(json: unknown): { code?: number; text?: string; ackId?: number; invalidEventNumber?: number } {
  if (json === null || typeof json !== 'object') return {};
  const r = json as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
  return {
    code: num(r.code),
    text: typeof r.text === 'string' ? r.text : undefined,
    ackId: num(r.ackId),
    invalidEventNumber: num(r['invalid-event-number']),
  };
}

/**
 * HTTP to a Splunk HTTP Event Collector: a keep-alive undici pool, gzip bodies, TLS verified by default, timeouts,
 * and retries with jittered exponential backoff on 429, 5xx and connection failures (honouring `Retry-After`).
 * Replies are mapped to {@link HecError}s with stable codes. Knows nothing about events: see `sink.ts`.
 */
export class HecTransport {
  /** Base URL of the collector without credentials, for messages. */
  readonly base: string;
  readonly stats: HecTransportStats = { requests: 0, retries: 0, bytesIn: 0, bytesOut: 0 };
  private readonly url: URL;
  private readonly prefix: string;
  private readonly pool: Pool;
  // An ES private field: invisible to util.inspect, JSON.stringify and Object.keys, so logging the transport (or a
  // sink holding it) cannot print the token.
  readonly #authorization: string;
  private readonly gzip: boolean;
  private readonly gzipLevel: number;
  private readonly retries: number;
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private readonly maxRetryAfter: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly userAgent: string;
  private readonly closing = new AbortController();

  constructor(options: HecTransportOptions) {
    this.url = collectorBase(options.url);
    this.base = safeUrl(this.url);
    this.prefix = this.url.pathname === '/' ? '' : this.url.pathname;
    if (typeof options.token !== 'string' || !TOKEN_SHAPE.test(options.token))
      throw new HecError('HEC_CONFIG', 'the HEC token is empty or contains spaces or control characters', {
        retryable: false,
        hint: 'set NPSWATCH_HEC_TOKEN to the token shown in Splunk (Settings > Data inputs > HTTP Event Collector)',
      });
    checkTransportOptions(options);
    this.#authorization = `Splunk ${options.token}`;
    this.gzip = options.gzip ?? true;
    this.gzipLevel = options.gzipLevel ?? 1;
    this.retries = Math.max(0, options.retry?.retries ?? 5);
    this.minDelay = options.retry?.minDelayMs ?? 250;
    this.maxDelay = options.retry?.maxDelayMs ?? 30_000;
    this.maxRetryAfter = options.retry?.maxRetryAfterMs ?? 300_000;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.userAgent = options.userAgent ?? 'npswatch-hec';
    const tls = options.tls ?? {};
    const timeout = options.timeoutMs ?? 30_000;
    this.pool = new Pool(this.url.origin, {
      connections: options.connections ?? 8,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      keepAliveTimeout: 30_000,
      connect: {
        timeout: options.connectTimeoutMs ?? 10_000,
        rejectUnauthorized: tls.rejectUnauthorized ?? true,
        ...(tls.ca === undefined ? {} : { ca: tls.ca as string | Buffer | (string | Buffer)[] }),
        ...(tls.cert === undefined ? {} : { cert: tls.cert }),
        ...(tls.key === undefined ? {} : { key: tls.key }),
        ...(tls.servername === undefined ? {} : { servername: tls.servername }),
      },
    });
  }

  /** The endpoint as shown in messages (no credentials, no query string). */
  where(path: string): string {
    return `${this.base}${path}`;
  }

  private target(path: string, query?: Readonly<Record<string, string | undefined>>): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, v);
    const qs = params.toString();
    return `${this.prefix}${path}${qs ? `?${qs}` : ''}`;
  }

  private async once(
    method: 'GET' | 'POST',
    path: string,
    body: Uint8Array | undefined,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<RawReply> {
    this.stats.requests++;
    try {
      const res = await this.pool.request({
        method,
        path,
        headers: { ...headers, authorization: this.#authorization, 'user-agent': this.userAgent },
        body,
        signal: signal === undefined ? this.closing.signal : AbortSignal.any([signal, this.closing.signal]),
      });
      const text = await res.body.text();
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.statusCode, headers: res.headers, json };
    } catch (err) {
      throw transportError(this.where(path.split('?')[0]!), err);
    }
  }

  /** Runs `attempt` with retries on retryable HecErrors; returns its value and how many retries it took. */
  private async withRetries<T>(
    retries: number,
    signal: AbortSignal | undefined,
    attempt: () => Promise<T>,
    onRetry?: (error: HecError) => void,
  ): Promise<{ value: T; retries: number }> {
    for (let n = 0; ; n++) {
      try {
        return { value: await attempt(), retries: n };
      } catch (err) {
        const aborted = this.closing.signal.aborted || signal?.aborted === true;
        if (!isHecError(err) || !err.retryable || n >= retries || aborted) throw err;
        this.stats.retries++;
        onRetry?.(err);
        const backoff = backoffDelay(n + 1, this.minDelay, this.maxDelay, this.random);
        const wait = err.retryAfterMs === undefined ? backoff : Math.min(err.retryAfterMs, this.maxRetryAfter);
        await this.sleep(
          wait,
          signal === undefined ? this.closing.signal : AbortSignal.any([signal, this.closing.signal]),
        );
      }
    }
  }

  /** POSTs a body to the collector; resolves with the success reply, or rejects with a HecError. */
  async post(request: HecPost): Promise<HecReply> {
    const raw = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
    // Compressed once; every retry sends the same bytes.
    const body = this.gzip ? await gzip(raw, { level: this.gzipLevel }) : raw;
    this.stats.bytesIn += raw.length;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.gzip) headers['content-encoding'] = 'gzip';
    if (request.channel !== undefined) headers['x-splunk-request-channel'] = request.channel;
    const target = this.target(request.path, request.query);
    const where = this.where(request.path);
    const { value, retries } = await this.withRetries(
      request.retries ?? this.retries,
      request.signal,
      async () => {
        const reply = await this.once('POST', target, body, headers, request.signal);
        this.stats.bytesOut += body.length;
        const fields = replyFields(reply.json);
        if (reply.status >= 200 && reply.status < 300 && (fields.code === undefined || fields.code === 0)) return reply;
        throw replyError(where, reply.status, fields, parseRetryAfter(reply.headers['retry-after']));
      },
      request.onRetry,
    );
    const fields = replyFields(value.json);
    return {
      status: value.status,
      code: fields.code ?? 0,
      text: fields.text ?? 'Success',
      ...(fields.ackId === undefined ? {} : { ackId: fields.ackId }),
      retries,
      wireBytes: body.length,
    };
  }

  /** Asks which of `ids` the indexers have acknowledged on `channel` (`POST /services/collector/ack`). */
  async ack(channel: string, ids: readonly number[], signal?: AbortSignal): Promise<Map<number, boolean>> {
    const path = '/services/collector/ack';
    const target = this.target(path, { channel });
    const body = Buffer.from(JSON.stringify({ acks: ids }));
    const headers = { 'content-type': 'application/json', 'x-splunk-request-channel': channel };
    const { value } = await this.withRetries(this.retries, signal, async () => {
      const reply = await this.once('POST', target, body, headers, signal);
      const fields = replyFields(reply.json);
      if (reply.status === 200 && fields.code === undefined) return reply;
      throw replyError(this.where(path), reply.status, fields, parseRetryAfter(reply.headers['retry-after']));
    });
    const acks = (value.json as { acks?: unknown } | undefined)?.acks;
    const out = new Map<number, boolean>();
    if (acks !== null && typeof acks === 'object')
      for (const [k, v] of Object.entries(acks as Record<string, unknown>)) out.set(Number(k), v === true);
    return out;
  }

  /** `GET /services/collector/health`: one attempt, no retries, so a caller can poll it. */
  async health(signal?: AbortSignal): Promise<HecHealth> {
    const path = '/services/collector/health';
    const reply = await this.once('GET', this.target(path), undefined, {}, signal);
    const fields = replyFields(reply.json);
    const healthy = reply.status === 200 && (fields.code === undefined || fields.code === 17 || fields.code === 0);
    return {
      healthy,
      status: reply.status,
      ...(fields.code === undefined ? {} : { code: fields.code }),
      text: fields.text ?? (healthy ? 'HEC is healthy' : `HTTP ${reply.status}`),
    };
  }

  /** Stops retries and waits, then closes the connections; requests still running are aborted. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.pool.destroy();
  }
}
