import type { ClassifiedEvent } from '../../classify/types.js';
import { addSample, NO_EVENTS } from '../../stream/buckets.js';
import { json } from '../../stream/json.js';
import type { KeyedState } from '../../stream/keyed.js';
import { compileCommon } from '../common.js';
import type { RuleRuntime } from '../rule.js';
import type { ThresholdConfig } from '../threshold.js';
import type { CompatOptions } from './options.js';
import {
  type CompatEntry,
  type CompatState,
  compatKey,
  dropKey,
  emitWindowMatch,
  keyedCompatRuntime,
  plural,
  putKey,
  sampleWithin,
} from './runtime.js';
import { append, type EventWindow, emptyWindow, entryOf, windowCodes, windowFromJSON, windowToJSON } from './window.js';

/**
 * `threshold` with `compat: elastalert`: ElastAlert's FrequencyRule. Per key, an EventWindow of the last `window`
 * measured back from the newest event; when it holds `count` events the newest one is a match, and the key's window
 * is emptied, so counting starts again from zero (a burst of 3 × count events is three matches).
 */

interface Entry extends CompatEntry {
  readonly window: EventWindow;
  /** The newest events, for the detection (filtered to the window when shown). */
  readonly sample: readonly ClassifiedEvent[];
}

export type CompatThresholdState = CompatState<KeyedState<Entry>>;

export function createCompatThreshold(cfg: ThresholdConfig, compat: CompatOptions): RuleRuntime<CompatThresholdState> {
  const common = compileCommon('threshold', cfg);
  const keyOf = compatKey(cfg.group_by);
  const timeframe = cfg.window;

  return keyedCompatRuntime<Entry>({
    common,
    every: compat.run_every,
    // A run only forgets keys whose newest event is older than the timeframe: a later event would drop them anyway.
    everyRun: false,
    accepts: common.matches,
    event(state, event, ctx) {
      const group = keyOf(event);
      const old = state.keys.get(group.key);
      const { window } = append(old?.window ?? emptyWindow(), entryOf(event.time, event), timeframe);
      const sample = addSample(old?.sample ?? NO_EVENTS, event, cfg.sample_size);
      if (window.count < cfg.count) {
        const entry: Entry = { lastSeen: event.time, pinned: false, fields: group.fields, window, sample };
        return putKey(state, group.key, entry, common.maxKeys, ctx);
      }
      const measured = {
        value: window.count,
        threshold: cfg.count,
        sample: sampleWithin(sample, event.time, timeframe),
        codes: windowCodes(window),
      };
      emitWindowMatch(
        ctx,
        common,
        group,
        event.time,
        timeframe,
        measured,
        (where) => `${plural(window.count, 'matching event')} ${where} (at least ${cfg.count}); counting starts over`,
      );
      // ElastAlert deletes the key's window after a match.
      return dropKey(state, group.key);
    },
    run(state, end) {
      let keys = state.keys;
      for (const [k, e] of keys.entries()) if (end - e.lastSeen > timeframe) keys = keys.delete(k);
      return keys === state.keys ? state : { ...state, keys };
    },
    entryToJSON: (e) => ({ ...e, window: windowToJSON(e.window) }),
    entryFromJSON: (head, o) => ({
      ...head,
      window: windowFromJSON(o.window, 'window'),
      sample: json.events(o.sample, 'sample'),
    }),
  });
}
