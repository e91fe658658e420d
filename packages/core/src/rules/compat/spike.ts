import type { ClassifiedEvent } from '../../classify/types.js';
import { addSample, NO_EVENTS } from '../../stream/buckets.js';
import { json } from '../../stream/json.js';
import { initKeyed, type KeyedState, keyedToJSON } from '../../stream/keyed.js';
import { compileCommon } from '../common.js';
import type { GroupKey } from '../keys.js';
import { describeDuration, type RuleRuntime } from '../rule.js';
import type { SpikeConfig } from '../spike.js';
import type { CompatOptions } from './options.js';
import {
  type CompatEntry,
  type CompatState,
  compatKey,
  compatKeysFromJSON,
  compatRuntime,
  emitWindowMatch,
  putKey,
  type StepContext,
  sampleWithin,
} from './runtime.js';
import {
  append,
  appendAll,
  type EventWindow,
  emptyWindow,
  entries,
  entryOf,
  newest,
  windowCodes,
  windowFromJSON,
  windowToJSON,
} from './window.js';

/**
 * `spike` with `compat: elastalert`: ElastAlert's SpikeRule. Per key a current window (the last `window` from the
 * newest entry) whose dropped entries feed a reference window of the same length, checked after every event and
 * every run's count-0 placeholder:
 *
 * - warm-up: a key is checked once `2 × window` has passed since its first entry, or, when some key (any key: the
 *   flag is rule-wide) already passed it, with `group_by` and `alert_on_new_keys` (alert_on_new_data), unless the
 *   key alerted less than `2 × window` ago;
 * - no match when current < `min_current` or reference < `min_reference` (both directions, ElastAlert's
 *   threshold_cur and threshold_ref); up when current ≥ reference × `ratio`, down when current ≤ reference / `ratio`
 *   (so 0 vs 0 is both, and a reference of 0 makes any current an up spike);
 * - after a match the reference window is emptied and the key warms up again (a level shift alerts once);
 * - at each run a key whose two windows are empty forgets them (its warm-up start stays), others get a placeholder.
 */

interface Entry extends CompatEntry<number | null> {
  /** Creation order of the key's windows: ElastAlert visits keys in that order at each run. */
  readonly seq: number;
  /** null once a run found both windows empty and forgot them. */
  readonly cur: EventWindow | null;
  readonly ref: EventWindow | null;
  /** Time of the key's first entry since its last match (ElastAlert's first_event): the warm-up start. */
  readonly first: number | null;
  /** No check during warm-up before this time (set to the match time + 2 × window after each match). */
  readonly skip: number | null;
  readonly sample: readonly ClassifiedEvent[];
}

interface Own {
  readonly keys: KeyedState<Entry>;
  /** Whether any key has passed its warm-up (ElastAlert's rule-wide ref_window_filled_once). */
  readonly filled: boolean;
  /** Next window creation number. */
  readonly seq: number;
}

export type CompatSpikeState = CompatState<Own>;

type Verdict = { readonly direction: 'up' | 'down'; readonly threshold: number } | undefined;

const round = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(2));

export function createCompatSpike(cfg: SpikeConfig, compat: CompatOptions): RuleRuntime<CompatSpikeState> {
  const common = compileCommon('spike', cfg);
  const keyOf = compatKey(cfg.group_by);
  const timeframe = cfg.window;
  const grouped = cfg.group_by.length > 0;
  const newData = grouped && cfg.alert_on_new_keys;
  const wantUp = cfg.direction !== 'down';
  const wantDown = cfg.direction !== 'up';

  const judge = (cur: number, ref: number): Verdict => {
    if (cur < cfg.min_current || ref < cfg.min_reference) return undefined;
    if (wantUp && cur >= ref * cfg.ratio) return { direction: 'up', threshold: ref * cfg.ratio };
    if (wantDown && cur <= ref / cfg.ratio) return { direction: 'down', threshold: ref / cfg.ratio };
    return undefined;
  };

  /** ElastAlert's match document: the oldest counted entry of the current window (else its newest placeholder). */
  const matchTime = (cur: EventWindow): number => (entries(cur).find((e) => e.n > 0) ?? newest(cur)!).t;

  /** SpikeRule.handle_event: one entry (an event, or a run's placeholder with `event` undefined) for `group`. */
  const handle = (
    own: Own,
    group: GroupKey,
    time: number,
    event: ClassifiedEvent | undefined,
    ctx: StepContext,
  ): Own => {
    const old = own.keys.keys.get(group.key);
    let seq = own.seq;
    let cur = old?.cur ?? null;
    let ref = old?.ref ?? null;
    let entrySeq = old?.seq ?? seq;
    if (cur === null || ref === null) {
      cur = emptyWindow();
      ref = emptyWindow();
      entrySeq = seq++;
    }
    const first = old?.first ?? time;
    const added = append(cur, entryOf(time, event), timeframe);
    cur = added.window;
    ref = appendAll(ref, added.dropped, timeframe);
    let entry: Entry = {
      lastSeen: event === undefined ? (old?.lastSeen ?? null) : time,
      pinned: false,
      fields: old?.fields ?? group.fields,
      seq: entrySeq,
      cur,
      ref,
      first,
      skip: old?.skip ?? null,
      sample:
        event === undefined ? (old?.sample ?? NO_EVENTS) : addSample(old?.sample ?? NO_EVENTS, event, cfg.sample_size),
    };
    let filled = own.filled;
    let checked: boolean;
    if (time - first < 2 * timeframe) checked = filled && newData && (entry.skip === null || time >= entry.skip);
    else {
      filled = true;
      checked = true;
    }
    const verdict = checked ? judge(cur.count, ref.count) : undefined;
    if (verdict !== undefined) {
      const at = matchTime(cur);
      const measured = {
        value: cur.count,
        threshold: verdict.threshold,
        reference: ref.count,
        sample: sampleWithin(entry.sample, time, timeframe),
        codes: windowCodes(cur),
      };
      const key = { key: group.key, fields: entry.fields };
      emitWindowMatch(
        ctx,
        common,
        key,
        time,
        timeframe,
        measured,
        (where) =>
          `${verdict.direction === 'up' ? 'spike' : 'drop'}: ${cur.count} events ${where} ` +
          `vs ${ref.count} in the ${describeDuration(timeframe)} before ` +
          `(${verdict.direction === 'up' ? 'at least' : 'at most'} ${round(verdict.threshold)}; ElastAlert's match is the event at ${new Date(at).toISOString()})`,
      );
      // ElastAlert's clear_windows: a new reference and a new warm-up; the current window stays.
      entry = { ...entry, ref: emptyWindow(), first: null, skip: at + 2 * timeframe };
    }
    return { keys: putKey(own.keys, group.key, entry, common.maxKeys, ctx), filled, seq };
  };

  return compatRuntime<Own>({
    common,
    every: compat.run_every,
    everyRun: true,
    accepts: common.matches,
    init: () => ({ keys: initKeyed<Entry>(), filled: false, seq: 0 }),
    event: (own, event, ctx) => handle(own, keyOf(event), event.time, event, ctx),
    run(own, end, ctx) {
      let state = own;
      const visit = own.keys.keys
        .entries()
        .filter(([, e]) => e.cur !== null)
        .sort(([, a], [, b]) => a.seq - b.seq);
      for (const [key, entry] of visit) {
        if (grouped && entry.cur!.count === 0 && entry.ref!.count === 0) {
          // Forgotten windows; the warm-up start stays, so a key back after a long silence is warm at once.
          const keepsState = entry.first !== null || (entry.skip !== null && entry.skip > end);
          const keys = keepsState
            ? state.keys.keys.set(key, { ...entry, cur: null, ref: null, sample: NO_EVENTS })
            : state.keys.keys.delete(key);
          state = { ...state, keys: { ...state.keys, keys } };
          continue;
        }
        state = handle(state, { key, fields: entry.fields }, end, undefined, ctx);
      }
      // Keys whose windows are gone and whose skip has passed hold nothing that changes an outcome.
      let keys = state.keys.keys;
      for (const [key, e] of keys.entries())
        if (e.cur === null && e.first === null && (e.skip === null || e.skip <= end)) keys = keys.delete(key);
      return keys === state.keys.keys ? state : { ...state, keys: { ...state.keys, keys } };
    },
    size: (own) => own.keys.keys.size,
    toJSON: (own) => ({
      filled: own.filled,
      seq: own.seq,
      keys: keyedToJSON(own.keys, (e) => ({
        ...e,
        cur: e.cur === null ? null : windowToJSON(e.cur),
        ref: e.ref === null ? null : windowToJSON(e.ref),
      })),
    }),
    fromJSON(value) {
      const o = json.object(value, 'spike compat state');
      return {
        filled: json.boolean(o.filled, 'filled'),
        seq: json.number(o.seq, 'seq'),
        keys: compatKeysFromJSON(
          o.keys,
          'spike',
          json.numberOrNull,
          (head, e): Entry => ({
            ...head,
            seq: json.number(e.seq, 'seq'),
            cur: e.cur === null ? null : windowFromJSON(e.cur, 'cur'),
            ref: e.ref === null ? null : windowFromJSON(e.ref, 'ref'),
            first: json.numberOrNull(e.first, 'first'),
            skip: json.numberOrNull(e.skip, 'skip'),
            sample: json.events(e.sample, 'sample'),
          }),
        ),
      };
    },
  });
}
