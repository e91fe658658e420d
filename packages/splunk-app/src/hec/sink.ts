import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Alert, ClassifiedEvent, Lang } from '@npswatch/core';
import {
  alertEnvelope,
  documentEnvelope,
  type EnvelopeDefaults,
  eventEnvelope,
  type HecEnvelope,
  serializeEnvelope,
  serializeRaw,
} from './envelope.js';
import { HecError, isHecError } from './errors.js';
import { checkSinkOptions } from './options.js';
import { Spool } from './spool.js';
import { type HecHealth, HecTransport, type HecTransportOptions } from './transport.js';

/** Timers the sink uses, injectable so tests drive batching, ack polling and probes without waiting. */
export interface HecTimers {
  readonly setTimeout: (fn: () => void, ms: number) => unknown;
  readonly clearTimeout: (handle: unknown) => void;
  readonly now: () => number;
}

const REAL_TIMERS: HecTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
};

export interface HecBatchOptions {
  /** Send when a batch reaches this many bytes of JSON (default 512 KiB; Splunk suggests staying under 1 MB). */
  readonly maxBytes?: number;
  /** Send when a batch holds this many events (default 5000). */
  readonly maxEvents?: number;
  /** Send a batch at the latest this long after its first event (default 1000 ms). */
  readonly maxDelayMs?: number;
}

export interface HecAckOptions {
  /** Poll `/services/collector/ack` when the collector returns ack ids (default true; tokens with useACK). */
  readonly enabled?: boolean;
  /** Poll period (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** Resend a batch not acknowledged this long after it was accepted (default 60 s). */
  readonly timeoutMs?: number;
  /** Resends per batch before it is counted as unconfirmed and let go (default 3). */
  readonly maxResends?: number;
}

export interface HecSinkOptions extends EnvelopeDefaults {
  /** A transport, or the options to create one (the sink then owns and closes it). */
  readonly transport: HecTransport | HecTransportOptions;
  /** `event` (JSON envelopes, default) or `raw` (lines; metadata in the query string, no indexed fields). */
  readonly endpoint?: 'event' | 'raw';
  readonly batch?: HecBatchOptions;
  /** Requests in flight at once (default 4). */
  readonly maxInFlight?: number;
  /** `write()` waits while this many bytes are buffered in memory and not yet delivered (default 32 MiB). */
  readonly maxPendingBytes?: number;
  /** Channel GUID (default: a random one per sink). Required by tokens with indexer acknowledgement. */
  readonly channel?: string;
  readonly ack?: HecAckOptions;
  /** Keep batches on disk while the collector is unreachable (and after a fatal error); drained when it is back. */
  readonly spool?: { readonly dir: string; readonly maxBytes?: number };
  /** Health probes while the collector is unreachable: first delay, doubling up to the max (500 ms … 30 s). */
  readonly probe?: { readonly minDelayMs?: number; readonly maxDelayMs?: number };
  /** Language of cause and remediation in event documents (`false`: leave them out). Default `en`. */
  readonly explain?: Lang | false;
  readonly timers?: HecTimers;
  /** Operational messages (collector down / back, spooling, dropped events). Never contain the token. */
  readonly onWarning?: (message: string) => void;
  /** An event the collector rejected as invalid (it is not retried). */
  readonly onDrop?: (line: string, error: HecError) => void;
}

export type HecSinkState = 'up' | 'down' | 'failed' | 'closed';

export interface HecSinkStats {
  /** Events given to `write()`. */
  written: number;
  /** Events the collector accepted (acknowledged, when acks are on). */
  delivered: number;
  /** Of those, confirmed by indexer acknowledgement. */
  acknowledged: number;
  /** Events let go after `maxResends` unacknowledged resends (delivery unconfirmed). */
  unconfirmed: number;
  /** Successful requests. */
  batches: number;
  /** Body bytes of successful requests, before and after gzip. */
  bytes: number;
  wireBytes: number;
  /**
   * Events sent again after an attempt that may have been indexed (a timeout, a dropped connection, a gateway
   * 502/504, an unacknowledged batch): duplicates are at most this. Retries after a refused connection or a
   * collector's error reply are not counted: nothing was indexed.
   */
  resent: number;
  /** Events rejected by the collector as invalid. */
  dropped: number;
  /** Events written to the spool, and spooled events delivered. */
  spooled: number;
  drained: number;
  /** Times the collector became unreachable. */
  outages: number;
  /** Events buffered in memory and not yet delivered (including those awaiting acknowledgement). */
  pending: number;
  /** Batch files in the spool. */
  spoolBatches: number;
}

interface Batch {
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Metadata key of a raw batch: lines with other metadata start a new batch. */
  readonly key: string;
  lines: string[];
  bytes: number;
  /**
   * An earlier attempt may have been indexed (a timeout, a dropped connection, an ack that never came): every
   * further attempt may duplicate the batch and is counted in `stats.resent`.
   */
  uncertain: boolean;
  ackResends: number;
  /** Set when the batch was read back from the spool; removing the file delivers it. */
  spoolFile?: string;
}

interface Unacked {
  readonly batch: Batch;
  readonly sentAt: number;
}

const ACK_IDS_PER_POLL = 1000;
/**
 * Ack poll period while flush(), close() or a writer out of room waits: the wait ends soon after the ack, not a
 * period later (with the default 1 s period, a sender faster than 32 MiB/s would otherwise stall every second).
 */
const SETTLING_ACK_POLL_MS = 50;

function lineBytes(lines: readonly string[]): number {
  let n = 0;
  for (const l of lines) n += Buffer.byteLength(l);
  return n;
}

/**
 * Sends events and alerts to a Splunk HTTP Event Collector. Events are serialized on `write()` and batched by
 * bytes, count and age; batches go out gzipped over a keep-alive pool, several at once. With indexer
 * acknowledgement, accepted batches are kept until `/services/collector/ack` confirms them and resent after a
 * timeout. When the collector is unreachable (retries exhausted), batches go to a disk spool and a health probe
 * waits for it to come back, then the spool drains. `write()` waits while too much is buffered: backpressure
 * reaches the pipeline instead of memory growing. Delivery is at least once; `stats.resent` bounds duplicates.
 */
export class HecSink {
  readonly channel: string;
  private readonly transport: HecTransport;
  private readonly ownsTransport: boolean;
  private readonly raw: boolean;
  private readonly defaults: EnvelopeDefaults;
  private readonly maxBytes: number;
  private readonly maxEvents: number;
  private readonly maxDelay: number;
  private readonly maxInFlight: number;
  private readonly maxPending: number;
  private ackEnabled: boolean;
  private readonly ackPoll: number;
  private readonly ackTimeout: number;
  private readonly maxResends: number;
  private readonly spool: Spool | undefined;
  private readonly probeMin: number;
  private readonly probeMax: number;
  private readonly explain: Lang | false;
  private readonly timers: HecTimers;
  private readonly warn: (message: string) => void;
  private readonly onDrop: ((line: string, error: HecError) => void) | undefined;

  private state: HecSinkState = 'up';
  private closing = false;
  private fatal: HecError | undefined;
  private current: Batch | undefined;
  private batchTimer: unknown;
  private readonly queue: Batch[] = [];
  private inFlight = 0;
  private readonly sending = new Set<Promise<void>>();
  private readonly unacked = new Map<number, Unacked>();
  private ackTimer: unknown;
  private ackPolling = false;
  private probeTimer: unknown;
  private probeDelay: number;
  private spoolReady = false;
  private spoolWrites = 0;
  private readonly claimed = new Set<string>();
  /** Aborts this sink's requests and retry waits at close, without closing a transport it shares. */
  private readonly abort = new AbortController();
  /** Bytes and events in memory and not yet delivered or spooled. */
  private memoryBytes = 0;
  private memoryEvents = 0;
  private roomWaiters: (() => void)[] = [];
  private idleWaiters: { resolve: () => void; reject: (err: Error) => void; drained: boolean }[] = [];
  private readonly counters: Omit<HecSinkStats, 'pending' | 'spoolBatches'> = {
    written: 0,
    delivered: 0,
    acknowledged: 0,
    unconfirmed: 0,
    batches: 0,
    bytes: 0,
    wireBytes: 0,
    resent: 0,
    dropped: 0,
    spooled: 0,
    drained: 0,
    outages: 0,
  };

  constructor(options: HecSinkOptions) {
    checkSinkOptions(options);
    this.ownsTransport = !(options.transport instanceof HecTransport);
    this.transport =
      options.transport instanceof HecTransport ? options.transport : new HecTransport(options.transport);
    this.raw = options.endpoint === 'raw';
    this.defaults = {
      host: options.host ?? hostname(),
      ...(options.source === undefined ? {} : { source: options.source }),
      ...(options.index === undefined ? {} : { index: options.index }),
    };
    this.maxBytes = options.batch?.maxBytes ?? 512 * 1024;
    this.maxEvents = options.batch?.maxEvents ?? 5000;
    this.maxDelay = options.batch?.maxDelayMs ?? 1000;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 4);
    this.maxPending = options.maxPendingBytes ?? 32 * 1024 * 1024;
    this.channel = options.channel ?? randomUUID();
    this.ackEnabled = options.ack?.enabled ?? true;
    this.ackPoll = options.ack?.pollIntervalMs ?? 1000;
    this.ackTimeout = options.ack?.timeoutMs ?? 60_000;
    this.maxResends = options.ack?.maxResends ?? 3;
    this.probeMin = options.probe?.minDelayMs ?? 500;
    this.probeMax = options.probe?.maxDelayMs ?? 30_000;
    this.probeDelay = this.probeMin;
    this.explain = options.explain ?? 'en';
    this.timers = options.timers ?? REAL_TIMERS;
    this.warn = options.onWarning ?? (() => undefined);
    this.onDrop = options.onDrop;
    if (!Number.isFinite(this.maxBytes) || this.maxBytes <= 0 || !(this.maxEvents >= 1))
      throw new HecError('HEC_CONFIG', 'batch limits must be positive', { retryable: false });
    if (options.spool) {
      this.spool = new Spool(options.spool.dir, options.spool.maxBytes);
      // Batches an earlier run left behind drain as soon as the spool is indexed.
      this.spool.open().then(
        () => {
          this.spoolReady = true;
          if (this.spool!.size > 0) this.warn(`${this.spool!.size} spooled batches from an earlier run to send`);
          // Down or failed before the spool was ready: what waits in memory can go to disk now.
          if (this.state !== 'up') this.spoolQueue();
          this.pump();
          this.checkIdle();
        },
        (err: unknown) =>
          this.fail(
            new HecError('HEC_CONFIG', `cannot use spool directory ${options.spool!.dir}: ${String(err)}`, {
              retryable: false,
            }),
          ),
      );
    }
  }

  get stats(): HecSinkStats {
    return { ...this.counters, pending: this.memoryEvents, spoolBatches: this.spool?.size ?? 0 };
  }

  get status(): HecSinkState {
    return this.state;
  }

  /** The collector's health endpoint (one attempt). */
  health(signal?: AbortSignal): Promise<HecHealth> {
    return this.transport.health(signal);
  }

  /** A classified event: its ECS document, with the NPS server as host and indexed code/category/severity. */
  writeEvent(e: ClassifiedEvent): Promise<void> {
    return this.write(eventEnvelope(e, { explain: this.explain }));
  }

  /** A document as npswatch prints it (an alert or an ECS event), e.g. a line of `npswatch replay` output. */
  writeDocument(doc: Readonly<Record<string, unknown>>): Promise<void> {
    return this.write(documentEnvelope(doc));
  }

  /** An alert: `document` defaults to `alertToJson(alert)`. */
  writeAlert(alert: Alert, document?: Readonly<Record<string, unknown>>): Promise<void> {
    return this.write(alertEnvelope(alert, document === undefined ? {} : { document }));
  }

  /**
   * Adds one event. Resolves once it is buffered, after waiting while too much is pending (backpressure);
   * rejects after a fatal error (bad token, wrong index, TLS) or once the sink is closed.
   */
  async write(envelope: HecEnvelope): Promise<void> {
    this.assertWritable();
    const line = this.raw ? serializeRaw(envelope) : serializeEnvelope(envelope, this.defaults);
    const key = this.raw ? this.rawKey(envelope) : '';
    while (this.memoryBytes > this.maxPending && this.state !== 'failed' && !this.closing) {
      const waiting = new Promise<void>((resolve) => this.roomWaiters.push(resolve));
      // Room comes back as acks confirm batches: ask now rather than at the next regular poll.
      this.hastenAcks();
      await waiting;
    }
    this.assertWritable();
    if (this.current !== undefined && this.current.key !== key) this.cut();
    if (this.current === undefined) {
      this.current = { ...this.target(envelope), key, lines: [], bytes: 0, uncertain: false, ackResends: 0 };
      this.batchTimer = this.timers.setTimeout(() => {
        this.batchTimer = undefined;
        this.cut();
      }, this.maxDelay);
    }
    const bytes = Buffer.byteLength(line);
    this.current.lines.push(line);
    this.current.bytes += bytes;
    this.memoryBytes += bytes;
    this.memoryEvents++;
    this.counters.written++;
    if (this.current.bytes >= this.maxBytes || this.current.lines.length >= this.maxEvents) this.cut();
  }

  /**
   * Sends what is buffered and resolves when every event written so far is delivered or safely spooled. Without a
   * spool, a collector that stays unreachable keeps it waiting: with `timeoutMs` it rejects after that long with
   * HEC_UNDELIVERED instead, and the events stay buffered (sent when the collector is back, or spooled by close()).
   */
  flush(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    return this.settle(false, options.timeoutMs);
  }

  /** Resolves when everything written is delivered (`drained`: the spool too), or delivered-or-spooled. */
  private settle(drained: boolean, timeoutMs?: number): Promise<void> {
    this.cut();
    return new Promise<void>((resolve, reject) => {
      let timer: unknown;
      const done = () => {
        if (timer !== undefined) this.timers.clearTimeout(timer);
      };
      const waiter = {
        resolve: () => {
          done();
          resolve();
        },
        reject: (err: Error) => {
          done();
          reject(err);
        },
        drained,
      };
      this.idleWaiters.push(waiter);
      this.checkIdle();
      if (!this.idleWaiters.includes(waiter)) return;
      this.hastenAcks();
      if (timeoutMs === undefined) return;
      timer = this.timers.setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== waiter);
        reject(
          new HecError(
            'HEC_UNDELIVERED',
            `flush: ${this.memoryEvents} events not yet delivered to ${this.transport.base} after ${timeoutMs} ms`,
            { retryable: true, hint: 'they stay buffered: sent when the collector is back, or spooled by close()' },
          ),
        );
      }, timeoutMs);
    });
  }

  /** Someone waits for acks (flush, close, a writer out of room): replace a regular poll by a prompt one. */
  private hastenAcks(): void {
    if (this.ackTimer === undefined) return;
    this.timers.clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.scheduleAckPoll();
  }

  /**
   * Delivers everything, the spool included (waiting for an unreachable collector to come back), for at most
   * `timeoutMs` (default 30 s); then stops: what is still in memory goes to the spool for the next run.
   * Rejects with the fatal error if there was one, or with HEC_UNDELIVERED if events could be neither delivered
   * nor spooled. Idempotent.
   */
  async close(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    if (this.state === 'closed') return;
    const timeout = options.timeoutMs ?? 30_000;
    let timer: unknown;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = this.timers.setTimeout(() => resolve('timeout'), timeout);
    });
    await Promise.race([this.settle(true).catch(() => undefined), deadline]);
    this.timers.clearTimeout(timer);
    this.closing = true;
    this.clearTimers();
    // Stops retries and in-flight requests; their batches come back to the queue and are spooled below.
    this.abort.abort();
    await Promise.allSettled([...this.sending]);
    if (this.ownsTransport) await this.transport.close();
    if (this.spool && !this.spoolReady)
      this.spoolReady = await this.spool.open().then(
        () => true,
        () => false,
      );
    const leftovers = [...this.queue.splice(0), ...[...this.unacked.values()].map((u) => u.batch)];
    this.unacked.clear();
    if (this.current !== undefined) leftovers.push(this.current);
    this.current = undefined;
    for (const batch of leftovers) {
      if (batch.spoolFile !== undefined) continue;
      if (this.spool && this.spoolReady && this.spool.hasRoom(batch.bytes)) {
        await this.spool.append({ ...this.spooledForm(batch), attempted: batch.uncertain });
        this.counters.spooled += batch.lines.length;
        this.forget(batch);
      }
    }
    while (this.spoolWrites > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    this.state = 'closed';
    this.wakeRoom();
    const lost = this.memoryEvents;
    if (this.fatal) throw this.fatal;
    if (lost > 0)
      throw new HecError('HEC_UNDELIVERED', `${lost} events could not be delivered to ${this.transport.base}`, {
        retryable: false,
        hint: 'give a spool directory (--hec-spool) to keep undelivered events on disk for the next run',
      });
  }

  private assertWritable(): void {
    if (this.fatal) throw this.fatal;
    if (this.closing || this.state === 'closed')
      throw new HecError('HEC_CLOSED', 'the HEC sink is closed', { retryable: false });
  }

  private rawKey(e: HecEnvelope): string {
    return JSON.stringify([
      e.host ?? this.defaults.host,
      e.source ?? this.defaults.source,
      e.sourcetype,
      e.index ?? this.defaults.index,
    ]);
  }

  private target(e: HecEnvelope): { path: string; query?: Record<string, string> } {
    if (!this.raw) return { path: '/services/collector/event' };
    const query: Record<string, string> = {};
    const host = e.host ?? this.defaults.host;
    const source = e.source ?? this.defaults.source;
    const index = e.index ?? this.defaults.index;
    if (host) query.host = host;
    if (source) query.source = source;
    if (e.sourcetype) query.sourcetype = e.sourcetype;
    if (index) query.index = index;
    return { path: '/services/collector/raw', query };
  }

  /** Closes the batch being filled and queues it. */
  private cut(): void {
    if (this.batchTimer !== undefined) {
      this.timers.clearTimeout(this.batchTimer);
      this.batchTimer = undefined;
    }
    const batch = this.current;
    this.current = undefined;
    if (batch === undefined || batch.lines.length === 0) return;
    this.enqueue(batch, false);
  }

  /** Queues a batch to send, or spools it while the collector is down. */
  private enqueue(batch: Batch, front: boolean): void {
    if (this.state === 'down' && this.canSpool(batch)) {
      this.toSpool(batch);
      return;
    }
    if (front) this.queue.unshift(batch);
    else this.queue.push(batch);
    this.pump();
  }

  private canSpool(batch: Batch): boolean {
    return (
      this.spool !== undefined && this.spoolReady && batch.spoolFile === undefined && this.spool.hasRoom(batch.bytes)
    );
  }

  private spooledForm(batch: Batch): { path: string; query?: Readonly<Record<string, string>>; lines: string[] } {
    return { path: batch.path, ...(batch.query === undefined ? {} : { query: batch.query }), lines: batch.lines };
  }

  private toSpool(batch: Batch): void {
    this.spoolWrites++;
    this.spool!.append({ ...this.spooledForm(batch), attempted: batch.uncertain }).then(
      () => {
        this.spoolWrites--;
        this.counters.spooled += batch.lines.length;
        this.forget(batch);
        this.pump();
        this.checkIdle();
      },
      (err: unknown) => {
        // A full or broken disk: keep the batch in memory rather than lose it.
        this.spoolWrites--;
        this.warn(`cannot write to the spool (${err instanceof Error ? err.message : String(err)}); holding in memory`);
        this.queue.push(batch);
        this.checkIdle();
      },
    );
  }

  /** Releases a batch's memory accounting (delivered, spooled or dropped). */
  private forget(batch: Batch): void {
    if (batch.spoolFile !== undefined) return;
    this.memoryBytes -= batch.bytes;
    this.memoryEvents -= batch.lines.length;
    this.wakeRoom();
  }

  private wakeRoom(): void {
    if (this.memoryBytes > this.maxPending && this.state !== 'failed' && this.state !== 'closed' && !this.closing)
      return;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }

  /** Starts sends while there are free slots: memory batches first, then spooled ones. */
  private pump(): void {
    if (this.state !== 'up' || this.closing) return;
    while (this.inFlight < this.maxInFlight) {
      const batch = this.queue.shift();
      if (batch !== undefined) {
        this.launch(this.send(batch));
        continue;
      }
      const file = this.spoolReady ? this.spool!.files().find((f) => !this.claimed.has(f)) : undefined;
      if (file === undefined) break;
      this.claimed.add(file);
      this.launch(this.sendSpooled(file));
    }
  }

  private launch(task: Promise<void>): void {
    this.inFlight++;
    const tracked = task.finally(() => {
      this.inFlight--;
      this.sending.delete(tracked);
      this.pump();
      this.checkIdle();
    });
    this.sending.add(tracked);
  }

  private async sendSpooled(file: string): Promise<void> {
    let spooled: Awaited<ReturnType<Spool['read']>>;
    try {
      spooled = await this.spool!.read(file);
    } catch (err) {
      this.warn(`skipping unreadable spool file ${file}: ${err instanceof Error ? err.message : String(err)}`);
      await this.spool!.remove(file);
      this.claimed.delete(file);
      return;
    }
    const batch: Batch = {
      path: spooled.path,
      ...(spooled.query === undefined ? {} : { query: spooled.query }),
      key: '',
      lines: [...spooled.lines],
      bytes: lineBytes(spooled.lines),
      uncertain: spooled.attempted,
      ackResends: 0,
      spoolFile: file,
    };
    await this.send(batch);
  }

  private async send(batch: Batch): Promise<void> {
    const count = batch.lines.length;
    if (batch.uncertain) this.counters.resent += count;
    try {
      const reply = await this.transport.post({
        path: batch.path,
        ...(batch.query === undefined ? {} : { query: batch.query }),
        body: batch.lines.join(''),
        channel: this.channel,
        signal: this.abort.signal,
        onRetry: (error) => {
          if (error.maybeDelivered) batch.uncertain = true;
          if (batch.uncertain) this.counters.resent += count;
        },
      });
      this.counters.batches++;
      this.counters.bytes += batch.bytes;
      this.counters.wireBytes += reply.wireBytes;
      if (reply.ackId !== undefined && this.ackEnabled) {
        this.unacked.set(reply.ackId, { batch, sentAt: this.timers.now() });
        this.scheduleAckPoll();
      } else await this.delivered(batch, false);
    } catch (err) {
      await this.failed(batch, err);
    }
  }

  private async delivered(batch: Batch, acked: boolean): Promise<void> {
    const count = batch.lines.length;
    this.counters.delivered += count;
    if (acked) this.counters.acknowledged += count;
    if (batch.spoolFile !== undefined) {
      this.counters.drained += count;
      await this.spool!.remove(batch.spoolFile);
      this.claimed.delete(batch.spoolFile);
    }
    this.forget(batch);
    this.checkIdle();
  }

  private async failed(batch: Batch, err: unknown): Promise<void> {
    const error = isHecError(err)
      ? err
      : new HecError('HEC_HTTP_ERROR', `unexpected failure sending to ${this.transport.base}: ${String(err)}`, {
          retryable: false,
          maybeDelivered: true,
        });
    if (error.maybeDelivered) batch.uncertain = true;
    const n = error.invalidEventNumber;
    if (!error.retryable && n !== undefined && n >= 0 && n < batch.lines.length) {
      // One bad event: drop it, send the others again.
      const [line] = batch.lines.splice(n, 1);
      this.counters.dropped++;
      this.onDrop?.(line!, error);
      this.warn(`the collector rejected an event (${error.code}); it was dropped`);
      if (batch.spoolFile !== undefined) {
        // The file no longer matches the batch: the rest continues from memory.
        const file = batch.spoolFile;
        await this.spool!.remove(file);
        this.claimed.delete(file);
        delete batch.spoolFile;
        batch.bytes = lineBytes(batch.lines);
        this.memoryBytes += batch.bytes;
        this.memoryEvents += batch.lines.length;
      } else {
        const bytes = Buffer.byteLength(line!);
        batch.bytes -= bytes;
        this.memoryBytes -= bytes;
        this.memoryEvents--;
        this.wakeRoom();
      }
      if (batch.lines.length > 0) this.requeue(batch);
      return;
    }
    if (!error.retryable) {
      this.fail(error);
      this.requeue(batch);
      return;
    }
    this.markDown(error);
    this.requeue(batch);
  }

  /** Puts a batch back to be sent again; a spooled one simply stays in its file, unclaimed. */
  private requeue(batch: Batch): void {
    if (batch.spoolFile !== undefined) {
      this.claimed.delete(batch.spoolFile);
      return;
    }
    if (this.state === 'failed') {
      if (this.canSpool(batch)) this.toSpool(batch);
      else this.queue.unshift(batch);
      return;
    }
    this.enqueue(batch, true);
  }

  private markDown(error: HecError): void {
    if (this.state !== 'up' || this.closing) return;
    this.state = 'down';
    this.counters.outages++;
    const where = this.spool ? `spooling to ${this.spool.dir}` : 'holding events in memory';
    this.warn(`the collector is unreachable (${error.message}); ${where} until it is back`);
    this.spoolQueue();
    this.probeDelay = this.probeMin;
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.probeTimer !== undefined || this.closing) return;
    this.probeTimer = this.timers.setTimeout(() => {
      this.probeTimer = undefined;
      void this.probe();
    }, this.probeDelay);
  }

  private async probe(): Promise<void> {
    if (this.state !== 'down' || this.closing) return;
    let healthy = false;
    try {
      healthy = (await this.transport.health(this.abort.signal)).healthy;
    } catch {
      healthy = false;
    }
    if (this.state !== 'down' || this.closing) return;
    if (!healthy) {
      this.probeDelay = Math.min(this.probeMax, this.probeDelay * 2);
      this.scheduleProbe();
      return;
    }
    this.state = 'up';
    const spooled = this.spool?.size ?? 0;
    this.warn(`the collector is reachable again${spooled > 0 ? `; draining ${spooled} spooled batches` : ''}`);
    this.pump();
    this.checkIdle();
  }

  private scheduleAckPoll(): void {
    if (this.ackTimer !== undefined || this.ackPolling || this.closing || this.unacked.size === 0) return;
    // Someone waits in flush(), close() or write(): ask again soon rather than at the next regular poll.
    const waiting = this.idleWaiters.length > 0 || this.roomWaiters.length > 0;
    const delay = waiting ? Math.min(this.ackPoll, SETTLING_ACK_POLL_MS) : this.ackPoll;
    this.ackTimer = this.timers.setTimeout(() => {
      this.ackTimer = undefined;
      void this.pollAcks();
    }, delay);
  }

  private async pollAcks(): Promise<void> {
    if (this.closing) return;
    this.ackPolling = true;
    try {
      const ids = [...this.unacked.keys()].slice(0, ACK_IDS_PER_POLL);
      if (ids.length > 0 && this.state === 'up') {
        try {
          const acks = await this.transport.ack(this.channel, ids, this.abort.signal);
          for (const [id, ok] of acks) {
            const entry = this.unacked.get(id);
            if (!ok || entry === undefined) continue;
            this.unacked.delete(id);
            await this.delivered(entry.batch, true);
          }
        } catch (err) {
          if (isHecError(err) && err.code === 'HEC_ACK_DISABLED') {
            // The token answers ack ids but acks are off for it: accepted is all we can know.
            this.ackEnabled = false;
            this.warn('indexer acknowledgement is disabled for this token; not waiting for acks');
            for (const [id, entry] of [...this.unacked]) {
              this.unacked.delete(id);
              await this.delivered(entry.batch, false);
            }
          }
          // Otherwise (collector down) the timeout below decides.
        }
      }
      const now = this.timers.now();
      for (const [id, entry] of [...this.unacked]) {
        if (now - entry.sentAt < this.ackTimeout) continue;
        this.unacked.delete(id);
        entry.batch.ackResends++;
        entry.batch.uncertain = true;
        if (entry.batch.ackResends > this.maxResends) {
          this.counters.unconfirmed += entry.batch.lines.length;
          this.warn(`a batch of ${entry.batch.lines.length} events was never acknowledged; giving up on it`);
          await this.delivered(entry.batch, false);
        } else this.requeue(entry.batch);
      }
    } finally {
      this.ackPolling = false;
      this.scheduleAckPoll();
      this.checkIdle();
    }
  }

  private fail(error: HecError): void {
    if (this.fatal !== undefined) return;
    this.fatal = error;
    this.state = 'failed';
    this.warn(`stopped: ${error.message}${error.hint ? ` (${error.hint})` : ''}`);
    // Keep what is queued: on disk if possible, for a later run with the problem fixed.
    this.spoolQueue();
    this.wakeRoom();
    this.checkIdle();
  }

  /** Moves queued batches to the spool where it has room; the others stay queued in memory. */
  private spoolQueue(): void {
    for (const batch of this.queue.splice(0)) {
      if (this.canSpool(batch)) this.toSpool(batch);
      else this.queue.push(batch);
    }
  }

  private clearTimers(): void {
    for (const t of [this.batchTimer, this.ackTimer, this.probeTimer]) if (t !== undefined) this.timers.clearTimeout(t);
    this.batchTimer = this.ackTimer = this.probeTimer = undefined;
  }

  /**
   * Whether everything written is delivered, or (unless `drained` is asked for) spooled while the collector is
   * down. After a fatal error, whether nothing is moving any more.
   */
  private isIdle(drained: boolean): boolean {
    if (this.current !== undefined || this.inFlight > 0 || this.spoolWrites > 0) return false;
    if (this.state === 'failed') return true;
    if (this.queue.length > 0 || this.unacked.size > 0) return false;
    if (this.state === 'down') return !drained;
    return !this.spoolReady || this.spool === undefined || this.spool.size === 0;
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0) return;
    const waiting: typeof this.idleWaiters = [];
    for (const w of this.idleWaiters) {
      if (!this.isIdle(w.drained)) waiting.push(w);
      else if (this.fatal) w.reject(this.fatal);
      else w.resolve();
    }
    this.idleWaiters = waiting;
  }
}
