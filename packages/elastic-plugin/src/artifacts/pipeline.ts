import { type CatalogEntry, catalogEntries, lookupEntry, VERSION } from '@npswatch/core';

/**
 * Grok building blocks mirroring the core's message grammar (packages/core/src/classify/message.ts): the prefix
 * with the optional RADIUS state and CID, then one pattern per body shape. Captures go to `npswatch_parse.*` (scratch,
 * removed at the end) or straight to their ECS / npswatch fields.
 */
export const GROK_DEFINITIONS: Readonly<Record<string, string>> = {
  NPS_PREFIX:
    '(?:\\s*NPS Extension for (?:Azure MFA|Azure AD MFA|Microsoft Entra multifactor authentication|Microsoft Entra MFA)' +
    '(?: \\(%{NPS_RSTATE:npswatch_parse.prefix_state}\\))?\\s*:\\s*)?(?:CID:\\s*%{NOTSPACE:npswatch.correlation_id}\\s*:\\s*)?',
  NPS_RSTATE: 'AccessReject|AccessChallenge',
  NPS_ANY: '[\\s\\S]*?',
  NPS_REST: '[\\s\\S]*',
  NPS_LAZY: '\\S+?',
  NPS_CODE: '[A-Za-z]\\w*',
  NPS_TOKEN: '[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+',
  NPS_WORD: '\\w+',
  NPS_LINE: '.+?',
  // Literal leads: the captured text names the shape for the script.
  NPS_CHALLENGE: 'Challenge requested',
  NPS_REJECTED: 'Access Rejected',
  NPS_ACCEPTED: 'Access Accepted',
  NPS_EXCEPTION: 'Exception in',
  NPS_IGNORED: 'only performs Secondary Auth',
  NPS_ERRORCODE: 'ErrorCode',
  NPS_NOT_ERROR: 'This is not an error',
};

/** Body shapes in the core's order: first match wins, specific shapes before generic ones. */
export const GROK_PATTERNS: readonly string[] = [
  '^%{NPS_PREFIX}%{NPS_CHALLENGE:npswatch_parse.shape} in Authentication Ext(?:ension)? for (?:the )?User\\s+%{NPS_ANY:npswatch_parse.user}(?:\\s+with state\\s+%{NPS_LAZY:npswatch_parse.challenge_state})?\\.?\\s*$',
  '(?i)^%{NPS_PREFIX}%{NPS_REJECTED:npswatch_parse.shape} for user\\s+%{NPS_ANY:npswatch_parse.user}\\s+with Azure MFA response:\\s*%{NPS_LAZY:npswatch_parse.code}(?:\\s+and message:\\s*%{NPS_REST:npswatch.detail})?$',
  '(?i)^%{NPS_PREFIX}%{NPS_ACCEPTED:npswatch_parse.shape} for user\\s+%{NPS_ANY:npswatch_parse.user}(?:\\s+with Azure MFA response:\\s*%{NPS_LAZY:npswatch_parse.response})?(?:\\s+and message:\\s*%{NPS_REST:npswatch.detail})?\\.?\\s*$',
  '(?i)^%{NPS_PREFIX}%{NPS_EXCEPTION:npswatch_parse.shape} Authentication Ext(?:ension)? for User\\s+%{NPS_ANY:npswatch_parse.user}\\s*::\\s*ErrorCode::\\s*(?:CID\\s*:\\s*%{NOTSPACE:npswatch_parse.inner_cid}\\s+)?%{NPS_CODE:npswatch_parse.code}\\s*(?:Msg::\\s*%{NPS_REST:npswatch.detail})?$',
  '(?i)^%{NPS_PREFIX}[\\s\\S]*?%{NPS_IGNORED:npswatch_parse.shape} for Radius requests? in AccessAccept State\\.\\s*Request received for User\\s+%{NPS_LINE:npswatch_parse.user}\\s+with response state\\s+%{NPS_WORD:npswatch.radius.state},?\\s*ignoring request',
  '(?i)^%{NPS_PREFIX}%{NPS_ANY:npswatch_parse.pre}::\\s*%{NPS_ERRORCODE:npswatch_parse.shape}::\\s*(?:CID\\s*:\\s*%{NOTSPACE:npswatch_parse.inner_cid}\\s+)?%{NPS_CODE:npswatch_parse.code}\\s*(?:Msg::\\s*%{NPS_REST:npswatch.detail})?$',
  '^%{NPS_PREFIX}%{NPS_TOKEN:npswatch_parse.code}\\s*::\\s*%{NPS_REST:npswatch.detail}$',
  '(?i)^%{NPS_PREFIX}[\\s\\S]*?%{NPS_NOT_ERROR:npswatch_parse.shape}\\.?\\s*$',
  '(?i)^%{NPS_PREFIX}[\\s\\S]*?\\bErrorCode::?\\s*(?:CID\\s*:\\s*\\S+\\s+)?%{NPS_CODE:npswatch_parse.code}',
];

/** What the script sets from a catalog entry. */
export interface EntryFacts {
  readonly id: string;
  readonly code: string;
  readonly category: string;
  readonly severity: string;
  readonly audience: string;
  readonly title: string;
}

const facts = (e: CatalogEntry): EntryFacts => ({
  id: e.id,
  code: e.code,
  category: e.category,
  severity: e.severity,
  audience: e.audience,
  title: e.title.en,
});

/** The lookup of every code and alias: entry facts by id, fallback entry id by code (exact and lower-case). */
export function codeLookup(): {
  entries: Record<string, EntryFacts>;
  codes: Record<string, string>;
  lowerCodes: Record<string, string>;
  messages: [string, string][];
} {
  const entries: Record<string, EntryFacts> = {};
  const codes: Record<string, string> = {};
  const lowerCodes: Record<string, string> = {};
  const messages: [string, string][] = [];
  for (const e of catalogEntries()) {
    entries[e.id] = facts(e);
    for (const code of [e.code, ...(e.aliases ?? [])]) {
      // Without a message the core picks the same entry: the variant-free one (or the first).
      const fallback = lookupEntry(code, '');
      if (fallback) {
        codes[code] ??= fallback.id;
        lowerCodes[code.toLowerCase()] ??= fallback.id;
      }
    }
    for (const m of e.messages) if (m.length >= 16) messages.push([m.replace(/\s+/g, ' ').trim().toLowerCase(), e.id]);
  }
  return { entries, codes, lowerCodes, messages };
}

/** A JS RegExp as a Painless regex literal (Java syntax is a superset for the catalog's patterns). */
export function painlessRegex(re: RegExp): string {
  const flags = [...re.flags].filter((f) => 'ims'.includes(f)).join('');
  return `/${re.source.replaceAll('/', '\\/')}/${flags}`;
}

/** Variant entries (same code, told apart by the message), as Painless tests in catalog order. */
function variantTests(): string {
  const lines: string[] = [];
  for (const e of catalogEntries()) {
    if (!e.match) continue;
    for (const code of [e.code, ...(e.aliases ?? [])]) {
      lines.push(
        `  if (entryId == null && code == '${code}' && ${painlessRegex(e.match)}.matcher(msg).find()) { entryId = '${e.id}'; }`,
      );
    }
  }
  return lines.join('\n');
}

/** Message-only entries (lines without a code), as Painless tests. */
function messageTests(): string {
  const lines: string[] = [];
  for (const e of catalogEntries()) {
    if (!e.match) continue;
    lines.push(`  if (entryId == null && ${painlessRegex(e.match)}.matcher(msg).find()) { entryId = '${e.id}'; }`);
  }
  return lines.join('\n');
}

/** The classification script: the shape → pseudo-code rules, the variant and message tests, the code lookup. */
export function classifyScript(): string {
  return `
// Generated by npswatch ${VERSION} from its catalog: do not edit, run \`npswatch elastic export\`.
Map t = ctx.npswatch_parse;
ctx.remove('npswatch_parse');
String channel = ctx.winlog?.channel;
String provider = ctx.winlog?.provider_name;
String msg = ctx.message == null ? '' : ctx.message;
boolean ext = (channel != null && params.channels.contains(channel.toLowerCase()))
  || (provider != null && provider.toLowerCase().startsWith('microsoft-azuremfa'))
  || msg.startsWith('NPS Extension for');
if (!ext) { return; }
if (ctx.npswatch == null) { ctx.npswatch = new HashMap(); }
Map n = ctx.npswatch;
n.kind = 'extension';
String shape = t == null || t.shape == null ? null : t.shape.toLowerCase();
String code = t == null ? null : t.code;
String state = n.radius?.state;
if (state == null && t != null) { state = t.prefix_state; }
String pseudo = null;
String outcome = 'unknown';
if (shape == 'challenge requested') { pseudo = 'CHALLENGE_REQUESTED'; }
else if (shape == 'access accepted') { pseudo = 'ACCESS_ACCEPTED'; outcome = 'success'; }
else if (shape == 'access rejected' || shape == 'exception in') { outcome = 'failure'; }
else if (shape == 'only performs secondary auth') {
  pseudo = state != null && state.toLowerCase().contains('challenge') ? 'ACCESS_CHALLENGE_IGNORED' : 'ACCESS_REJECT_PRIMARY';
  if (state != null && state.toLowerCase().contains('reject')) { outcome = 'failure'; }
}
else if (shape == 'this is not an error') {
  if (/NAS Identifier|Nas IpAddress/i.matcher(msg).find()) { pseudo = 'NAS_ATTRIBUTES_MISSING'; }
}
// A service response on an accepted line is detail, not the event's code.
if (pseudo != null) { code = pseudo; }
String entryId = null;
if (code != null) {
${variantTests()}
  if (entryId == null) { entryId = params.codes[code]; }
  if (entryId == null) { entryId = params.lower_codes[code.toLowerCase()]; }
} else {
${messageTests()}
  if (entryId == null) {
    String norm = /\\s+/.matcher(msg).replaceAll(' ').trim().toLowerCase();
    for (def m : params.messages) { if (norm.contains(m[0])) { entryId = m[1]; break; } }
  }
}
def entry = entryId == null ? null : params.entries[entryId];
if (entry != null) {
  if (code == null) { code = entry.code; }
  n.entry_id = entry.id;
  n.category = entry.category;
  n.severity = entry.severity;
  n.audience = entry.audience;
  n.title = entry.title;
} else {
  n.category = 'unknown';
  n.severity = 'medium';
}
if (code != null) { n.code = code; }
if (t != null && t.user != null) {
  String u = t.user.trim();
  int slash = u.indexOf('\\\\');
  int at = u.lastIndexOf('@');
  if (ctx.user == null) { ctx.user = new HashMap(); }
  ctx.user.id = u;
  if (slash > 0) { ctx.user.domain = u.substring(0, slash); ctx.user.name = u.substring(slash + 1); }
  else if (at > 0) { ctx.user.domain = u.substring(at + 1); ctx.user.name = u.substring(0, at); ctx.user.email = u; }
  else { ctx.user.name = u; }
  n.user = ['key': ctx.user.name.toLowerCase()];
}
if (ctx.event == null) { ctx.event = new HashMap(); }
ctx.event.kind = 'event';
ctx.event.category = ['authentication'];
ctx.event.outcome = outcome;
ctx.event.type = outcome == 'success' ? ['start', 'allowed'] : outcome == 'failure' ? ['start', 'denied'] : ['info'];
ctx.event.dataset = 'npswatch.extension';
ctx.event.severity = params.severity_number[n.severity];
if ((n.category == 'error' || n.category == 'support-required') && code != null) {
  if (ctx.error == null) { ctx.error = new HashMap(); }
  ctx.error.code = code;
  if (n.detail != null) { ctx.error.message = n.detail; }
}
`.trim();
}

export const PIPELINE_ID = 'npswatch-classify';

/**
 * The ingest pipeline that classifies Winlogbeat documents of the extension's channels server-side, for shippers
 * that write straight to Elasticsearch: grok for the message grammar, then a Painless script with the lookup of
 * every catalog code. Needs the ingest-common and lang-painless modules (any default distribution).
 */
export function ingestPipeline(): Record<string, unknown> {
  const lookup = codeLookup();
  return {
    description: `npswatch ${VERSION}: classifies NPS extension for Microsoft Entra MFA events (generated from the catalog; do not edit)`,
    _meta: { managed_by: 'npswatch', npswatch_version: VERSION, catalog_entries: Object.keys(lookup.entries).length },
    processors: [
      {
        grok: {
          tag: 'npswatch-message',
          field: 'message',
          patterns: [...GROK_PATTERNS],
          pattern_definitions: { ...GROK_DEFINITIONS },
          ignore_missing: true,
          ignore_failure: true,
        },
      },
      {
        grok: {
          tag: 'npswatch-trace-id',
          field: 'message',
          patterns: ['Trace ID:\\s*%{NPS_GUID:npswatch.trace_id}'],
          pattern_definitions: { NPS_GUID: '[0-9a-fA-F-]{36}' },
          ignore_missing: true,
          ignore_failure: true,
        },
      },
      {
        grok: {
          tag: 'npswatch-sts-correlation-id',
          field: 'message',
          patterns: ['Correlation ID:\\s*%{NPS_GUID:npswatch.sts_correlation_id}'],
          pattern_definitions: { NPS_GUID: '[0-9a-fA-F-]{36}' },
          ignore_missing: true,
          ignore_failure: true,
        },
      },
      {
        script: {
          tag: 'npswatch-classify',
          lang: 'painless',
          source: classifyScript(),
          params: {
            channels: ['authnoptch', 'authzoptch', 'authzadminch'],
            severity_number: { critical: 1, high: 2, medium: 3, low: 4, info: 5 },
            entries: lookup.entries,
            codes: lookup.codes,
            lower_codes: lookup.lowerCodes,
            messages: lookup.messages,
          },
        },
      },
    ],
    on_failure: [
      { set: { field: 'event.kind', value: 'pipeline_error' } },
      { append: { field: 'error.message', value: '{{{ _ingest.on_failure_message }}}' } },
    ],
  };
}
