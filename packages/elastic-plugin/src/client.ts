import { Client, SniffingTransport, type TransportOptions } from '@elastic/elasticsearch';

// The client's ESM entry does not export ClientOptions.
type ClientOptions = NonNullable<ConstructorParameters<typeof Client>[0]>;

import { type ElasticAuth, ElasticError, secretsOf, toElasticError } from './errors.js';

/** What the server is and has: setup and export decide by these, never by guessing from the version alone. */
export interface ServerInfo {
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  /** Module names from `GET _nodes` (`mapper-extras`, `x-pack-ilm`, `data-streams`, `ingest-common`, ...). */
  readonly modules: readonly string[];
  /** Ingest processor types the node offers. */
  readonly processors: readonly string[];
}

export interface ElasticConnectionOptions {
  /** `http(s)://host:port`; credentials in the URL are moved to `auth` and removed from the URL. */
  readonly url: string;
  readonly auth?: ElasticAuth;
  /** Per-request timeout in ms (default 30 000). */
  readonly requestTimeout?: number;
  /** Client-level retries of setup and query calls (default 2). The sink does its own retries. */
  readonly maxRetries?: number;
}

/** A client made for one server, what the server is, and the secrets to scrub from any error text. */
export interface ElasticConnection {
  readonly client: Client;
  readonly server: ServerInfo;
  readonly secrets: readonly string[];
  readonly close: () => Promise<void>;
}

/**
 * The major of the installed `@elastic/elasticsearch`: 8, the test server's (Maven Central's newest integ-test zip
 * is 8.19.21). A 9.x server answers it through REST API compatibility (`compatible-with=8`).
 */
const CLIENT_MAJOR = 8;

/** The client's media types pinned to a major: the server's, or the client's own when the server is newer. */
function transportFor(major: number): typeof SniffingTransport {
  const v = `compatible-with=${major}`;
  return class CompatibleTransport extends SniffingTransport {
    constructor(opts: TransportOptions) {
      super({
        ...opts,
        vendoredHeaders: {
          jsonContentType: `application/vnd.elasticsearch+json; ${v}`,
          ndjsonContentType: `application/vnd.elasticsearch+x-ndjson; ${v}`,
          accept: `application/vnd.elasticsearch+json; ${v},text/plain`,
        },
      });
    }
  };
}

function clientAuth(auth: ElasticAuth | undefined): ClientOptions['auth'] {
  if (auth === undefined) return undefined;
  if ('password' in auth) return { username: auth.username, password: auth.password };
  if ('bearer' in auth) return { bearer: auth.bearer };
  return { apiKey: auth.apiKey };
}

/** Splits `http://user:pass@host` into a clean URL and basic auth, so the URL can be shown and logged. */
export function parseElasticUrl(url: string, auth?: ElasticAuth): { url: string; auth?: ElasticAuth } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ElasticError('NPSWATCH_ES_CONFIG', 'invalid Elasticsearch URL', {}, 'use http(s)://host:port');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new ElasticError('NPSWATCH_ES_CONFIG', `unsupported URL scheme ${parsed.protocol}`, {}, 'use http or https');
  let found = auth;
  if (parsed.username || parsed.password) {
    found ??= { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
    parsed.username = '';
    parsed.password = '';
  }
  const clean = parsed.toString().replace(/\/$/, '');
  return found === undefined ? { url: clean } : { url: clean, auth: found };
}

interface NodesInfo {
  readonly nodes?: Record<
    string,
    {
      readonly version?: string;
      readonly modules?: readonly { readonly name?: string }[];
      readonly ingest?: { readonly processors?: readonly { readonly type?: string }[] };
    }
  >;
}

/** Version, modules and processors of the node answering (GET _nodes/_local, which every distribution has). */
export async function serverInfo(client: Client, secrets: readonly string[] = []): Promise<ServerInfo> {
  let body: NodesInfo;
  try {
    // Plain JSON media type: the probe must work before the server's major is known.
    body = await client.transport.request<NodesInfo>(
      {
        method: 'GET',
        path: '/_nodes/_local',
        querystring: { filter_path: 'nodes.*.version,nodes.*.modules.name,nodes.*.ingest.processors.type' },
      },
      { headers: { accept: 'application/json' } },
    );
  } catch (err) {
    throw toElasticError(err, 'connect', secrets);
  }
  const node = Object.values(body.nodes ?? {})[0];
  const version = node?.version;
  const match = version === undefined ? null : /^(\d+)\.(\d+)/.exec(version);
  if (!match || version === undefined)
    throw new ElasticError('NPSWATCH_ES_INCOMPATIBLE', 'connect: the server did not report a version');
  return {
    version,
    major: Number(match[1]),
    minor: Number(match[2]),
    modules: (node?.modules ?? []).flatMap((m) => (m.name ? [m.name] : [])).sort(),
    processors: (node?.ingest?.processors ?? []).flatMap((p) => (p.type ? [p.type] : [])).sort(),
  };
}

/**
 * Connects to Elasticsearch 8.x or 9.x: probes the server, then returns a client that speaks the 8.x API, natively
 * to an 8.x server and through REST API compatibility to a 9.x one. Errors are ElasticErrors without secrets.
 */
export async function connectElastic(options: ElasticConnectionOptions): Promise<ElasticConnection> {
  const { url, auth } = parseElasticUrl(options.url, options.auth);
  const secrets = secretsOf(auth);
  const base: ClientOptions = {
    node: url,
    auth: clientAuth(auth),
    requestTimeout: options.requestTimeout ?? 30_000,
    maxRetries: options.maxRetries ?? 2,
  };
  const probe = new Client({ ...base, maxRetries: 0 });
  let server: ServerInfo;
  try {
    server = await serverInfo(probe, secrets);
  } finally {
    await probe.close();
  }
  if (server.major < 8)
    throw new ElasticError(
      'NPSWATCH_ES_INCOMPATIBLE',
      `Elasticsearch ${server.version} is not supported`,
      {},
      'npswatch needs Elasticsearch 8.x or 9.x',
    );
  const client = new Client({ ...base, Transport: transportFor(Math.min(server.major, CLIENT_MAJOR)) });
  return elasticConnection(client, server, secrets, url);
}

/**
 * A connection that logs as `ElasticConnection <url> (<version>)`: util.inspect and JSON.stringify of the client
 * print its credentials, so neither is let through, and `secrets` is not enumerable.
 */
export function elasticConnection(
  client: Client,
  server: ServerInfo,
  secrets: readonly string[],
  url: string,
): ElasticConnection {
  const shown = `ElasticConnection ${url} (Elasticsearch ${server.version})`;
  const conn = { client, server, close: () => client.close() } as ElasticConnection;
  Object.defineProperty(conn, 'secrets', { value: secrets, enumerable: false });
  Object.defineProperty(conn, Symbol.for('nodejs.util.inspect.custom'), { value: () => shown, enumerable: false });
  Object.defineProperty(conn, 'toJSON', { value: () => shown, enumerable: false });
  return conn;
}
