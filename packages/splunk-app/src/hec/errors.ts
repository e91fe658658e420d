/**
 * Errors of the HEC client. Each has a stable `code` to branch on (never the message), says whether a retry can
 * help, and is built only from the status, the HEC reply code and the URL without credentials: no header, query
 * string or request body ever reaches a message, so the token cannot leak into logs.
 */

export type HecErrorCode =
  | 'HEC_TOKEN_DISABLED'
  | 'HEC_TOKEN_REQUIRED'
  | 'HEC_INVALID_AUTHORIZATION'
  | 'HEC_INVALID_TOKEN'
  | 'HEC_NO_DATA'
  | 'HEC_INVALID_DATA_FORMAT'
  | 'HEC_INCORRECT_INDEX'
  | 'HEC_INTERNAL_ERROR'
  | 'HEC_SERVER_BUSY'
  | 'HEC_CHANNEL_MISSING'
  | 'HEC_INVALID_CHANNEL'
  | 'HEC_EVENT_FIELD_REQUIRED'
  | 'HEC_EVENT_FIELD_BLANK'
  | 'HEC_ACK_DISABLED'
  | 'HEC_INDEXED_FIELDS_ERROR'
  | 'HEC_QUERY_STRING_AUTH_DISABLED'
  | 'HEC_UNHEALTHY'
  | 'HEC_TOO_MANY_REQUESTS'
  | 'HEC_HTTP_ERROR'
  | 'HEC_CONNECTION'
  | 'HEC_TIMEOUT'
  | 'HEC_TLS'
  | 'HEC_CONFIG'
  | 'HEC_CLOSED'
  | 'HEC_UNDELIVERED';

interface ReplyCode {
  readonly code: HecErrorCode;
  readonly text: string;
  readonly hint?: string;
}

const TOKEN_HINT = 'check the HEC token (NPSWATCH_HEC_TOKEN) and that it is enabled in Splunk';

/** Splunk's HEC reply codes (docs: "Troubleshoot HTTP Event Collector"), the ones a client can act on. */
const REPLY_CODES: Readonly<Record<number, ReplyCode>> = {
  1: { code: 'HEC_TOKEN_DISABLED', text: 'the HEC token is disabled', hint: TOKEN_HINT },
  2: { code: 'HEC_TOKEN_REQUIRED', text: 'the collector requires a token', hint: TOKEN_HINT },
  3: { code: 'HEC_INVALID_AUTHORIZATION', text: 'invalid authorization', hint: TOKEN_HINT },
  4: { code: 'HEC_INVALID_TOKEN', text: 'the collector refused the token (invalid token)', hint: TOKEN_HINT },
  5: { code: 'HEC_NO_DATA', text: 'no data in the request' },
  6: { code: 'HEC_INVALID_DATA_FORMAT', text: 'invalid data format' },
  7: {
    code: 'HEC_INCORRECT_INDEX',
    text: 'incorrect index',
    hint: "the index must exist and be in the token's allowed indexes",
  },
  8: { code: 'HEC_INTERNAL_ERROR', text: 'internal server error in the collector' },
  9: { code: 'HEC_SERVER_BUSY', text: 'the collector is busy' },
  10: { code: 'HEC_CHANNEL_MISSING', text: 'data channel is missing (the token has indexer acknowledgement on)' },
  11: { code: 'HEC_INVALID_CHANNEL', text: 'invalid data channel' },
  12: { code: 'HEC_EVENT_FIELD_REQUIRED', text: 'an event has no "event" field' },
  13: { code: 'HEC_EVENT_FIELD_BLANK', text: 'an event has a blank "event" field' },
  14: { code: 'HEC_ACK_DISABLED', text: 'indexer acknowledgement is disabled for this token' },
  15: { code: 'HEC_INDEXED_FIELDS_ERROR', text: 'error in handling indexed fields' },
  16: { code: 'HEC_QUERY_STRING_AUTH_DISABLED', text: 'query string authorization is not enabled' },
  18: { code: 'HEC_UNHEALTHY', text: 'the collector is unhealthy (queues are full)' },
  19: { code: 'HEC_UNHEALTHY', text: 'the collector is unhealthy (ack service unavailable)' },
};

export interface HecErrorDetails {
  readonly status?: number;
  readonly hecCode?: number;
  readonly retryable: boolean;
  /** Zero-based position of the event the collector rejected, for data errors in a batch. */
  readonly invalidEventNumber?: number;
  /** Server-requested delay before a retry (from `Retry-After`), in ms. */
  readonly retryAfterMs?: number;
  readonly hint?: string;
  /** The request may have reached the collector and been indexed (a timeout or a dropped connection mid-request). */
  readonly maybeDelivered?: boolean;
}

export class HecError extends Error {
  override readonly name = 'HecError';
  readonly code: HecErrorCode;
  readonly status: number | undefined;
  readonly hecCode: number | undefined;
  readonly retryable: boolean;
  readonly invalidEventNumber: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly hint: string | undefined;
  /** Whether the failed request may still have been indexed: sending it again may duplicate it. */
  readonly maybeDelivered: boolean;

  constructor(code: HecErrorCode, message: string, details: HecErrorDetails) {
    super(message);
    this.code = code;
    this.status = details.status;
    this.hecCode = details.hecCode;
    this.retryable = details.retryable;
    this.invalidEventNumber = details.invalidEventNumber;
    this.retryAfterMs = details.retryAfterMs;
    this.hint = details.hint;
    this.maybeDelivered = details.maybeDelivered ?? false;
  }
}

/** By stable code, not instanceof: module instances can differ (test loaders, duplicated installs). */
export function isHecError(err: unknown): err is HecError {
  return err instanceof Error && err.name === 'HecError' && typeof (err as { code?: unknown }).code === 'string';
}

/** `scheme://host:port/path` of a URL: no user info, no query string (where `?token=` would be). */
export function safeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

/** Whether a status (and HEC code) is worth retrying: busy, throttled, or a server-side failure. */
export function isRetryableStatus(status: number, hecCode?: number): boolean {
  if (hecCode === 9 || hecCode === 8 || hecCode === 18 || hecCode === 19) return true;
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** The error for a non-success HEC reply. `where` is the endpoint without credentials. */
export function replyError(
  where: string,
  status: number,
  reply: { readonly code?: number; readonly invalidEventNumber?: number },
  retryAfterMs?: number,
): HecError {
  const known = reply.code === undefined ? undefined : REPLY_CODES[reply.code];
  const retryable = isRetryableStatus(status, reply.code);
  if (known) {
    const at = reply.invalidEventNumber === undefined ? '' : ` (event ${reply.invalidEventNumber} of the batch)`;
    return new HecError(known.code, `${where}: ${known.text}${at} [HTTP ${status}, HEC code ${reply.code}]`, {
      status,
      hecCode: reply.code,
      retryable,
      invalidEventNumber: reply.invalidEventNumber,
      retryAfterMs,
      hint: known.hint,
    });
  }
  if (status === 429)
    return new HecError('HEC_TOO_MANY_REQUESTS', `${where}: too many requests [HTTP 429]`, {
      status,
      retryable,
      retryAfterMs,
    });
  if (status === 503)
    return new HecError('HEC_SERVER_BUSY', `${where}: service unavailable [HTTP 503]`, {
      status,
      retryable,
      retryAfterMs,
    });
  if (status === 401 || status === 403)
    return new HecError('HEC_INVALID_TOKEN', `${where}: authorization refused [HTTP ${status}]`, {
      status,
      retryable: false,
      hint: TOKEN_HINT,
    });
  const code = reply.code === undefined ? '' : `, HEC code ${reply.code}`;
  return new HecError('HEC_HTTP_ERROR', `${where}: unexpected reply [HTTP ${status}${code}]`, {
    status,
    hecCode: reply.code,
    retryable,
    retryAfterMs,
    // A gateway in front of the collector gave up waiting: the collector may have indexed the batch anyway.
    maybeDelivered: status === 502 || status === 504,
  });
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/** Failures before any byte of the request could reach the collector: sending again cannot duplicate. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The `code` of an error or of the first error in its `cause` chain that has one. */
function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e instanceof Error; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    e = (e as { cause?: unknown }).cause;
  }
  const top = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof top === 'string' ? top : undefined;
}

/**
 * A transport failure (no HTTP reply) as a HecError. Only the system/undici error code is kept: the original
 * error object is not attached, so nothing of the request can travel with it.
 */
export function transportError(where: string, err: unknown): HecError {
  const code = errorCode(err) ?? 'unknown';
  if (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))
    return new HecError('HEC_TLS', `${where}: TLS verification failed (${code})`, {
      retryable: false,
      hint: 'give the CA of the collector with --hec-ca, or fix its certificate; verification stays on by default',
    });
  const maybeDelivered = !NOT_SENT_CODES.has(code);
  if (TIMEOUT_CODES.has(code))
    return new HecError('HEC_TIMEOUT', `${where}: timed out (${code})`, { retryable: true, maybeDelivered });
  return new HecError('HEC_CONNECTION', `${where}: connection failed (${code})`, { retryable: true, maybeDelivered });
}
