import type { Writable } from 'node:stream';
import { type NpsRecord, type ParseIssue, parseDuration, parseTimestamp } from '@npswatch/core';
import {
  ALERTS_INDEX,
  checkpointFromJSON,
  checkpointKey,
  checkpointToJSON,
  createElasticSink,
  type ElasticCheckpoint,
  isElasticError,
  readElastic,
} from '@npswatch/elastic-plugin';
import { type ConnectionFlags, isElasticSink, openElastic } from '../elastic-connection.js';
import { EXIT, UsageError } from '../errors.js';
import { type Io, write } from '../io.js';
import { SinkTee } from './splunk.js';

// `npswatch watch --source elastic:PATTERN` and `--sink elastic[:INDEX]`: Elasticsearch as an input of watch and
// as the place its alerts go. Loaded only when one of them is used.

const SCHEME = 'elastic:';

/** The flags of `watch` that concern Elasticsearch, as commander parses them. */
export interface ElasticWatchFlags extends ConnectionFlags {
  /** `elastic:INDEX-PATTERN`. */
  readonly source?: string;
  /** Stop at the end of the current data instead of polling for more. */
  readonly once?: boolean;
  readonly sourcePageSize?: string;
  /** Duration text. */
  readonly sourcePoll?: string;
  /** Duration text. */
  readonly sourceLookback?: string;
  /** ISO time: where to start without a checkpoint. */
  readonly sourceFrom?: string;
}

/** Hands a batch of records to the detector; `commit` records the batch's checkpoint in the state. */
export type ApplyRecords = (
  records: readonly NpsRecord[],
  issues: readonly ParseIssue[],
  commit: () => void,
) => Promise<void>;

/** An input that arrives as records with its own checkpoint (files and stdin arrive as bytes). */
export interface RecordSource {
  /** As on the command line: `elastic:winlogbeat-*`. */
  readonly name: string;
  /** Reads until the end of current data (`--once`) or until `signal` aborts. */
  run(apply: ApplyRecords, signal: AbortSignal): Promise<void>;
  /** The final report line. */
  summary(): string;
  close(): Promise<void>;
}

/** `elastic:INDEX-PATTERN` → the pattern; anything else is a usage error. */
export function parseSourceSpec(spec: string): string {
  if (!spec.startsWith(SCHEME)) throw new UsageError(`unknown source "${spec}"`, `use --source ${SCHEME}winlogbeat-*`);
  const pattern = spec.slice(SCHEME.length).trim();
  if (pattern === '')
    throw new UsageError('--source elastic: needs an index pattern', `use --source ${SCHEME}winlogbeat-*`);
  return pattern;
}

function duration(text: string, option: string): number {
  try {
    return parseDuration(text, option);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function pageSize(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new UsageError(`--source-page-size must be a whole number from 1 to 10000, got "${text}"`);
  return n;
}

function startTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = parseTimestamp(text);
  if (t === undefined)
    throw new UsageError(`--source-from: not a time: "${text}"`, 'use ISO 8601, e.g. 2024-09-20T00:00:00Z');
  return t;
}

/** The checkpoint of `pattern` among the state's source checkpoints; a damaged one is the user's to fix. */
function savedCheckpoint(
  pattern: string,
  sources: ReadonlyMap<string, unknown>,
  statePath: string | undefined,
): ElasticCheckpoint | undefined {
  const saved = sources.get(checkpointKey(pattern));
  if (saved === undefined) return undefined;
  try {
    return checkpointFromJSON(saved);
  } catch (err) {
    if (isElasticError(err)) throw new UsageError(`state file ${statePath}: ${err.message}`, err.hint);
    throw err;
  }
}

/**
 * Connects and returns the `--source` reader. Its checkpoint lives among the state's source checkpoints
 * (`sources`, saved with the detector), so a restart neither re-reads nor re-alerts.
 */
export async function openElasticSource(
  flags: ElasticWatchFlags & { readonly source: string },
  io: Io,
  sources: Map<string, unknown>,
  statePath: string | undefined,
): Promise<RecordSource> {
  const pattern = parseSourceSpec(flags.source);
  const options = {
    index: pattern,
    follow: flags.once !== true,
    pageSize: pageSize(flags.sourcePageSize),
    pollInterval: duration(flags.sourcePoll ?? '5s', '--source-poll'),
    lookback: duration(flags.sourceLookback ?? '1m', '--source-lookback'),
    from: startTime(flags.sourceFrom),
    checkpoint: savedCheckpoint(pattern, sources, statePath),
  };
  const conn = await openElastic(flags, io);
  let read = 0;
  let skipped = 0;
  let rejected = 0;
  return {
    name: flags.source,
    async run(apply, signal) {
      const pages = readElastic(conn, {
        ...options,
        signal,
        onWarning: (m) => io.stderr.write(`npswatch: ${SCHEME} ${m}\n`),
      });
      let committed: ElasticCheckpoint | undefined;
      for await (const page of pages) {
        read += page.records.length + page.issues.length;
        skipped += page.skipped;
        rejected += page.issues.length;
        await apply(page.records, page.issues, () => {
          // Pages of re-read documents only leave the checkpoint as it was.
          if (page.checkpoint === committed) return;
          committed = page.checkpoint;
          const json = checkpointToJSON(page.checkpoint);
          if (json === undefined) sources.delete(checkpointKey(pattern));
          else sources.set(checkpointKey(pattern), json);
        });
      }
    },
    summary: () =>
      `npswatch: ${flags.source}: ${read} documents read, ${skipped} skipped as read before, ${rejected} dead-lettered`,
    close: () => conn.close(),
  };
}

/** `elastic` or `elastic:INDEX` (the alerts index, default npswatch-alerts); undefined for other sinks. */
export function elasticSinkIndex(spec: string | undefined): string | undefined {
  if (!isElasticSink(spec)) return undefined;
  if (spec === 'elastic') return ALERTS_INDEX;
  const index = spec.slice(SCHEME.length).trim();
  if (index === '' || /[*?,#\s]/.test(index))
    throw new UsageError(`--sink ${spec}: not an index name`, `use --sink elastic or --sink elastic:${ALERTS_INDEX}`);
  return index;
}

function alertId(doc: Readonly<Record<string, unknown>>): string {
  const id = (doc.npswatch as { alert?: { id?: unknown } } | undefined)?.alert?.id;
  if (typeof id !== 'string') throw new Error('--sink elastic: a line on stdout is not an npswatch alert');
  return id;
}

/**
 * Runs watch with `--sink elastic[:INDEX]`: every alert it prints is also indexed into the alerts index with the
 * alert's own id as `_id`, so a resend or a replay lands once. With `deliver`, each alert is indexed before watch
 * goes on (a checkpoint never covers an alert still in memory). A failed sink stops watching; exit 1, with its
 * message and hint, never a secret.
 */
export async function withElasticSink(
  flags: ConnectionFlags & { readonly sink?: string },
  io: Io,
  run: (io: Io, failed: AbortSignal) => Promise<number>,
  { deliver = false }: { readonly deliver?: boolean } = {},
): Promise<number> {
  const index = elasticSinkIndex(flags.sink);
  if (index === undefined) throw new UsageError(`--sink ${flags.sink} is not an Elasticsearch sink`);
  const conn = await openElastic(flags, io);
  const failed = new AbortController();
  let deadLettered = 0;
  const sink = createElasticSink(conn, {
    alertIndex: index,
    onDeadLetter: (d) => {
      deadLettered++;
      io.stderr.write(`npswatch: elastic: dead-lettered ${d.index}/${d.id}: ${d.reason}\n`);
    },
  });
  const tee = new SinkTee(
    io.stdout as Writable,
    { writeDocument: (doc) => sink.writeDocument(index, alertId(doc), { ...doc }), flush: () => sink.flush() },
    deliver,
    () => failed.abort(),
  );
  let code: number;
  let failure: unknown;
  try {
    code = await run({ ...io, stdout: tee }, failed.signal);
  } finally {
    await new Promise<void>((resolve) => tee.end(resolve));
    failure = tee.failure;
    try {
      const s = await sink.close();
      await write(
        io.stderr,
        `npswatch: elastic: ${s.successful} alerts indexed into ${index}, ${s.duplicates} already there, ${deadLettered} dead-lettered\n`,
      );
    } catch (err) {
      failure ??= err;
    } finally {
      await conn.close();
    }
  }
  if (failure !== undefined) {
    if (!isElasticError(failure)) throw failure;
    await write(io.stderr, `npswatch: elastic: ${failure.message}\n${failure.hint ? `hint: ${failure.hint}\n` : ''}`);
    return EXIT.failure;
  }
  return code;
}
