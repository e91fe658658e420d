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

// Literal spaces in these patterns are `\s+`: Get-WinEvent | Format-List wraps long messages at the console width,
// so a line break (and the next line's indent) may stand wherever the extension wrote one space.
const PREFIX =
  /^\s*NPS\s+Extension\s+for\s+(?:Azure\s+MFA|Azure\s+AD\s+MFA|Microsoft\s+Entra\s+multifactor\s+authentication|Microsoft\s+Entra\s+MFA)(?:\s+\((AccessReject|AccessChallenge)\))?\s*:\s*/i;
const COMMON_PREFIX = 'NPS Extension for Azure MFA:';
/** A RegExpExecArray-like result for the common prefix, including the spaces after it. */
function commonPrefixMatch(text: string): [string, undefined] {
  let end = COMMON_PREFIX.length;
  while (isSpace(text.charCodeAt(end))) end++;
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
      /^Challenge\s+requested\s+in\s+Authentication\s+Ext(?:ension)?\s+for\s+(?:the\s+)?User\s+(.+?)(?:\s+with\s+state\s+(\S+?))?\.?\s*$/s,
    pick: (m) => parts({ user: m[1], challengeState: m[2] }),
  },
  {
    shape: 'rejected',
    lead: 'access rejected',
    pattern:
      /^Access\s+Rejected\s+for\s+user\s+(.+?)\s+with\s+Azure\s+MFA\s+response:\s*(\S+?)(?:\s+and\s+message:\s*([\s\S]*))?$/i,
    pick: (m) => parts({ user: m[1], code: m[2], detail: m[3]?.trim() }),
  },
  {
    shape: 'accepted',
    lead: 'access accepted',
    pattern:
      /^Access\s+Accepted\s+for\s+user\s+(.+?)(?:\s+with\s+Azure\s+MFA\s+response:\s*(\S+?))?(?:\s+and\s+message:\s*([\s\S]*))?\.?\s*$/i,
    pick: (m) => parts({ user: m[1], code: m[2], detail: m[3]?.trim() }),
  },
  {
    shape: 'exception',
    lead: 'exception in',
    pattern:
      /^Exception\s+in\s+Authentication\s+Ext(?:ension)?\s+for\s+User\s+(.+?)\s*::\s*ErrorCode::\s*(?:CID\s*:\s*(\S+)\s+)?([A-Za-z][\w]*)\s*(?:Msg::\s*([\s\S]*))?$/i,
    pick: (m) => parts({ user: m[1], innerCorrelationId: m[2], code: m[3], detail: m[4]?.trim() }),
  },
  {
    shape: 'ignored-state',
    pattern:
      /only\s+performs\s+Secondary\s+Auth\s+for\s+Radius\s+requests?\s+in\s+AccessAccept\s+State\.\s*Request\s+received\s+for\s+User\s+(.+?)\s+with\s+response\s+state\s+(\w+),?\s*ignoring\s+request/i,
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
    pattern: /This\s+is\s+not\s+an\s+error\.?\s*$/i,
    pick: () => parts({}),
  },
];

const TRACE_ID = /Trace\s+ID:\s*([0-9a-f-]{36})/i;
const STS_CORRELATION_ID = /Correlation\s+ID:\s*([0-9a-f-]{36})/i;
// A bare code token elsewhere in free text ("... ErrorCode:: X", "Error code: X", a REQUEST_FORMAT_ERROR line).
const EMBEDDED_CODE = /\bErrorCode::?\s*(?:CID\s*:\s*\S+\s+)?([A-Za-z]\w+)/;

const CHALLENGE_LEAD = 'Challenge requested in Authentication Ext for User ';
const ACCEPTED_LEAD = 'Access Accepted for user ';
const WITH_STATE = ' with state ';
const LINE_BREAK = /[\r\n\t]/;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** `CID: <token> :` at `at`, read by hand (it leads most messages); undefined sends it to the regex. */
function readCid(text: string, at: number): { readonly cid: string; readonly next: number } | undefined {
  if (!text.startsWith('CID:', at)) return undefined;
  let i = at + 4;
  while (isSpace(text.charCodeAt(i))) i++;
  let j = i;
  while (j < text.length && !isSpace(text.charCodeAt(j))) j++;
  let k = j;
  while (isSpace(text.charCodeAt(k))) k++;
  if (j === i || text.charCodeAt(k) !== 58 /* : */) return undefined;
  k++;
  while (isSpace(text.charCodeAt(k))) k++;
  return { cid: text.slice(i, j), next: k };
}

/**
 * The two shapes that make up most traffic (challenge and accept lines), read with indexOf instead of their
 * regexes. Anything unusual (a space in the state, a service response on an accept) returns undefined and takes
 * the regex table, which stays the definition of the grammar.
 */
function fastBody(rest: string): { readonly shape: MessageShape; readonly parts: Parts } | undefined {
  const challenge = rest.startsWith(CHALLENGE_LEAD);
  if (!challenge && !rest.startsWith(ACCEPTED_LEAD)) return undefined;
  let body = rest.slice(challenge ? CHALLENGE_LEAD.length : ACCEPTED_LEAD.length).trimEnd();
  // A wrapped line (Format-List) is the grammar's: the splits below look for single spaces.
  if (LINE_BREAK.test(body)) return undefined;
  if (body.endsWith('.')) body = body.slice(0, -1);
  let state: string | undefined;
  if (challenge) {
    const w = body.lastIndexOf(WITH_STATE);
    if (w >= 0) {
      state = body.slice(w + WITH_STATE.length).trim();
      body = body.slice(0, w);
      if (state === '' || /\s/.test(state)) return undefined;
    }
  } else if (body.includes(' with Azure MFA response:')) return undefined;
  const user = body.trim();
  if (user === '' || user.includes(WITH_STATE.trim())) return undefined;
  return challenge
    ? { shape: 'challenge', parts: parts({ user, challengeState: state }) }
    : { shape: 'accepted', parts: parts({ user }) };
}

/** Splits an extension message into its parts. Never throws; unknown shapes come back as `free-text`. */
export function parseMessage(text: string): ParsedMessage {
  let rest = text;
  let radiusFromPrefix: string | undefined;
  // Every captured log uses this exact prefix: a startsWith spares the alternation regex.
  const prefix = text.startsWith(COMMON_PREFIX) ? commonPrefixMatch(text) : PREFIX.exec(rest);
  let at = 0;
  if (prefix) {
    radiusFromPrefix = prefix[1];
    at = prefix[0].length;
  }
  let correlationId: string | undefined;
  const quick = readCid(text, at);
  if (quick) {
    correlationId = quick.cid;
    rest = text.slice(quick.next);
  } else {
    rest = at === 0 ? text : text.slice(at);
    const cid = CID.exec(rest);
    if (cid) {
      correlationId = cid[1];
      rest = rest.slice(cid[0].length);
    }
  }
  const prefixed = prefix !== null;
  const fast = fastBody(rest);
  if (fast) return result(fast.shape, prefixed, correlationId, fast.parts, radiusFromPrefix, rest);
  // Leads are compared with whitespace runs as one space, like the patterns.
  const head = rest.slice(0, 200).replace(/\s+/g, ' ').toLowerCase();
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

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A well-formed GUID (8-4-4-4-12 hex digits). */
export function isGuid(text: string): boolean {
  return text.length === 36 && GUID.test(text);
}

export function looksLikeErrorCode(text: string): boolean {
  return ERROR_CODE_TOKEN.test(text);
}
