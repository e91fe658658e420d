/** Stable codes of the errors this package throws; callers branch on `code`, never on message text. */
export type ElasticErrorCode =
  /** 401/403: wrong or insufficient credentials. */
  | 'NPSWATCH_ES_AUTH'
  /** The server could not be reached (refused, reset, DNS, timeout). */
  | 'NPSWATCH_ES_CONNECTION'
  /** Any other error answer from the server. */
  | 'NPSWATCH_ES_RESPONSE'
  /** Not an Elasticsearch npswatch can talk to (version, product check, media type). */
  | 'NPSWATCH_ES_INCOMPATIBLE'
  /** Bad options (URL, auth, sizes). */
  | 'NPSWATCH_ES_CONFIG'
  /** write() after close(), or after the sink failed. */
  | 'NPSWATCH_ES_CLOSED'
  /** The rxjs adapter's bounded buffer overflowed: the source ignores backpressure. */
  | 'NPSWATCH_ES_OVERFLOW'
  /** The local spool file could not be written or read. */
  | 'NPSWATCH_ES_SPOOL';

export interface ElasticErrorDetails {
  /** HTTP status, when the server answered. */
  readonly status?: number;
  /** Elasticsearch error type (`security_exception`, `mapper_parsing_exception`, ...). */
  readonly type?: string;
  /** Documents not delivered when the error stopped a sink (they are in the spool file when one is set). */
  readonly unsent?: number;
}

/**
 * Every error of this package. It never carries the client's original error as `cause`: that object holds the
 * request (headers, body) and the connection, which is where credentials would leak from.
 */
export class ElasticError extends Error {
  override readonly name = 'ElasticError';
  readonly status?: number;
  readonly type?: string;
  readonly unsent?: number;
  constructor(
    readonly code: ElasticErrorCode,
    message: string,
    details: ElasticErrorDetails = {},
    readonly hint?: string,
  ) {
    super(message);
    if (details.status !== undefined) this.status = details.status;
    if (details.type !== undefined) this.type = details.type;
    if (details.unsent !== undefined) this.unsent = details.unsent;
  }
}

/** By stable code, not instanceof: module instances can differ (test loaders, duplicated installs). */
export function isElasticError(err: unknown): err is ElasticError {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string' && err.name === 'ElasticError';
}

/** Replaces every secret (and its base64 forms, as sent in Authorization headers) in a text. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    // Short strings would redact ordinary words; real secrets are longer.
    if (secret.length < 4) continue;
    out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** The secrets of an auth option, including the encoded forms a server or a proxy could echo back. */
export function secretsOf(auth: ElasticAuth | undefined): string[] {
  if (auth === undefined) return [];
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  if ('password' in auth) return [auth.password, b64(`${auth.username}:${auth.password}`)];
  if ('bearer' in auth) return [auth.bearer];
  if (typeof auth.apiKey === 'string') {
    const decoded = Buffer.from(auth.apiKey, 'base64').toString('utf8');
    const key = decoded.includes(':') ? decoded.slice(decoded.indexOf(':') + 1) : undefined;
    return key ? [auth.apiKey, key] : [auth.apiKey];
  }
  return [auth.apiKey.api_key, b64(`${auth.apiKey.id}:${auth.apiKey.api_key}`)];
}

/** How npswatch authenticates: an API key (encoded, or id + key), a user and password, or a bearer token. */
export type ElasticAuth =
  | { readonly apiKey: string | { readonly id: string; readonly api_key: string } }
  | { readonly username: string; readonly password: string }
  | { readonly bearer: string };

interface ClientErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly meta?: { readonly statusCode?: unknown; readonly body?: unknown };
}

/** Type and reason of an Elasticsearch error body, following `caused_by` one level for the useful part. */
export function errorReason(body: unknown): { type?: string; reason?: string } {
  const error = (body as { error?: unknown } | undefined)?.error;
  if (typeof error === 'string') return { reason: error };
  if (error === null || typeof error !== 'object') return {};
  const e = error as { type?: unknown; reason?: unknown; caused_by?: { type?: unknown; reason?: unknown } };
  const type = typeof e.type === 'string' ? e.type : undefined;
  let reason = typeof e.reason === 'string' ? e.reason : undefined;
  const cause = e.caused_by;
  if (cause && typeof cause.reason === 'string' && cause.reason !== reason)
    reason = reason ? `${reason}: ${cause.reason}` : cause.reason;
  return { ...(type === undefined ? {} : { type }), ...(reason === undefined ? {} : { reason }) };
}

const CONNECTION_ERRORS = new Set(['ConnectionError', 'TimeoutError', 'NoLivingConnectionsError']);

/** Whether a client error means the server was not reached (so the request may be sent again later). */
export function isConnectionFailure(err: unknown): boolean {
  const name = (err as ClientErrorShape | undefined)?.name;
  return typeof name === 'string' && CONNECTION_ERRORS.has(name);
}

/** HTTP status of a client `ResponseError`, if it is one. */
export function statusOf(err: unknown): number | undefined {
  const status = (err as ClientErrorShape | undefined)?.meta?.statusCode;
  // Connection errors carry statusCode 0.
  return typeof status === 'number' && status > 0 ? status : undefined;
}

/**
 * A client error as an ElasticError: status, type and reason kept, secrets scrubbed from the text, the original
 * (with its request headers) dropped. `action` says what was being done ("bulk", "setup: put template x").
 */
export function toElasticError(err: unknown, action: string, secrets: readonly string[]): ElasticError {
  if (isElasticError(err)) return err;
  const e = (err ?? {}) as ClientErrorShape;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const raw = typeof e.message === 'string' ? e.message : String(err);
  const status = statusOf(err);
  if (status !== undefined) {
    const { type, reason } = errorReason(e.meta?.body);
    const text = scrub(
      `${action}: Elasticsearch answered ${status}${type ? ` (${type})` : ''}: ${reason ?? raw}`,
      secrets,
    );
    if (status === 401 || status === 403) {
      return new ElasticError(
        'NPSWATCH_ES_AUTH',
        text,
        { status, ...(type ? { type } : {}) },
        status === 401
          ? 'check the user and password or the API key (they are not shown here)'
          : 'the credentials are valid but lack a privilege for this action',
      );
    }
    if (type === 'media_type_header_exception') {
      return new ElasticError(
        'NPSWATCH_ES_INCOMPATIBLE',
        text,
        { status, type },
        'create the client with connectElastic(), which matches the media type to the server version',
      );
    }
    return new ElasticError('NPSWATCH_ES_RESPONSE', text, { status, ...(type ? { type } : {}) });
  }
  if (CONNECTION_ERRORS.has(name)) {
    return new ElasticError('NPSWATCH_ES_CONNECTION', scrub(`${action}: ${name}: ${raw}`, secrets));
  }
  if (name === 'ProductNotSupportedError') {
    return new ElasticError('NPSWATCH_ES_INCOMPATIBLE', scrub(`${action}: ${raw}`, secrets));
  }
  return new ElasticError('NPSWATCH_ES_RESPONSE', scrub(`${action}: ${name}: ${raw}`, secrets));
}
