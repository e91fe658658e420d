import { catalogEntries } from '@npswatch/core';
import { lookupKeys } from '../lookup.js';
import { splString } from './spl.js';

/**
 * Search-time extractions for the extension's channels as the Splunk Add-on for Windows indexes them
 * (`WinEventLog` classic text and `XmlWinEventLog`). Each regex is in the subset PCRE and JavaScript share, so the
 * tests run the very same patterns against npswatch's classifier. Named groups become fields.
 */
export const EXTRACTIONS: Readonly<Record<string, string>> = {
  // The request's CID, first occurrence (exception lines repeat it).
  npswatch_cid: 'CID:\\s*(?<correlation_id>[^\\s:<]+)',
  // The user as logged, after each message shape's lead-in.
  npswatch_user:
    '(?i)(?:Authentication Ext(?:ension)? for (?:the )?User|Access (?:Rejected|Accepted) for user|Request received for User)\\s+(?<user>[^\\r\\n]+?)(?=\\s+with\\s|\\s*::|\\.?\\s*(?:[\\r\\n]|</|$))',
  // Service response on rejected/accepted lines, extension error code, warning token.
  npswatch_response: 'Azure MFA response:\\s*(?<npswatch_response>[A-Za-z]\\w*)',
  npswatch_errorcode: 'ErrorCode::?\\s*(?:CID\\s*:\\s*\\S+\\s+)?(?<npswatch_errorcode>[A-Za-z]\\w*)',
  npswatch_token: '(?:MFA|multifactor authentication):\\s*(?<npswatch_token>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\\s*::',
  // Classic text has `ComputerName=` and `LogName=`; XML has <Computer> and <Channel>.
  npswatch_computer: '(?:ComputerName=|<Computer>)(?<npswatch_computer>[^\\s<]+)',
  npswatch_channel: '(?:LogName=|<Channel>)(?<channel>[^\\s<]+)',
  npswatch_message: '(?:Message=|<Data>)(?<message>[^\\r\\n<]+)',
};

/** Lines that carry no code of their own get npswatch's pseudo-codes; order matters (first match wins). */
export const PSEUDO_CODES: readonly (readonly [pattern: string, code: string])[] = [
  ['(?i)Challenge requested in Authentication Ext', 'CHALLENGE_REQUESTED'],
  ['(?i)Access Accepted for user', 'ACCESS_ACCEPTED'],
  ['(?i)only performs Secondary Auth.*response state\\s+AccessChallenge', 'ACCESS_CHALLENGE_IGNORED'],
  ['(?i)only performs Secondary Auth.*response state\\s+\\w*Reject', 'ACCESS_REJECT_PRIMARY'],
  ['(?i)(?:NAS Identifier|Nas IpAddress)[\\s\\S]*This is not an error', 'NAS_ATTRIBUTES_MISSING'],
];

/** The fields, in priority order, that hold a logged code when no pseudo-code applies. */
export const CODE_FIELDS = ['npswatch_response', 'npswatch_errorcode', 'npswatch_token'] as const;

/** Outcome as npswatch's classifier decides it for extension lines. */
export const OUTCOME_PATTERNS: readonly (readonly [pattern: string, outcome: 'success' | 'failure'])[] = [
  ['(?i)Access Accepted for user', 'success'],
  ['(?i)Access Rejected for user|Exception in Authentication Ext', 'failure'],
  ['(?i)only performs Secondary Auth.*response state\\s+\\w*Reject', 'failure'],
];

/** A catalog `match` RegExp in the PCRE/JavaScript subset these patterns use (its `i` flag as a leading `(?i)`). */
export function pcre(re: RegExp): string {
  return `${re.flags.includes('i') ? '(?i)' : ''}${re.source}`;
}

/**
 * Message variants of one logged code (the catalog entries with a `match`), as Splunk tests them on `_raw`: the
 * code as a whole word, and the variant's pattern. Pseudo-code entries are left out: their code is already decided
 * by `PSEUDO_CODES`. Catalog order, first match wins, as in npswatch's classifier and the Elastic pipeline.
 */
export function variantTests(): readonly (readonly [code: string, pattern: string, entryId: string])[] {
  const pseudo = new Set(PSEUDO_CODES.map(([, code]) => code));
  return catalogEntries()
    .filter((e) => e.match !== undefined && !pseudo.has(e.code))
    .flatMap((e) => [e.code, ...(e.aliases ?? [])].map((code) => [code, pcre(e.match!), e.id] as const));
}

/**
 * The key of the code lookup: a variant's entry id when its code and pattern match, else the code itself (the
 * lookup has a row per code, holding the entry npswatch uses for that code when no variant matches).
 */
export function lookupKeyExpression(): string {
  const cases = variantTests().map(
    ([code, re, id]) => `match(_raw, ${splString(`\\b${code}\\b`)}) AND match(_raw, ${splString(re)}), ${splString(id)}`,
  );
  return cases.length === 0 ? codeExpression() : `coalesce(case(${cases.join(', ')}), ${codeExpression()})`;
}

/** The eval expression of `code` (and `signature_id`): pseudo-code, else the first logged code. */
export function codeExpression(): string {
  const cases = PSEUDO_CODES.map(([re, code]) => `match(_raw, ${splString(re)}), ${splString(code)}`);
  return `case(${cases.join(', ')}, true(), coalesce(${CODE_FIELDS.join(', ')}))`;
}

export function outcomeExpression(): string {
  const cases = OUTCOME_PATTERNS.map(([re, o]) => `match(_raw, ${splString(re)}), ${splString(o)}`);
  return `case(${cases.join(', ')}, true(), "unknown")`;
}

/** Lookup keys (see `lookupKeyExpression`) whose entry is support-required: CIM `action=error`, not `failure`. */
export function supportRequiredKeys(): string[] {
  return lookupKeys()
    .filter(([, e]) => e.category === 'support-required')
    .map(([key]) => key)
    .sort();
}

/** CIM `action` for extension lines: success, error (support-required entries), failure, or unknown. */
export function actionExpression(): string {
  const support = supportRequiredKeys().map(splString).join(', ');
  const outcome = outcomeExpression();
  return support === ''
    ? `case(${outcome}=="success", "success", ${outcome}=="failure", "failure", true(), "unknown")`
    : `case(${outcome}=="success", "success", in(${lookupKeyExpression()}, ${support}), "error", ${outcome}=="failure", "failure", true(), "unknown")`;
}
