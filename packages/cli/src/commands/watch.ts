import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import {
  type ClassifiedEvent,
  type CorrelateOptions,
  type CorrelateState,
  classify,
  correlateFlush,
  correlateHoldback,
  correlateStateFromJSON,
  correlateStateToJSON,
  correlateStep,
  createDetector,
  type Detector,
  detectFormat,
  type EngineInput,
  type EngineStateJSON,
  type FormatId,
  follow,
  type InputCheckpoint,
  initCorrelate,
  type Lang,
  loadState,
  type NotifyAlert,
  type NpsRecord,
  type ParseIssue,
  type Partition,
  parseDuration,
  type RuleConfig,
  readBatches,
  resolveCorrelateOptions,
  type SavedState,
  saveState,
  tick,
} from '@npswatch/core';
import { EXIT, UsageError } from '../errors.js';
import { createRejectLog, inputNames, inShare, type PartitionFilter, partitionSummary } from '../inputs.js';
import { type Io, write } from '../io.js';
import { alertDocument, parseTolerance, rulesFrom } from './replay.js';
import type { ElasticWatchFlags, RecordSource } from './watch-elastic.js';

/** `--source elastic:PATTERN` and its connection and paging flags are the `ElasticWatchFlags`. */
export interface WatchOptions extends ElasticWatchFlags {
  readonly rules?: readonly string[];
  /** State file: resume from it at start, checkpoint to it while running and at shutdown. */
  readonly state?: string;
  readonly format: FormatId | 'auto';
  readonly tz: string;
  readonly lang: Lang;
  readonly deadLetter?: string;
  /** Period of processing-time ticks while idle (duration text; `0` turns them off). */
  readonly idleAdvance: string;
  /** Period of state checkpoints (duration text; `0`: only at shutdown). */
  readonly checkpointInterval: string;
  /**
   * `--correlate`: join extension events with Security 6272/6273 and accounting records of the same request
   * (docs/correlation.md). Off unless asked (`--no-correlate`, or neither): inputs are not merged live.
   */
  readonly correlate?: boolean;
  /** `--tolerance`, duration text (default 5s). */
  readonly tolerance?: string;
  /** `--partition K/N`: only the records of this share of the NPS servers. */
  readonly partition?: Partition;
}

/** What the process provides, injected so tests control shutdown and time without real signals or clocks. */
export interface WatchRuntime {
  /** Aborting it stops watching: the state is saved and `runWatch` resolves with 0. */
  readonly signal?: AbortSignal;
  /** Processing-time clock in ms (default `Date.now`): idle ticks advance event time by its progress. */
  readonly now?: () => number;
  /** How often followed files are polled, in ms (default 250). */
  readonly pollInterval?: number;
}

/**
 * The one place where process signals become a shutdown request: SIGINT and SIGTERM abort the returned signal.
 * `once`: a second Ctrl-C while the state is being saved gets Node's default and ends the process.
 */
export function processShutdownSignal(): { readonly signal: AbortSignal; readonly dispose: () => void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

/** A chunk of input with its place in the file: [start, end) in the file with this inode (-1 for streams). */
interface Chunk {
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly end: number;
  readonly inode: number;
}

interface Source {
  /** As given on the command line: names positions and rejects. */
  readonly name: string;
  /** Checkpoint key (absolute path); undefined for stdin, which cannot be resumed. */
  readonly key: string | undefined;
  /** Next chunk, or undefined once the input ended (stdin) or watching stopped. */
  readonly pull: () => Promise<Chunk | undefined>;
  /** Encoding of the file's first bytes, for a segment that starts mid-file (a resumed checkpoint). */
  readonly encodingAt: (inode: number) => Promise<Encoding>;
  readonly close: () => Promise<void>;
}

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gzip';

/** Thrown into readBatches when watching stops, so it ends without flushing a half-written last line. */
class Stopped extends Error {}

// As readBatches: the format is detected from the first 20 non-empty lines.
const SNIFF_LINES = 20;
// Past this much head without a decision, leave detection to readBatches (garbage without newlines).
const SNIFF_MAX_BYTES = 1 << 20;

function encodingOf(head: Uint8Array): Encoding | undefined {
  if (head.length < 2) return undefined;
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

const BOM: Readonly<Record<Encoding, Uint8Array>> = {
  'utf-8': new Uint8Array(0),
  'utf-16le': Uint8Array.of(0xff, 0xfe),
  'utf-16be': Uint8Array.of(0xfe, 0xff),
  gzip: new Uint8Array(0),
};

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The format of a segment's head, decided the way readBatches decides it when input ends there: a live file
 * may stay below readBatches' 20 sniffing lines for a long time, and nothing would be read until it grew.
 * Undefined: not enough complete lines yet; `auto`: leave it to readBatches (gzip, or no format fits).
 */
function sniff(head: Uint8Array): FormatId | 'auto' | undefined {
  const encoding = encodingOf(head);
  if (encoding === undefined) return undefined;
  if (encoding === 'gzip') return 'auto';
  const text = new TextDecoder(encoding).decode(head);
  const cut = text.lastIndexOf('\n');
  const lines = (cut < 0 ? [] : text.slice(0, cut).split('\n'))
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
    .filter((l) => l.trim() !== '');
  const found = lines.length > 0 ? detectFormat(lines.slice(0, SNIFF_LINES)) : undefined;
  if (found) return found.id;
  return lines.length >= SNIFF_LINES || head.length >= SNIFF_MAX_BYTES ? 'auto' : undefined;
}

/**
 * Where complete lines end in a file's bytes, so checkpoints fall on line boundaries: readBatches has parsed
 * every line before that offset once it asks for more input. UTF-16 newlines are the two-byte unit at an even
 * offset (and may straddle chunks); gzip offsets cannot be resumed, so a gzip file's checkpoint stays at 0.
 */
class LineEnds {
  /** Offset just past the last complete line seen. */
  end: number;
  /** Complete lines seen since the start offset. */
  lines = 0;
  private encoding: Encoding | undefined;
  private head: Uint8Array[] = [];
  private last = -1;

  constructor(start: number, encoding: Encoding | undefined) {
    this.end = start;
    this.encoding = encoding;
  }

  feed(bytes: Uint8Array, start: number): void {
    if (this.encoding === undefined) {
      // Offset 0: the first two bytes say the encoding.
      this.head.push(bytes);
      const head = concat(this.head);
      this.encoding = encodingOf(head);
      if (this.encoding === undefined) return;
      this.head = [];
      bytes = head;
      start = 0;
    }
    if (bytes.length === 0) return;
    if (this.encoding === 'utf-8') this.scanUtf8(bytes, start);
    else if (this.encoding !== 'gzip') this.scanUtf16(bytes, start, this.encoding === 'utf-16le');
    this.last = bytes[bytes.length - 1]!;
  }

  private scanUtf8(bytes: Uint8Array, start: number): void {
    let i = bytes.indexOf(0x0a);
    while (i !== -1) {
      this.lines++;
      this.end = start + i + 1;
      i = bytes.indexOf(0x0a, i + 1);
    }
  }

  private scanUtf16(bytes: Uint8Array, start: number, little: boolean): void {
    const [lo, hi] = little ? [0x0a, 0x00] : [0x00, 0x0a];
    // A code unit split across chunks: its first byte ended the previous chunk.
    if (start % 2 === 1 && this.last === lo && bytes[0] === hi) {
      this.lines++;
      this.end = start + 1;
    }
    for (let i = start % 2; i + 1 < bytes.length; i += 2) {
      if (bytes[i] === lo && bytes[i + 1] === hi) {
        this.lines++;
        this.end = start + i + 2;
      }
    }
  }
}

function fileSource(path: string, saved: InputCheckpoint | undefined, signal: AbortSignal, poll: number): Source {
  let position = { offset: 0, inode: 0 };
  const it = follow(path, {
    signal,
    pollInterval: poll,
    fromOffset: saved?.offset,
    fromInode: saved?.inode,
    onPosition: (p) => {
      position = p;
    },
  });
  return {
    name: path,
    key: resolve(path),
    async pull() {
      const r = await it.next();
      if (r.done) return undefined;
      return { bytes: r.value, start: position.offset - r.value.length, end: position.offset, inode: position.inode };
    },
    async encodingAt(inode) {
      try {
        const fh = await open(path, 'r');
        try {
          if ((await fh.stat()).ino !== inode) return 'utf-8';
          const head = new Uint8Array(2);
          const { bytesRead } = await fh.read(head, 0, 2, 0);
          return encodingOf(head.subarray(0, bytesRead)) ?? 'utf-8';
        } finally {
          await fh.close();
        }
      } catch {
        // Rotated away or unreadable between two reads: the next segment starts at 0 and knows better.
        return 'utf-8';
      }
    },
    async close() {
      await it.return(undefined);
    },
  };
}

function streamSource(stream: NodeJS.ReadableStream, signal: AbortSignal): Source {
  const it = (stream as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  const stopped = new Promise<undefined>((done) => {
    if (signal.aborted) done(undefined);
    else signal.addEventListener('abort', () => done(undefined), { once: true });
  });
  let offset = 0;
  return {
    name: '-',
    key: undefined,
    async pull() {
      const read = it.next();
      // The read that loses the race to a stop settles after close(); its outcome no longer matters.
      read.catch(() => undefined);
      const r = await Promise.race([read, stopped]);
      if (r === undefined || r.done) return undefined;
      const bytes = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      offset += bytes.length;
      return { bytes, start: offset - bytes.length, end: offset, inode: -1 };
    },
    encodingAt: async () => 'utf-8',
    async close() {
      // A pending read would keep the process alive; destroying the stream ends it.
      if (stream instanceof Readable) stream.destroy();
    },
  };
}

function duration(text: string, option: string): number {
  try {
    return parseDuration(text, option);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

async function loadSaved(path: string): Promise<SavedState | undefined> {
  try {
    return await loadState(path);
  } catch (err) {
    if (err instanceof Error && err.name === 'StateFileError')
      throw new UsageError(err.message, 'fix or delete the state file (deleting it starts afresh from offset 0)');
    throw err;
  }
}

function resumeDetector(
  rules: readonly RuleConfig[],
  saved: SavedState | undefined,
  path: string | undefined,
  allowedLateness: number | undefined,
): Detector {
  if (!saved) return createDetector(rules, { allowedLateness });
  try {
    // The engine validates the shape itself (and resets rules whose definition changed since the save).
    return createDetector(rules, {
      allowedLateness,
      state: { detection: saved.detection as EngineStateJSON, notify: saved.notify },
    });
  } catch (err) {
    if (err instanceof TypeError)
      throw new UsageError(`state file ${path}: ${err.message}`, 'fix or delete the state file to start afresh');
    throw err;
  }
}

/** The correlator's saved state, or a fresh one; a malformed one is the user's to fix, like the detector's. */
function resumeCorrelator(
  options: CorrelateOptions,
  saved: SavedState | undefined,
  path: string | undefined,
): CorrelateState {
  if (saved?.correlation === undefined) return initCorrelate();
  try {
    return correlateStateFromJSON(options, saved.correlation);
  } catch (err) {
    if (err instanceof TypeError)
      throw new UsageError(`state file ${path}: ${err.message}`, 'fix or delete the state file to start afresh');
    throw err;
  }
}

/** The `--source` reader, connected; the Elasticsearch client is loaded only when one is given. */
async function recordSources(options: WatchOptions, io: Io, sources: Map<string, unknown>): Promise<RecordSource[]> {
  const { source } = options;
  if (source === undefined) return [];
  const { openElasticSource } = await import('./watch-elastic.js');
  return [await openElasticSource({ ...options, source }, io, sources, options.state)];
}

function shiftLines(record: NpsRecord, by: number): NpsRecord {
  return { ...record, position: { ...record.position, line: record.position.line + by } };
}

/**
 * `npswatch watch`: follows inputs like `tail -F` and writes each alert as NDJSON the moment it is emitted.
 *
 * Events of all inputs go, in arrival order, into one detector. While nothing arrives, a plain tick every
 * `--idle-advance` at `newest event time + processing time since it arrived` keeps event time moving, so
 * absence (a silent server's flatline) is noticed. With `--state`, the detector and each file's offset (of the
 * last fully parsed line) are checkpointed atomically; a restart resumes from there without re-alerting. Alerts
 * are written before the checkpoint that covers them: after a crash they may repeat, never go missing.
 *
 * With `--correlate`, every event and idle tick goes through the correlator first (docs/correlation.md), and the
 * detector gets what it releases; the records it holds are checkpointed with the rest. Inputs are not merged by
 * event time (a live input has no end to wait for): records of one request may arrive from different files in
 * any order within the tolerance.
 *
 * With `--source elastic:PATTERN`, new documents of an index pattern are read as one more input
 * (watch-elastic.ts); its cursor is checkpointed beside the files' offsets, and `--once` ends at the end of its
 * current data.
 */
export async function runWatch(
  inputs: readonly string[],
  options: WatchOptions,
  io: Io,
  runtime: WatchRuntime = {},
): Promise<number> {
  const idleEvery = duration(options.idleAdvance, '--idle-advance');
  const checkpointEvery = duration(options.checkpointInterval, '--checkpoint-interval');
  if (options.once === true && (options.source === undefined || inputs.length > 0))
    throw new UsageError(
      '--once reads --source to its end and takes no file inputs',
      'files are followed until Ctrl-C',
    );
  // With --source, stdin is read only when named (`-`).
  const names = options.source !== undefined ? inputs : inputNames(inputs, io);
  const keys = names.map((n) => (n === '-' ? '-' : resolve(n)));
  const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
  if (duplicate !== undefined)
    throw new UsageError(`input "${names[keys.indexOf(duplicate)]}" is given more than once`);
  const now = runtime.now ?? Date.now;
  const poll = runtime.pollInterval ?? 250;
  const statePath = options.state;
  const correlating = options.correlate === true;
  const correlateOptions = resolveCorrelateOptions({ tolerance: parseTolerance(options.tolerance) });

  const rules = await rulesFrom(options.rules);
  const saved = statePath === undefined ? undefined : await loadSaved(statePath);
  // The correlator's output trails its input by up to the holdback: the engine must not call that late.
  const detector = resumeDetector(
    rules,
    saved,
    statePath,
    correlating ? Math.max(60_000, correlateHoldback(correlateOptions)) : undefined,
  );
  let correlation = resumeCorrelator(correlateOptions, saved, statePath);
  const cursors = new Map<string, InputCheckpoint>(Object.entries(saved?.checkpoint.inputs ?? {}));
  const sourceCheckpoints = new Map<string, unknown>(Object.entries(saved?.checkpoint.sources ?? {}));
  const save = async (path: string) => {
    const snap = detector.snapshot();
    await saveState(path, {
      detection: snap.detection,
      notify: snap.notify,
      checkpoint: {
        inputs: Object.fromEntries(cursors),
        ...(sourceCheckpoints.size === 0 ? {} : { sources: Object.fromEntries(sourceCheckpoints) }),
      },
      ...(correlating ? { correlation: correlateStateToJSON(correlation) } : {}),
    });
  };
  // A state file that cannot be written fails the command now, not at the first checkpoint.
  if (statePath !== undefined) await save(statePath);
  const recordInputs = await recordSources(options, io, sourceCheckpoints);
  const share: PartitionFilter | undefined = options.partition && { partition: options.partition, outside: 0 };
  const rejects = createRejectLog(io, options.deadLetter);

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  if (runtime.signal?.aborted) stop.abort();
  runtime.signal?.addEventListener('abort', onSignal, { once: true });
  let failure: { readonly error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
    stop.abort();
  };

  // Detector pushes, alert writes and checkpoints run one at a time: a checkpoint never sees a batch half
  // applied, and alerts leave in the order they were emitted.
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task);
    tail = run.catch(() => undefined);
    return run;
  };

  let events = 0;
  let alerts = 0;
  let late = 0;
  // Idle ticks as the idleAdvance operator makes them; after a restart, time resumes from the saved state (the
  // correlator's, which runs ahead of the detector's by what it holds).
  const restored = [detector.maxTime(), correlating ? correlation.maxTime : null].filter((t) => t !== null);
  let newest: number | undefined = restored.length > 0 ? Math.max(...restored) : undefined;
  let arrivedAt = now();

  const emit = async (list: readonly NotifyAlert[]) => {
    if (list.length === 0) return;
    alerts += list.length;
    await write(io.stdout, list.map((a) => `${JSON.stringify(alertDocument(a, options.lang))}\n`).join(''));
  };

  /** Pushes what the correlator released (records and ticks) to the detector, collecting alerts into `out`. */
  const detect = (inputs: readonly EngineInput[], out: NotifyAlert[]) => {
    for (const input of inputs) {
      const step = detector.push(input);
      late += step.late.length;
      for (const a of step.alerts) out.push(a);
    }
  };
  /** One event or tick in: straight to the detector, or through the correlator when correlating. */
  const push = (input: EngineInput, out: NotifyAlert[]) => {
    if (!correlating) return detect([input], out);
    const r = correlateStep(correlateOptions, correlation, input);
    correlation = r.state;
    detect(r.out, out);
  };

  const apply = (batch: readonly ClassifiedEvent[], issues: readonly ParseIssue[], commit: () => void) =>
    serial(async () => {
      for (const issue of issues) await rejects.report(issue);
      const out: NotifyAlert[] = [];
      for (const event of batch) {
        if (Number.isFinite(event.time) && (newest === undefined || event.time >= newest)) {
          newest = event.time;
          arrivedAt = now();
        }
        push(event, out);
      }
      events += batch.length;
      commit();
      await emit(out);
    });

  const idleTick = () =>
    serial(async () => {
      if (newest === undefined || stop.signal.aborted) return;
      const out: NotifyAlert[] = [];
      push(tick(newest + (now() - arrivedAt)), out);
      await emit(out);
    });

  const checkpoint = () =>
    serial(async () => {
      if (statePath !== undefined) await save(statePath);
    });

  /** Reads one input to its end (stdin) or until watching stops, one file generation (segment) at a time. */
  const watchInput = async (source: Source): Promise<void> => {
    const savedCursor = source.key === undefined ? undefined : cursors.get(source.key);
    let known: FormatId | undefined = options.format === 'auto' ? undefined : options.format;
    let next = await source.pull();
    while (next !== undefined) {
      const first: Chunk = next;
      next = undefined;
      // A segment starting mid-file resumes a checkpoint: lines count on from it, and a UTF-16 file needs its BOM
      // in front again for readBatches to decode it.
      const resumed = first.start > 0;
      const encoding = resumed ? await source.encodingAt(first.inode) : undefined;
      const prefix = encoding === undefined ? new Uint8Array(0) : BOM[encoding];
      const lineBase = resumed && savedCursor ? savedCursor.line : 1;
      const tracker = new LineEnds(first.start, encoding);
      let last = first;
      let ended = false;
      const newSegment = (c: Chunk) => c.inode !== last.inode || c.start !== last.end;

      const head: Chunk[] = [first];
      let format = known;
      while (format === undefined) {
        const verdict = sniff(concat([prefix, ...head.map((c) => c.bytes)]));
        if (verdict !== undefined) {
          if (verdict !== 'auto') format = known = verdict;
          break;
        }
        const more = await source.pull();
        if (more === undefined) {
          if (stop.signal.aborted) return;
          ended = true;
          break;
        }
        if (newSegment(more)) {
          next = more;
          break;
        }
        head.push(more);
        last = more;
      }
      last = first;

      let delivered = 0;
      const commit = () => {
        // readBatches decides the encoding on its first 3 bytes; before that nothing is parsed.
        if (source.key === undefined || delivered < 3) return;
        cursors.set(source.key, { offset: tracker.end, line: lineBase + tracker.lines, inode: last.inode });
      };
      if (source.key !== undefined && (!resumed || savedCursor === undefined))
        cursors.set(source.key, { offset: first.start, line: 1, inode: first.inode });

      const bytes = async function* (): AsyncGenerator<Uint8Array> {
        if (prefix.length > 0) {
          delivered += prefix.length;
          yield prefix;
        }
        for (;;) {
          let chunk = head.shift();
          if (chunk === undefined) {
            if (ended || next !== undefined) return;
            const more = await source.pull();
            if (more === undefined) {
              if (stop.signal.aborted) throw new Stopped();
              return;
            }
            if (newSegment(more)) {
              next = more;
              return;
            }
            chunk = more;
          }
          tracker.feed(chunk.bytes, chunk.start);
          delivered += chunk.bytes.length;
          last = chunk;
          yield chunk.bytes;
          // Asked for more: every complete line delivered so far has been parsed and its records applied.
          commit();
        }
      };

      const shift = lineBase - 1;
      try {
        for await (const batch of readBatches(bytes(), {
          name: source.name,
          format: format ?? 'auto',
          timeZone: options.tz,
          defaultTime: now(),
        })) {
          const records = shift === 0 ? batch.records : batch.records.map((r) => shiftLines(r, shift));
          const issues = shift === 0 ? batch.issues : batch.issues.map((i) => ({ ...i, line: i.line + shift }));
          await apply(inShare(records, share).map(classify), issues, commit);
        }
      } catch (err) {
        if (err instanceof Stopped) return;
        throw err;
      }
    }
  };

  /** Reads a record source (Elasticsearch) to its end or until watching stops; its batches go in as files' do. */
  const watchRecords = (source: RecordSource): Promise<void> =>
    source.run((batch, issues, commit) => apply(inShare(batch, share).map(classify), issues, commit), stop.signal);

  const sources = names.map((name) =>
    name === '-'
      ? streamSource(io.stdin, stop.signal)
      : fileSource(name, cursors.get(resolve(name)), stop.signal, poll),
  );
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, task: () => Promise<void>, onError: (err: unknown) => void) => {
    if (!(ms > 0)) return;
    let busy = false;
    timers.push(
      setInterval(() => {
        if (busy) return;
        busy = true;
        task()
          .catch(onError)
          .finally(() => {
            busy = false;
          });
      }, ms),
    );
  };
  every(idleEvery, idleTick, fail);
  // A failed periodic save is reported and retried at the next interval; the one at shutdown must succeed.
  every(checkpointEvery, checkpoint, (err) => {
    io.stderr.write(`npswatch: ${err instanceof Error ? err.message : String(err)}\n`);
  });

  if (!correlating && saved?.correlation !== undefined) {
    // Saved by a run with --correlate: what it held goes to the detector now, uncorrelated, rather than be lost.
    const out: NotifyAlert[] = [];
    detect(correlateFlush(correlateOptions, correlation).out, out);
    correlation = initCorrelate();
    await emit(out);
  }
  await write(
    io.stderr,
    `npswatch: watching ${[...names, ...recordInputs.map((r) => r.name)].join(', ')}${saved ? ` (resumed from ${statePath})` : ''}; stop with Ctrl-C\n`,
  );
  await Promise.all([
    ...sources.map((source) =>
      watchInput(source)
        .catch(fail)
        .finally(() => source.close()),
    ),
    ...recordInputs.map((source) =>
      watchRecords(source)
        .catch(fail)
        .finally(() => source.close()),
    ),
  ]);
  for (const t of timers) clearInterval(t);
  runtime.signal?.removeEventListener('abort', onSignal);

  try {
    if (statePath !== undefined) {
      // Open windows and pending notifications carry over to the next run instead of being flushed.
      await checkpoint();
    } else if (failure === undefined) {
      // Nothing carries over: close what can be closed and send what is pending, as replay does at the end.
      await serial(async () => {
        const out: NotifyAlert[] = [];
        if (correlating) {
          // Release what the correlator holds (unmatched records flagged as such) before the detector closes.
          const flushed = correlateFlush(correlateOptions, correlation);
          correlation = flushed.state;
          detect(flushed.out, out);
        }
        const end = detector.finish();
        late += end.late.length;
        await emit([...out, ...end.alerts]);
      });
    }
  } catch (err) {
    fail(err);
  } finally {
    await rejects.close();
  }
  if (correlating) {
    const t = correlation.totals;
    await write(
      io.stderr,
      `npswatch: correlated ${t.extension} extension events, ${t.matched} with Security or accounting records; ${t.npsOnly} NPS decisions without an extension event; ${t.late} records too late to match\n`,
    );
  }
  for (const source of recordInputs) await write(io.stderr, `${source.summary()}\n`);
  if (share !== undefined) await write(io.stderr, `${partitionSummary(share)}\n`);
  await write(
    io.stderr,
    `npswatch: ${events} events, ${alerts} alerts, ${late} late events, ${rejects.count} records rejected\n`,
  );
  if (failure !== undefined) throw failure.error;
  // Stopped by a signal, watch ends normally (service managers count anything else as a failure); at the end of
  // its input (stdin, `--once`) it reports rejected records like replay does.
  return rejects.count > 0 && runtime.signal?.aborted !== true ? EXIT.rejected : EXIT.ok;
}
