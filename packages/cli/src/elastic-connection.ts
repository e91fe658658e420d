import type { ElasticAuth, ElasticConnection } from '@npswatch/elastic-plugin';
import type { Command } from 'commander';
import { EXIT, UsageError } from './errors.js';
import { type Io, write } from './io.js';

// Kept apart from commands/elastic.ts so `watch` can offer the same flags without loading the Elasticsearch client
// until a command actually connects.

/** Whether a `--sink` names Elasticsearch (`elastic` or `elastic:INDEX`), told without loading the client. */
export const isElasticSink = (spec: string | undefined): spec is string =>
  spec === 'elastic' || spec?.startsWith('elastic:') === true;

/** Connection flags of every command that talks to Elasticsearch. Secrets come from the environment or flags. */
export interface ConnectionFlags {
  readonly url?: string;
  readonly username?: string;
  readonly passwordEnv?: string;
  readonly apiKey?: string;
  readonly apiKeyEnv?: string;
}

const ENV = {
  url: 'ELASTIC_URL',
  username: 'ELASTIC_USERNAME',
  password: 'ELASTIC_PASSWORD',
  apiKey: 'ELASTIC_API_KEY',
};

/** Adds the connection flags to a command. */
export function connectionOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', `Elasticsearch URL (default: $${ENV.url})`)
    .option('--username <name>', `user for basic auth (default: $${ENV.username}, else elastic)`)
    .option('--password-env <var>', `environment variable holding the password (default ${ENV.password})`)
    .option('--api-key <key>', 'API key, encoded (visible in process lists: prefer --api-key-env)')
    .option('--api-key-env <var>', `environment variable holding the encoded API key (default ${ENV.apiKey})`);
}

/** Reads a secret from the environment; a named but empty variable is a usage error (naming the variable only). */
function fromEnv(io: Io, name: string, what: string): string {
  const value = io.env[name];
  if (value === undefined || value === '') throw new UsageError(`${what}: environment variable ${name} is not set`);
  return value;
}

/** Explicit flags first, then the conventional variables; an API key wins over a password. */
export function resolveAuth(flags: ConnectionFlags, io: Io): ElasticAuth | undefined {
  if (flags.apiKey !== undefined) return { apiKey: flags.apiKey };
  if (flags.apiKeyEnv !== undefined) return { apiKey: fromEnv(io, flags.apiKeyEnv, '--api-key-env') };
  const username = flags.username ?? io.env[ENV.username] ?? 'elastic';
  if (flags.passwordEnv !== undefined) return { username, password: fromEnv(io, flags.passwordEnv, '--password-env') };
  if (io.env[ENV.apiKey]) return { apiKey: io.env[ENV.apiKey]! };
  if (io.env[ENV.password]) return { username, password: io.env[ENV.password]! };
  if (flags.username !== undefined)
    throw new UsageError(`--username needs a password: set ${ENV.password} or name a variable with --password-env`);
  return undefined;
}

/** Connects with the flags (URL from `--url` or the environment); the client is loaded only now. */
export async function openElastic(flags: ConnectionFlags, io: Io): Promise<ElasticConnection> {
  const url = flags.url ?? io.env[ENV.url];
  if (!url) throw new UsageError(`no Elasticsearch URL: give --url or set ${ENV.url}`);
  const auth = resolveAuth(flags, io);
  const { connectElastic } = await import('@npswatch/elastic-plugin');
  return connectElastic({ url, auth });
}

interface ElasticErrorLike {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

/** As the plugin's isElasticError, without loading the plugin: by name and code, never instanceof. */
function isElasticErrorLike(err: unknown): err is ElasticErrorLike {
  return err instanceof Error && err.name === 'ElasticError' && typeof (err as { code?: unknown }).code === 'string';
}

/**
 * Runs a command that may talk to Elasticsearch: bad options (`NPSWATCH_ES_CONFIG`) become usage errors, any other
 * plugin error ends it with exit 1 and its message and hint (the plugin scrubs secrets from both).
 */
export async function withElasticErrors(io: Io, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if (!isElasticErrorLike(err)) throw err;
    if (err.code === 'NPSWATCH_ES_CONFIG') throw new UsageError(err.message, err.hint);
    await write(io.stderr, `npswatch: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
    return EXIT.failure;
  }
}
