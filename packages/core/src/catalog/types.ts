/** What an entry (and a classified event) is, following the three groups of Microsoft's troubleshooting page. */
export type Category = 'error' | 'non-error' | 'support-required' | 'info' | 'unknown';
export type CatalogCategory = Exclude<Category, 'unknown'>;
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
/** Who acts on it: the NPS / identity admin, the end user, or Microsoft support. */
export type Audience = 'admin' | 'user' | 'support';
export type Lang = 'en' | 'ko';

export interface LocalizedText {
  readonly en: string;
  readonly ko: string;
}
export interface LocalizedSteps {
  readonly en: readonly string[];
  readonly ko: readonly string[];
}

/** Section of the source page an entry comes from (or `outcome` / `warning` for log lines the page does not list). */
export type CatalogGroup =
  | 'common-errors'
  | 'alternate-login-id'
  | 'user-errors'
  | 'non-errors'
  | 'support-required'
  | 'outcome'
  | 'warning';

/** Ids of the built-in detections (rules/builtin.yaml) an entry feeds. */
export type DetectionId =
  | 'user-not-found-spike'
  | 'connectivity-error-spike'
  | 'config-error'
  | 'otp-brute-force'
  | 'mfa-fatigue'
  | 'password-spray'
  | 'server-silent'
  | 'support-required'
  | 'unknown-code'
  | 'primary-auth-rejects'
  | 'extension-reject-unmatched';

export interface CatalogEntry {
  /** Unique and stable: the code, plus `.variant` where one code has several messages or meanings. */
  readonly id: string;
  /** The code as the extension or the MFA service writes it (`ESTS_TOKEN_ERROR`, `UserNotFound`, ...). */
  readonly code: string;
  /** Other codes that mean the same (`StrongAuthenticationServiceInvalidParameter` for `InvalidFormat`). */
  readonly aliases?: readonly string[];
  /** Every documented wording of the message, exactly as published (2017 and current). May be empty. */
  readonly messages: readonly string[];
  /**
   * Tells this variant apart from other entries with the same code, tested against the event's message.
   * Entries without one are the fallback for their code.
   */
  readonly match?: RegExp;
  readonly group: CatalogGroup;
  readonly category: CatalogCategory;
  readonly severity: Severity;
  readonly audience: Audience;
  /** One-line title for tables and dashboards. */
  readonly title: LocalizedText;
  readonly cause: LocalizedText;
  readonly remediation: LocalizedSteps;
  readonly docUrl: string;
  /** When Microsoft first documented it: `2017-07` for the original page, later dates for additions. */
  readonly since: string;
  readonly detections: readonly DetectionId[];
  /** How the classifier decides when the same code sits in two groups, and other caveats. */
  readonly note?: LocalizedText;
}
