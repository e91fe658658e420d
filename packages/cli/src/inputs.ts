import { createReadStream, createWriteStream, statSync, type WriteStream } from 'node:fs';
import {
  type ClassifiedEvent,
  classify,
  type FormatId,
  inPartition,
  type NpsRecord,
  type ParseIssue,
  type Partition,
  readBatches,
  type Telemetry,
} from '@npswatch/core';
import { UsageError } from './errors.js';
import { type Io, write } from './io.js';

/**
 * The inputs a command reads: the named ones, else stdin. Stdin at an interactive terminal is refused: a command
 * would sit waiting, or (after Ctrl-D) report on nothing as if the logs were clean.
 */
export function inputNames(inputs: readonly string[], io: Io): readonly string[] {
  if (inputs.length > 0) return inputs;
  if ((io.stdin as { isTTY?: boolean }).isTTY === true)
    throw new UsageError('no inputs', 'name the log files to read, or - to read stdin');
  return ['-'];
}

export interface InputOptions {
  readonly format?: FormatId | 'auto';
  readonly timeZone: string;
  /** Generic JSON input: the event time's dotted path (implies `--format json` unless another is named). */
  readonly timestampField?: string;
  /** Counts events in, classified (by category and code) and rejected; no-op without an OpenTelemetry SDK. */
  readonly telemetry?: Telemetry;
  /** Told the size of each chunk read from a file input (for a progress bar). */
  readonly onBytes?: (n: number) => void;
  /** Only records of this share of the NPS servers (`--partition`); the others are counted in `outside`. */
  readonly partition?: PartitionFilter;
}

/** `--partition K/N`: the records of other NPS servers are left out, and counted. */
export interface PartitionFilter {
  readonly partition: Partition;
  outside: number;
}

/** The records of `filter`'s partition (all of them without one); counts the others. */
export function inShare(records: readonly NpsRecord[], filter: PartitionFilter | undefined): readonly NpsRecord[] {
  if (filter === undefined) return records;
  const kept = records.filter((r) => inPartition(r.host, filter.partition));
  filter.outside += records.length - kept.length;
  return kept;
}

/** The summary line of a partitioned run. */
export const partitionSummary = (filter: PartitionFilter): string =>
  `npswatch: partition ${filter.partition.index}/${filter.partition.count}: ${filter.outside} records of other NPS servers left out`;

/** Where rejected records go: a dead-letter NDJSON file (optional) and a one-line message on stderr each. */
export interface RejectLog {
  count: number;
  readonly report: (issue: ParseIssue) => Promise<void>;
  readonly close: () => Promise<void>;
}

// Keep stderr readable on a badly broken file; the dead-letter file still gets every record.
const MAX_STDERR_REJECTS = 50;

export function createRejectLog(io: Io, deadLetterPath?: string): RejectLog {
  let file: WriteStream | undefined;
  const log: RejectLog = {
    count: 0,
    async report(issue) {
      log.count++;
      if (log.count <= MAX_STDERR_REJECTS) {
        const where = `${issue.file}:${issue.line}${issue.field ? ` (${issue.field})` : ''}`;
        await write(io.stderr, `npswatch: rejected ${where}: ${issue.reason}\n`);
      } else if (log.count === MAX_STDERR_REJECTS + 1) {
        await write(io.stderr, 'npswatch: more records rejected; see the dead-letter file and the final count\n');
      }
      if (deadLetterPath) {
        file ??= createWriteStream(deadLetterPath, { flags: 'a' });
        await write(file, `${JSON.stringify(issue)}\n`);
      }
    },
    async close() {
      if (file)
        await new Promise<void>((resolve, reject) =>
          file!.end((err?: Error | null) => (err ? reject(err) : resolve())),
        );
    },
  };
  return log;
}

/** Modification time of a file, the default event time for plain messages that carry none. */
function mtimeOf(path: string): number | undefined {
  try {
    return path === '-' ? undefined : statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** A file's bytes, counted as they are read (the reader detects gzip and UTF-16 from them as from the path). */
async function* countedBytes(path: string, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
    onBytes(chunk.length);
    yield chunk;
  }
}

/** Classified events of every input in turn (`-` = stdin), in batches; rejected records go to `rejects`. */
export async function* classifiedBatches(
  inputs: readonly string[],
  options: InputOptions,
  io: Io,
  rejects: RejectLog,
): AsyncGenerator<ClassifiedEvent[]> {
  for (const input of inputs) {
    const source =
      input === '-'
        ? (io.stdin as AsyncIterable<Uint8Array>)
        : options.onBytes
          ? countedBytes(input, options.onBytes)
          : input;
    const batches = readBatches(source, {
      name: input,
      format: options.timestampField && (options.format ?? 'auto') === 'auto' ? 'json' : options.format,
      timestampField: options.timestampField,
      timeZone: options.timeZone,
      defaultTime: mtimeOf(input) ?? Date.now(),
    });
    const t = options.telemetry;
    for await (const batch of batches) {
      for (const issue of batch.issues) await rejects.report(issue);
      if (batch.issues.length > 0) t?.eventsRejected.add(batch.issues.length);
      const records = inShare(batch.records, options.partition);
      if (records.length === 0) continue;
      t?.eventsIn.add(records.length);
      const events = records.map(classify);
      if (t) for (const e of events) t.recordClassified(e);
      yield events;
    }
  }
}
