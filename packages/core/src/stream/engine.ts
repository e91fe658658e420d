import type { ClassifiedEvent } from '../classify/types.js';
import type { Mutable } from '../mutable.js';
import { RULE_DEFAULTS } from '../rules/defaults.js';
import { compareDetections, type RuleRuntime } from '../rules/rule.js';
import { compileRule, type RuleConfig } from '../rules/schema.js';
import type { Detection } from '../rules/types.js';
import { parseDuration } from '../time/duration.js';
import { type EngineInput, isTick } from './input.js';
import { json } from './json.js';

export interface EngineOptions {
  /** Allowed lateness in ms for rules without their own `allowed_lateness` (default 1m). */
  readonly allowedLateness?: number;
}

/** Counters, per step (in EngineStep) and running totals (in EngineState). */
export interface EngineCounts {
  readonly events: number;
  readonly ticks: number;
  /** Events too old for at least one rule that would have used them (see `late`). */
  readonly late: number;
  /** Keys evicted by `max_keys`. */
  readonly evicted: number;
  readonly detections: number;
}

/**
 * The engine's state: a plain value. Rule states may hold persistent maps, so persist it with `toJSON` and
 * restore it with `fromJSON`, never with JSON.stringify directly.
 */
export interface EngineState {
  /** Newest event (or plain tick) time seen. */
  readonly maxTime: number | null;
  /** Just past the newest final tick (its time + 1 ms): every watermark is at least this. */
  readonly floor: number | null;
  readonly totals: EngineCounts;
  /** Each rule's state, in the order of `Engine.rules`. */
  readonly rules: readonly unknown[];
}

export interface EngineStep {
  readonly state: EngineState;
  /** Detections of this step, sorted by (time, ruleId, key). */
  readonly out: readonly Detection[];
  /** Events older than the watermark of a rule they matched: not applied there; dead-letter or count them. */
  readonly late: readonly ClassifiedEvent[];
  readonly counts: EngineCounts;
}

/** A saved engine state: versioned, with each rule's fingerprint so a changed rule starts fresh instead of misreading. */
export interface EngineStateJSON {
  readonly version: 1;
  readonly maxTime: number | null;
  readonly floor: number | null;
  readonly totals: EngineCounts;
  readonly rules: Readonly<Record<string, { readonly fingerprint: string; readonly state: unknown }>>;
}

export interface Engine {
  /** The compiled, enabled rules, in configuration order. */
  readonly rules: readonly RuleRuntime<unknown>[];
  init(): EngineState;
  /** One input → the next state and what it produced. Pure: the given state is never modified. */
  step(state: EngineState, input: EngineInput): EngineStep;
  /**
   * `step` for a caller that owns the state and drops the old one (createDetector): the same result, but the given
   * state (its object, its rule states and what they hold) is updated in place and returned, so neither it nor
   * anything read from it earlier may be used afterwards (`toJSON` output is a copy and stays valid). Pass only
   * states from this engine's `init`, `fromJSON`, `step` or `apply` whose predecessors are dropped, never one
   * shared with other code.
   */
  apply(state: EngineState, input: EngineInput): EngineStep;
  /** Folds `step` over inputs; outputs are concatenated in input order (so chunking never changes them). */
  run(state: EngineState, inputs: Iterable<EngineInput>): EngineStep;
  /** Each rule's current watermark (null before any input). */
  watermarks(state: EngineState): Record<string, number | null>;
  /** The slowest rule's watermark, without building the per-rule record (called once per input). */
  minWatermark(state: EngineState): number | null;
  /** Keys or stored values held per rule (bounded-memory checks, telemetry). */
  sizes(state: EngineState): Record<string, number>;
  toJSON(state: EngineState): EngineStateJSON;
  /**
   * Restores a saved state. Rules whose options changed (fingerprint), that are new, or whose saved state is
   * unreadable start fresh and are listed in `reset`; saved rules no longer configured are dropped.
   */
  fromJSON(value: unknown): { readonly state: EngineState; readonly reset: readonly string[] };
}

/** The output of the many steps that produce none (shared: outputs are read-only). */
const NONE: readonly never[] = Object.freeze([]);

const ZERO: EngineCounts = Object.freeze({ events: 0, ticks: 0, late: 0, evicted: 0, detections: 0 });
const ONE_EVENT: EngineCounts = Object.freeze({ ...ZERO, events: 1 });
const ONE_TICK: EngineCounts = Object.freeze({ ...ZERO, ticks: 1 });

const addCounts = (a: EngineCounts, b: EngineCounts): EngineCounts => ({
  events: a.events + b.events,
  ticks: a.ticks + b.ticks,
  late: a.late + b.late,
  evicted: a.evicted + b.evicted,
  detections: a.detections + b.detections,
});

/** Compiles the enabled rules into an engine. Rule ids must be unique (loadRules checks that). */
export function createEngine(configs: readonly RuleConfig[], options: EngineOptions = {}): Engine {
  const defaultLateness = options.allowedLateness ?? parseDuration(RULE_DEFAULTS.allowed_lateness);
  if (!(defaultLateness >= 0)) throw new RangeError(`allowedLateness must be ≥ 0, got ${defaultLateness}`);
  const rules = configs.filter((c) => c.enabled).map(compileRule);
  const ids = new Set<string>();
  for (const r of rules) {
    if (ids.has(r.id)) throw new RangeError(`duplicate rule id "${r.id}"`);
    ids.add(r.id);
  }
  const lateness = rules.map((r) => r.lateness ?? defaultLateness);
  // What `step` and `apply` call: `apply` takes a rule's in-place step where it has one.
  const pureSteps = rules.map((r) => r.step.bind(r));
  const inPlaceSteps = rules.map((r) => (r.apply ?? r.step).bind(r));

  const watermarkOf = (state: Pick<EngineState, 'maxTime' | 'floor'>, i: number): number | null => {
    const fromEvents = state.maxTime === null ? null : state.maxTime - lateness[i]!;
    if (fromEvents === null) return state.floor;
    return state.floor === null ? fromEvents : Math.max(fromEvents, state.floor);
  };

  const init = (): EngineState => ({
    maxTime: null,
    floor: null,
    totals: ZERO,
    rules: rules.map((r) => r.init()),
  });

  /** Adds a step's counts to the totals: a new object, or in place for an owned state (its totals are its own). */
  const total = (state: EngineState, counts: EngineCounts, inPlace: boolean): EngineCounts => {
    if (!inPlace || Object.isFrozen(state.totals)) return addCounts(state.totals, counts);
    const t = state.totals as Mutable<EngineCounts>;
    t.events += counts.events;
    t.ticks += counts.ticks;
    t.late += counts.late;
    t.evicted += counts.evicted;
    t.detections += counts.detections;
    return t;
  };

  const advance = (state: EngineState, input: EngineInput, inPlace: boolean): EngineStep => {
    let maxTime = state.maxTime;
    let floor = state.floor;
    const event = isTick(input) ? undefined : input;
    if (!Number.isFinite(input.time)) {
      // A time we cannot place is never silently dropped: it goes to `late` with the other unusable events.
      const counts = { ...ZERO, events: event ? 1 : 0, ticks: event ? 0 : 1, late: event ? 1 : 0 };
      return {
        state: { ...state, totals: total(state, counts, inPlace) },
        out: [],
        late: event ? [event] : [],
        counts,
      };
    }
    // A final tick at T says every event at or before T has arrived: the watermark moves just past T.
    if (event === undefined && isTick(input) && input.final === true)
      floor = Math.max(floor ?? input.time + 1, input.time + 1);
    else maxTime = Math.max(maxTime ?? input.time, input.time);

    let out: Detection[] | undefined;
    let late = false;
    let evicted = 0;
    const states = state.rules;
    const steps = inPlace ? inPlaceSteps : pureSteps;
    let nextRules: unknown[] | undefined;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      const fromEvents = maxTime === null ? null : maxTime - lateness[i]!;
      const watermark = (fromEvents === null ? floor : floor === null ? fromEvents : Math.max(fromEvents, floor))!;
      const prev = states[i];
      // What this input shows was observed: its time, unless the watermark is already past it.
      const time = Math.max(input.time, watermark);
      const stepOf = steps[i]!;
      let result: ReturnType<typeof rule.step>;
      if (event !== undefined && rule.accepts(event)) {
        if (event.time < watermark) {
          late = true;
          if (rule.idle?.(prev, watermark) === true) continue;
          result = stepOf(prev, { type: 'advance', time, watermark });
        } else {
          result = stepOf(prev, { type: 'event', event, time, watermark });
        }
      } else {
        // Nothing due: an advance would return the same state and no output.
        if (rule.idle?.(prev, watermark) === true) continue;
        result = stepOf(prev, { type: 'advance', time, watermark });
      }
      if (result.out.length !== 0) {
        out ??= [];
        for (const d of result.out) out.push(d);
      }
      evicted += result.evicted;
      if (result.state !== prev) {
        nextRules ??= inPlace ? (states as unknown[]) : states.slice();
        nextRules[i] = result.state;
      }
    }
    if (out !== undefined && out.length > 1) out.sort(compareDetections);
    // Most inputs are one plain event or tick: their counts are shared constants.
    const counts: EngineCounts =
      !late && evicted === 0 && out === undefined
        ? event
          ? ONE_EVENT
          : ONE_TICK
        : {
            events: event ? 1 : 0,
            ticks: event ? 0 : 1,
            late: late ? 1 : 0,
            evicted,
            detections: out === undefined ? 0 : out.length,
          };
    const totals = total(state, counts, inPlace);
    let next: EngineState;
    if (inPlace) {
      // The caller drops the old state: reuse its object.
      const m = state as Mutable<EngineState>;
      m.maxTime = maxTime;
      m.floor = floor;
      m.totals = totals;
      next = m;
    } else next = { maxTime, floor, totals, rules: nextRules ?? states };
    return { state: next, out: out ?? NONE, late: late && event ? [event] : NONE, counts };
  };

  const step = (state: EngineState, input: EngineInput): EngineStep => advance(state, input, false);

  const run = (state: EngineState, inputs: Iterable<EngineInput>): EngineStep => {
    let s = state;
    const out: Detection[] = [];
    const late: ClassifiedEvent[] = [];
    let counts = ZERO;
    for (const input of inputs) {
      const r = step(s, input);
      s = r.state;
      for (const d of r.out) out.push(d);
      for (const e of r.late) late.push(e);
      counts = addCounts(counts, r.counts);
    }
    return { state: s, out, late, counts };
  };

  const toJSON = (state: EngineState): EngineStateJSON => ({
    version: 1,
    maxTime: state.maxTime,
    floor: state.floor,
    totals: { ...state.totals },
    rules: Object.fromEntries(
      // A copy: under `apply` the live state keeps changing, and a saved snapshot must not.
      rules.map((r, i) => [r.id, { fingerprint: r.fingerprint, state: structuredClone(r.toJSON(state.rules[i])) }]),
    ),
  });

  const fromJSON = (input: unknown): { state: EngineState; reset: string[] } => {
    // Rule states restored from it are modified in place by `apply`: they must not share the caller's objects.
    const value = structuredClone(input);
    const o = json.object(value, 'engine state');
    if (o.version !== 1) throw new TypeError(`engine state: unsupported version ${JSON.stringify(o.version)}`);
    const totalsIn = json.object(o.totals, 'engine totals');
    const totals: EngineCounts = {
      events: json.number(totalsIn.events, 'totals.events'),
      ticks: json.number(totalsIn.ticks, 'totals.ticks'),
      late: json.number(totalsIn.late, 'totals.late'),
      evicted: json.number(totalsIn.evicted, 'totals.evicted'),
      detections: json.number(totalsIn.detections, 'totals.detections'),
    };
    const saved = json.object(o.rules, 'engine rules');
    const reset: string[] = [];
    const ruleStates: unknown[] = [];
    for (const rule of rules) {
      const entry = saved[rule.id];
      const restored = (() => {
        if (typeof entry !== 'object' || entry === null) return undefined;
        const e = entry as { fingerprint?: unknown; state?: unknown };
        if (e.fingerprint !== rule.fingerprint) return undefined;
        try {
          return { state: rule.fromJSON(e.state) };
        } catch (err) {
          if (err instanceof TypeError) return undefined;
          throw err;
        }
      })();
      if (restored === undefined) reset.push(rule.id);
      ruleStates.push(restored === undefined ? rule.init() : restored.state);
    }
    return {
      state: {
        maxTime: json.numberOrNull(o.maxTime, 'maxTime'),
        floor: json.numberOrNull(o.floor, 'floor'),
        totals,
        rules: ruleStates,
      },
      reset,
    };
  };

  return {
    rules,
    init,
    step,
    apply: (state, input) => advance(state, input, true),
    run,
    watermarks: (state) => Object.fromEntries(rules.map((r, i) => [r.id, watermarkOf(state, i)])),
    minWatermark: (state) => {
      let min: number | null = null;
      for (let i = 0; i < rules.length; i++) {
        const w = watermarkOf(state, i);
        if (w !== null && (min === null || w < min)) min = w;
      }
      return min;
    },
    sizes: (state) => Object.fromEntries(rules.map((r, i) => [r.id, r.size(state.rules[i])])),
    toJSON,
    fromJSON,
  };
}
