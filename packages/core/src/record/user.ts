/** A user as named in a record, split into the parts detections key on. */
export interface UserRef {
  /** As written in the record. */
  readonly raw: string;
  /** Account name without domain: `jdoe` for `CONTOSO\jdoe` and for `jdoe@contoso.com`. */
  readonly name: string;
  /** NetBIOS domain (`CONTOSO\jdoe`) or UPN suffix (`jdoe@contoso.com` → `contoso.com`). */
  readonly domain?: string;
  /** The UPN when the raw form is one. */
  readonly upn?: string;
  /** True when the log (or its author) masked the name: `******@domain.com`, `<USERNAME>`, `USERNAME`. */
  readonly redacted: boolean;
}

const REDACTED = /^(?:\*+|<[^>]*>|USERNAME|USER|USERNAME_REDACTED|REDACTED|x+)$/i;

/**
 * Splits a user name in any of the spellings NPS and the extension write: UPN, DOMAIN\user, bare
 * sAMAccountName, and redacted forms. Returns undefined for empty or placeholder values (`-`, `N/A`).
 */
export function parseUser(raw: string | undefined): UserRef | undefined {
  if (raw === undefined) return undefined;
  let text = raw.trim();
  const last = text.charCodeAt(text.length - 1);
  // Trailing sentence punctuation from the message around the name ("for User npstesting_ap.").
  if (last === 46 || last === 44 || last === 59) text = text.replace(/[.,;]+$/, '');
  if (text === '' || text === '-' || /^n\/a$/i.test(text)) return undefined;
  const slash = text.indexOf('\\');
  if (slash > 0) {
    const domain = text.slice(0, slash);
    const name = text.slice(slash + 1);
    return { raw: text, name, domain, redacted: REDACTED.test(name) || REDACTED.test(domain) };
  }
  const at = text.lastIndexOf('@');
  if (at > 0) {
    const name = text.slice(0, at);
    const domain = text.slice(at + 1);
    return { raw: text, name, domain, upn: text, redacted: REDACTED.test(name) };
  }
  return { raw: text, name: text, redacted: REDACTED.test(text) };
}

/** A case-insensitive key that is the same for `CONTOSO\jdoe`, `jdoe@contoso.com` and `jdoe`. */
export function userKey(user: UserRef): string {
  return user.name.toLowerCase();
}
