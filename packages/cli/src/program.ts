import {
  assertTimeZone,
  FORMAT_IDS,
  type FormatId,
  type Lang,
  type Partition,
  parsePartition,
  VERSION,
} from '@npswatch/core';
import { Argument, Command, CommanderError, Option } from 'commander';
import type { ReplayOptions } from './commands/replay.js';
import type { ReportCommandOptions } from './commands/report.js';
import { addSplunkSinkOptions, type SplunkSinkCliOptions } from './commands/splunk.js';
import type { ElasticWatchFlags } from './commands/watch-elastic.js';
import { type ConnectionFlags, connectionOptions, isElasticSink, withElasticErrors } from './elastic-connection.js';
import { UsageError } from './errors.js';
import { type Io, write } from './io.js';

const LANGS = ['en', 'ko'] as const;

/** What `inputOptions` gives an action. */
interface InputFlags {
  format: FormatId | 'auto';
  tz: string;
  lang: Lang;
  deadLetter?: string;
}

/** What `correlateOptions` gives an action. */
interface CorrelateFlags {
  correlate?: boolean;
  tolerance: string;
}

function partition(value: string): Partition {
  try {
    return parsePartition(value);
  } catch (err) {
    throw new UsageError(
      `--partition: ${(err as Error).message}`,
      'give K/N: this instance takes the K-th of N shares of the NPS servers',
    );
  }
}

/** `--partition K/N`, for the commands that run detection (replay, watch). */
const partitionOption = () =>
  new Option(
    '--partition <k/n>',
    'only the records of the K-th of N shares of the NPS servers (by server name): N instances split a deployment',
  ).argParser(partition);

function timeZone(value: string): string {
  try {
    return assertTimeZone(value);
  } catch {
    throw new UsageError(`unknown time zone "${value}"`, 'use an IANA name such as UTC, Europe/Berlin or Asia/Seoul');
  }
}

/** The `--sink` of the commands that print alerts: Elasticsearch (`elastic[:INDEX]`) or Splunk HEC, loaded lazily. */
async function alertSink(spec: string | undefined) {
  return isElasticSink(spec)
    ? (await import('./commands/watch-elastic.js')).withElasticSink
    : (await import('./commands/splunk.js')).withSplunkSink;
}

/** Options the program takes for its default action that most subcommands take as well. */
const SHARED_OPTIONS = [
  ['lang', '--lang'],
  ['tz', '--tz'],
  ['deadLetter', '--dead-letter'],
] as const;

/**
 * `npswatch --tz Europe/Berlin classify x.log`: with positional options, a flag before the command is the
 * program's. It is handed to the command (its own flag, if given too, wins), or refused where the command has no
 * such option, rather than silently ignored.
 */
function carryProgramOptions(program: Command, action: Command): void {
  if (action === program) return;
  for (const [key, flag] of SHARED_OPTIONS) {
    if (program.getOptionValueSource(key) !== 'cli') continue;
    if (!action.options.some((o) => o.attributeName() === key))
      throw new UsageError(
        `${flag} does not apply to "${commandPath(action)}"`,
        `options of a command go after it: npswatch ${commandPath(action)} --help lists them`,
      );
    if (action.getOptionValueSource(key) !== 'cli')
      action.setOptionValueWithSource(key, program.getOptionValue(key), 'cli');
  }
}

const commandPath = (c: Command): string => {
  const names: string[] = [];
  for (let at: Command | null = c; at?.parent; at = at.parent) names.unshift(at.name());
  return names.join(' ');
};

/**
 * The command tree. Commands load lazily inside their actions, so `npswatch --help` stays fast; each returns
 * an exit code that `main` hands to the process.
 */
export function createProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('npswatch')
    .description(
      'Classify and alert on NPS extension for Microsoft Entra MFA events (AuthNOptCh / AuthZOptCh / AuthZAdminCh)',
    )
    .version(VERSION)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride()
    // Options given after a subcommand belong to it (`explain X --lang ko`), not to the default action.
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)');

  const lang = () => new Option('--lang <lang>', 'language of causes and remediation').choices(LANGS).default('en');
  const tz = () =>
    new Option('--tz <zone>', 'IANA zone of timestamps written without offset').default('UTC').argParser(timeZone);
  const format = () => new Option('--format <format>', 'input format').choices(['auto', ...FORMAT_IDS]).default('auto');
  const deadLetter = () => new Option('--dead-letter <file>', 'append rejected records (NDJSON) to this file');
  const tolerance = () =>
    new Option(
      '--tolerance <duration>',
      'largest time difference between records of one request when correlating',
    ).default('5s');
  const timestampField = () =>
    new Option('--timestamp-field <path>', 'generic JSON input: dotted path of the event time (implies --format json)');
  /** The flags of the commands that read event files (they give `InputFlags`). */
  const inputOptions = (cmd: Command): Command =>
    cmd.addOption(format()).addOption(tz()).addOption(lang()).addOption(deadLetter());
  /** --correlate and --no-correlate, described with the command's own default, and --tolerance (`CorrelateFlags`). */
  const correlateOptions = (cmd: Command, on: string, off: string): Command =>
    cmd.option('--correlate', on).option('--no-correlate', off).addOption(tolerance());

  program
    .addOption(lang())
    .addOption(tz())
    .addOption(deadLetter())
    .hook('preAction', carryProgramOptions)
    .action(async (opts: { lang: Lang; tz: string; deadLetter?: string }) => {
      const { runSummary, bundledSamples, syntheticSample } = await import('./commands/summary.js');
      setExit(await runSummary(bundledSamples(), { ...opts, detectOn: [syntheticSample()] }, io));
    });

  program
    .command('classify')
    .description('classify events from files (or - for stdin) into ECS NDJSON on stdout')
    .argument('[inputs...]', 'input files; gzip and UTF-16 are detected; - reads stdin')
    .addOption(format())
    .addOption(tz())
    .addOption(lang())
    .option('--no-explain', 'leave cause and remediation out of each document')
    .addOption(timestampField())
    .addOption(deadLetter())
    .action(
      async (
        inputs: string[],
        opts: { explain: boolean; timestampField?: string } & InputFlags & SplunkSinkCliOptions,
      ) => {
        const { runClassify } = await import('./commands/classify.js');
        const { withSplunkSink } = await import('./commands/splunk.js');
        setExit(await withSplunkSink(opts, io, (out) => runClassify(inputs, opts, out)));
      },
    );

  const replay = program
    .command('replay')
    .description('run detection rules over recorded events and write alerts as NDJSON')
    .argument('[inputs...]', 'input files in any supported format (or npswatch classify output); - reads stdin')
    .option('--rules <files...>', 'rule files (YAML); default: the built-in pack')
    .option('--until <time>', 'close windows at this event time (ISO), so flatlines at the end are seen')
    .addOption(timestampField())
    .addOption(partitionOption());
  correlateOptions(
    inputOptions(replay),
    'join extension events with Security 6272/6273 and accounting records of the same request (default: on when extension and NPS logs are separate inputs)',
    'never correlate; several inputs are still merged by event time',
  );
  // The same connection flags as `npswatch elastic` (for --sink elastic).
  connectionOptions(replay).action(
    async (inputs: string[], opts: ReplayOptions & SplunkSinkCliOptions & ConnectionFlags) => {
      const { runReplay } = await import('./commands/replay.js');
      const withSink = await alertSink(opts.sink);
      setExit(await withElasticErrors(io, () => withSink(opts, io, (out) => runReplay(inputs, opts, out))));
    },
  );

  const report = program
    .command('report')
    .description('write one self-contained HTML report: events over time, top codes, servers, users, NAS, alerts')
    .argument('[inputs...]', 'input files in any supported format (or npswatch classify output); - reads stdin')
    .option('--out <file>', 'the HTML file to write (- for stdout)', 'report.html')
    .option('--rules <files...>', 'rule files (YAML) for the alert timeline; default: the built-in pack')
    .option('--until <time>', 'end the report at this event time (ISO): later events are left out')
    .addOption(timestampField());
  correlateOptions(
    inputOptions(report),
    'join extension events with Security 6272/6273 and accounting records (NAS and policy views)',
    'never correlate; several inputs are still merged by event time',
  )
    .option('--silence <duration>', 'list a server as silent after this long without an NPS record', '1h')
    .option('--min-repeats <n>', 'list users from this many non-error events on', '3')
    .option(
      '--pseudonymize',
      'show users as tokens (HMAC-SHA256 with the key in $NPSWATCH_PSEUDONYMIZE_KEY): same user, same token',
    )
    .option('--pseudonymize-key-env <var>', 'environment variable holding the pseudonymisation key')
    .action(async (inputs: string[], opts: ReportCommandOptions) => {
      const { runReport } = await import('./commands/report.js');
      setExit(await runReport(inputs, opts, io));
    });

  const doctor = program
    .command('doctor')
    .description('diagnose the NPS extension from its logs: what is wrong, worst first, with evidence and what to do')
    .argument(
      '[inputs...]',
      'input files in any supported format (extension, Security and accounting logs); - reads stdin',
    )
    .option('--json', 'write the findings as JSON for machines')
    .addOption(timestampField());
  correlateOptions(
    inputOptions(doctor),
    'join extension events with Security 6272/6273 and accounting records of the same request',
    'never correlate',
  ).action(
    async (inputs: string[], opts: { json?: boolean; timestampField?: string } & InputFlags & CorrelateFlags) => {
      const { runDoctor } = await import('./commands/doctor.js');
      setExit(await runDoctor(inputs, opts, io));
    },
  );

  const watchCommand = program
    .command('watch')
    .description(
      'follow files (or - for stdin) like tail -F, or an Elasticsearch index pattern (--source), and write alerts as NDJSON the moment they fire',
    )
    .argument('[inputs...]', 'input files to follow (they may not exist yet); - reads stdin')
    .option('--rules <files...>', 'rule files (YAML); default: the built-in pack')
    .option('--state <file>', 'resume from this file and checkpoint detector state and input offsets to it')
    .addOption(partitionOption());
  correlateOptions(
    inputOptions(watchCommand)
      .option('--idle-advance <duration>', 'while idle, advance event time with the clock this often (0: off)', '30s')
      .option('--checkpoint-interval <duration>', 'save --state this often (0: only on exit)', '10s'),
    'join extension events with Security 6272/6273 and accounting records of the same request (default: off)',
    'never correlate (the default for watch)',
  )
    .option(
      '--source <spec>',
      'also read new documents of an Elasticsearch index pattern (Winlogbeat / Elastic Agent): elastic:INDEX-PATTERN',
    )
    .option('--once', 'with --source: stop at the end of the current data instead of polling for more')
    .option('--source-page-size <n>', 'with --source: documents per search request', '1000')
    .option('--source-poll <duration>', 'with --source: pause between polls once the end is reached', '5s')
    .option(
      '--source-lookback <duration>',
      'with --source: look this far behind the newest document for late ones',
      '1m',
    )
    .option('--source-from <time>', 'with --source and no checkpoint: start at this event time (ISO), not the oldest');
  // The same connection flags as `npswatch elastic` (for --source and --sink elastic).
  connectionOptions(watchCommand).action(
    async (
      inputs: string[],
      opts: {
        rules?: string[];
        state?: string;
        idleAdvance: string;
        checkpointInterval: string;
      } & InputFlags &
        CorrelateFlags &
        ElasticWatchFlags &
        SplunkSinkCliOptions,
    ) => {
      const { runWatch, processShutdownSignal } = await import('./commands/watch.js');
      const shutdown = processShutdownSignal();
      try {
        // With --sink, each alert is delivered (or spooled) before watch goes on; a failed sink stops watching.
        const watch = (out: Io, failed: AbortSignal) =>
          runWatch(inputs, opts, out, { signal: AbortSignal.any([shutdown.signal, failed]) });
        const withSink = await alertSink(opts.sink);
        setExit(await withElasticErrors(io, () => withSink(opts, io, watch, { deliver: true })));
      } finally {
        shutdown.dispose();
      }
    },
  );

  program
    .command('explain')
    .description('show the cause and remediation of an error code')
    .argument('[code]', 'code as logged, e.g. ESTS_TOKEN_ERROR or UserNotFound')
    .addOption(lang())
    .option('--list', 'list every code in the catalog')
    .action(async (code: string | undefined, opts: { lang: Lang; list?: boolean }) => {
      const { runExplain, runExplainList } = await import('./commands/explain.js');
      if (opts.list || code === undefined) setExit(await runExplainList(io));
      else setExit(await runExplain(code, opts, io));
    });

  const rules = program.command('rules').description('import and check detection rule files');
  rules
    .command('import-elastalert')
    .description(
      'convert ElastAlert 2 rules into npswatch rule files and report what was mapped, approximated or ignored',
    )
    .argument('<inputs...>', 'ElastAlert rule files (YAML) or directories of them')
    .option('--out <dir>', 'write one npswatch rule file per input into this directory (default: one file on stdout)')
    .option('--compat', "write compat: elastalert where npswatch can reproduce ElastAlert's semantics (docs/rules.md)")
    .action(async (inputs: string[], opts: { out?: string; compat?: boolean }) => {
      const { runImportElastAlert } = await import('./commands/rules.js');
      setExit(await runImportElastAlert(inputs, opts, io));
    });
  rules
    .command('check')
    .description('validate npswatch rule files, naming each problem by file, rule and option')
    .argument('<files...>', 'rule files (YAML)')
    .action(async (files: string[]) => {
      const { runRulesCheck } = await import('./commands/rules.js');
      setExit(await runRulesCheck(files, io));
    });

  addSplunkSinkOptions(program, ['classify', 'replay', 'watch']);
  program
    .command('elastic')
    .description('Elasticsearch: setup, index, export (npswatch elastic --help)')
    .argument('[args...]')
    // The subcommands and their help live in commands/elastic.ts, loaded only when used.
    .helpOption(false)
    .allowUnknownOption()
    .action(async (args: string[]) => {
      const { runElastic } = await import('./commands/elastic.js');
      setExit(await runElastic(args, io));
    });

  program
    .command('completion')
    .description('print a shell completion script: source <(npswatch completion bash), or zsh, or fish')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      const { completionScript } = await import('./completion.js');
      // `elastic` keeps its subcommands in its own lazily loaded tree: graft them on for completion (this process
      // ends after printing, so the placeholder's routing no longer matters).
      const { elasticProgram } = await import('./commands/elastic.js');
      const placeholder = program.commands.find((c) => c.name() === 'elastic')!;
      for (const sub of elasticProgram(io, () => undefined).commands) placeholder.addCommand(sub);
      // Generated from this very program, so every command and option above is offered.
      await write(io.stdout, completionScript(program, shell));
      setExit(0);
    });

  return program;
}

export { CommanderError };
