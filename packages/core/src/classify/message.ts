/**
 * Grammar of the extension's messages, derived from the verbatim examples (docs/formats.md):
 *
 *   NPS Extension for <product>[ (<state>)]:<1-2 spaces>[CID: <cid> :<0-1 space>]<body>
 *
 * <product> is "Azure MFA" in every captured log; "Azure AD MFA" and "Microsoft Entra multifactor authentication"
 * appear in the docs, so all three are accepted. Bodies are matched by a table of patterns, first match wins.
 */

/** Which body shape a message has. */
export type MessageShape =
  | 'challenge'
  | 'rejected'
  | 'accepted'
  | 'exception'
  | 'error-code'
  | 'warning-token'
  | 'ignored-state'
  | 'not-an-error'
  | 'free-text';

export interface ParsedMessage {
  readonly shape: MessageShape;
  /** True when the text starts with one of the product prefixes. */
  readonly prefixed: boolean;
  readonly correlationId?: string;
  readonly user?: string;
  /** Extension error code (`ESTS_TOKEN_ERROR`), MFA service response (`UserNotFound`) or warning token. */
  readonly code?: string;
  /** Text after `Msg::` / `and message:` / `::` (first occurrence), trimmed. */
  readonly detail?: string;
  /** AccessReject / AccessChallenge of "ignoring request" lines; `state` guid of challenge lines. */
  readonly radiusState?: string;
  readonly challengeState?: string;
  /** The CID repeated after `ErrorCode:: CID :` (may differ from the outer one or be malformed). */
  readonly innerCorrelationId?: string;
  readonly traceId?: string;
  readonly stsCorrelationId?: string;
}

const PREFIX =
  /^\s*NPS Extension for (?:Azure MFA|Azure AD MFA|Microsoft Entra multifactor authentication|Microsoft Entra MFA)(?: \((AccessReject|AccessChallenge)\))?\s*:\s*/i;
const COMMON_PREFIX = 'NPS Extension for Azure MFA:';
/** A RegExpExecArray-like result for the common prefix, including the spaces after it. */
function commonPrefixMatch(text: string): [string, undefined] {
  let end = COMMON_PREFIX.length;
  while (text.charCodeAt(end) === 32) end++;
  return [text.slice(0, end), undefined];
}
// The CID may be malformed in redacted logs, so take any run of non-space characters.
const CID = /^CID:\s*(\S+)\s*:\s*/i;
const ERROR_CODE_TOKEN = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

/** What a body pattern yields; always all members, so every result shares one object shape. */
interface Parts {
  readonly user: string | undefined;
  readonly code: string | undefined;
  readonly detail: string | undefined;
  readonly innerCorrelationId: string | undefined;
  readonly radiusState: string | undefined;
  readonly challengeState: string | undefined;
}
const parts = (p: Partial<Parts>): Parts => ({
  user: p.user,
  code: p.code,
  detail: p.detail,
  innerCorrelationId: p.innerCorrelationId,
  radiusState: p.radiusState,
  challengeState: p.challengeState,
});

interface BodyRule {
  readonly shape: MessageShape;
  /** Lower-case literal the body must start with: a cheap test that spares the regex on most messages. */
  readonly lead?: string;
  readonly pattern: RegExp;
  readonly pick: (m: RegExpMatchArray) => Parts;
}

// Order matters: specific shapes before the generic `X:: ErrorCode::` and `TOKEN::` ones.
const BODY_RULES: readonly BodyRule[] = [
  {
    shape: 'challenge',
    lead: 'challenge requested',
    pattern:
      /^Challenge requested in Authentication Ext(?:ension)? for (?:the )?User\s+(.+?)(?:\s+with state\s+(\S+?))?\.?\s*$/s,
    pick: (m) => parts({ user: m[1], challengeState: m[2] }),
  },
  {
    shape: 'rejected',
    lead: 'access rejected',
    pattern: /^Access Rejected for user\s+(.+?)\s+with Azure MFA response:\s*(\S+?)(?:\s+and message:\s*([\s\S]*))?$/i,
    pick: (m) => parts({ user: m[1], code: m[2], detail: m[3]?.trim() }),
  },
  {
    shape: 'accepted',
    lead: 'access accepted',
    pattern:
      /^Access Accepted for user\s+(.+?)(?:\s+with Azure MFA response:\s*(\S+?))?(?:\s+and message:\s*([\s\S]*))?\.?\s*$/i,
    pick: (m) => parts({ user: m[1], code: m[2], detail: m[3]?.trim() }),
  },
  {
    shape: 'exception',
    lead: 'exception in',
    pattern:
      /^Exception in Authentication Ext(?:ension)? for User\s+(.+?)\s*::\s*ErrorCode::\s*(?:CID\s*:\s*(\S+)\s+)?([A-Za-z][\w]*)\s*(?:Msg::\s*([\s\S]*))?$/i,
    pick: (m) => parts({ user: m[1], innerCorrelationId: m[2], code: m[3], detail: m[4]?.trim() }),
  },
  {
    shape: 'ignored-state',
    pattern:
      /only performs Secondary Auth for Radius requests? in AccessAccept State\.\s*Request received for User\s+(.+?)\s+with response state\s+(\w+),?\s*ignoring request/i,
    pick: (m) => parts({ user: m[1], radiusState: m[2] }),
  },
  {
    shape: 'error-code',
    pattern: /^([\s\S]*?)::\s*ErrorCode::\s*(?:CID\s*:\s*(\S+)\s+)?([A-Za-z][\w]*)\s*(?:Msg::\s*([\s\S]*))?$/i,
    pick: (m) => parts({ innerCorrelationId: m[2], code: m[3], detail: (m[4] ?? m[1])?.trim() }),
  },
  {
    shape: 'warning-token',
    pattern: /^([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\s*::\s*([\s\S]*)$/,
    pick: (m) => parts({ code: m[1], detail: m[2]?.trim() }),
  },
  {
    shape: 'not-an-error',
    pattern: /This is not an error\.?\s*$/i,
    pick: () => parts({}),
  },
];

const TRACE_ID = /Trace ID:\s*([0-9a-f-]{36})/i;
const STS_CORRELATION_ID = /Correlation ID:\s*([0-9a-f-]{36})/i;
// A bare code token elsewhere in free text ("... ErrorCode:: X", "Error code: X", a REQUEST_FORMAT_ERROR line).
const EMBEDDED_CODE = /\bErrorCode::?\s*(?:CID\s*:\s*\S+\s+)?([A-Za-z]\w+)/;

/** Splits an extension message into its parts. Never throws; unknown shapes come back as `free-text`. */
export function parseMessage(text: string): ParsedMessage {
  let rest = text;
  let radiusFromPrefix: string | undefined;
  // Every captured log uses this exact prefix: a startsWith spares the alternation regex.
  const prefix = text.startsWith(COMMON_PREFIX) ? commonPrefixMatch(text) : PREFIX.exec(rest);
  if (prefix) {
    radiusFromPrefix = prefix[1];
    rest = rest.slice(prefix[0].length);
  }
  let correlationId: string | undefined;
  const cid = CID.exec(rest);
  if (cid) {
    correlationId = cid[1];
    rest = rest.slice(cid[0].length);
  }
  const prefixed = prefix !== null;
  const head = rest.slice(0, 20).toLowerCase();
  for (const rule of BODY_RULES) {
    if (rule.lead !== undefined && !head.startsWith(rule.lead)) continue;
    const m = rule.pattern.exec(rest);
    if (m) return result(rule.shape, prefixed, correlationId, rule.pick(m), radiusFromPrefix, rest);
  }
  const embedded = EMBEDDED_CODE.exec(rest);
  return result('free-text', prefixed, correlationId, parts({ code: embedded?.[1] }), radiusFromPrefix, rest);
}

function result(
  shape: MessageShape,
  prefixed: boolean,
  correlationId: string | undefined,
  p: Parts,
  radiusFromPrefix: string | undefined,
  body: string,
): ParsedMessage {
  // Only eSTS errors carry Trace ID / Correlation ID lines; skip both regexes for everything else.
  const traced = body.includes('ID:');
  return {
    shape,
    prefixed,
    correlationId,
    user: p.user,
    code: p.code,
    detail: p.detail,
    radiusState: p.radiusState ?? radiusFromPrefix,
    challengeState: p.challengeState,
    innerCorrelationId: p.innerCorrelationId,
    traceId: traced ? TRACE_ID.exec(body)?.[1] : undefined,
    stsCorrelationId: traced ? STS_CORRELATION_ID.exec(body)?.[1] : undefined,
  };
}

/** A well-formed GUID (8-4-4-4-12 hex digits); a char loop because it runs once per event. */
export function isGuid(text: string): boolean {
  if (text.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = text.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  return true;
}

export function looksLikeErrorCode(text: string): boolean {
  return ERROR_CODE_TOKEN.test(text);
}
