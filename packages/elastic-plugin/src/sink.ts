import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { type Alert, alertToJson, type ClassifiedEvent, toEcs } from '@npswatch/core';
import type { ElasticConnection } from './client.js';
import {
  ElasticError,
  errorReason,
  isConnectionFailure,
  isElasticError,
  scrub,
  statusOf,
  toElasticError,
} from './errors.js';
import { ALERTS_INDEX, DEAD_LETTER_INDEX, dailyEventIndex, eventDocumentId } from './ids.js';
import { type PreparedDoc, prepareDoc, Spool } from './spool.js';

/** What the sink takes: classified events and alerts (told apart by the alert's `fingerprint`). */
export type SinkInput = ClassifiedEvent | Alert;

export function isAlert(item: SinkInput): item is Alert {
  return (item as Partial<Alert>).fingerprint !== undefined && (item as Partial<Alert>).ruleId !== undefined;
}

export interface SinkTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
export interface SinkClock {
  now(): number;
}

/** Where documents that can never be indexed go: an index (default `npswatch-deadletter`) or an NDJSON file. */
export type DeadLetterTarget = { readonly index: string } | { readonly file: string };

/** One document that could not be indexed, and why. */
export interface DeadLetter {
  readonly index: string;
  readonly id: string;
  readonly status: number;
  readonly type?: string;
  readonly reason: string;
  readonly attempts: number;
  /** The document as it was sent (JSON). */
  readonly document: string;
}

export interface ElasticSinkOptions {
  /** Index of an event (default: `npswatch-events-YYYY.MM.DD` of its UTC day; `EVENTS_DATA_STREAM` for a stream). */
  readonly eventIndex?: (event: ClassifiedEvent) => string;
  /** Index of alerts (default `npswatch-alerts`). */
  readonly alertIndex?: string;
  /** Event document (default: the core's `toEcs`). */
  readonly eventDocument?: (event: ClassifiedEvent) => Record<string, unknown>;
  /** Alert document (default: the core's `alertToJson`). */
  readonly alertDocument?: (alert: Alert) => Record<string, unknown>;
  /** Flush when the batch reaches this many bytes (default 5 MiB, as the client's bulk helper). */
  readonly flushBytes?: number;
  /** Flush when the batch reaches this many documents (default 5000). */
  readonly flushCount?: number;
  /** Flush a batch this many ms after its first document (default 5000; 0: only by size and on flush()). */
  readonly flushInterval?: number;
  /** Bulk requests in flight at once (default 2). With one more batch waiting, write() waits. */
  readonly concurrency?: number;
  /** Retries of a document answered 429 or 5xx, and of a request that got no answer without a spool (default 8). */
  readonly maxRetries?: number;
  /** Exponential backoff with jitter, in ms (default 200 initial, 30 000 max); `Retry-After` is honoured. */
  readonly backoff?: { readonly initial?: number; readonly max?: number };
  /** Timeout of one bulk request in ms (default 60 000). */
  readonly requestTimeout?: number;
  /** Default `{ index: 'npswatch-deadletter' }`. */
  readonly deadLetter?: DeadLetterTarget;
  /** Told of each dead-lettered document (after it is stored). */
  readonly onDeadLetter?: (entry: DeadLetter) => void;
  /**
   * A file for documents while the server cannot be reached; they are sent from it when it answers again, and
   * an earlier run's file is resumed on start. Without it a lost connection is retried `maxRetries` times, then
   * the sink fails.
   */
  readonly spool?: string;
  /** How long close() waits for a spool to drain before leaving it for the next run, in ms (default 30 000). */
  readonly closeTimeout?: number;
  /** `refresh` of bulk requests (tests: `wait_for`, to read what was written). */
  readonly refresh?: boolean | 'wait_for';
  /** Secrets to scrub from error texts (an ElasticConnection brings its own). */
  readonly secrets?: readonly string[];
  readonly clock?: SinkClock;
  readonly timers?: SinkTimers;
  /** Jitter source, [0, 1) (default Math.random). */
  readonly random?: () => number;
}

/** Counters in the spirit of the bulk helper's stats, plus what this sink adds (duplicates, spool). */
export interface ElasticSinkStats {
  /** Documents written to the sink. */
  readonly total: number;
  /** Indexed by this sink (201). */
  readonly successful: number;
  /** Already in the index (409 to `create`): an earlier run, or a request whose answer was lost. */
  readonly duplicates: number;
  /** Dead-lettered: rejected for good (mapping or document errors), or retries exhausted with no spool. */
  readonly failed: number;
  /** Document retries (429 and 5xx answers). */
  readonly retry: number;
  /** In the spool file, waiting for the server. */
  readonly spooled: number;
  /** Buffered or in flight. */
  readonly pending: number;
  /** Bulk requests sent. */
  readonly batches: number;
  /** Bytes of the bulk bodies sent (retries included). */
  readonly bytes: number;
  /** Milliseconds since the sink was created. */
  readonly time: number;
}

export interface ElasticSink {
  /** Adds an event or alert; waits while `concurrency` requests are in flight and a batch is already waiting. */
  write(item: SinkInput): Promise<void>;
  /** Adds a document as is (index, id and source chosen by the caller). */
  writeDocument(index: string, id: string, document: Record<string, unknown>): Promise<void>;
  /** Writes everything an (async) iterable yields, pulling the next item only when the sink has room. */
  consume(source: AsyncIterable<SinkInput> | Iterable<SinkInput>): Promise<void>;
  /** Sends what is buffered and waits until every document is indexed, dead-lettered or spooled. */
  flush(): Promise<void>;
  /** flush(), then waits (up to `closeTimeout`) for the spool to drain; resolves with the final stats. */
  close(): Promise<ElasticSinkStats>;
  readonly stats: ElasticSinkStats;
}

const realTimers: SinkTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

interface BulkItemResult {
  readonly status?: number;
  readonly error?: unknown;
}
interface BulkBody {
  readonly errors?: boolean;
  readonly items?: readonly Record<string, BulkItemResult>[];
}
interface Rejected {
  readonly doc: PreparedDoc;
  readonly status: number;
  readonly type?: string;
  readonly reason: string;
}

/** Seconds or an HTTP date, as in `Retry-After`; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  if (/^\d+(?:\.\d+)?$/.test(text.trim())) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Capped exponential backoff with equal jitter: half fixed, half random, so retries spread without starving. */
export function backoffDelay(attempt: number, initial: number, max: number, random: () => number): number {
  const base = Math.min(max, initial * 2 ** Math.max(0, attempt - 1));
  return base / 2 + (base / 2) * random();
}

const RETRYABLE = (status: number) => status === 429 || status === 408 || status >= 500;

class Sink implements ElasticSink {
  // ES private fields: logging a sink must not print the client's credentials (util.inspect shows them).
  readonly #client: Client;
  readonly #secrets: readonly string[];
  private readonly o: {
    flushBytes: number;
    flushCount: number;
    flushInterval: number;
    concurrency: number;
    maxRetries: number;
    backoffInitial: number;
    backoffMax: number;
    requestTimeout: number;
    closeTimeout: number;
  };
  private readonly timers: SinkTimers;
  private readonly clock: SinkClock;
  private readonly random: () => number;
  private readonly spool: Spool | undefined;
  private readonly started: number;

  private current: PreparedDoc[] = [];
  private currentBytes = 0;
  private flushTimer: unknown;
  private readonly queue: PreparedDoc[][] = [];
  private inflight = 0;
  private waiters: (() => void)[] = [];
  private readonly sleepers = new Set<{ handle: unknown; resolve: () => void }>();
  private mode: 'direct' | 'spooling' = 'direct';
  private draining: Promise<void> | undefined;
  private init: Promise<void> | undefined;
  private ready = false;
  private closing = false;
  private stopped = false;
  private failure: ElasticError | undefined;
  private deadLetterFile: Promise<unknown> = Promise.resolve();
  private readonly counts = { total: 0, successful: 0, duplicates: 0, failed: 0, retry: 0, batches: 0, bytes: 0 };

  constructor(
    target: Client | ElasticConnection,
    private readonly options: ElasticSinkOptions,
  ) {
    this.#client = 'client' in target ? target.client : target;
    this.#secrets = [...(options.secrets ?? []), ...('secrets' in target ? target.secrets : [])];
    const positive = (name: string, v: number | undefined, dflt: number, min = 1): number => {
      const value = v ?? dflt;
      if (!(value >= min)) throw new ElasticError('NPSWATCH_ES_CONFIG', `${name} must be at least ${min}`);
      return value;
    };
    this.o = {
      flushBytes: positive('flushBytes', options.flushBytes, 5 * 1024 * 1024),
      flushCount: positive('flushCount', options.flushCount, 5000),
      flushInterval: positive('flushInterval', options.flushInterval, 5000, 0),
      concurrency: positive('concurrency', options.concurrency, 2),
      maxRetries: positive('maxRetries', options.maxRetries, 8, 0),
      backoffInitial: positive('backoff.initial', options.backoff?.initial, 200),
      backoffMax: positive('backoff.max', options.backoff?.max, 30_000),
      requestTimeout: positive('requestTimeout', options.requestTimeout, 60_000),
      closeTimeout: positive('closeTimeout', options.closeTimeout, 30_000, 0),
    };
    if (this.o.backoffInitial > this.o.backoffMax)
      throw new ElasticError('NPSWATCH_ES_CONFIG', 'backoff.initial must not exceed backoff.max');
    this.timers = options.timers ?? realTimers;
    this.clock = options.clock ?? Date;
    this.random = options.random ?? Math.random;
    this.spool = options.spool === undefined ? undefined : new Spool(options.spool);
    this.started = this.clock.now();
  }

  get stats(): ElasticSinkStats {
    let pending = this.current.length;
    for (const b of this.queue) pending += b.length;
    const spooled = this.spool?.pending ?? 0;
    const c = this.counts;
    // In flight too: whatever is neither done nor spooled.
    pending = Math.max(pending, c.total - c.successful - c.duplicates - c.failed - spooled);
    return { ...c, spooled, pending, time: this.clock.now() - this.started };
  }

  // ---- writing ----

  private prepare(item: SinkInput): PreparedDoc {
    if (isAlert(item)) {
      const doc = this.options.alertDocument ? this.options.alertDocument(item) : alertToJson(item);
      return prepareDoc(this.options.alertIndex ?? ALERTS_INDEX, item.id, JSON.stringify(doc));
    }
    const doc = this.options.eventDocument ? this.options.eventDocument(item) : toEcs(item);
    const index = this.options.eventIndex ? this.options.eventIndex(item) : dailyEventIndex(item);
    return prepareDoc(index, eventDocumentId(item), JSON.stringify(doc));
  }

  write(item: SinkInput): Promise<void> {
    return this.add(this.prepare(item));
  }

  writeDocument(index: string, id: string, document: Record<string, unknown>): Promise<void> {
    return this.add(prepareDoc(index, id, JSON.stringify(document)));
  }

  async consume(source: AsyncIterable<SinkInput> | Iterable<SinkInput>): Promise<void> {
    for await (const item of source) await this.write(item);
  }

  private async add(doc: PreparedDoc): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.closing) throw new ElasticError('NPSWATCH_ES_CLOSED', 'write after close()');
    if (!this.ready) await this.start();
    // Backpressure: every slot busy and a sealed batch already waiting.
    while (this.queue.length > 0 && this.inflight >= this.o.concurrency) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      if (this.failure) throw this.failure;
    }
    this.current.push(doc);
    this.currentBytes += doc.bytes;
    this.counts.total++;
    if (this.current.length === 1 && this.o.flushInterval > 0) {
      this.flushTimer = this.timers.setTimeout(() => {
        this.flushTimer = undefined;
        this.seal();
      }, this.o.flushInterval);
    }
    if (this.current.length >= this.o.flushCount || this.currentBytes >= this.o.flushBytes) this.seal();
  }

  private async start(): Promise<void> {
    this.init ??= this.resume();
    await this.init;
    this.ready = true;
  }

  /** An earlier run's spool is sent before anything new. */
  private async resume(): Promise<void> {
    if (!this.spool) return;
    const left = await this.spool.open();
    // Counted as written, so the totals add up when they are delivered.
    this.counts.total += left;
    if (left > 0) this.enterSpooling();
  }

  private seal(): void {
    if (this.flushTimer !== undefined) {
      this.timers.clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.current.length === 0) return;
    this.queue.push(this.current);
    this.current = [];
    this.currentBytes = 0;
    this.pump();
  }

  private pump(): void {
    while (this.inflight < this.o.concurrency && this.queue.length > 0) {
      const batch = this.queue.shift()!;
      this.inflight++;
      void this.process(batch)
        .catch((err: unknown) => this.fail(err, batch))
        .finally(() => {
          this.inflight--;
          this.wake();
          this.pump();
        });
    }
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const resolve of waiting) resolve();
  }

  private async process(batch: PreparedDoc[]): Promise<void> {
    if (this.failure) {
      await this.spoolOnFailure(batch);
      return;
    }
    if (this.mode === 'spooling' && (await this.toSpool(batch))) return;
    const unsent = await this.deliver(batch);
    if (unsent.length > 0) {
      if (!this.spool)
        throw new ElasticError('NPSWATCH_ES_CLOSED', `closed with ${unsent.length} documents unsent`, {
          unsent: unsent.length,
        });
      this.enterSpooling();
      // Sent directly after all if the spool drained in the meantime.
      if (!(await this.toSpool(unsent))) await this.process(unsent);
    }
  }

  /** Appends to the spool while spooling; false when the spool drained first (then the caller sends them). */
  private toSpool(docs: PreparedDoc[]): Promise<boolean> {
    return this.spool!.append(docs, () => this.mode === 'spooling' || this.failure !== undefined);
  }

  // ---- sending ----

  private async bulk(docs: readonly PreparedDoc[]): Promise<{ body: BulkBody; retryAfter?: number }> {
    let body = '';
    for (const d of docs) body += `${d.action}\n${d.source}\n`;
    this.counts.batches++;
    this.counts.bytes += Buffer.byteLength(body);
    const querystring: Record<string, string> = { filter_path: 'errors,items.*.status,items.*.error' };
    if (this.options.refresh !== undefined) querystring.refresh = String(this.options.refresh);
    const res = await this.#client.transport.request<BulkBody>(
      { method: 'POST', path: '/_bulk', bulkBody: body, querystring },
      { meta: true, maxRetries: 0, requestTimeout: this.o.requestTimeout },
    );
    const retryAfter = parseRetryAfter(res.headers?.['retry-after'], this.clock.now());
    return retryAfter === undefined ? { body: res.body } : { body: res.body, retryAfter };
  }

  /**
   * Sends documents until each is indexed (or found already indexed), dead-lettered, or out of retries.
   * Returns the documents that could not be sent because the server was unreachable (only when a spool is set:
   * the caller spools them). Throws for what no retry fixes: credentials, an incompatible server.
   */
  private async deliver(docs: PreparedDoc[], recovering = false): Promise<PreparedDoc[]> {
    let pending = docs;
    let attempt = 0;
    const unsent: PreparedDoc[] = [];
    while (pending.length > 0 && !this.stopped) {
      let result: { body: BulkBody; retryAfter?: number };
      try {
        result = await this.bulk(pending);
      } catch (err) {
        if (isConnectionFailure(err)) {
          if (this.spool) return [...unsent, ...pending];
          attempt++;
          if (attempt > this.o.maxRetries) throw this.error(err, 'bulk', pending.length);
          await this.sleep(this.delay(attempt));
          continue;
        }
        const status = statusOf(err);
        // A node that is starting answers 401 until its security index is recovered: after a lost connection
        // that is retried like a 503. Otherwise the credentials are wrong and no retry helps.
        const transientAuth = recovering && status === 401 && attempt < this.o.maxRetries;
        if (status === undefined || ((status === 401 || status === 403) && !transientAuth))
          throw this.error(err, 'bulk', pending.length);
        if (status === 413 && pending.length > 1) {
          // Too large for the server's http.max_content_length: halves go separately.
          const half = Math.ceil(pending.length / 2);
          unsent.push(...(await this.deliver(pending.slice(0, half))), ...(await this.deliver(pending.slice(half))));
          return unsent;
        }
        const { type, reason } = errorReason((err as { meta?: { body?: unknown } }).meta?.body);
        if (RETRYABLE(status) || transientAuth) {
          attempt++;
          if (attempt > this.o.maxRetries) {
            unsent.push(...(await this.exhausted(pending, status, type, reason, attempt)));
            return unsent;
          }
          this.counts.retry += pending.length;
          const headers = (err as { meta?: { headers?: Record<string, unknown> } }).meta?.headers;
          await this.sleep(this.delay(attempt, parseRetryAfter(headers?.['retry-after'], this.clock.now())));
          continue;
        }
        // The whole request refused for good (e.g. 400, 404): every document dead-lettered with the reason.
        await this.deadLetter(
          pending.map((doc) => ({ doc, status, ...(type ? { type } : {}), reason: reason ?? `HTTP ${status}` })),
          attempt + 1,
        );
        return unsent;
      }
      const items = result.body.items ?? [];
      if (result.body.errors === false && items.length === pending.length) {
        this.counts.successful += pending.length;
        return unsent;
      }
      if (items.length !== pending.length)
        throw new ElasticError('NPSWATCH_ES_RESPONSE', `bulk: ${items.length} results for ${pending.length} documents`);
      const retry: PreparedDoc[] = [];
      const rejected: Rejected[] = [];
      let retryStatus = 0;
      let retryError: { type?: string; reason?: string } = {};
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        const r = item.create ?? item.index ?? Object.values(item)[0] ?? {};
        const status = r.status ?? 0;
        if (status >= 200 && status < 300) this.counts.successful++;
        else if (status === 409) this.counts.duplicates++;
        else if (status === 401 || status === 403) {
          // Not the document's fault: the credentials lack a privilege on this index. Stop, keep the documents.
          const { type, reason } = errorReason({ error: r.error });
          throw new ElasticError(
            'NPSWATCH_ES_AUTH',
            scrub(
              `bulk: Elasticsearch refused ${pending[i]!.index} with ${status}${type ? ` (${type})` : ''}: ${reason ?? ''}`,
              this.#secrets,
            ),
            { status, ...(type ? { type } : {}) },
            'the credentials need the create_doc and create_index privileges on npswatch-* (docs/elastic.md)',
          );
        } else if (RETRYABLE(status)) {
          retry.push(pending[i]!);
          retryStatus = status;
          retryError = errorReason({ error: r.error });
        } else {
          const { type, reason } = errorReason({ error: r.error });
          rejected.push({ doc: pending[i]!, status, ...(type ? { type } : {}), reason: reason ?? `HTTP ${status}` });
        }
      }
      if (rejected.length > 0) await this.deadLetter(rejected, attempt + 1);
      if (retry.length === 0) return unsent;
      attempt++;
      if (attempt > this.o.maxRetries) {
        unsent.push(...(await this.exhausted(retry, retryStatus, retryError.type, retryError.reason, attempt)));
        return unsent;
      }
      this.counts.retry += retry.length;
      await this.sleep(this.delay(attempt, result.retryAfter));
      pending = retry;
    }
    return [...unsent, ...pending];
  }

  /** Out of retries on 429/5xx: the spool keeps them for later; without one they are dead-lettered. */
  private async exhausted(
    docs: PreparedDoc[],
    status: number,
    type: string | undefined,
    reason: string | undefined,
    attempts: number,
  ): Promise<PreparedDoc[]> {
    if (this.spool) return docs;
    const why = `gave up after ${attempts} attempts: HTTP ${status}${reason ? ` ${reason}` : ''}`;
    await this.deadLetter(
      docs.map((doc) => ({ doc, status, ...(type ? { type } : {}), reason: why })),
      attempts,
    );
    return [];
  }

  private delay(attempt: number, retryAfter?: number): number {
    const d = backoffDelay(attempt, this.o.backoffInitial, this.o.backoffMax, this.random);
    return retryAfter === undefined ? d : Math.max(d, retryAfter);
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = {
        handle: undefined as unknown,
        resolve: () => {
          this.sleepers.delete(sleeper);
          resolve();
        },
      };
      sleeper.handle = this.timers.setTimeout(sleeper.resolve, ms);
      this.sleepers.add(sleeper);
    });
  }

  private error(err: unknown, action: string, unsent: number): ElasticError {
    const e = toElasticError(err, action, this.#secrets);
    return new ElasticError(e.code, e.message, { ...e, unsent }, e.hint);
  }

  // ---- dead letters ----

  private async deadLetter(rejected: readonly Rejected[], attempts: number): Promise<void> {
    const target = this.options.deadLetter ?? { index: DEAD_LETTER_INDEX };
    const at = new Date(this.clock.now()).toISOString();
    const entries: DeadLetter[] = rejected.map((r) => ({
      index: r.doc.index,
      id: r.doc.id,
      status: r.status,
      ...(r.type ? { type: r.type } : {}),
      reason: scrub(r.reason, this.#secrets),
      attempts,
      document: r.doc.source,
    }));
    const record = (e: DeadLetter) => ({
      '@timestamp': at,
      npswatch: {
        dead_letter: {
          index: e.index,
          id: e.id,
          status: e.status,
          ...(e.type ? { error_type: e.type } : {}),
          reason: e.reason,
          attempts: e.attempts,
          document: e.document,
        },
      },
    });
    if ('file' in target) {
      const text = entries.map((e) => `${JSON.stringify(record(e))}\n`).join('');
      const write = this.deadLetterFile.then(async () => {
        await mkdir(dirname(target.file), { recursive: true });
        await appendFile(target.file, text);
      });
      this.deadLetterFile = write.catch(() => undefined);
      await write;
    } else {
      // Same `_id` as the original, so a retried dead letter is stored once.
      const docs = entries.map((e) => prepareDoc(target.index, `${e.index}/${e.id}`, JSON.stringify(record(e))));
      await this.deliverDeadLetters(docs);
    }
    this.counts.failed += entries.length;
    for (const e of entries) this.options.onDeadLetter?.(e);
  }

  /** Dead letters have nowhere else to go: transient failures are retried, anything else stops the sink. */
  private async deliverDeadLetters(docs: PreparedDoc[]): Promise<void> {
    let pending = docs;
    for (let attempt = 1; pending.length > 0; attempt++) {
      try {
        const { body } = await this.bulk(pending);
        const items = body.items ?? [];
        const retry: PreparedDoc[] = [];
        for (let i = 0; i < pending.length; i++) {
          const r = Object.values(items[i] ?? {})[0] ?? {};
          const status = r.status ?? 0;
          if ((status >= 200 && status < 300) || status === 409) continue;
          if (RETRYABLE(status)) retry.push(pending[i]!);
          else {
            const { reason } = errorReason({ error: r.error });
            throw new ElasticError(
              'NPSWATCH_ES_RESPONSE',
              `dead-letter index ${pending[i]!.index} refused a document: ${reason ?? status}`,
              { status },
              'run `npswatch elastic setup` so the dead-letter index has its mapping',
            );
          }
        }
        pending = retry;
      } catch (err) {
        const status = statusOf(err);
        const transient = isConnectionFailure(err) || (status !== undefined && RETRYABLE(status));
        if (!transient || attempt > this.o.maxRetries) throw this.error(err, 'dead letter', pending.length);
      }
      if (pending.length > 0) await this.sleep(this.delay(attempt));
      if (this.stopped) return;
    }
  }

  // ---- spool and reconnection ----

  private enterSpooling(): void {
    if (!this.spool) return;
    this.mode = 'spooling';
    this.draining ??= this.drain()
      .catch((err: unknown) => this.fail(err, []))
      .finally(() => {
        this.draining = undefined;
      });
  }

  /** Sends the spool in order once the server answers; probes with backoff while it does not. */
  private async drain(): Promise<void> {
    const spool = this.spool!;
    let failures = 0;
    await this.sleep(this.delay(1));
    while (!this.stopped) {
      const docs = await spool.peek(this.o.flushCount, this.o.flushBytes, () => {
        this.mode = 'direct';
      });
      if (docs.length === 0) return;
      // A fatal error leaves the documents in the spool for the next run.
      const unsent = await this.deliver(docs, true);
      if (unsent.length === docs.length) {
        // Still unreachable: the same documents again after a longer pause; the file does not grow.
        failures++;
        await this.sleep(this.delay(failures));
        continue;
      }
      failures = 0;
      await spool.commit(docs);
      // Lost mid-way (some done, the connection dropped on a retry): the rest go to the end.
      if (unsent.length > 0) await spool.append(unsent);
    }
  }

  // ---- failure, flush, close ----

  private async fail(err: unknown, batch: PreparedDoc[]): Promise<void> {
    const e = isElasticError(err) ? err : toElasticError(err, 'bulk', this.#secrets);
    this.failure ??= e;
    await this.spoolOnFailure(batch);
    this.wake();
  }

  /** After a failure, documents still go to the spool when there is one, so they are sent on the next run. */
  private async spoolOnFailure(batch: PreparedDoc[]): Promise<void> {
    if (this.spool) {
      try {
        await this.spool.append(batch);
      } catch {
        // The failure already reported is the cause; the spool error would hide it.
      }
    }
  }

  async flush(): Promise<void> {
    this.seal();
    while (this.queue.length > 0 || this.inflight > 0) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.failure) throw this.withUnsent(this.failure);
  }

  /** The failure with the count of documents neither delivered nor spooled: nothing is dropped unreported. */
  private withUnsent(e: ElasticError): ElasticError {
    const unsent = this.stats.pending;
    return new ElasticError(e.code, e.message, { ...e, unsent }, e.hint);
  }

  async close(): Promise<ElasticSinkStats> {
    this.closing = true;
    try {
      if (!this.ready) await this.start();
      await this.flush();
      if (this.draining) {
        let timer: unknown;
        const timeout = new Promise<void>((resolve) => {
          timer = this.timers.setTimeout(resolve, this.o.closeTimeout);
        });
        await Promise.race([this.draining, timeout]);
        this.timers.clearTimeout(timer);
      }
    } finally {
      this.stopped = true;
      for (const s of [...this.sleepers]) {
        this.timers.clearTimeout(s.handle);
        s.resolve();
      }
      await this.draining;
      await this.spool?.close();
      await this.deadLetterFile;
    }
    if (this.failure) throw this.withUnsent(this.failure);
    return this.stats;
  }
}

/**
 * A bulk sink for Elasticsearch: batches by count, bytes and time; bounded concurrency with backpressure on
 * write(); `create` with `_id`s from the source record, so retries and replays never duplicate (409 counts as
 * done); 429/5xx retried per document with jittered backoff and `Retry-After`; documents refused for good
 * dead-lettered with the reason; connection loss spooled to disk and resumed.
 */
export function createElasticSink(target: Client | ElasticConnection, options: ElasticSinkOptions = {}): ElasticSink {
  return new Sink(target, options);
}
