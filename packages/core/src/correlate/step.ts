import type {
  ClassifiedEvent,
  Correlation,
  CorrelationMatch,
  CorrelationPartner,
  RadiusContext,
} from '../classify/types.js';
import type { Mutable } from '../mutable.js';
import { type EngineInput, isTick, type Tick, tick } from '../stream/input.js';
import { json } from '../stream/json.js';
import { compareEvents } from '../stream/order.js';
import { PMap } from '../stream/pmap.js';
import { type Agenda, agendaPeek, agendaPop, agendaPush, emptyAgenda } from './agenda.js';
import {
  extensionAccepts,
  hostKey,
  matchUser,
  mergeRadius,
  type Role,
  roleOf,
  sameClient,
  sameDecision,
  sameHost,
} from './match.js';

export interface CorrelateOptions {
  /** Largest time difference between records of one request, ms: clock skew and logging delay (default 5000). */
  readonly tolerance?: number;
  /** How far behind the newest record a record may arrive and still be matched, ms (default: `tolerance`). */
  readonly lateness?: number;
  /** Largest time from an accounting Access-Request line to its response line, ms (default 60000: MFA waits). */
  readonly requestWindow?: number;
  /** Records held at most (default 200000); past it the oldest pending decisions are taken early (counted). */
  readonly maxHeld?: number;
}

export type ResolvedCorrelateOptions = Required<CorrelateOptions>;

export const CORRELATE_DEFAULTS = Object.freeze({ tolerance: 5000, requestWindow: 60_000, maxHeld: 200_000 });

export function resolveCorrelateOptions(options: CorrelateOptions = {}): ResolvedCorrelateOptions {
  const tolerance = options.tolerance ?? CORRELATE_DEFAULTS.tolerance;
  const lateness = options.lateness ?? tolerance;
  const requestWindow = options.requestWindow ?? CORRELATE_DEFAULTS.requestWindow;
  const maxHeld = options.maxHeld ?? CORRELATE_DEFAULTS.maxHeld;
  const check = (name: string, v: number, min: number) => {
    if (!(Number.isFinite(v) && v >= min))
      throw new RangeError(`correlate ${name} must be a number ≥ ${min}, got ${v}`);
  };
  check('tolerance', tolerance, 0);
  check('lateness', lateness, 0);
  check('requestWindow', requestWindow, 0);
  check('maxHeld', maxHeld, 1);
  return { tolerance, lateness, requestWindow, maxHeld };
}

/**
 * How far the correlator's output can run behind the newest time it has emitted: a request line goes out with
 * its response's group up to 3 × tolerance + requestWindow after its own time. A downstream engine needs at least
 * this much allowed lateness, and the correlator's forwarded ticks trail its watermark by it.
 */
export function correlateHoldback(options: CorrelateOptions = {}): number {
  const o = resolveCorrelateOptions(options);
  return 3 * o.tolerance + o.requestWindow;
}

export interface CorrelateCounts {
  /** Records in (ticks not counted). */
  readonly records: number;
  /** Extension events decided, and those joined with at least one NPS record. */
  readonly extension: number;
  readonly matched: number;
  /** NPS decisions reported without an extension event (as anchors). */
  readonly npsOnly: number;
  /** Records that arrived after the watermark passed them: emitted at once, `matched: 'late'`. */
  readonly late: number;
  /** Decisions taken before their time because `maxHeld` was reached. */
  readonly forced: number;
}

/** A record waiting for its partners. */
interface Held {
  readonly id: number;
  readonly event: ClassifiedEvent;
  readonly role: Role;
  readonly host: string;
  /** Match key; a response without a user takes its request's once paired. */
  readonly user: string;
  /** Decision: taken by a group. Request: paired with a response (and emitted with it). */
  readonly claimed: boolean;
  /** Accounting response: its pair step has run, and the request it found. */
  readonly paired: boolean;
  readonly request: number | null;
}

// Tasks due at the same time run in this order: a response finds its request before an extension event may
// take the response; extension events choose before NPS records group among themselves, Security events before
// accounting lines (so a Security event reports a request NPS logged twice); releases come last.
const EMIT = 0;
const PAIR = 1;
const EXTENSION = 2;
const NPS_SECURITY = 3;
const NPS_ACCOUNTING = 4;
const RELEASE = 5;
const PHASES = 6;

interface Task {
  /** The task runs once every record at or before `due` has arrived (watermark > due). */
  readonly due: number;
  readonly phase: number;
  readonly id: number;
  readonly event: ClassifiedEvent;
}

// Identity (`id`) breaks ties only between identical events, whose outputs are identical whatever the order.
const compareTasks = (a: Task, b: Task): number =>
  a.due - b.due || a.phase - b.phase || compareEvents(a.event, b.event) || a.id - b.id;

/**
 * The correlator's state. Persistent maps and a persistent agenda make `correlateStep` pure without copying; save it
 * with `correlateStateToJSON` and restore it with `correlateStateFromJSON`.
 */
export interface CorrelateState {
  readonly maxTime: number | null;
  /** Just past the newest final tick. */
  readonly floor: number | null;
  /** Time of the newest tick forwarded downstream. */
  readonly forwarded: number | null;
  readonly nextId: number;
  readonly agenda: Agenda<Task>;
  readonly held: PMap<number, Held>;
  /** Decisions by user key. */
  readonly byUser: PMap<string, readonly number[]>;
  /** Decisions by 100 ms slot of event time: for extension events whose user is redacted. */
  readonly bySlot: PMap<number, readonly number[]>;
  /** Unpaired-or-paired requests by file, server and user. */
  readonly requests: PMap<string, readonly number[]>;
  /** Requests by file and `Class`. */
  readonly byClass: PMap<string, readonly number[]>;
  /** Learned clock offset (ms) from one log to another, from unambiguous matches. */
  readonly offsets: PMap<string, number>;
  readonly totals: CorrelateCounts;
}

export interface CorrelateStep {
  readonly state: CorrelateState;
  /** Records (enriched and flagged) and forwarded ticks, in a deterministic order. */
  readonly out: readonly EngineInput[];
}

const ZERO: CorrelateCounts = Object.freeze({ records: 0, extension: 0, matched: 0, npsOnly: 0, late: 0, forced: 0 });

export function initCorrelate(): CorrelateState {
  return {
    maxTime: null,
    floor: null,
    forwarded: null,
    nextId: 0,
    agenda: emptyAgenda(PHASES),
    held: PMap.empty(),
    byUser: PMap.empty(),
    bySlot: PMap.empty(),
    requests: PMap.empty(),
    byClass: PMap.empty(),
    offsets: PMap.empty(),
    totals: ZERO,
  };
}

// Small slots keep each slot's id list short: lists are copied on every change.
const SLOT = 100;
const MAX_OFFSETS = 1024;
const sep = '\n';
const requestKey = (file: string, host: string, user: string) => `${file}${sep}${host}${sep}${user}`;
const classKey = (file: string, cls: string) => `${file}${sep}${cls}`;
const offsetKey = (from: string, to: string) => `${from}${sep}${to}`;

function without(list: readonly number[] | undefined, id: number): readonly number[] | undefined {
  if (list === undefined) return undefined;
  const i = list.indexOf(id);
  if (i < 0) return list;
  if (list.length === 1) return undefined;
  return [...list.slice(0, i), ...list.slice(i + 1)];
}

const KIND_ORDER: Readonly<Record<string, number>> = { security: 0, accounting: 1 };

/**
 * One step's working copy of the state. Every field is a persistent structure, so updating them never changes
 * the state the step was given.
 */
class Work {
  maxTime: number | null;
  floor: number | null;
  forwarded: number | null;
  nextId: number;
  agenda: Agenda<Task>;
  held: PMap<number, Held>;
  byUser: PMap<string, readonly number[]>;
  bySlot: PMap<number, readonly number[]>;
  requests: PMap<string, readonly number[]>;
  byClass: PMap<string, readonly number[]>;
  offsets: PMap<string, number>;
  totals: Mutable<CorrelateCounts>;
  readonly out: EngineInput[] = [];

  constructor(
    readonly o: ResolvedCorrelateOptions,
    s: CorrelateState,
  ) {
    this.maxTime = s.maxTime;
    this.floor = s.floor;
    this.forwarded = s.forwarded;
    this.nextId = s.nextId;
    this.agenda = s.agenda;
    this.held = s.held;
    this.byUser = s.byUser;
    this.bySlot = s.bySlot;
    this.requests = s.requests;
    this.byClass = s.byClass;
    this.offsets = s.offsets;
    this.totals = { ...s.totals };
  }

  state(): CorrelateState {
    return {
      maxTime: this.maxTime,
      floor: this.floor,
      forwarded: this.forwarded,
      nextId: this.nextId,
      agenda: this.agenda,
      held: this.held,
      byUser: this.byUser,
      bySlot: this.bySlot,
      requests: this.requests,
      byClass: this.byClass,
      offsets: this.offsets,
      totals: { ...this.totals },
    };
  }

  watermark(): number | null {
    const fromEvents = this.maxTime === null ? null : this.maxTime - this.o.lateness;
    if (fromEvents === null) return this.floor;
    return this.floor === null ? fromEvents : Math.max(fromEvents, this.floor);
  }

  schedule(h: Held, due: number, phase: number): void {
    this.agenda = agendaPush(this.agenda, phase, { due, phase, id: h.id, event: h.event }, compareTasks);
  }

  /** The next task if `take` accepts it, removed from the agenda. */
  next(take: (task: Task) => boolean): Task | undefined {
    const task = agendaPeek(this.agenda, compareTasks);
    if (task === undefined || !take(task)) return undefined;
    this.agenda = agendaPop(this.agenda, compareTasks);
    return task;
  }

  /** Indexes a held record and schedules its tasks (also used to rebuild a restored state). */
  track(h: Held): void {
    this.held = this.held.set(h.id, h);
    const t = h.event.time;
    switch (h.role) {
      case 'pass':
        this.schedule(h, t, EMIT);
        break;
      case 'anchor':
        this.schedule(h, t + this.o.tolerance, EXTENSION);
        break;
      case 'request': {
        if (h.user !== '') this.push('requests', requestKey(h.event.position.file, h.host, h.user), h.id);
        const cls = h.event.radius?.class;
        if (cls !== undefined) this.push('byClass', classKey(h.event.position.file, cls), h.id);
        this.schedule(h, t + this.o.requestWindow, RELEASE);
        break;
      }
      case 'decision': {
        if (h.user !== '') this.pushUser(h.user, h.id);
        const slot = Math.floor(t / SLOT);
        this.bySlot = this.bySlot.set(slot, [...(this.bySlot.get(slot) ?? []), h.id]);
        const tol = this.o.tolerance;
        // An extension event may take it until its own time + tolerance: NPS-only grouping waits for that. An
        // accounting line waits one tolerance more, for a Security event of the same request to take it.
        if (h.event.kind === 'accounting') {
          if (!h.paired) this.schedule(h, t, PAIR);
          this.schedule(h, t + 3 * tol, NPS_ACCOUNTING);
        } else this.schedule(h, t + 2 * tol, NPS_SECURITY);
        break;
      }
    }
  }

  push(index: 'requests' | 'byClass', key: string, id: number): void {
    this[index] = this[index].set(key, [...(this[index].get(key) ?? []), id]);
  }

  pushUser(user: string, id: number): void {
    this.byUser = this.byUser.set(user, [...(this.byUser.get(user) ?? []), id]);
  }

  /** Forgets an emitted record. */
  drop(h: Held): void {
    this.held = this.held.delete(h.id);
    const file = h.event.position.file;
    const update = <K>(map: PMap<K, readonly number[]>, key: K): PMap<K, readonly number[]> => {
      const list = without(map.get(key), h.id);
      return list === undefined ? map.delete(key) : map.set(key, list);
    };
    if (h.role === 'decision') {
      if (h.user !== '') this.byUser = update(this.byUser, h.user);
      this.bySlot = update(this.bySlot, Math.floor(h.event.time / SLOT));
    } else if (h.role === 'request') {
      if (h.user !== '') this.requests = update(this.requests, requestKey(file, h.host, h.user));
      const cls = h.event.radius?.class;
      if (cls !== undefined) this.byClass = update(this.byClass, classKey(file, cls));
    }
  }

  add(event: ClassifiedEvent, role: Role): void {
    const id = this.nextId++;
    this.track({
      id,
      event,
      role,
      host: hostKey(event.host),
      user: matchUser(event),
      claimed: false,
      paired: false,
      request: null,
    });
  }

  /** Runs due tasks: every task with due < watermark, plus (final tick) every task of a record at or before `upTo`. */
  run(watermark: number | null, upTo?: number): void {
    if (upTo === undefined) {
      if (watermark === null) return;
      for (let task = this.next((t) => t.due < watermark); task; task = this.next((t) => t.due < watermark))
        this.perform(task);
      return;
    }
    const kept: Task[] = [];
    for (let task = this.next(() => true); task; task = this.next(() => true)) {
      if ((watermark !== null && task.due < watermark) || task.event.time <= upTo) this.perform(task);
      else kept.push(task);
    }
    for (const task of kept) this.agenda = agendaPush(this.agenda, task.phase, task, compareTasks);
  }

  /** Past `maxHeld`, takes the earliest pending tasks now. */
  cap(): void {
    while (this.held.size > this.o.maxHeld) {
      const task = this.next(() => true);
      if (task === undefined) return;
      if (this.held.has(task.id)) this.totals.forced++;
      this.perform(task);
    }
  }

  perform(task: Task): void {
    const h = this.held.get(task.id);
    if (h === undefined) return; // emitted with an earlier group
    switch (task.phase) {
      case EMIT:
        this.drop(h);
        this.out.push(h.event);
        return;
      case PAIR:
        this.pair(h);
        return;
      case EXTENSION:
        this.decideExtension(h);
        return;
      case NPS_SECURITY:
      case NPS_ACCOUNTING:
        if (!h.claimed) this.decideNps(h);
        return;
      case RELEASE:
        if (!h.claimed) this.emitGroup(h, []);
        return;
    }
  }

  /** An accounting response finds its request line: same `Class` if both have one, else same user, oldest first. */
  pair(r: Held): void {
    const file = r.event.position.file;
    const t = r.event.time;
    const cls = r.event.radius?.class;
    const fits = (q: Held | undefined): q is Held =>
      q !== undefined &&
      !q.claimed &&
      q.event.time <= t &&
      q.event.time >= t - this.o.requestWindow &&
      sameHost(q.host, r.host) &&
      sameClient(q.event, r.event);
    let best: Held | undefined;
    const consider = (ids: readonly number[] | undefined, accept: (q: Held) => boolean) => {
      for (const id of ids ?? []) {
        const q = this.held.get(id);
        if (fits(q) && accept(q) && (best === undefined || compareEvents(q.event, best.event) < 0)) best = q;
      }
    };
    if (cls !== undefined) consider(this.byClass.get(classKey(file, cls)), () => true);
    if (best === undefined && r.user !== '') {
      // Without a shared Class, a request that has a different Class is another request.
      consider(this.requests.get(requestKey(file, r.host, r.user)), (q) => {
        const qc = q.event.radius?.class;
        return cls === undefined || qc === undefined || qc === cls;
      });
    }
    const q = best as Held | undefined;
    let user = r.user;
    if (q !== undefined) {
      this.held = this.held.set(q.id, { ...q, claimed: true });
      if (user === '' && q.user !== '') {
        user = q.user;
        this.pushUser(user, r.id);
      }
    }
    this.held = this.held.set(r.id, { ...r, user, paired: true, request: q?.id ?? null });
  }

  /** Unclaimed decisions within tolerance of `t` that `accept` allows, read from the user or the time index. */
  candidates(user: string, t: number, accept: (d: Held) => boolean): Held[] {
    const tol = this.o.tolerance;
    const ids: number[] = [];
    if (user !== '') ids.push(...(this.byUser.get(user) ?? []));
    else
      for (let s = Math.floor((t - tol) / SLOT); s <= Math.floor((t + tol) / SLOT); s++)
        ids.push(...(this.bySlot.get(s) ?? []));
    const out: Held[] = [];
    for (const id of ids) {
      const d = this.held.get(id);
      if (d !== undefined && !d.claimed && Math.abs(d.event.time - t) <= tol && accept(d)) out.push(d);
    }
    return out;
  }

  decideExtension(e: Held): void {
    let cands = this.candidates(
      e.user,
      e.event.time,
      (d) => sameHost(e.host, d.host) && extensionAccepts(e.event, d.event),
    );
    if (e.user === '') {
      // A redacted or missing user matches only when every candidate names the same user: never guess between two.
      cands = cands.filter((d) => d.user !== '');
      if (new Set(cands.map((d) => d.user)).size !== 1) cands = [];
    }
    this.totals.extension++;
    const chosen = this.choose(e, cands);
    if (chosen.length > 0) this.totals.matched++;
    this.emitGroup(e, chosen);
  }

  decideNps(d: Held): void {
    const cands =
      d.user === ''
        ? []
        : this.candidates(
            d.user,
            d.event.time,
            (x) =>
              x.id !== d.id &&
              x.event.position.file !== d.event.position.file &&
              sameHost(d.host, x.host) &&
              sameDecision(d.event, x.event),
          );
    this.totals.npsOnly++;
    this.emitGroup(d, this.choose(d, cands));
  }

  /**
   * At most one decision per log file: a log records a request once. Security logs first, then accounting, by file
   * name. The closest in time after the learned offset between the two logs wins (ties: event order); a shared
   * Account-Session-Id, where both sides have one, overrides time.
   */
  choose(anchor: Held, cands: readonly Held[]): Held[] {
    if (cands.length === 0) return [];
    const byFile = new Map<string, Held[]>();
    for (const c of cands) {
      const file = c.event.position.file;
      const list = byFile.get(file);
      if (list) list.push(c);
      else byFile.set(file, [c]);
    }
    const files = [...byFile.entries()].sort(
      ([fa, [a]], [fb, [b]]) =>
        (KIND_ORDER[a!.event.kind] ?? 2) - (KIND_ORDER[b!.event.kind] ?? 2) || (fa < fb ? -1 : fa > fb ? 1 : 0),
    );
    const sessions = new Set<string>();
    const own = anchor.event.radius?.accountSessionId;
    if (own !== undefined) sessions.add(own);
    const chosen: Held[] = [];
    const from = anchor.event.position.file;
    for (const [file, all] of files) {
      let list = all;
      if (sessions.size > 0) {
        const strong = list.filter((c) => sessions.has(c.event.radius?.accountSessionId ?? ''));
        list = strong.length > 0 ? strong : list.filter((c) => c.event.radius?.accountSessionId === undefined);
      }
      if (list.length === 0) continue;
      const key = offsetKey(from, file);
      const offset = this.offsets.get(key) ?? 0;
      const t = anchor.event.time;
      let best = list[0]!;
      let bestDist = Math.abs(best.event.time - t - offset);
      for (let i = 1; i < list.length; i++) {
        const c = list[i]!;
        const dist = Math.abs(c.event.time - t - offset);
        if (dist < bestDist || (dist === bestDist && compareEvents(c.event, best.event) < 0)) {
          best = c;
          bestDist = dist;
        }
      }
      if (all.length === 1) this.learnOffset(key, best.event.time - t);
      const sid = best.event.radius?.accountSessionId;
      if (sid !== undefined) sessions.add(sid);
      chosen.push(best);
    }
    return chosen;
  }

  /** Running average (1/8 weight) of the offset seen in unambiguous matches: keeps skewed duplicates in order. */
  learnOffset(key: string, delta: number): void {
    const old = this.offsets.get(key);
    if (old === undefined) {
      if (this.offsets.size < MAX_OFFSETS) this.offsets = this.offsets.set(key, delta);
      return;
    }
    this.offsets = this.offsets.set(key, old + Math.round((delta - old) / 8));
  }

  /** Emits a request's records: the anchor first, then the others in event order, each flagged, the anchor enriched. */
  emitGroup(anchor: Held, chosen: readonly Held[]): void {
    const members: Held[] = [...chosen];
    const requestOf = (h: Held) => (h.request === null ? undefined : this.held.get(h.request));
    const anchorRequest = requestOf(anchor);
    if (anchorRequest !== undefined) members.push(anchorRequest);
    for (const c of chosen) {
      const q = requestOf(c);
      if (q !== undefined) members.push(q);
    }
    members.sort((a, b) => compareEvents(a.event, b.event));
    const group = [anchor, ...members];
    const requests = new Map<Held, Held>();
    for (const h of group) {
      const q = requestOf(h);
      if (q !== undefined) requests.set(h, q);
    }
    for (const h of group) this.drop(h);
    const refs = group.map((h) => partnerOf(h.event));
    const hasExtension = anchor.role === 'anchor';
    const kinds = (self: Held): CorrelationMatch => {
      if (hasExtension && self !== anchor) return 'extension';
      let security = false;
      let accounting = false;
      for (const h of group) {
        if (h === self) continue;
        if (h.event.kind === 'security') security = true;
        else if (h.event.kind === 'accounting') accounting = true;
      }
      return security && accounting ? 'both' : security ? 'security' : accounting ? 'accounting' : 'none';
    };
    group.forEach((h, i) => {
      const partners = refs.filter((_, j) => j !== i);
      const correlation: Correlation = { matched: kinds(h), role: i === 0 ? 'anchor' : 'partner', partners };
      let radius: RadiusContext | undefined = h.event.radius;
      let user = h.event.user;
      if (i === 0 && hasExtension) {
        // Security first (it names the NAS and the calling station), then responses, then request lines.
        const rank = (m: Held) => (m.event.kind === 'security' ? 0 : m.role === 'decision' ? 1 : 2);
        const sources = [...members].sort((a, b) => rank(a) - rank(b) || compareEvents(a.event, b.event));
        radius = mergeRadius(
          radius,
          sources.map((m) => m.event.radius),
        );
      } else {
        const q = requests.get(h);
        if (q !== undefined) {
          radius = mergeRadius(radius, [q.event.radius]);
          user ??= q.event.user;
        }
      }
      this.out.push(withCorrelation(h.event, correlation, radius, user));
    });
  }

  emitLate(event: ClassifiedEvent): void {
    this.totals.late++;
    this.out.push(
      roleOf(event) === 'pass'
        ? event
        : withCorrelation(event, { matched: 'late', role: 'anchor', partners: [] }, event.radius, event.user),
    );
  }
}

function partnerOf(e: ClassifiedEvent): CorrelationPartner {
  return { kind: e.kind, file: e.position.file, line: e.position.line, time: e.time };
}

/**
 * A copy with the correlation (and the merged radius and user). One literal with every member, like classify's:
 * spreading a wide event made V8 build slow dictionary objects, on the hot path here and in every rule after it.
 */
function withCorrelation(
  e: ClassifiedEvent,
  correlation: Correlation,
  radius: RadiusContext | undefined,
  user: ClassifiedEvent['user'],
): ClassifiedEvent {
  const out: ClassifiedEvent = {
    time: e.time,
    kind: e.kind,
    format: e.format,
    position: e.position,
    host: e.host,
    channel: e.channel,
    provider: e.provider,
    eventId: e.eventId,
    recordId: e.recordId,
    level: e.level,
    message: e.message,
    user,
    correlationId: e.correlationId,
    correlationIdValid: e.correlationIdValid,
    code: e.code,
    entryId: e.entryId,
    category: e.category,
    severity: e.severity,
    audience: e.audience,
    outcome: e.outcome,
    detail: e.detail,
    radius,
    traceId: e.traceId,
    stsCorrelationId: e.stsCorrelationId,
    correlation,
  };
  return out;
}

/**
 * The pure correlation step behind `correlate`: one input (a classified event or a tick) → the next state and the
 * records it releases. A record is held until every record that could share its request has arrived (the
 * watermark, newest time − `lateness`, has passed its time + tolerance), then released with its group in an order
 * that depends only on the records, not on how they were interleaved within the lateness. Plain ticks are
 * forwarded `correlateHoldback` behind the watermark; a final tick at T releases every record at or before T
 * first, then is forwarded. The given state is never modified.
 */
export function correlateStep(
  options: CorrelateOptions | ResolvedCorrelateOptions,
  state: CorrelateState,
  input: EngineInput,
): CorrelateStep {
  const o = resolveCorrelateOptions(options);
  const w = new Work(o, state);
  if (!Number.isFinite(input.time)) {
    // A time we cannot place cannot be matched; it is never dropped either.
    if (!isTick(input)) {
      w.totals.records++;
      w.emitLate(input);
    }
    return { state: w.state(), out: w.out };
  }
  const t = input as Tick;
  const final = isTick(input) && t.final === true;
  if (final) w.floor = Math.max(w.floor ?? input.time + 1, input.time + 1);
  else w.maxTime = Math.max(w.maxTime ?? input.time, input.time);
  const watermark = w.watermark()!;
  if (!isTick(input)) {
    w.totals.records++;
    if (input.time < watermark) w.emitLate(input);
    else w.add(input, roleOf(input));
  }
  w.run(watermark, final ? input.time : undefined);
  w.cap();
  if (final) {
    w.forwarded = Math.max(w.forwarded ?? input.time, input.time);
    w.out.push(input);
  } else if (isTick(input)) {
    const at = Math.min(input.time, watermark - correlateHoldback(o) - 1);
    if (w.forwarded === null || at > w.forwarded) {
      w.forwarded = at;
      w.out.push(tick(at));
    }
  }
  return { state: w.state(), out: w.out };
}

/** End of input: releases everything held, in the same order later input would have. */
export function correlateFlush(
  options: CorrelateOptions | ResolvedCorrelateOptions,
  state: CorrelateState,
): CorrelateStep {
  const w = new Work(resolveCorrelateOptions(options), state);
  w.run(null, Number.POSITIVE_INFINITY);
  return { state: w.state(), out: w.out };
}

/** Records held (bounded-memory checks, telemetry). */
export const correlateSize = (state: CorrelateState): number => state.held.size;

export interface CorrelateStateJSON {
  readonly version: 1;
  readonly maxTime: number | null;
  readonly floor: number | null;
  readonly forwarded: number | null;
  readonly nextId: number;
  readonly held: readonly {
    readonly id: number;
    readonly event: ClassifiedEvent;
    readonly user: string;
    readonly claimed: boolean;
    readonly paired: boolean;
    readonly request: number | null;
  }[];
  readonly offsets: readonly (readonly [string, number])[];
  readonly totals: CorrelateCounts;
}

/** A plain, stable JSON form: held records by id, offsets by key. Tasks and indexes are rebuilt on restore. */
export function correlateStateToJSON(state: CorrelateState): CorrelateStateJSON {
  const held = state.held
    .entries()
    .sort(([a], [b]) => a - b)
    .map(([, h]) => ({
      id: h.id,
      event: h.event,
      user: h.user,
      claimed: h.claimed,
      paired: h.paired,
      request: h.request,
    }));
  const offsets = state.offsets.entries().sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    version: 1,
    maxTime: state.maxTime,
    floor: state.floor,
    forwarded: state.forwarded,
    nextId: state.nextId,
    held,
    offsets,
    totals: state.totals,
  };
}

export function correlateStateFromJSON(
  options: CorrelateOptions | ResolvedCorrelateOptions,
  value: unknown,
): CorrelateState {
  const o = json.object(value, 'correlate state');
  if (o.version !== 1) throw new TypeError(`correlate state: unsupported version ${JSON.stringify(o.version)}`);
  const totalsIn = json.object(o.totals, 'correlate totals');
  const totals: CorrelateCounts = {
    records: json.number(totalsIn.records, 'totals.records'),
    extension: json.number(totalsIn.extension, 'totals.extension'),
    matched: json.number(totalsIn.matched, 'totals.matched'),
    npsOnly: json.number(totalsIn.npsOnly, 'totals.npsOnly'),
    late: json.number(totalsIn.late, 'totals.late'),
    forced: json.number(totalsIn.forced, 'totals.forced'),
  };
  const base: CorrelateState = {
    ...initCorrelate(),
    maxTime: json.numberOrNull(o.maxTime, 'maxTime'),
    floor: json.numberOrNull(o.floor, 'floor'),
    forwarded: json.numberOrNull(o.forwarded, 'forwarded'),
    nextId: json.number(o.nextId, 'nextId'),
    offsets: PMap.from(
      json.array(o.offsets, 'offsets').map((pair): [string, number] => {
        const [k, v] = json.array(pair, 'offset');
        return [json.string(k, 'offset key'), json.number(v, 'offset')];
      }),
    ),
    totals,
  };
  const w = new Work(resolveCorrelateOptions(options), base);
  for (const entry of json.array(o.held, 'held')) {
    const h = json.object(entry, 'held record');
    const [event] = json.events([h.event], 'held event');
    const request = h.request === null ? null : json.number(h.request, 'held.request');
    w.track({
      id: json.number(h.id, 'held.id'),
      event: event!,
      role: roleOf(event!),
      host: hostKey(event!.host),
      user: json.string(h.user, 'held.user'),
      claimed: json.boolean(h.claimed, 'held.claimed'),
      paired: json.boolean(h.paired, 'held.paired'),
      request,
    });
  }
  return w.state();
}
