import { rename, writeFile } from 'node:fs/promises';
import { createDetector, type NotifyAlert, parseDuration, VERSION } from '@npswatch/core';
import { EXIT, UsageError } from '../errors.js';
import { createRejectLog, inputNames, type RejectLog } from '../inputs.js';
import { type Io, write } from '../io.js';
import { createProgress } from '../progress.js';
import { renderReportHtml } from '../report/html.js';
import { addAlertToReport, addToReport, createReportState, reportModel } from '../report/model.js';
import { createPseudonymizer, type Pseudonymizer } from '../report/pseudonym.js';
import { parseTolerance, parseUntil, type ReplayOptions, replayInputs, rulesFrom } from './replay.js';

/** The variable `--pseudonymize` reads its key from unless `--pseudonymize-key-env` names another. */
export const PSEUDONYMIZE_KEY_ENV = 'NPSWATCH_PSEUDONYMIZE_KEY';

/** Replay's options (inputs, rules, `--until`, correlation), and the report's own. */
export interface ReportCommandOptions extends ReplayOptions {
  readonly out?: string;
  readonly pseudonymize?: boolean;
  readonly pseudonymizeKeyEnv?: string;
  /** Duration text: a server quiet for longer is listed as silent (default 1h, as the server-silent rule). */
  readonly silence?: string;
  /** Users are listed from this many non-error events on (default 3). */
  readonly minRepeats?: string;
}

function duration(text: string, option: string): number {
  try {
    return parseDuration(text, option);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), 'use a duration such as 30m, 1h or 2h30m');
  }
}

function count(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`invalid ${option} "${text}"`, 'use a whole number of at least 1, e.g. 3');
  return n;
}

/** The key for `--pseudonymize`: only ever read from the environment, and never printed. */
function pseudonymizer(options: ReportCommandOptions, io: Io): Pseudonymizer | undefined {
  if (!options.pseudonymize) {
    if (options.pseudonymizeKeyEnv !== undefined)
      throw new UsageError('--pseudonymize-key-env needs --pseudonymize', 'add --pseudonymize');
    return undefined;
  }
  const name = options.pseudonymizeKeyEnv ?? PSEUDONYMIZE_KEY_ENV;
  const key = io.env[name];
  if (key === undefined || key === '')
    throw new UsageError(
      `--pseudonymize: environment variable ${name} is not set`,
      `set it to a secret kept for the next reports (the same key gives the same tokens), e.g. ${name}=$(openssl rand -hex 32)`,
    );
  return createPseudonymizer(key);
}

/** Rejected records per input, for the report's input table, on top of the usual reject log. */
function perInputRejects(log: RejectLog): RejectLog & { readonly byInput: Map<string, number> } {
  const byInput = new Map<string, number>();
  return {
    byInput,
    get count() {
      return log.count;
    },
    set count(n: number) {
      log.count = n;
    },
    async report(issue) {
      byInput.set(issue.file, (byInput.get(issue.file) ?? 0) + 1);
      await log.report(issue);
    },
    close: () => log.close(),
  };
}

/** Writes next to the target, then renames: a reader never sees half a report. */
async function writeReport(out: string, html: string, io: Io): Promise<void> {
  if (out === '-') {
    await write(io.stdout, html);
    return;
  }
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(tmp, html, 'utf8');
  await rename(tmp, out);
}

const size = (bytes: number) =>
  bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;

/**
 * `npswatch report`: reads the inputs like replay (merged by time, correlated when asked or when extension and NPS
 * logs are separate inputs), runs the rules, and writes one self-contained HTML page of aggregates and alerts.
 */
export async function runReport(inputs: readonly string[], options: ReportCommandOptions, io: Io): Promise<number> {
  const until = parseUntil(options.until, options.tz);
  const tolerance = parseTolerance(options.tolerance);
  const silenceMs = duration(options.silence ?? '1h', '--silence');
  const minRepeats = count(options.minRepeats ?? '3', '--min-repeats');
  const pseudonymize = pseudonymizer(options, io);
  const out = options.out ?? 'report.html';
  const rules = await rulesFrom(options.rules);
  const names = inputNames(inputs, io);
  const progress = createProgress(io, names);
  const rejects = perInputRejects(createRejectLog(progress.io, options.deadLetter));
  const state = createReportState({ silenceMs, minRepeats, pseudonymize, tz: options.tz });
  const addAlerts = (alerts: readonly NotifyAlert[]) => {
    for (const a of alerts) addAlertToReport(state, a);
  };
  let late = 0;
  let correlated = false;
  try {
    const source = await replayInputs(names, options, progress, rejects, tolerance);
    correlated = source.correlating;
    const detector = createDetector(rules, { allowedLateness: source.allowedLateness });
    for await (const batch of source.batches) {
      progress.addEvents(batch.length);
      for (const event of batch) {
        if (until !== undefined && event.time > until) continue;
        addToReport(state, event);
        const step = detector.push(event);
        late += step.late.length;
        addAlerts(step.alerts);
      }
    }
    const end = detector.finish(until);
    late += end.late.length;
    addAlerts(end.alerts);
  } finally {
    progress.end();
    await rejects.close();
  }
  const model = reportModel(state, {
    version: VERSION,
    generatedAt: Date.now(),
    tz: options.tz,
    lang: options.lang,
    inputs: names.map((name) => ({ name, rejected: rejects.byInput.get(name) ?? 0 })),
    late,
    correlated,
    until,
  });
  const html = renderReportHtml(model);
  await writeReport(out, html, io);
  const where = out === '-' ? 'the report' : out;
  await write(
    io.stderr,
    `npswatch: wrote ${where} (${size(Buffer.byteLength(html))}): ${model.totals.events} events, ${model.totals.alerts} alerts, ${late} late events, ${rejects.count} records rejected\n`,
  );
  return rejects.count > 0 ? EXIT.rejected : EXIT.ok;
}
