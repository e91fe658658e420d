import { createHmac } from 'node:crypto';
import { type UserRef, userKey } from '@npswatch/core';

/** Maps a user key (`userKey`: lower-case account name) to a stable token. */
export type Pseudonymizer = (key: string) => string;

/** Hex digits kept from the HMAC: 48 bits, so 100 000 users collide with odds of about 1 in 50 000. */
const TOKEN_HEX = 12;

/**
 * A keyed hash (HMAC-SHA256) of the user key, truncated: the same user gets the same token under the same key, in
 * every report, and without the key the token cannot be turned back into a name by hashing candidate names.
 */
export function createPseudonymizer(key: string): Pseudonymizer {
  const memo = new Map<string, string>();
  return (k) => {
    let token = memo.get(k);
    if (token === undefined) {
      token = `user-${createHmac('sha256', key).update(k, 'utf8').digest('hex').slice(0, TOKEN_HEX)}`;
      memo.set(k, token);
    }
    return token;
  };
}

/** How a user is shown: the account as written, or its token. */
export function showUser(user: UserRef, pseudonymize: Pseudonymizer | undefined): string {
  return pseudonymize ? pseudonymize(userKey(user)) : user.raw;
}

/** Every spelling of a user that may appear in text, longest first (so `jdoe@contoso.com` goes before `jdoe`). */
function spellings(user: UserRef): string[] {
  return [...new Set([user.raw, user.upn, user.domain ? `${user.domain}\\${user.name}` : undefined, user.name])]
    .filter((s): s is string => s !== undefined && s.length > 0)
    .sort((a, b) => b.length - a.length);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces every spelling of the given users in free text (messages, alert summaries) by their tokens,
 * case-insensitively. Text about other users is left as it is: callers pass every user the text can name.
 */
export function scrubUsers(
  text: string,
  users: readonly (UserRef | undefined)[],
  pseudonymize: Pseudonymizer | undefined,
): string {
  if (pseudonymize === undefined) return text;
  const pairs = users
    .filter((u): u is UserRef => u !== undefined)
    .flatMap((u) => spellings(u).map((s) => [s, pseudonymize(userKey(u))] as const))
    .sort((a, b) => b[0].length - a[0].length);
  if (pairs.length === 0) return text;
  const byLower = new Map(pairs.map(([s, t]) => [s.toLowerCase(), t]));
  const pattern = new RegExp(pairs.map(([s]) => escapeRegExp(s)).join('|'), 'gi');
  return text.replace(pattern, (m) => byLower.get(m.toLowerCase()) ?? m);
}
