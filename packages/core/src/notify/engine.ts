import type { Severity } from '../catalog/types.js';
import type { ClassifiedEvent } from '../classify/types.js';
import type { Detection } from '../rules/types.js';
import { type AlertLabels, activeSilence, alertFingerprint, inhibits, matches, sha1 } from './match.js';
import type { NotifyPolicies, RulePolicy } from './options.js';
import type { DetectionSnapshot, GroupState, InstanceState, NotifyState } from './state.js';
import { emptyNotifyState } from './state.js';
import type { NotifyAlert, NotifyInput, Suppression, SuppressReason } from './types.js';

const INSTANCE = 0;
const GROUP = 1;
type TimerKind = typeof INSTANCE | typeof GROUP;
/** [due, kind, fingerprint]: instance timers run before group flushes due at the same time. */
type Timer = readonly [number, TimerKind, string];

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
/** Summaries quoted in a grouped notification before "+N more". */
const SUMMARY_PARTS = 3;

function compareTimers(a: Timer, b: Timer): number {
  if (a[0] !== b[0]) return a[0] - b[0];
  if (a[1] !== b[1]) return a[1] - b[1];
  return a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0;
}

function isFiring(inst: InstanceState): boolean {
  return inst.phase === 'firing' || inst.phase === 'recovering' || inst.phase === 'held';
}

function labels(inst: InstanceState): AlertLabels {
  return {
    ruleId: inst.ruleId,
    ruleType: inst.ruleType,
    key: inst.key,
    severity: inst.last.severity,
    keyFields: inst.keyFields,
  };
}

/** A JSON copy, so what the state holds is exactly what a save and load gives back. */
function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * JSON copies of sampled events, made once per event: the same event is in the sample of many detections (every
 * sliding window it falls in, the active and closing detection of a point rule). The copies are never modified.
 */
const eventCopies = new WeakMap<ClassifiedEvent, ClassifiedEvent>();

function jsonEvent(event: ClassifiedEvent): ClassifiedEvent {
  let copy = eventCopies.get(event);
  if (copy === undefined) {
    copy = jsonCopy(event);
    eventCopies.set(event, copy);
  }
  return copy;
}

function snapshot(d: Detection): DetectionSnapshot {
  // Field by field, leaving out what JSON would drop: the result equals a JSON copy without making one.
  const out: DetectionSnapshot = {
    severity: d.severity,
    windowStart: d.windowStart,
    windowEnd: d.windowEnd,
    time: d.time,
    value: d.value,
    summary: d.summary,
    codes: [...d.codes],
    sample: d.sample.map(jsonEvent),
  };
  if (d.threshold !== undefined) out.threshold = d.threshold;
  if (d.reference !== undefined) out.reference = d.reference;
  return out;
}

function lowerBound(list: readonly string[], item: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as string) < item) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(list: string[], item: string): void {
  const at = lowerBound(list, item);
  if (list[at] !== item) list.splice(at, 0, item);
}

function hasSorted(list: readonly string[], item: string): boolean {
  return list[lowerBound(list, item)] === item;
}

/**
 * The notification policy as a state machine over event time. It owns and mutates its state (the pure
 * `notifyStep` copies first); the timer queue is an index rebuilt from the state, so the state stays plain JSON.
 *
 * A detection at event time T runs the timers due before T, then applies. A tick at T is a watermark (no more
 * detections at or before T) and runs the timers due at or before T. So every detection at T counts before a
 * flush at T, and inserting ticks (at watermark positions) never changes what is sent, only when. Upstream should
 * send a tick after each batch of detections, or notifications due at T wait for the next later input.
 */
export class NotifyEngine {
  readonly state: NotifyState;
  private readonly policies: NotifyPolicies;
  private readonly queue: Timer[] = [];
  private readonly scheduled = new Map<string, Timer>();
  private sources: InstanceState[] | undefined;
  private out: NotifyAlert[] = [];
  private suppressed: Suppression[] = [];

  constructor(policies: NotifyPolicies, state: NotifyState = emptyNotifyState()) {
    this.policies = policies;
    this.state = state;
    for (const fp of Object.keys(state.instances)) this.reschedule(INSTANCE, fp);
    for (const fp of Object.keys(state.groups)) this.reschedule(GROUP, fp);
  }

  /** Event time of the earliest pending timer: a tick before it changes nothing, so callers may skip it. */
  nextDue(): number | undefined {
    return this.queue[0]?.[0];
  }

  /** Applies one input; returns what it sent and suppressed. */
  apply(input: NotifyInput): { out: NotifyAlert[]; suppressed: Suppression[] } {
    const time = input.type === 'tick' ? input.time : input.detection.time;
    if (!Number.isFinite(time)) throw new RangeError(`notify: input time ${time} is not a finite epoch ms`);
    const now = Math.max(this.state.now ?? time, time);
    // Timers due at T wait for a tick at T: more detections at T may follow, and all of them count.
    this.runTimers(now, input.type === 'detection');
    this.state.now = now;
    if (input.type === 'detection') this.onDetection(input.detection, now);
    return this.take();
  }

  /**
   * End of input: a watermark at the last event time, then what group buffers still hold (first notifications
   * waiting for `group_wait`, changes waiting for `group_interval`) is sent at the time each was due. Repeats
   * and `keep_firing_for` are not run ahead: nothing says the condition still holds then.
   */
  drain(): { out: NotifyAlert[]; suppressed: Suppression[] } {
    if (this.state.now !== undefined) this.runTimers(this.state.now, false);
    const due: Timer[] = [];
    for (const [gfp, g] of Object.entries(this.state.groups)) {
      if (g.flushed && g.dirtyAt === undefined) continue;
      const at = this.groupDue(g);
      if (at !== undefined) due.push([at, GROUP, gfp]);
    }
    due.sort(compareTimers);
    for (const [at, , gfp] of due) {
      this.unschedule(GROUP, gfp);
      this.flushGroup(gfp, at);
      this.state.now = Math.max(this.state.now ?? at, at);
    }
    return this.take();
  }

  private take(): { out: NotifyAlert[]; suppressed: Suppression[] } {
    const result = { out: this.out, suppressed: this.suppressed };
    this.out = [];
    this.suppressed = [];
    return result;
  }

  private policy(ruleId: string): RulePolicy {
    return Object.hasOwn(this.policies.rules, ruleId)
      ? (this.policies.rules[ruleId] as RulePolicy)
      : this.policies.defaults;
  }

  private suppress(reason: SuppressReason, fp: string, ruleId: string, time: number): void {
    this.suppressed.push({ reason, fingerprint: fp, ruleId, time });
  }

  // --- timers ---------------------------------------------------------------------------------------------

  private runTimers(limit: number, strict: boolean): void {
    for (;;) {
      const head = this.queue[0];
      if (head === undefined || (strict ? head[0] >= limit : head[0] > limit)) return;
      this.queue.shift();
      this.scheduled.delete(`${head[1]}:${head[2]}`);
      if (head[1] === INSTANCE) this.instanceTimer(head[2], head[0]);
      else this.flushGroup(head[2], head[0]);
    }
  }

  private search(t: Timer): number {
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareTimers(this.queue[mid] as Timer, t) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private unschedule(kind: TimerKind, fp: string): void {
    const id = `${kind}:${fp}`;
    const old = this.scheduled.get(id);
    if (old === undefined) return;
    this.queue.splice(this.search(old), 1);
    this.scheduled.delete(id);
  }

  private reschedule(kind: TimerKind, fp: string): void {
    let due: number | undefined;
    if (kind === INSTANCE) {
      const inst = this.state.instances[fp];
      due = inst === undefined ? undefined : this.instanceDue(inst);
    } else {
      const g = this.state.groups[fp];
      due = g === undefined ? undefined : this.groupDue(g);
    }
    const id = `${kind}:${fp}`;
    if (this.scheduled.get(id)?.[0] === due) return;
    this.unschedule(kind, fp);
    if (due === undefined) return;
    const t: Timer = [due, kind, fp];
    this.queue.splice(this.search(t), 0, t);
    this.scheduled.set(id, t);
  }

  private instanceDue(inst: InstanceState): number | undefined {
    let due: number | undefined;
    if (inst.phase === 'recovering' && inst.keepUntil !== undefined) due = inst.keepUntil;
    const flap = this.policy(inst.ruleId).flap;
    const lastChange = inst.changes[inst.changes.length - 1];
    if (flap !== undefined && lastChange !== undefined) {
      const settle = lastChange + flap.windowMs;
      due = due === undefined ? settle : Math.min(due, settle);
    }
    return due;
  }

  /** First flush at `anchor`; later ones on the group_interval grid, only when there may be something to send. */
  private groupDue(g: GroupState): number | undefined {
    if (!g.flushed || g.lastFlush === undefined) return g.anchor;
    const p = this.policy(g.ruleId);
    const last = g.lastFlush;
    let t = g.dirtyAt;
    const min = (x: number) => {
      t = t === undefined ? x : Math.min(t, x);
    };
    if (g.open && g.lastFiringAt !== undefined && g.lastFiringAt + p.repeatIntervalMs > last) {
      min(g.lastFiringAt + p.repeatIntervalMs);
    }
    // A silence starting or ending can change what the group may send.
    for (const s of this.policies.silences) {
      if (s.endsAt <= last) continue;
      if (!g.members.some((fp) => this.memberMatches(fp, (a) => matches(s.matchers, a)))) continue;
      min(s.startsAt > last ? s.startsAt : s.endsAt);
    }
    if (t === undefined) return undefined;
    const gi = p.groupIntervalMs;
    const x = Math.max(t, last + gi);
    return g.anchor + Math.ceil((x - g.anchor) / gi) * gi;
  }

  private memberMatches(fp: string, test: (a: AlertLabels) => boolean): boolean {
    const inst = this.state.instances[fp];
    return inst !== undefined && test(labels(inst));
  }

  // --- detections -----------------------------------------------------------------------------------------

  private onDetection(d: Detection, now: number): void {
    const p = this.policy(d.ruleId);
    const fp = alertFingerprint(d.ruleId, d.key);
    let inst = this.state.instances[fp];
    if (!d.active) {
      if (inst === undefined) return;
      if (inst.phase === 'pending') {
        inst.phase = 'inactive';
        delete inst.activeSince;
        this.cleanup(fp);
      } else if (inst.phase === 'firing') {
        inst.last = snapshot(d);
        inst.detections++;
        if (p.keepFiringForMs > 0) {
          inst.phase = 'recovering';
          inst.keepUntil = d.time + p.keepFiringForMs;
        } else {
          this.resolveAttempt(fp, inst, d.time, now);
        }
      }
      // recovering / held / inactive: the condition was already off; nothing changes.
      this.reschedule(INSTANCE, fp);
      return;
    }

    if (inst === undefined) {
      inst = this.createInstance(d, p);
      this.state.instances[fp] = inst;
    }
    inst.last = snapshot(d);
    switch (inst.phase) {
      case 'inactive':
      case 'pending': {
        if (inst.phase === 'inactive') {
          inst.phase = 'pending';
          inst.activeSince = d.time;
        }
        if (d.time - (inst.activeSince ?? d.time) >= p.forMs) this.fire(fp, inst, d.time, now);
        else this.suppress('pending', fp, inst.ruleId, now);
        break;
      }
      case 'recovering':
        inst.phase = 'firing';
        delete inst.keepUntil;
        this.stillFiring(fp, inst, now, 'repeat');
        break;
      case 'held':
        // The condition is back while held by flap damping: a change, but the alert never stopped firing.
        inst.phase = 'firing';
        this.recordChange(inst, d.time);
        this.stillFiring(fp, inst, now, 'flapping');
        break;
      case 'firing':
        this.stillFiring(fp, inst, now, 'repeat');
        break;
    }
    this.reschedule(INSTANCE, fp);
  }

  private createInstance(d: Detection, p: RulePolicy): InstanceState {
    const keyFields = jsonCopy({ ...d.keyFields });
    let groupKey = d.key;
    if (p.groupBy !== undefined) groupKey = p.groupBy.map((f) => keyFields[f] ?? '').join('|');
    return {
      ruleId: d.ruleId,
      ruleType: d.ruleType,
      key: d.key,
      keyFields,
      group: alertFingerprint(d.ruleId, groupKey),
      phase: 'inactive',
      changes: [],
      flapping: false,
      flapNotified: false,
      notified: false,
      detections: 0,
      last: snapshot(d),
    };
  }

  private stillFiring(fp: string, inst: InstanceState, now: number, reason: SuppressReason): void {
    inst.detections++;
    if (inst.notified && this.state.groups[inst.group]?.open === true) this.suppress(reason, fp, inst.ruleId, now);
  }

  private fire(fp: string, inst: InstanceState, time: number, now: number): void {
    inst.phase = 'firing';
    inst.startsAt = time;
    delete inst.activeSince;
    delete inst.endsAt;
    delete inst.keepUntil;
    inst.detections++;
    this.recordChange(inst, time);
    this.joinGroup(fp, inst, now);
    this.firingChanged(inst, now);
  }

  /** The condition is off (after keep_firing_for): resolve, unless flap damping holds the alert firing. */
  private resolveAttempt(fp: string, inst: InstanceState, time: number, now: number): void {
    this.recordChange(inst, time);
    if (inst.flapping) {
      inst.phase = 'held';
      delete inst.keepUntil;
      this.suppress('flapping', fp, inst.ruleId, now);
      if (!inst.flapNotified) this.markDirty(inst.group, now);
      return;
    }
    this.resolve(inst, time, now);
  }

  private resolve(inst: InstanceState, time: number, now: number): void {
    inst.phase = 'inactive';
    inst.endsAt = time;
    delete inst.keepUntil;
    inst.flapping = false;
    inst.flapNotified = false;
    this.markDirty(inst.group, now);
    this.firingChanged(inst, now);
  }

  private recordChange(inst: InstanceState, time: number): void {
    const flap = this.policy(inst.ruleId).flap;
    if (flap === undefined) return;
    inst.changes = inst.changes.filter((c) => c > time - flap.windowMs);
    inst.changes.push(time);
    if (inst.changes.length > flap.maxChanges) inst.flapping = true;
  }

  private instanceTimer(fp: string, time: number): void {
    const inst = this.state.instances[fp];
    if (inst === undefined) return;
    if (inst.phase === 'recovering' && inst.keepUntil !== undefined && inst.keepUntil <= time) {
      this.resolveAttempt(fp, inst, inst.keepUntil, time);
    }
    const flap = this.policy(inst.ruleId).flap;
    const lastChange = inst.changes[inst.changes.length - 1];
    if (flap !== undefined && lastChange !== undefined && lastChange + flap.windowMs <= time) {
      // Stable for a whole window: flapping ends, and a held alert finally resolves.
      inst.changes = [];
      if (inst.flapping) {
        inst.flapping = false;
        inst.flapNotified = false;
        if (inst.phase === 'held') this.resolve(inst, time, time);
      }
    }
    this.cleanup(fp);
    this.reschedule(INSTANCE, fp);
  }

  /** Forgets an instance that no longer affects anything. */
  private cleanup(fp: string): void {
    const inst = this.state.instances[fp];
    if (inst === undefined || inst.phase !== 'inactive') return;
    // Flap history only matters under a flap policy (the policy may have changed since a restart).
    if (inst.changes.length > 0 && this.policy(inst.ruleId).flap !== undefined) return;
    const g = this.state.groups[inst.group];
    if (g !== undefined && hasSorted(g.members, fp)) return;
    delete this.state.instances[fp];
    this.unschedule(INSTANCE, fp);
  }

  // --- groups ---------------------------------------------------------------------------------------------

  private joinGroup(fp: string, inst: InstanceState, now: number): void {
    let g = this.state.groups[inst.group];
    if (g === undefined) {
      const p = this.policy(inst.ruleId);
      const keyFields: Record<string, string> = {};
      if (p.groupBy === undefined) Object.assign(keyFields, inst.keyFields);
      else for (const f of p.groupBy) keyFields[f] = inst.keyFields[f] ?? '';
      g = {
        ruleId: inst.ruleId,
        ruleType: inst.ruleType,
        key: p.groupBy === undefined ? inst.key : p.groupBy.map((f) => keyFields[f]).join('|'),
        keyFields,
        members: [],
        anchor: now + p.groupWaitMs,
        flushed: false,
        open: false,
      };
      this.state.groups[inst.group] = g;
    }
    insertSorted(g.members, fp);
    this.markDirty(inst.group, now);
  }

  private markDirty(gfp: string, at: number): void {
    const g = this.state.groups[gfp];
    if (g === undefined) return;
    g.dirtyAt = g.dirtyAt === undefined ? at : Math.min(g.dirtyAt, at);
    this.reschedule(GROUP, gfp);
  }

  /** An instance started or stopped firing: if it can inhibit others, their groups must look again. */
  private firingChanged(inst: InstanceState, at: number): void {
    this.sources = undefined;
    const a = labels(inst);
    const rules = this.policies.inhibitRules.filter((r) => matches(r.source, a));
    if (rules.length === 0) return;
    for (const [gfp, g] of Object.entries(this.state.groups)) {
      if (g.members.some((fp) => this.memberMatches(fp, (t) => rules.some((r) => matches(r.target, t))))) {
        this.markDirty(gfp, at);
      }
    }
  }

  private firingSources(): InstanceState[] {
    if (this.sources === undefined) {
      const rules = this.policies.inhibitRules;
      this.sources =
        rules.length === 0
          ? []
          : Object.values(this.state.instances).filter(
              (i) => isFiring(i) && rules.some((r) => matches(r.source, labels(i))),
            );
    }
    return this.sources;
  }

  private muteReason(inst: InstanceState, time: number): 'silenced' | 'inhibited' | undefined {
    const a = labels(inst);
    if (activeSilence(this.policies.silences, a, time) !== undefined) return 'silenced';
    for (const src of this.firingSources()) {
      if (src === inst) continue;
      const s = labels(src);
      if (this.policies.inhibitRules.some((r) => inhibits(r, s, a))) return 'inhibited';
    }
    return undefined;
  }

  private flushGroup(gfp: string, time: number): void {
    const g = this.state.groups[gfp];
    if (g === undefined) return;
    const p = this.policy(g.ruleId);
    g.flushed = true;
    g.lastFlush = time;
    delete g.dirtyAt;

    const members = g.members.flatMap((fp) => {
      const inst = this.state.instances[fp];
      return inst === undefined ? [] : [{ fp, inst }];
    });
    const firing = members.filter((m) => isFiring(m.inst));
    const notifiable: typeof members = [];
    for (const m of firing) {
      const reason = this.muteReason(m.inst, time);
      if (reason === undefined) {
        delete m.inst.muted;
        notifiable.push(m);
      } else if (m.inst.muted !== reason) {
        m.inst.muted = reason;
        this.suppress(reason, m.fp, m.inst.ruleId, time);
      }
    }
    const fresh = notifiable.some((m) => !m.inst.notified || (m.inst.flapping && !m.inst.flapNotified));
    const repeatDue = g.open && g.lastFiringAt !== undefined && time - g.lastFiringAt >= p.repeatIntervalMs;

    if (notifiable.length > 0 && (fresh || repeatDue)) {
      const insts = notifiable.map((m) => m.inst);
      const startsAt = Math.min(...insts.map((i) => i.startsAt ?? time));
      g.startsAt = g.open && g.startsAt !== undefined ? Math.min(g.startsAt, startsAt) : startsAt;
      g.open = true;
      g.lastFiringAt = time;
      const alert = this.buildAlert(gfp, g, insts, 'firing', time);
      this.out.push(alert);
      for (const m of members) m.inst.notified = false;
      for (const m of notifiable) {
        m.inst.notified = true;
        m.inst.detections = 0;
        if (m.inst.flapping) m.inst.flapNotified = true;
      }
      const lead = leadOf(notifiable);
      for (const m of notifiable) if (m !== lead) this.suppress('grouped', m.fp, m.inst.ruleId, time);
    } else if (firing.length === 0 && g.open) {
      const gone = members.map((m) => m.inst);
      if (p.resolve && gone.length > 0) this.out.push(this.buildAlert(gfp, g, gone, 'resolved', time));
      g.open = false;
      for (const m of members) m.inst.notified = false;
      delete g.startsAt;
      delete g.lastFiringAt;
    }

    const gone = new Set<string>();
    for (const m of members) {
      if (isFiring(m.inst)) continue;
      gone.add(m.fp);
      m.inst.notified = false;
      m.inst.detections = 0;
      delete m.inst.muted;
      delete m.inst.endsAt;
    }
    if (gone.size > 0) g.members = g.members.filter((fp) => !gone.has(fp));
    if (g.members.length === 0) {
      delete this.state.groups[gfp];
      this.unschedule(GROUP, gfp);
    } else {
      this.reschedule(GROUP, gfp);
    }
    for (const m of members) this.cleanup(m.fp);
  }

  private buildAlert(
    gfp: string,
    g: GroupState,
    insts: readonly InstanceState[],
    status: 'firing' | 'resolved',
    time: number,
  ): NotifyAlert {
    const lead = leadOf(insts.map((inst) => ({ inst }))).inst;
    const flapping = insts.some((i) => i.flapping);
    const count = insts.reduce((n, i) => n + Math.max(1, i.detections), 0);
    const startsAt = g.startsAt ?? Math.min(...insts.map((i) => i.startsAt ?? time));
    const endsAt = Math.max(...insts.map((i) => i.endsAt ?? time));
    let summary = lead.last.summary;
    if (insts.length > 1) {
      const parts = [...insts]
        .sort((a, b) => compareLead(a, b))
        .slice(0, SUMMARY_PARTS)
        .map((i) => i.last.summary);
      if (insts.length > SUMMARY_PARTS) parts.push(`+${insts.length - SUMMARY_PARTS} more`);
      summary = `${insts.length} ${g.ruleId} alerts${g.key === '' ? '' : ` for ${g.key}`}: ${parts.join('; ')}`;
    }
    if (flapping) summary = `[flapping] ${summary}`;
    return {
      id: sha1([gfp, status, time]).slice(0, 32),
      fingerprint: gfp,
      status,
      ruleId: g.ruleId,
      ruleType: lead.ruleType,
      key: g.key,
      keyFields: { ...g.keyFields },
      severity: lead.last.severity,
      windowStart: Math.min(...insts.map((i) => i.last.windowStart)),
      windowEnd: Math.max(...insts.map((i) => i.last.windowEnd)),
      time,
      startsAt,
      ...(status === 'resolved' ? { endsAt } : {}),
      value: lead.last.value,
      ...(lead.last.threshold === undefined ? {} : { threshold: lead.last.threshold }),
      ...(lead.last.reference === undefined ? {} : { reference: lead.last.reference }),
      summary,
      codes: mergeCodes(insts),
      sample: mergeSamples(insts),
      count,
      flapping,
    };
  }
}

/** Highest severity, then the latest detection, then the highest value, then the key. */
function compareLead(a: InstanceState, b: InstanceState): number {
  return (
    SEVERITY_RANK[a.last.severity] - SEVERITY_RANK[b.last.severity] ||
    b.last.time - a.last.time ||
    b.last.value - a.last.value ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}

function leadOf<T extends { inst: InstanceState }>(list: readonly T[]): T {
  let best = list[0] as T;
  for (const m of list) if (compareLead(m.inst, best.inst) < 0) best = m;
  return best;
}

/** Codes listed by more alerts first, then by best rank within an alert, then by name. */
function mergeCodes(insts: readonly InstanceState[]): string[] {
  const stats = new Map<string, { n: number; rank: number }>();
  for (const i of insts) {
    i.last.codes.forEach((code, rank) => {
      const s = stats.get(code);
      if (s === undefined) stats.set(code, { n: 1, rank });
      else {
        s.n++;
        s.rank = Math.min(s.rank, rank);
      }
    });
  }
  return [...stats.entries()]
    .sort(([ca, a], [cb, b]) => b.n - a.n || a.rank - b.rank || (ca < cb ? -1 : ca > cb ? 1 : 0))
    .map(([code]) => code);
}

/** The newest events across the alerts (newest last), as many as the largest single sample. */
function mergeSamples(insts: readonly InstanceState[]): ClassifiedEvent[] {
  if (insts.length === 1) return [...(insts[0] as InstanceState).last.sample];
  const size = Math.max(...insts.map((i) => i.last.sample.length));
  const all = insts.flatMap((i) => i.last.sample);
  all.sort((a, b) => a.time - b.time);
  return all.slice(Math.max(0, all.length - size));
}
