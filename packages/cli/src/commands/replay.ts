import {
  alertToJson,
  type ClassifiedEvent,
  createDetector,
  createTelemetry,
  entriesForCode,
  entryById,
  type FormatId,
  type Lang,
  loadBuiltinRules,
  loadRules,
  type NotifyAlert,
  type Partition,
  parseDuration,
  parseTimestamp,
  type RuleConfig,
  type Telemetry,
} from '@npswatch/core';
import { EXIT, UsageError } from '../errors.js';
import { createRejectLog, inputNames, type PartitionFilter, partitionSummary, type RejectLog } from '../inputs.js';
import { type Io, write } from '../io.js';
import { type CorrelateChoice, type ReplaySource, replaySource } from '../merge.js';
import { createProgress, type Progress } from '../progress.js';

export interface ReplayOptions {
  readonly rules?: readonly string[];
  readonly until?: string;
  readonly format: FormatId | 'auto';
  readonly timestampField?: string;
  readonly tz: string;
  readonly lang: Lang;
  readonly deadLetter?: string;
  /** `--correlate` / `--no-correlate`; undefined: on when extension and NPS logs are given as separate inputs. */
  readonly correlate?: CorrelateChoice;
  /** `--tolerance`, duration text (default 5s). */
  readonly tolerance?: string;
  /** `--partition K/N`: only the records of this share of the NPS servers. */
  readonly partition?: Partition;
}

/** Rule files given on the command line, or the built-in pack. Rule file errors are the user's to fix. */
export async function rulesFrom(files: readonly string[] | undefined): Promise<RuleConfig[]> {
  try {
    return files && files.length > 0 ? await loadRules(files) : await loadBuiltinRules();
  } catch (err) {
    if (err instanceof Error && err.name === 'RuleFileError') {
      // `--rules` takes every name after it, so `--rules a.yaml events.ndjson` reads the events as rules.
      const notYaml = (files ?? []).find((f) => !/\.ya?ml$/i.test(f) && err.message.includes(f));
      throw new UsageError(
        err.message,
        notYaml === undefined
          ? undefined
          : `${notYaml} was read as a rule file (--rules takes every name after it): put the inputs before --rules, or end the rule files with --`,
      );
    }
    throw err;
  }
}

/** An alert as NDJSON: the policy's JSON form plus what to do, from the catalog entry of its main code. */
export function alertDocument(alert: NotifyAlert, lang: Lang): Record<string, unknown> {
  const doc = alertToJson(alert);
  const code = alert.codes[0];
  const entryId = alert.sample.find((e: ClassifiedEvent) => e.code === code)?.entryId;
  const entry = (entryId ? entryById(entryId) : undefined) ?? (code ? entriesForCode(code)[0] : undefined);
  if (entry) {
    const nps = doc.npswatch as Record<string, unknown>;
    nps.context = {
      code: entry.code,
      category: entry.category,
      title: entry.title[lang],
      cause: entry.cause[lang],
      remediation: entry.remediation[lang],
      doc_url: entry.docUrl,
    };
  }
  return doc;
}

/** `--until` as epoch ms (undefined: not given); shared with report. */
export function parseUntil(text: string | undefined, tz: string): number | undefined {
  if (text === undefined) return undefined;
  const t = parseTimestamp(text, tz);
  if (t === undefined)
    throw new UsageError(`invalid --until "${text}"`, 'use an ISO time such as 2024-09-21T00:00:00Z');
  return t;
}

/** `--tolerance` as ms (undefined: the default); shared with watch. */
export function parseTolerance(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text);
  } catch {
    throw new UsageError(`invalid --tolerance "${text}"`, 'use a duration such as 5s or 1500ms');
  }
}

/**
 * The inputs of replay and report: several are merged by event time, and correlated (see merge.ts and
 * docs/correlation.md); each chunk read moves the progress bar.
 */
export function replayInputs(
  names: readonly string[],
  options: ReplayOptions,
  progress: Progress,
  rejects: RejectLog,
  tolerance: number | undefined,
  telemetry?: Telemetry,
  share?: PartitionFilter,
): Promise<ReplaySource> {
  return replaySource(
    names,
    {
      format: options.format,
      timeZone: options.tz,
      telemetry,
      timestampField: options.timestampField,
      onBytes: progress.onBytes,
      partition: share,
    },
    progress.io,
    rejects,
    { correlate: options.correlate, tolerance },
  );
}

/**
 * `npswatch replay`: runs rules over recorded events and writes alerts as NDJSON. Deterministic: event time only,
 * so the same input gives the same alerts however it is chunked; `--until` closes windows at that time.
 */
export async function runReplay(inputs: readonly string[], options: ReplayOptions, io: Io): Promise<number> {
  const until = parseUntil(options.until, options.tz);
  const tolerance = parseTolerance(options.tolerance);
  const telemetry = createTelemetry();
  const rules = await rulesFrom(options.rules);
  const names = inputNames(inputs, io);
  // A bar on stderr when it is a terminal; its io clears the bar before other messages.
  const progress = createProgress(io, names);
  const rejects = createRejectLog(progress.io, options.deadLetter);
  const share = options.partition && { partition: options.partition, outside: 0 };
  const source = await replayInputs(names, options, progress, rejects, tolerance, telemetry, share).catch(
    async (err: unknown) => {
      await rejects.close();
      throw err;
    },
  );
  const detector = createDetector(rules, { telemetry, allowedLateness: source.allowedLateness });
  let alerts = 0;
  let late = 0;
  const emit = async (list: readonly NotifyAlert[]) => {
    if (list.length === 0) return;
    alerts += list.length;
    await write(io.stdout, list.map((a) => `${JSON.stringify(alertDocument(a, options.lang))}\n`).join(''));
  };
  try {
    for await (const batch of source.batches) {
      progress.addEvents(batch.length);
      for (const event of batch) {
        if (until !== undefined && event.time > until) continue;
        const out = detector.push(event);
        if (out.late.length > 0) telemetry.eventsLate.add(out.late.length);
        late += out.late.length;
        await emit(out.alerts);
      }
    }
    const end = detector.finish(until);
    late += end.late.length;
    await emit(end.alerts);
  } finally {
    progress.end();
    await rejects.close();
  }
  const counts = detector.counts();
  const correlated = source.summary();
  if (correlated !== undefined) await write(io.stderr, `${correlated}\n`);
  if (share !== undefined) await write(io.stderr, `${partitionSummary(share)}\n`);
  await write(
    io.stderr,
    `npswatch: ${counts.events} events, ${alerts} alerts, ${late} late events, ${rejects.count} records rejected\n`,
  );
  return rejects.count > 0 ? EXIT.rejected : EXIT.ok;
}
