import { assertTimeZone, FORMAT_IDS, type FormatId, type Lang, VERSION } from '@npswatch/core';
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from './errors.js';
import type { Io } from './io.js';

const LANGS = ['en', 'ko'] as const;

function timeZone(value: string): string {
  try {
    return assertTimeZone(value);
  } catch {
    throw new UsageError(`unknown time zone "${value}"`, 'use an IANA name such as UTC, Europe/Berlin or Asia/Seoul');
  }
}

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

  program
    .addOption(lang())
    .addOption(tz())
    .option('--dead-letter <file>', 'append rejected records (NDJSON) to this file')
    .action(async (opts: { lang: Lang; tz: string; deadLetter?: string }) => {
      const { runSummary, bundledSamples, syntheticSample } = await import('./commands/summary.js');
      setExit(await runSummary(bundledSamples(), { ...opts, detectOn: [syntheticSample()] }, io));
    });

  program
    .command('classify')
    .description('classify events from files (or - for stdin) into ECS NDJSON on stdout')
    .argument('[inputs...]', 'input files; gzip and UTF-16 are detected; - reads stdin')
    .addOption(new Option('--format <format>', 'input format').choices(['auto', ...FORMAT_IDS]).default('auto'))
    .addOption(tz())
    .addOption(lang())
    .option('--no-explain', 'leave cause and remediation out of each document')
    .option('--timestamp-field <path>', 'generic JSON input: dotted path of the event time (implies --format json)')
    .option('--dead-letter <file>', 'append rejected records (NDJSON) to this file')
    .action(
      async (
        inputs: string[],
        opts: {
          format: FormatId | 'auto';
          tz: string;
          lang: Lang;
          explain: boolean;
          deadLetter?: string;
          timestampField?: string;
        },
      ) => {
        const { runClassify } = await import('./commands/classify.js');
        setExit(await runClassify(inputs, opts, io));
      },
    );

  program
    .command('replay')
    .description('run detection rules over recorded events and write alerts as NDJSON')
    .argument('[inputs...]', 'input files in any supported format (or npswatch classify output); - reads stdin')
    .option('--rules <files...>', 'rule files (YAML); default: the built-in pack')
    .option('--until <time>', 'close windows at this event time (ISO), so flatlines at the end are seen')
    .option('--timestamp-field <path>', 'generic JSON input: dotted path of the event time (implies --format json)')
    .addOption(new Option('--format <format>', 'input format').choices(['auto', ...FORMAT_IDS]).default('auto'))
    .addOption(tz())
    .addOption(lang())
    .option('--dead-letter <file>', 'append rejected records (NDJSON) to this file')
    .action(
      async (
        inputs: string[],
        opts: {
          rules?: string[];
          until?: string;
          timestampField?: string;
          format: FormatId | 'auto';
          tz: string;
          lang: Lang;
          deadLetter?: string;
        },
      ) => {
        const { runReplay } = await import('./commands/replay.js');
        setExit(await runReplay(inputs, opts, io));
      },
    );

  program
    .command('watch')
    .description('follow files (or - for stdin) like tail -F and write alerts as NDJSON the moment they fire')
    .argument('[inputs...]', 'input files to follow (they may not exist yet); - reads stdin')
    .option('--rules <files...>', 'rule files (YAML); default: the built-in pack')
    .option('--state <file>', 'resume from this file and checkpoint detector state and input offsets to it')
    .addOption(new Option('--format <format>', 'input format').choices(['auto', ...FORMAT_IDS]).default('auto'))
    .addOption(tz())
    .addOption(lang())
    .option('--dead-letter <file>', 'append rejected records (NDJSON) to this file')
    .option('--idle-advance <duration>', 'while idle, advance event time with the clock this often (0: off)', '30s')
    .option('--checkpoint-interval <duration>', 'save --state this often (0: only on exit)', '10s')
    .action(
      async (
        inputs: string[],
        opts: {
          rules?: string[];
          state?: string;
          format: FormatId | 'auto';
          tz: string;
          lang: Lang;
          deadLetter?: string;
          idleAdvance: string;
          checkpointInterval: string;
        },
      ) => {
        const { runWatch, processShutdownSignal } = await import('./commands/watch.js');
        const shutdown = processShutdownSignal();
        try {
          setExit(await runWatch(inputs, opts, io, { signal: shutdown.signal }));
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

  return program;
}

export { CommanderError };
