import { fieldGetter } from '../../classify/fields.js';
import type { ClassifiedEvent } from '../../classify/types.js';
import { json } from '../../stream/json.js';
import type { KeyedState } from '../../stream/keyed.js';
import { PMap } from '../../stream/pmap.js';
import type { CardinalityConfig } from '../cardinality.js';
import { compileCommon } from '../common.js';
import { present } from '../keys.js';
import type { RuleRuntime } from '../rule.js';
import type { CompatOptions } from './options.js';
import {
  type CompatEntry,
  type CompatState,
  compatKey,
  emitWindowMatch,
  keyedCompatRuntime,
  plural,
  putKey,
  type StepContext,
} from './runtime.js';

/**
 * `cardinality` with `compat: elastalert`: ElastAlert's CardinalityRule. Per key, each value of `field` with the
 * time it was last seen. Every event with the field is checked: more than `max` values, or fewer than `min` once
 * more than `window` has passed since the key's first event, may be a match; then values last seen more than
 * `window` before the event are dropped (for every key, and with `min` every key is checked at that time too) and
 * the check is repeated. A match restarts the key's timeframe. So `max` matches on every event while over it, and
 * runs drop old values and check `min` at their end.
 */

interface Entry extends CompatEntry {
  /** Value → time last seen. */
  readonly values: PMap<string, number>;
  /** ElastAlert's first_event: the start of the key's timeframe for `min`. */
  readonly first: number | null;
}

type Keys = KeyedState<Entry>;

export type CompatCardinalityState = CompatState<Keys>;

export function createCompatCardinality(
  cfg: CardinalityConfig,
  compat: CompatOptions,
): RuleRuntime<CompatCardinalityState> {
  const common = compileCommon('cardinality', cfg);
  const keyOf = compatKey(cfg.group_by);
  const counted = fieldGetter(cfg.field);
  const timeframe = cfg.window;
  const max = cfg.max ?? Number.POSITIVE_INFINITY;
  const min = cfg.min ?? Number.NEGATIVE_INFINITY;

  /** CardinalityRule.check_for_match: `event` is undefined for the placeholders of garbage_collect. */
  const check = (
    keys: Keys,
    key: string,
    time: number,
    event: ClassifiedEvent | undefined,
    collect: boolean,
    ctx: StepContext,
  ): Keys => {
    const entry = keys.keys.get(key)!;
    const elapsed = time - (entry.first ?? time) > timeframe;
    const n = entry.values.size;
    if (!(n > max || (n < min && elapsed))) return keys;
    // Old values are only dropped when there might be a match.
    if (collect) return check(garbageCollect(keys, time, ctx), key, time, event, false, ctx);
    const over = n > max;
    const group = { key, fields: entry.fields };
    const measured = {
      value: n,
      threshold: over ? cfg.max! : cfg.min!,
      sample: event === undefined || cfg.sample_size === 0 ? [] : [event],
      codes: event?.code === undefined || event.code === '' ? [] : [event.code],
    };
    emitWindowMatch(
      ctx,
      common,
      group,
      time,
      timeframe,
      measured,
      (where) =>
        `${plural(n, 'distinct value')} of ${cfg.field} ${where} (${over ? `more than ${cfg.max}` : `fewer than ${cfg.min}`})`,
    );
    return { ...keys, keys: keys.keys.set(key, { ...entry, first: null }) };
  };

  /** CardinalityRule.garbage_collect: drops values older than the timeframe; with `min`, checks every key. */
  const garbageCollect = (keys: Keys, time: number, ctx: StepContext): Keys => {
    let state = keys;
    for (const [key, entry] of keys.keys.entries().sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      let values = entry.values;
      for (const [v, seen] of values.entries()) if (time - seen > timeframe) values = values.delete(v);
      if (values !== entry.values) state = { ...state, keys: state.keys.set(key, { ...entry, values }) };
      if (cfg.min !== undefined) state = check(state, key, time, undefined, false, ctx);
    }
    return state;
  };

  return keyedCompatRuntime<Entry>({
    common,
    every: compat.run_every,
    everyRun: true,
    accepts: common.matches,
    event(keys, event, ctx) {
      const group = keyOf(event);
      const old = keys.keys.get(group.key);
      const value = present(counted(event));
      const values = old?.values ?? PMap.empty<string, number>();
      const entry: Entry = {
        lastSeen: event.time,
        pinned: false,
        fields: old?.fields ?? group.fields,
        values: value === undefined ? values : values.set(value, event.time),
        first: old?.first ?? event.time,
      };
      const stored = putKey(keys, group.key, entry, common.maxKeys, ctx);
      return value === undefined ? stored : check(stored, group.key, event.time, event, true, ctx);
    },
    run: (keys, end, ctx) => garbageCollect(keys, end, ctx),
    entryToJSON: (e) => ({
      ...e,
      values: e.values.entries().sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    }),
    entryFromJSON: (head, o) => ({
      ...head,
      values: PMap.from(
        json.array(o.values, 'values').map((pair): [string, number] => {
          const [v, t] = json.array(pair, 'value');
          return [json.string(v, 'value'), json.number(t, 'value time')];
        }),
      ),
      first: json.numberOrNull(o.first, 'first'),
    }),
  });
}
