import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import { isElasticSink } from '../elastic-connection.js';
import { EXIT, UsageError } from '../errors.js';
import { type Io, write } from '../io.js';

/** The environment variable that holds the HEC token: never a command-line argument (visible in `ps`). */
export const HEC_TOKEN_ENV = 'NPSWATCH_HEC_TOKEN';
const SCHEME = 'splunk-hec:';

/** Options `--sink` adds to a command; values as commander parses them. */
export interface SplunkSinkCliOptions {
  readonly sink?: string;
  readonly hecIndex?: string;
  readonly hecSpool?: string;
  readonly hecCa?: string;
  readonly hecInsecure?: boolean;
  readonly hecEndpoint?: 'event' | 'raw';
}

/** The sink options, for `.addOption()` on the commands that print NDJSON (classify, replay, watch). */
export function splunkSinkOptions(): Option[] {
  return [
    new Option(
      '--sink <spec>',
      `also send what is printed to a sink: ${SCHEME}URL (Splunk HTTP Event Collector; token in ${HEC_TOKEN_ENV}); replay and watch also take elastic[:INDEX] (alerts into Elasticsearch, default index npswatch-alerts)`,
    ),
    new Option('--hec-index <index>', 'Splunk index for --sink splunk-hec (default: the token’s default index)'),
    new Option(
      '--hec-spool <dir>',
      'keep events on disk while the collector is unreachable, send them when it is back',
    ),
    new Option('--hec-ca <file>', 'PEM CA certificate(s) to verify the collector with'),
    new Option('--hec-insecure', 'do not verify the collector’s TLS certificate (testing only)'),
    new Option('--hec-endpoint <endpoint>', 'HEC endpoint').choices(['event', 'raw']).default('event'),
  ];
}

/** Adds the sink options to the named subcommands (those whose stdout is NDJSON). */
export function addSplunkSinkOptions(program: Command, names: readonly string[]): void {
  for (const command of program.commands)
    if (names.includes(command.name())) for (const option of splunkSinkOptions()) command.addOption(option);
}

/** `splunk-hec:https://host:8088` → the collector URL; anything else is a usage error. */
export function parseSinkSpec(spec: string): string {
  if (!spec.startsWith(SCHEME)) {
    // Only replay and watch reach here with elastic[:INDEX] handled; classify prints events, which have their own
    // exactly-once path into Elasticsearch.
    const hint = isElasticSink(spec)
      ? 'classify sends events to Splunk only; index them into Elasticsearch with: npswatch elastic index FILES…'
      : `use --sink ${SCHEME}https://splunk.example.com:8088`;
    throw new UsageError(`unknown sink "${spec.split(':')[0]}"`, hint);
  }
  const url = spec.slice(SCHEME.length);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError('the --sink URL is not a valid URL', `use --sink ${SCHEME}https://splunk.example.com:8088`);
  }
  if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '')
    throw new UsageError(
      'the --sink URL must not contain credentials or a query string',
      `put the token in ${HEC_TOKEN_ENV}`,
    );
  return url;
}

/** How the tee hands printed documents to the sink (the subset of HecSink it uses). */
interface DocumentSink {
  writeDocument(doc: Readonly<Record<string, unknown>>): Promise<void>;
  flush(): Promise<void>;
}

/**
 * A stdout that also sends each NDJSON line to the sink. A chunk is passed on to the real stdout only after the
 * sink took its lines (and, with `deliver`, delivered or spooled them), so a slow collector slows the command
 * down through the ordinary stream backpressure instead of buffering without bound. A failed sink stops
 * sending and calls `onFailure`; the command keeps printing and the failure is reported at the end.
 */
export class SinkTee extends Writable {
  failure: unknown;
  private partial = '';

  constructor(
    private readonly out: Writable,
    private readonly sink: DocumentSink,
    private readonly deliver: boolean,
    private readonly onFailure: () => void = () => undefined,
  ) {
    super({ highWaterMark: 64 * 1024 });
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.forward(typeof chunk === 'string' ? chunk : chunk.toString('utf8'), false).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.forward('', true).then(() => callback(), callback);
  }

  private async forward(text: string, final: boolean): Promise<void> {
    const lines = (this.partial + text).split('\n');
    this.partial = final ? '' : (lines.pop() ?? '');
    if (this.failure === undefined) {
      try {
        let sent = false;
        for (const line of lines) {
          if (line.trim() === '') continue;
          await this.sink.writeDocument(JSON.parse(line) as Record<string, unknown>);
          sent = true;
        }
        if (sent && this.deliver) await this.sink.flush();
      } catch (err) {
        this.failure = err;
        this.onFailure();
      }
    }
    if (text !== '') await write(this.out, text);
  }
}

function hecFailure(err: unknown): { message: string; hint?: string } | undefined {
  if (!(err instanceof Error) || err.name !== 'HecError') return undefined;
  const hint = (err as { hint?: unknown }).hint;
  return { message: err.message, ...(typeof hint === 'string' ? { hint } : {}) };
}

/**
 * Runs a command with `--sink splunk-hec:URL`: what it prints to stdout is also sent to the collector. Without
 * `--sink`, runs it unchanged. `deliver` (watch) waits for each write to be delivered or spooled before the
 * command goes on, so a checkpoint never covers alerts still in memory. Returns the command's exit code, or
 * EXIT.failure when the sink failed (the message says why, never with the token).
 */
export async function withSplunkSink(
  options: SplunkSinkCliOptions,
  io: Io,
  run: (io: Io, failed: AbortSignal) => Promise<number>,
  { deliver = false }: { readonly deliver?: boolean } = {},
): Promise<number> {
  const failed = new AbortController();
  if (options.sink === undefined) return run(io, failed.signal);
  const url = parseSinkSpec(options.sink);
  const token = io.env[HEC_TOKEN_ENV];
  if (token === undefined || token === '')
    throw new UsageError(`--sink ${SCHEME} needs the HEC token in ${HEC_TOKEN_ENV}`, `export ${HEC_TOKEN_ENV}=<token>`);
  let ca: string | undefined;
  if (options.hecCa !== undefined) {
    try {
      ca = await readFile(options.hecCa, 'utf8');
    } catch {
      throw new UsageError(`cannot read --hec-ca ${options.hecCa}`);
    }
  }
  const { HecSink, isHecError } = await import('@npswatch/splunk-app');
  const warn = (m: string) => io.stderr.write(`npswatch: splunk-hec: ${m}\n`);
  let sink: InstanceType<typeof HecSink>;
  try {
    sink = new HecSink({
      transport: {
        url,
        token,
        tls: { rejectUnauthorized: options.hecInsecure !== true, ...(ca === undefined ? {} : { ca }) },
      },
      endpoint: options.hecEndpoint ?? 'event',
      ...(options.hecIndex === undefined ? {} : { index: options.hecIndex }),
      ...(options.hecSpool === undefined ? {} : { spool: { dir: options.hecSpool } }),
      onWarning: warn,
    });
  } catch (err) {
    if (isHecError(err)) throw new UsageError(err.message, err.hint);
    throw err;
  }
  if (options.hecInsecure === true) warn('TLS certificate verification is off (--hec-insecure)');
  try {
    const health = await sink.health();
    if (!health.healthy) warn(`the collector reports: ${health.text} (HTTP ${health.status})`);
  } catch (err) {
    warn(`${err instanceof Error ? err.message : String(err)}; sending anyway`);
  }

  // A failed sink stops a command that would otherwise run forever (watch).
  const tee = new SinkTee(io.stdout as Writable, sink, deliver, () => failed.abort());
  let code: number;
  try {
    code = await run({ ...io, stdout: tee }, failed.signal);
  } finally {
    await new Promise<void>((resolve) => tee.end(resolve));
  }
  let failure = tee.failure;
  try {
    await sink.close();
  } catch (err) {
    failure ??= err;
  }
  const s = sink.stats;
  await write(
    io.stderr,
    `npswatch: splunk-hec: ${s.delivered} events delivered${s.acknowledged > 0 ? ` (${s.acknowledged} acknowledged)` : ''}` +
      `${s.spoolBatches > 0 ? `, ${s.spoolBatches} batches left in the spool` : ''}${s.dropped > 0 ? `, ${s.dropped} rejected` : ''}\n`,
  );
  if (failure !== undefined) {
    const hec = hecFailure(failure);
    if (!hec) throw failure;
    await write(io.stderr, `npswatch: splunk-hec: ${hec.message}\n${hec.hint ? `hint: ${hec.hint}\n` : ''}`);
    return EXIT.failure;
  }
  return code;
}
