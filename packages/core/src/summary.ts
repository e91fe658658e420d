import type { Category, Severity } from './catalog/types.js';
import type { ClassifiedEvent } from './classify/types.js';
import { userKey } from './record/user.js';

export interface CodeSummary {
  readonly code: string;
  readonly entryId?: string;
  readonly category: Category;
  readonly severity: Severity;
  count: number;
  firstSeen: number;
  lastSeen: number;
  readonly hosts: Set<string>;
  readonly users: Set<string>;
}

/** Running counts over classified events; small enough to keep for any input size (grows with codes, hosts). */
export interface Summary {
  events: number;
  rejected: number;
  readonly byCategory: Map<Category, number>;
  readonly byKind: Map<string, number>;
  readonly byCode: Map<string, CodeSummary>;
  readonly byHost: Map<string, number>;
  firstSeen?: number;
  lastSeen?: number;
}

export function createSummary(): Summary {
  return { events: 0, rejected: 0, byCategory: new Map(), byKind: new Map(), byCode: new Map(), byHost: new Map() };
}

const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);

/** Most distinct hosts and users kept per code: past them the counts are lower bounds. */
export interface CodeSetCaps {
  readonly hosts: number;
  readonly users: number;
}

// Per-code user sets are for display ("3 users"); cap them so a spray of random names cannot grow memory.
const SUMMARY_CAPS: CodeSetCaps = { hosts: Number.POSITIVE_INFINITY, users: 1000 };

/**
 * Counts one event under its extension code in `byCode` (mutates it), with the code's first and last time and its
 * distinct hosts and users (user names compared case-insensitively).
 */
export function addToCodeSummary(
  byCode: Map<string, CodeSummary>,
  e: ClassifiedEvent & { readonly code: string },
  caps: CodeSetCaps = SUMMARY_CAPS,
): void {
  let c = byCode.get(e.code);
  if (!c) {
    c = {
      code: e.code,
      entryId: e.entryId,
      category: e.category,
      severity: e.severity,
      count: 0,
      firstSeen: e.time,
      lastSeen: e.time,
      hosts: new Set(),
      users: new Set(),
    };
    byCode.set(e.code, c);
  }
  c.count++;
  c.firstSeen = Math.min(c.firstSeen, e.time);
  c.lastSeen = Math.max(c.lastSeen, e.time);
  if (e.host !== undefined && c.hosts.size < caps.hosts) c.hosts.add(e.host);
  if (e.user !== undefined && c.users.size < caps.users) c.users.add(userKey(e.user));
}

/** Adds one event to the summary (mutates it: summaries are accumulators). */
export function addToSummary(summary: Summary, e: ClassifiedEvent): void {
  summary.events++;
  bump(summary.byCategory, e.category);
  bump(summary.byKind, e.kind);
  if (e.host !== undefined) bump(summary.byHost, e.host);
  summary.firstSeen = summary.firstSeen === undefined ? e.time : Math.min(summary.firstSeen, e.time);
  summary.lastSeen = summary.lastSeen === undefined ? e.time : Math.max(summary.lastSeen, e.time);
  if (e.kind === 'extension' && e.code !== undefined)
    addToCodeSummary(summary.byCode, e as ClassifiedEvent & { readonly code: string });
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
const CATEGORY_RANK: Readonly<Record<Category, number>> = {
  error: 0,
  'support-required': 1,
  unknown: 2,
  'non-error': 3,
  info: 4,
};

/** Codes ordered by what needs attention first: category, then severity, then volume. */
export function codesByImpact(summary: Summary): CodeSummary[] {
  return [...summary.byCode.values()].sort(
    (a, b) =>
      CATEGORY_RANK[a.category] - CATEGORY_RANK[b.category] ||
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      b.count - a.count ||
      a.code.localeCompare(b.code),
  );
}
