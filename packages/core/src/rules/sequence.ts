import { z } from 'zod';
import type { ClassifiedEvent } from '../classify/types.js';
import type { Mutable } from '../mutable.js';
import { mergeSamples, topCodes } from '../stream/buckets.js';
import { json } from '../stream/json.js';
import { initKeyed, type KeyedEntry, type KeyedState, keyedFromJSON, keyedToJSON, upsertKey } from '../stream/keyed.js';
import { type Pending, pendingFromJSON, pendingToJSON } from '../stream/pending.js';
import { commonShape, compileCommon, groupOf } from './common.js';
import { RULE_DEFAULTS } from './defaults.js';
import { positiveDuration } from './duration.js';
import { compileFilter, FilterSchema } from './filter.js';
import type { GroupKey } from './keys.js';
import { type Decision, decideFinal, pointDraft, pointIdle, sweepKeys } from './point.js';
import { type DetectionDraft, describeDuration, describeKey, makeDetection, type RuleRuntime } from './rule.js';
import type { Detection } from './types.js';

/** Events kept per key while waiting for a sequence to complete (oldest dropped beyond it). */
export const SEQUENCE_MAX_EVENTS_PER_KEY = 1_000;

export const sequenceStepSchema = z
  .object({
    name: z.string().optional(),
    filter: FilterSchema,
    /** Events this step needs (in any order among themselves), all before the next step's first. */
    count: z.number().int().min(1).default(RULE_DEFAULTS.sequence.count),
  })
  .strict();

/**
 * `sequence`: per key, the steps in order (each `count` times) within `within` from the first event to the
 * last. The detection is at the event completing the last step; matched events are consumed (the sequence
 * starts over), as in EQL sequences. `until` ends a partial sequence early.
 */
export const sequenceSchema = z
  .object({
    ...commonShape,
    type: z.literal('sequence'),
    within: positiveDuration,
    steps: z.array(sequenceStepSchema).min(2, { error: 'expected at least 2 steps' }),
    /** An event matching this that does not complete the sequence discards the key's partial sequence (EQL `until`). */
    until: FilterSchema.optional(),
  })
  .strict();

export type SequenceConfig = z.output<typeof sequenceSchema>;

interface Entry extends KeyedEntry {
  readonly fields: Readonly<Record<string, string>>;
  readonly lastSeen: number;
  /** Events matching some step, in event order, within `within` of the newest. */
  readonly events: readonly ClassifiedEvent[];
}

export interface SequenceState {
  readonly keys: KeyedState<Entry>;
  readonly pending: Pending;
  readonly sweptAt: number | null;
}

export function createSequence(cfg: SequenceConfig): RuleRuntime<SequenceState> {
  const common = compileCommon('sequence', cfg);
  const steps = cfg.steps.map((s, i) => ({
    name: s.name ?? `step ${i + 1}`,
    test: compileFilter(s.filter),
    count: s.count,
  }));
  const last = steps[steps.length - 1]!;
  const required = steps.reduce((n, s) => n + s.count, 0);
  const sweepEvery = Math.max(1_000, Math.floor(cfg.within / 2));

  const render = (d: DetectionDraft): string =>
    `${steps.map((s) => `${s.count} × ${s.name}`).join(' then ')} within ${describeDuration(cfg.within)} for ${describeKey(d.keyFields)}`;

  const until = cfg.until === undefined ? undefined : compileFilter(cfg.until);
  const relevant = (event: ClassifiedEvent): boolean => {
    for (const s of steps) if (s.test(event)) return true;
    return until?.(event) ?? false;
  };
  const accepts = (event: ClassifiedEvent) => relevant(event) && groupOf(common, event) !== undefined;

  /** Greedy earliest match: optimal for "is there such a subsequence"; returns the matched events or undefined. */
  const match = (events: readonly ClassifiedEvent[]): ClassifiedEvent[] | undefined => {
    const used: ClassifiedEvent[] = [];
    let at = 0;
    let have = 0;
    for (const e of events) {
      if (!steps[at]!.test(e)) continue;
      used.push(e);
      have++;
      if (have === steps[at]!.count) {
        at++;
        have = 0;
        if (at === steps.length) return used;
      }
    }
    return undefined;
  };

  /** The detection of a completed sequence ending with `event`. */
  const completed = (event: ClassifiedEvent, group: GroupKey, matched: readonly ClassifiedEvent[]): Detection => {
    const draft = pointDraft(event, group, {
      value: matched.length,
      threshold: required,
      sample: mergeSamples([matched], cfg.sample_size),
      codes: topCodes([
        matched.reduce<Record<string, number>>((acc, e) => {
          if (e.code !== undefined && e.code !== '') acc[e.code] = (acc[e.code] ?? 0) + 1;
          return acc;
        }, {}),
      ]),
    });
    return makeDetection(common.info, draft, render);
  };

  /**
   * `decide` for an owned store, when the key exists: its event list is changed in place. Events are decided in
   * event order, so a key's list is sorted and the expired ones are a prefix.
   */
  const decideOwned = (state: KeyedState<Entry>, event: ClassifiedEvent): Decision<Entry> => {
    const group = groupOf(common, event)!;
    const old = state.keys.get(group.key);
    if (old === undefined) {
      // A new key's single event completes nothing (there are at least two steps of at least one event), so it is
      // stored only when it can start a sequence: the common case (an accept of a user with no rejections) ends here.
      if (!steps[0]!.test(event) || (until?.(event) ?? false)) return { store: state, evicted: 0 };
      return decide(state, event);
    }
    const entry = old as Mutable<Entry>;
    const events = entry.events as ClassifiedEvent[];
    let expired = 0;
    while (expired < events.length && events[expired]!.time < event.time - cfg.within) expired++;
    expired = Math.max(expired, events.length + 1 - SEQUENCE_MAX_EVENTS_PER_KEY);
    if (expired > 0) events.splice(0, expired);
    events.push(event);
    const matched = last.test(event) ? match(events) : undefined;
    if (matched !== undefined || (until?.(event) ?? false)) entry.events = [];
    if (event.time > entry.lastSeen) entry.lastSeen = event.time;
    if (matched === undefined) return { store: state, evicted: 0 };
    return { store: state, out: completed(event, group, matched), evicted: 0 };
  };

  const decide = (state: KeyedState<Entry>, event: ClassifiedEvent): Decision<Entry> => {
    const group = groupOf(common, event)!;
    const old = state.keys.get(group.key);
    const kept = (old?.events ?? []).filter((e) => e.time >= event.time - cfg.within);
    const events = [...kept.slice(Math.max(0, kept.length + 1 - SEQUENCE_MAX_EVENTS_PER_KEY)), event];
    const matched = last.test(event) ? match(events) : undefined;
    const reset = matched !== undefined || (until?.(event) ?? false);
    // A new key whose only event cannot start a sequence (or is discarded at once) could never be matched: matching
    // starts at the first step from the oldest event. Not storing it keeps such events (e.g. every accept) from
    // creating keys; a key that exists is updated as before.
    if (old === undefined && (reset || !steps[0]!.test(event))) return { store: state, evicted: 0 };
    const { state: store, evicted } = upsertKey(
      state,
      group.key,
      () => ({
        fields: group.fields,
        lastSeen: Math.max(old?.lastSeen ?? event.time, event.time),
        pinned: false,
        events: reset ? [] : events,
      }),
      common.maxKeys,
    );
    if (matched === undefined) return { store, evicted };
    return { store, out: completed(event, group, matched), evicted };
  };

  const sweep = (state: SequenceState, watermark: number): SequenceState => {
    // A future event has time ≥ watermark, so anything older than watermark - within can never join it.
    const horizon = watermark - cfg.within;
    const keys = sweepKeys(
      state.keys,
      state.sweptAt,
      watermark,
      sweepEvery,
      (e) => e.lastSeen < horizon || e.events.length === 0,
    );
    return keys === undefined ? state : { ...state, keys, sweptAt: watermark };
  };

  return {
    id: common.info.id,
    type: common.info.type,
    lateness: common.lateness,
    fingerprint: common.fingerprint,
    accepts,
    init: () => ({ keys: initKeyed<Entry>(), pending: null, sweptAt: null }),
    idle: (state, watermark) => pointIdle(state.keys, state.pending, state.sweptAt, watermark, sweepEvery),
    step(state, input) {
      const { store: keys, pending, out, evicted } = decideFinal(state.keys, state.pending, input, decide);
      return { state: sweep({ keys, pending, sweptAt: state.sweptAt }, input.watermark), out, evicted };
    },
    apply(state, input) {
      const { store: keys, pending, out, evicted } = decideFinal(state.keys, state.pending, input, decideOwned, true);
      const swept = sweep({ keys, pending, sweptAt: state.sweptAt }, input.watermark);
      return { state: swept, out, evicted };
    },
    size: (state) => state.keys.keys.size + (state.pending?.size ?? 0),
    toJSON: (state) => ({
      keys: keyedToJSON(state.keys, (e) => e),
      pending: pendingToJSON(state.pending),
      sweptAt: state.sweptAt,
    }),
    fromJSON: (value) => {
      const o = json.object(value, 'sequence state');
      return {
        keys: keyedFromJSON(o.keys, (e): Entry => {
          const x = json.object(e, 'sequence key');
          return {
            fields: json.strings(x.fields, 'fields'),
            lastSeen: json.number(x.lastSeen, 'lastSeen'),
            pinned: false,
            events: json.events(x.events, 'events'),
          };
        }),
        pending: pendingFromJSON(o.pending),
        sweptAt: json.numberOrNull(o.sweptAt, 'sweptAt'),
      };
    },
  };
}
