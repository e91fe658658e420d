import {
  addToCodeSummary,
  type Category,
  type ClassifiedEvent,
  type CodeSetCaps,
  type CodeSummary,
  entriesForCode,
  entryById,
  hostKey,
  type LocalizedSteps,
  type LocalizedText,
  type NotifyAlert,
  parseUser,
  type RecordKind,
  type Severity,
  type UserRef,
  userKey,
  zoneOffset,
} from '@npswatch/core';
import {
  bucketAt,
  coarsen,
  createBuckets,
  denseBuckets,
  type Mergeable,
  stepFor,
  type TimeBuckets,
} from './buckets.js';
import { type Pseudonymizer, scrubUsers, showUser } from './pseudonym.js';

/** Categories in chart and table order (stack order, bottom up): what needs action first. */
export const REPORT_CATEGORIES = [
  'error',
  'support-required',
  'unknown',
  'non-error',
  'info',
] as const satisfies readonly Category[];
const CATEGORY_INDEX: Readonly<Record<Category, number>> = {
  error: 0,
  'support-required': 1,
  unknown: 2,
  'non-error': 3,
  info: 4,
};
const NPS_KINDS: ReadonlySet<RecordKind> = new Set(['extension', 'security', 'accounting']);

export interface ReportOptions {
  /** A server with no NPS record for longer than this is listed as silent for that period (ms). */
  readonly silenceMs: number;
  /** Users are listed from this many non-error events on. */
  readonly minRepeats: number;
  /** When set, users are shown as tokens: in tables, alert keys, summaries and sample messages. */
  readonly pseudonymize?: Pseudonymizer;
  /** IANA zone whose wall clock the chart buckets follow (days from local midnight; default UTC). */
  readonly tz?: string;
  /** Most chart buckets over the report's range (default 360). */
  readonly maxBuckets?: number;
  /** Alerts kept in the report; later ones are counted only (default 2000). */
  readonly maxAlerts?: number;
  /** Rows kept in the user, NAS and policy tables (default 100). */
  readonly maxRows?: number;
}

const DEFAULTS = { maxBuckets: 360, maxAlerts: 2000, maxRows: 100 } as const;
/** Buckets held while reading, before folding into a coarser size. */
const MAX_LIVE_BUCKETS = 4096;
/** Distinct users counted per row: past it a count stops growing (a lower bound; far above any real NPS estate). */
const MAX_USERS_PER_ROW = 100_000;
const CODE_CAPS: CodeSetCaps = { hosts: MAX_USERS_PER_ROW, users: MAX_USERS_PER_ROW };
/** Users tracked for the repeated-non-error table; past it new users are counted only (`usersOmitted`). */
const MAX_USERS_TRACKED = 200_000;
const MAX_GAPS_PER_SERVER = 50;
const MAX_MESSAGE = 500;
/** A code's trend is up or down when its rate per bucket moved by more than this factor between the halves. */
const TREND_FACTOR = 1.25;

interface Bucket {
  readonly categories: number[];
  readonly codes: Map<string, number>;
}

const BUCKET: Mergeable<Bucket> = {
  create: () => ({ categories: [0, 0, 0, 0, 0], codes: new Map() }),
  merge(into, from) {
    for (let i = 0; i < into.categories.length; i++) into.categories[i]! += from.categories[i]!;
    for (const [code, n] of from.codes) into.codes.set(code, (into.codes.get(code) ?? 0) + n);
  },
};

interface ServerAcc {
  /** The longest spelling seen: Windows events write the FQDN, accounting logs the short name. */
  host: string;
  events: number;
  errors: number;
  rejects: number;
  first: number;
  last: number;
  readonly users: Set<string>;
  readonly gaps: { from: number; to: number }[];
  gapCount: number;
  silentMs: number;
}

interface UserAcc {
  readonly user: UserRef;
  nonErrors: number;
  first: number;
  last: number;
  readonly codes: Map<string, number>;
  readonly hosts: Set<string>;
}

interface GroupAcc {
  readonly key: string;
  requests: number;
  rejects: number;
  errors: number;
  first: number;
  last: number;
  readonly users: Set<string>;
  readonly clients: Set<string>;
}

/** Running aggregates of a report: bounded by codes, servers, users and groups, never by the number of events. */
export interface ReportState {
  readonly options: ReportOptions;
  events: number;
  first?: number;
  last?: number;
  readonly byCategory: number[];
  readonly byKind: Map<RecordKind, number>;
  readonly byInput: Map<string, number>;
  readonly timeline: TimeBuckets<Bucket>;
  readonly codes: Map<string, CodeSummary>;
  readonly servers: Map<string, ServerAcc>;
  readonly users: Map<string, UserAcc>;
  usersOmitted: number;
  readonly nas: Map<string, GroupAcc>;
  readonly policies: Map<string, GroupAcc>;
  readonly alerts: ReportAlert[];
  alertsOmitted: number;
}

export function createReportState(options: ReportOptions): ReportState {
  return {
    options,
    events: 0,
    byCategory: [0, 0, 0, 0, 0],
    byKind: new Map(),
    byInput: new Map(),
    timeline: createBuckets<Bucket>(undefined, (t) => zoneOffset(options.tz ?? 'UTC', t)),
    codes: new Map(),
    servers: new Map(),
    users: new Map(),
    usersOmitted: 0,
    nas: new Map(),
    policies: new Map(),
    alerts: [],
    alertsOmitted: 0,
  };
}

const bump = <K>(map: Map<K, number>, key: K, n = 1) => map.set(key, (map.get(key) ?? 0) + n);
const addCapped = (set: Set<string>, value: string | undefined, cap = MAX_USERS_PER_ROW) => {
  if (value !== undefined && set.size < cap) set.add(value);
};

function addServer(state: ReportState, e: ClassifiedEvent & { host: string }): void {
  // One server however its logs spell it (`NPS01`, `nps01.contoso.com`), as correlation matches them.
  const key = hostKey(e.host);
  let s = state.servers.get(key);
  if (s === undefined) {
    s = {
      host: e.host,
      events: 0,
      errors: 0,
      rejects: 0,
      first: e.time,
      last: e.time,
      users: new Set(),
      gaps: [],
      gapCount: 0,
      silentMs: 0,
    };
    state.servers.set(key, s);
  }
  if (e.host.length > s.host.length) s.host = e.host;
  s.events++;
  if (e.category === 'error') s.errors++;
  if (e.outcome === 'failure') s.rejects++;
  addCapped(s.users, e.user && userKey(e.user));
  // Inputs are merged by event time; a record older than the newest one seen cannot end a silence.
  if (e.time - s.last > state.options.silenceMs) addGap(s, s.last, e.time);
  s.first = Math.min(s.first, e.time);
  s.last = Math.max(s.last, e.time);
}

function addGap(s: ServerAcc, from: number, to: number): void {
  s.gapCount++;
  s.silentMs += to - from;
  if (s.gaps.length < MAX_GAPS_PER_SERVER) s.gaps.push({ from, to });
}

function addUser(state: ReportState, e: ClassifiedEvent & { user: UserRef }): void {
  const key = userKey(e.user);
  let u = state.users.get(key);
  if (u === undefined) {
    if (state.users.size >= MAX_USERS_TRACKED) {
      state.usersOmitted++;
      return;
    }
    u = { user: e.user, nonErrors: 0, first: e.time, last: e.time, codes: new Map(), hosts: new Set() };
    state.users.set(key, u);
  }
  u.nonErrors++;
  u.first = Math.min(u.first, e.time);
  u.last = Math.max(u.last, e.time);
  if (e.code !== undefined) bump(u.codes, e.code);
  addCapped(u.hosts, e.host, 20);
}

/** Security and accounting record types that are NPS decisions (the rest repeat a request: see docs/correlation.md). */
const SECURITY_DECISIONS = new Set([6272, 6273, 6276, 6277, 6278]);
const ACCOUNTING_DECISIONS = new Set([2, 3, 11]);

/**
 * One record per RADIUS request: correlation partners are reported under their anchor, and without correlation
 * only NPS decisions count (not accounting request lines, which precede their response).
 */
function isRequest(e: ClassifiedEvent): boolean {
  if (e.correlation?.role === 'partner') return false;
  if (e.kind === 'security') return SECURITY_DECISIONS.has(e.eventId ?? 0);
  if (e.kind === 'accounting') return ACCOUNTING_DECISIONS.has(e.radius?.packetType ?? 0);
  return e.kind === 'extension';
}

/** The NAS a request came through: its NAS-Identifier, else NAS IP, else the RADIUS client's name or address. */
export function nasOf(e: ClassifiedEvent): string | undefined {
  const r = e.radius;
  return r === undefined ? undefined : (r.nasIdentifier ?? r.nasIp ?? r.clientName ?? r.clientIp);
}

function addGroup(map: Map<string, GroupAcc>, key: string, e: ClassifiedEvent): void {
  let g = map.get(key);
  if (g === undefined) {
    g = { key, requests: 0, rejects: 0, errors: 0, first: e.time, last: e.time, users: new Set(), clients: new Set() };
    map.set(key, g);
  }
  g.requests++;
  if (e.outcome === 'failure') g.rejects++;
  if (e.category === 'error') g.errors++;
  g.first = Math.min(g.first, e.time);
  g.last = Math.max(g.last, e.time);
  addCapped(g.users, e.user && userKey(e.user));
  addCapped(g.clients, e.radius?.clientIp, 5);
}

/** Adds one event (mutates the state: it is an accumulator, like `addToSummary`). */
export function addToReport(state: ReportState, e: ClassifiedEvent): void {
  state.events++;
  state.first = state.first === undefined ? e.time : Math.min(state.first, e.time);
  state.last = state.last === undefined ? e.time : Math.max(state.last, e.time);
  const category = CATEGORY_INDEX[e.category];
  state.byCategory[category]!++;
  bump(state.byKind, e.kind);
  bump(state.byInput, e.position.file);
  const bucket = bucketAt(state.timeline, e.time, BUCKET, MAX_LIVE_BUCKETS);
  bucket.categories[category]!++;
  if (e.kind === 'extension' && e.code !== undefined) {
    bump(bucket.codes, e.code);
    addToCodeSummary(state.codes, e as ClassifiedEvent & { code: string }, CODE_CAPS);
  }
  if (e.host !== undefined && hostKey(e.host) !== '' && NPS_KINDS.has(e.kind))
    addServer(state, e as ClassifiedEvent & { host: string });
  if (e.category === 'non-error' && e.user !== undefined) addUser(state, e as ClassifiedEvent & { user: UserRef });
  if (isRequest(e)) {
    const nas = nasOf(e);
    if (nas !== undefined) addGroup(state.nas, nas, e);
    const policy = e.radius?.networkPolicy;
    if (policy !== undefined) addGroup(state.policies, policy, e);
  }
}

/** An event behind an alert: where to find it (input and line) and what it was. */
export interface ReportEventRef {
  readonly time: number;
  readonly file: string;
  readonly line: number;
  readonly kind: RecordKind;
  readonly category: Category;
  readonly host?: string;
  readonly user?: string;
  readonly code?: string;
  readonly message?: string;
}

export interface ReportAlert {
  readonly id: string;
  readonly ruleId: string;
  readonly ruleType: string;
  readonly status: 'firing' | 'resolved';
  readonly severity: Severity;
  readonly time: number;
  readonly startsAt: number;
  readonly endsAt?: number;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly key: string;
  readonly summary: string;
  readonly codes: readonly string[];
  readonly value: number;
  readonly threshold?: number;
  readonly count: number;
  readonly flapping: boolean;
  readonly events: readonly ReportEventRef[];
}

/** Rule key fields that name a user (see FIELD_GETTERS): their values are pseudonymised like user names. */
const USER_FIELDS = new Set(['npswatch.user.key', 'user.name', 'user.id', 'user.email']);

function eventRef(e: ClassifiedEvent, pseudonymize: Pseudonymizer | undefined): ReportEventRef {
  const message = e.message?.replace(/\s+/g, ' ').trim().slice(0, MAX_MESSAGE);
  return {
    time: e.time,
    file: e.position.file,
    line: e.position.line,
    kind: e.kind,
    category: e.category,
    ...(e.host === undefined ? {} : { host: e.host }),
    ...(e.user === undefined ? {} : { user: showUser(e.user, pseudonymize) }),
    ...(e.code === undefined ? {} : { code: e.code }),
    ...(message ? { message: scrubUsers(message, [e.user], pseudonymize) } : {}),
  };
}

/** Keeps an alert with references to the events behind it (its sample); user names pseudonymised when asked. */
export function addAlertToReport(state: ReportState, a: NotifyAlert): void {
  if (state.alerts.length >= (state.options.maxAlerts ?? DEFAULTS.maxAlerts)) {
    state.alertsOmitted++;
    return;
  }
  const p = state.options.pseudonymize;
  const keyUsers = Object.entries(a.keyFields)
    .filter(([field]) => USER_FIELDS.has(field))
    .map(([, value]) => parseUser(value));
  const named = [...keyUsers, ...a.sample.map((e) => e.user)];
  state.alerts.push({
    id: a.id,
    ruleId: a.ruleId,
    ruleType: a.ruleType,
    status: a.status,
    severity: a.severity,
    time: a.time,
    startsAt: a.startsAt,
    ...(a.endsAt === undefined ? {} : { endsAt: a.endsAt }),
    windowStart: a.windowStart,
    windowEnd: a.windowEnd,
    key: scrubUsers(a.key, named, p),
    summary: scrubUsers(a.summary, named, p),
    codes: [...a.codes],
    value: a.value,
    ...(a.threshold === undefined ? {} : { threshold: a.threshold }),
    count: a.count,
    flapping: a.flapping,
    events: a.sample.map((e) => eventRef(e, p)),
  });
}

export type Trend = 'up' | 'down' | 'flat';

export interface ReportCode {
  readonly code: string;
  readonly entryId?: string;
  readonly category: Category;
  readonly severity: Severity;
  readonly count: number;
  /** Counts in the first and second half of the chart's buckets (the second half has the extra one when odd). */
  readonly firstHalf: number;
  readonly secondHalf: number;
  readonly trend: Trend;
  readonly first: number;
  readonly last: number;
  readonly servers: number;
  readonly users: number;
  /** From the catalog; absent for codes it does not know. */
  readonly title?: LocalizedText;
  readonly cause?: LocalizedText;
  readonly remediation?: LocalizedSteps;
  readonly docUrl?: string;
}

export interface ReportServer {
  readonly host: string;
  readonly events: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly rejects: number;
  readonly users: number;
  readonly first: number;
  readonly last: number;
  /** Periods longer than the silence threshold without an NPS record, including the end of the report's range. */
  readonly silences: readonly { readonly from: number; readonly to: number }[];
  readonly silenceCount: number;
  readonly silentMs: number;
}

export interface ReportUser {
  /** The account as written, or its token when pseudonymised. */
  readonly user: string;
  readonly nonErrors: number;
  readonly codes: readonly { readonly code: string; readonly count: number }[];
  readonly servers: readonly string[];
  readonly first: number;
  readonly last: number;
}

export interface ReportGroup {
  readonly key: string;
  readonly requests: number;
  readonly rejects: number;
  readonly rejectRate: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly users: number;
  readonly clients: readonly string[];
  readonly first: number;
  readonly last: number;
}

export interface ReportInput {
  readonly name: string;
  readonly events: number;
  readonly rejected: number;
}

/** Everything the report shows, aggregated: its size depends on codes, servers and rows, not on events. */
export interface ReportModel {
  readonly version: string;
  readonly generatedAt: number;
  readonly tz: string;
  readonly lang: 'en' | 'ko';
  readonly range?: { readonly from: number; readonly to: number };
  readonly inputs: readonly ReportInput[];
  readonly totals: {
    readonly events: number;
    readonly rejected: number;
    readonly late: number;
    readonly alerts: number;
    readonly alertsOmitted: number;
    readonly byCategory: Readonly<Record<Category, number>>;
    readonly byKind: Readonly<Partial<Record<RecordKind, number>>>;
  };
  readonly timeline: {
    readonly start: number;
    readonly step: number;
    /** Per category, one count per bucket from `start`. */
    readonly series: Readonly<Record<Category, readonly number[]>>;
  };
  readonly codes: readonly ReportCode[];
  readonly servers: readonly ReportServer[];
  readonly users: readonly ReportUser[];
  readonly usersTotal: number;
  readonly pseudonymized: boolean;
  readonly correlated: boolean;
  readonly nas: readonly ReportGroup[];
  readonly nasTotal: number;
  readonly policies: readonly ReportGroup[];
  readonly policiesTotal: number;
  readonly alerts: readonly ReportAlert[];
  readonly options: { readonly silenceMs: number; readonly minRepeats: number };
}

export interface ReportMeta {
  readonly version: string;
  readonly generatedAt: number;
  readonly tz: string;
  readonly lang: 'en' | 'ko';
  /** Inputs in command-line order, with the records rejected in each. */
  readonly inputs: readonly { readonly name: string; readonly rejected: number }[];
  readonly late: number;
  readonly correlated: boolean;
  /** `--until`: the range ends there (a server silent at the end is silent until then). */
  readonly until?: number;
}

const rate = (n: number, of: number) => (of === 0 ? 0 : n / of);

export function trendOf(firstHalf: number, secondHalf: number, firstBuckets: number, secondBuckets: number): Trend {
  if (firstBuckets === 0 || secondBuckets === 0) return 'flat';
  const before = firstHalf / firstBuckets;
  const after = secondHalf / secondBuckets;
  if (after > before * TREND_FACTOR) return 'up';
  if (after * TREND_FACTOR < before) return 'down';
  return 'flat';
}

function codeRow(c: CodeSummary, firstHalf: number, secondHalf: number, halves: readonly [number, number]): ReportCode {
  const entry = (c.entryId ? entryById(c.entryId) : undefined) ?? entriesForCode(c.code)[0];
  return {
    code: c.code,
    ...(c.entryId === undefined ? {} : { entryId: c.entryId }),
    category: c.category,
    severity: c.severity,
    count: c.count,
    firstHalf,
    secondHalf,
    trend: trendOf(firstHalf, secondHalf, halves[0], halves[1]),
    first: c.firstSeen,
    last: c.lastSeen,
    servers: c.hosts.size,
    users: c.users.size,
    ...(entry === undefined
      ? {}
      : { title: entry.title, cause: entry.cause, remediation: entry.remediation, docUrl: entry.docUrl }),
  };
}

function groupRows(map: Map<string, GroupAcc>, max: number): ReportGroup[] {
  return [...map.values()]
    .sort((a, b) => b.requests - a.requests || a.key.localeCompare(b.key))
    .slice(0, max)
    .map((g) => ({
      key: g.key,
      requests: g.requests,
      rejects: g.rejects,
      rejectRate: rate(g.rejects, g.requests),
      errors: g.errors,
      errorRate: rate(g.errors, g.requests),
      users: g.users.size,
      clients: [...g.clients],
      first: g.first,
      last: g.last,
    }));
}

/**
 * The report's model from the accumulated state. Folds the chart to at most `maxBuckets` buckets over the range,
 * ranks codes by volume (with their trend between the two halves of the range), closes every server's silence at
 * the end of the range, and pseudonymises users when asked.
 */
export function reportModel(state: ReportState, meta: ReportMeta): ReportModel {
  const o = state.options;
  const maxRows = o.maxRows ?? DEFAULTS.maxRows;
  const from = state.first;
  const to = state.last === undefined ? undefined : Math.max(state.last, meta.until ?? state.last);
  const range = from === undefined || to === undefined ? undefined : { from, to };

  let timeline: ReportModel['timeline'] = {
    start: 0,
    step: state.timeline.step,
    series: Object.fromEntries(REPORT_CATEGORIES.map((c) => [c, []])) as unknown as Record<Category, number[]>,
  };
  const perCode = new Map<string, [number, number]>();
  let halves: [number, number] = [0, 0];
  if (range !== undefined) {
    coarsen(
      state.timeline,
      stepFor(range.from, range.to, state.timeline.step, o.maxBuckets ?? DEFAULTS.maxBuckets, state.timeline.shift),
      BUCKET,
    );
    const dense = denseBuckets(state.timeline, range.from, range.to, BUCKET);
    const split = Math.floor(dense.buckets.length / 2);
    halves = [split, dense.buckets.length - split];
    dense.buckets.forEach((b, i) => {
      for (const [code, n] of b.codes) {
        const h = perCode.get(code) ?? [0, 0];
        h[i < split ? 0 : 1] += n;
        perCode.set(code, h);
      }
    });
    timeline = {
      start: dense.start,
      step: dense.step,
      series: Object.fromEntries(
        REPORT_CATEGORIES.map((c) => [c, dense.buckets.map((b) => b.categories[CATEGORY_INDEX[c]]!)]),
      ) as unknown as Record<Category, number[]>,
    };
  }

  // What needs action first (errors, then support cases, unknown codes, user noise, information), then volume.
  const codes = [...state.codes.values()]
    .sort(
      (a, b) =>
        CATEGORY_INDEX[a.category] - CATEGORY_INDEX[b.category] || b.count - a.count || a.code.localeCompare(b.code),
    )
    .map((c) => {
      const [first, second] = perCode.get(c.code) ?? [0, 0];
      return codeRow(c, first, second, halves);
    });

  const servers = [...state.servers.values()]
    .sort((a, b) => a.host.localeCompare(b.host))
    .map((s): ReportServer => {
      const trailing = to !== undefined && to - s.last > o.silenceMs ? [{ from: s.last, to }] : [];
      const silences = [...s.gaps, ...trailing].slice(0, MAX_GAPS_PER_SERVER + 1);
      return {
        host: s.host,
        events: s.events,
        errors: s.errors,
        errorRate: rate(s.errors, s.events),
        rejects: s.rejects,
        users: s.users.size,
        first: s.first,
        last: s.last,
        silences,
        silenceCount: s.gapCount + trailing.length,
        silentMs: s.silentMs + trailing.reduce((sum, g) => sum + g.to - g.from, 0),
      };
    });

  const users = [...state.users.values()]
    .filter((u) => u.nonErrors >= o.minRepeats)
    .sort((a, b) => b.nonErrors - a.nonErrors || userKey(a.user).localeCompare(userKey(b.user)));
  const byCategory = Object.fromEntries(
    REPORT_CATEGORIES.map((c) => [c, state.byCategory[CATEGORY_INDEX[c]]!]),
  ) as unknown as Record<Category, number>;
  const rejected = meta.inputs.reduce((n, i) => n + i.rejected, 0);

  return {
    version: meta.version,
    generatedAt: meta.generatedAt,
    tz: meta.tz,
    lang: meta.lang,
    ...(range === undefined ? {} : { range }),
    inputs: meta.inputs.map((i) => ({ name: i.name, events: state.byInput.get(i.name) ?? 0, rejected: i.rejected })),
    totals: {
      events: state.events,
      rejected,
      late: meta.late,
      alerts: state.alerts.length + state.alertsOmitted,
      alertsOmitted: state.alertsOmitted,
      byCategory,
      byKind: Object.fromEntries(state.byKind),
    },
    timeline,
    codes,
    servers,
    users: users.slice(0, maxRows).map((u) => ({
      user: showUser(u.user, o.pseudonymize),
      nonErrors: u.nonErrors,
      codes: [...u.codes]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([code, count]) => ({ code, count })),
      servers: [...u.hosts].sort(),
      first: u.first,
      last: u.last,
    })),
    usersTotal: users.length,
    pseudonymized: o.pseudonymize !== undefined,
    correlated: meta.correlated,
    nas: groupRows(state.nas, maxRows),
    nasTotal: state.nas.size,
    policies: groupRows(state.policies, maxRows),
    policiesTotal: state.policies.size,
    alerts: state.alerts,
    options: { silenceMs: o.silenceMs, minRepeats: o.minRepeats },
  };
}
