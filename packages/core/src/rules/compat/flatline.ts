import type { ClassifiedEvent } from '../../classify/types.js';
import { addSample, NO_EVENTS } from '../../stream/buckets.js';
import { json } from '../../stream/json.js';
import { initKeyed, type KeyedState, keyedToJSON } from '../../stream/keyed.js';
import { compileCommon } from '../common.js';
import type { FlatlineConfig } from '../flatline.js';
import type { RuleRuntime } from '../rule.js';
import type { CompatOptions } from './options.js';
import {
  type CompatEntry,
  type CompatState,
  compatKey,
  compatKeysFromJSON,
  compatRuntime,
  dropKey,
  emitWindowMatch,
  plural,
  putKey,
  type StepContext,
  sampleWithin,
} from './runtime.js';
import {
  append,
  type EventWindow,
  emptyWindow,
  entryOf,
  newest,
  oldest,
  windowCodes,
  windowFromJSON,
  windowToJSON,
} from './window.js';

/**
 * `flatline` with `compat: elastalert`: ElastAlert's FlatlineRule. Per key (keys are learned from events; the
 * ungrouped rule has one), an EventWindow of the last `window`. Checked only at the end of a run: for the key of
 * the run's last event (the end of add_data), then for every key after appending a count-0 placeholder at the
 * run's end (garbage_collect). A key is checked once `window` has passed since its first entry; fewer than
 * `min_count` events is a match at the newest entry, and the key is checked again at the next run, so a silence
 * matches at every run. With `compat.forget_keys` the key is forgotten instead until it is seen again (the
 * ungrouped rule starts over, so it matches once per `window`). Keys are never forgotten otherwise.
 */

interface Entry extends CompatEntry<number | null> {
  readonly window: EventWindow;
  /** ElastAlert's first_event: checks wait until the newest entry is `window` after it. */
  readonly first: number | null;
  readonly sample: readonly ClassifiedEvent[];
}

interface Own {
  readonly keys: KeyedState<Entry>;
  /** Key of the last event since the previous run: add_data checks it at the end of its batch. */
  readonly lastKey: string | null;
}

export type CompatFlatlineState = CompatState<Own>;

export function createCompatFlatline(cfg: FlatlineConfig, compat: CompatOptions): RuleRuntime<CompatFlatlineState> {
  const common = compileCommon('flatline', cfg);
  const keyOf = compatKey(cfg.group_by);
  const timeframe = cfg.window;

  /** FlatlineRule.check_for_match(key, end=True). */
  const check = (keys: KeyedState<Entry>, key: string, ctx: StepContext): KeyedState<Entry> => {
    const entry = keys.keys.get(key);
    if (entry === undefined) return keys;
    const last = newest(entry.window)!.t;
    const first = entry.first ?? last;
    const count = entry.window.count;
    if (last - first < timeframe || count >= cfg.min_count)
      return first === entry.first ? keys : withEntry(keys, key, { ...entry, first });
    const measured = {
      value: count,
      threshold: cfg.min_count,
      sample: sampleWithin(entry.sample, last, timeframe),
      codes: windowCodes(entry.window),
    };
    const group = { key, fields: entry.fields };
    emitWindowMatch(
      ctx,
      common,
      group,
      last,
      timeframe,
      measured,
      (where) => `${plural(count, 'event')} ${where} (fewer than ${cfg.min_count})`,
    );
    // Forget the key until it is seen again, or check it again at the next run (so a silence matches every run).
    if (compat.forget_keys) return dropKey(keys, key);
    return withEntry(keys, key, { ...entry, first: Math.min(oldest(entry.window)!.t, last - timeframe) });
  };

  const withEntry = (keys: KeyedState<Entry>, key: string, entry: Entry): KeyedState<Entry> => ({
    ...keys,
    keys: keys.keys.set(key, entry),
  });

  return compatRuntime<Own>({
    common,
    every: compat.run_every,
    everyRun: true,
    accepts: common.matches,
    init: () => ({ keys: initKeyed<Entry>(), lastKey: null }),
    event(own, event, ctx) {
      const group = keyOf(event);
      const old = own.keys.keys.get(group.key);
      const { window } = append(old?.window ?? emptyWindow(), entryOf(event.time, event), timeframe);
      const entry: Entry = {
        lastSeen: event.time,
        pinned: false,
        fields: old?.fields ?? group.fields,
        window,
        first: old?.first ?? null,
        sample: addSample(old?.sample ?? NO_EVENTS, event, cfg.sample_size),
      };
      return { keys: putKey(own.keys, group.key, entry, common.maxKeys, ctx), lastKey: group.key };
    },
    run(own, end, ctx) {
      let keys = own.lastKey === null ? own.keys : check(own.keys, own.lastKey, ctx);
      const known = keys.keys.keys();
      // Without group_by the rule itself is the key, known before any event.
      const visit = known.length === 0 && cfg.group_by.length === 0 ? [''] : known.sort();
      for (const key of visit) {
        const old = keys.keys.get(key);
        const { window } = append(old?.window ?? emptyWindow(), entryOf(end, undefined), timeframe);
        const entry: Entry = {
          lastSeen: old?.lastSeen ?? null,
          pinned: false,
          fields: old?.fields ?? {},
          window,
          first: old?.first ?? end,
          sample: old?.sample ?? NO_EVENTS,
        };
        keys = check(withEntry(keys, key, entry), key, ctx);
      }
      return { keys, lastKey: null };
    },
    size: (own) => own.keys.keys.size,
    toJSON: (own) => ({
      lastKey: own.lastKey,
      keys: keyedToJSON(own.keys, (e) => ({ ...e, window: windowToJSON(e.window) })),
    }),
    fromJSON(value) {
      const o = json.object(value, 'flatline compat state');
      return {
        lastKey: o.lastKey === null ? null : json.string(o.lastKey, 'lastKey'),
        keys: compatKeysFromJSON(
          o.keys,
          'flatline',
          json.numberOrNull,
          (head, e): Entry => ({
            ...head,
            window: windowFromJSON(e.window, 'window'),
            first: json.numberOrNull(e.first, 'first'),
            sample: json.events(e.sample, 'sample'),
          }),
        ),
      };
    },
  });
}
