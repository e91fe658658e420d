import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createDetector,
  createTelemetry,
  FORMAT_IDS,
  type FormatId,
  type Lang,
  type NotifyAlert,
  toEcs,
} from '@npswatch/core';
import {
  createElasticSink,
  dailyEventIndex,
  type ElasticSinkStats,
  EVENTS_DATA_STREAM,
  type EventsAs,
  elasticArtifacts,
  isElasticError,
  setup,
} from '@npswatch/elastic-plugin';
import { Command, CommanderError, Option } from 'commander';
import { type ConnectionFlags, connectionOptions, openElastic as open } from '../elastic-connection.js';
import { EXIT, UsageError } from '../errors.js';
import { classifiedBatches, createRejectLog, inputNames } from '../inputs.js';
import { type Io, write } from '../io.js';
import { alertDocument, rulesFrom } from './replay.js';

interface SetupFlags extends ConnectionFlags {
  readonly events: EventsAs;
  readonly shards?: string;
  readonly replicas?: string;
  readonly lifecyclePolicy?: string;
}

function count(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number, got "${text}"`);
  return n;
}

async function runSetup(flags: SetupFlags, io: Io): Promise<number> {
  const conn = await open(flags, io);
  try {
    const result = await setup(conn, {
      events: flags.events,
      ...(flags.shards === undefined ? {} : { shards: count(flags.shards, '--shards') }),
      ...(flags.replicas === undefined ? {} : { replicas: count(flags.replicas, '--replicas') }),
      ...(flags.lifecyclePolicy === undefined ? {} : { lifecyclePolicy: flags.lifecyclePolicy }),
    });
    let out = '';
    for (const a of result.actions) out += `${a.action.padEnd(9)} ${a.kind.replace('_', ' ')} ${a.name}\n`;
    for (const note of result.notes) out += `note: ${note}\n`;
    const tally = (what: string) => result.actions.filter((a) => a.action === what).length;
    out += `Elasticsearch ${result.server.version}: ${tally('created')} created, ${tally('updated')} updated, ${tally('unchanged')} unchanged\n`;
    await write(io.stdout, out);
    return EXIT.ok;
  } finally {
    await conn.close();
  }
}

interface IndexFlags extends ConnectionFlags {
  readonly format: FormatId | 'auto';
  readonly tz: string;
  readonly lang: Lang;
  readonly explain: boolean;
  readonly alerts: boolean;
  readonly rules?: string[];
  readonly events: EventsAs;
  readonly spool?: string;
  readonly deadLetterFile?: string;
  readonly deadLetter?: string;
  readonly concurrency?: string;
}

function describeStats(s: ElasticSinkStats): string {
  return (
    `${s.successful} indexed, ${s.duplicates} already there, ${s.failed} dead-lettered, ${s.spooled} spooled, ` +
    `${s.retry} retries`
  );
}

async function runIndex(inputs: readonly string[], flags: IndexFlags, io: Io): Promise<number> {
  const conn = await open(flags, io);
  const rejects = createRejectLog(io, flags.deadLetter);
  const detector = flags.alerts ? createDetector(await rulesFrom(flags.rules)) : undefined;
  let deadLettered = 0;
  const concurrency = count(flags.concurrency, '--concurrency');
  const sink = createElasticSink(conn, {
    ...(flags.events === 'data-stream' ? { eventIndex: () => EVENTS_DATA_STREAM } : { eventIndex: dailyEventIndex }),
    eventDocument: (e) => toEcs(e, { explain: flags.explain ? flags.lang : false }),
    alertDocument: (a) => alertDocument({ ...a, flapping: (a as Partial<NotifyAlert>).flapping ?? false }, flags.lang),
    ...(flags.spool === undefined ? {} : { spool: flags.spool }),
    ...(flags.deadLetterFile === undefined ? {} : { deadLetter: { file: flags.deadLetterFile } }),
    ...(concurrency === undefined ? {} : { concurrency }),
    onDeadLetter: (d) => {
      deadLettered++;
      if (deadLettered <= 20) io.stderr.write(`npswatch: dead-lettered ${d.index}/${d.id}: ${d.reason}\n`);
    },
  });
  let events = 0;
  let alerts = 0;
  try {
    for await (const batch of classifiedBatches(
      inputNames(inputs, io),
      { format: flags.format, timeZone: flags.tz, telemetry: createTelemetry() },
      io,
      rejects,
    )) {
      for (const event of batch) {
        await sink.write(event);
        events++;
        if (detector) {
          for (const alert of detector.push(event).alerts) {
            await sink.write(alert);
            alerts++;
          }
        }
      }
    }
    if (detector) {
      for (const alert of detector.finish().alerts) {
        await sink.write(alert);
        alerts++;
      }
    }
    const stats = await sink.close();
    await write(io.stderr, `npswatch: ${events} events, ${alerts} alerts: ${describeStats(stats)}\n`);
    if (stats.spooled > 0)
      await write(io.stderr, `npswatch: ${stats.spooled} documents wait in ${flags.spool}; the next run sends them\n`);
    return rejects.count > 0 || stats.failed > 0 ? EXIT.rejected : EXIT.ok;
  } finally {
    await rejects.close();
    await conn.close();
  }
}

async function runExport(flags: { out: string; events: EventsAs }, io: Io): Promise<number> {
  const files = await elasticArtifacts({ events: flags.events });
  await mkdir(flags.out, { recursive: true });
  for (const f of files) {
    const path = join(flags.out, f.name);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, f.content);
  }
  await write(io.stdout, `${files.map((f) => `wrote ${join(flags.out, f.name)}: ${f.description}\n`).join('')}`);
  return EXIT.ok;
}

/** The `npswatch elastic` command tree; `done` receives each action's exit code. Building it connects nowhere. */
export function elasticProgram(io: Io, done: (code: number) => void): Command {
  const events = () =>
    new Option('--events <as>', 'events as daily indices or one data stream')
      .choices(['indices', 'data-stream'])
      .default('indices');
  const program = new Command('npswatch elastic')
    .description('Elasticsearch: index templates, indexing events and alerts, Kibana and ingest artifacts')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  connectionOptions(
    program.command('setup').description('create or update npswatch index templates and the alerts index (idempotent)'),
  )
    .addOption(events())
    .option('--shards <n>', 'primary shards per index (default 1)')
    .option('--replicas <n>', 'replicas per index (default: the server default)')
    .option('--lifecycle-policy <name>', 'an existing ILM policy for event indices (where the server has ILM)')
    .action(async (flags: SetupFlags) => done(await runSetup(flags, io)));

  connectionOptions(
    program
      .command('index')
      .description('classify files (or - for stdin) and index the events, and with --alerts the alerts, exactly once')
      .argument('[inputs...]', 'input files in any supported format; - reads stdin'),
  )
    .addOption(new Option('--format <format>', 'input format').choices(['auto', ...FORMAT_IDS]).default('auto'))
    .option('--tz <zone>', 'IANA zone of timestamps written without offset', 'UTC')
    .addOption(new Option('--lang <lang>', 'language of causes and remediation').choices(['en', 'ko']).default('en'))
    .option('--no-explain', 'leave cause and remediation out of each document')
    .option('--alerts', 'run detection rules and index their alerts too')
    .option('--rules <files...>', 'rule files for --alerts (default: the built-in pack)')
    .addOption(events())
    .option('--spool <file>', 'keep documents here while Elasticsearch is unreachable, and send them when it is back')
    .option(
      '--dead-letter-file <file>',
      'documents Elasticsearch refuses go here (default: the npswatch-deadletter index)',
    )
    .option('--dead-letter <file>', 'append rejected input records (NDJSON) to this file')
    .option('--concurrency <n>', 'bulk requests in flight (default 2)')
    .action(async (inputs: string[], flags: IndexFlags) => done(await runIndex(inputs, flags, io)));

  program
    .command('export')
    .description('write the ingest pipeline, Kibana saved objects and Kibana rules (generated from the catalog)')
    .requiredOption('--out <dir>', 'output directory')
    .addOption(events())
    .action(async (flags: { out: string; events: EventsAs }) => done(await runExport(flags, io)));
  return program;
}

/**
 * `npswatch elastic setup|index|export`. Its own command tree, loaded only when `elastic` is run, so the
 * Elasticsearch client never slows other commands. Plugin errors are shown with their hint; none carries a secret.
 */
export async function runElastic(argv: readonly string[], io: Io): Promise<number> {
  let code: number = EXIT.ok;
  const program = elasticProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (isElasticError(err)) {
      if (err.code === 'NPSWATCH_ES_CONFIG') throw new UsageError(err.message, err.hint);
      await write(io.stderr, `npswatch: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
      return EXIT.failure;
    }
    throw err;
  }
}
