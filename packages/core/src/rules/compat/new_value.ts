import { fieldGetter, resolveField } from '../../classify/fields.js';
import type { ClassifiedEvent } from '../../classify/types.js';
import { json } from '../../stream/json.js';
import { initKeyed, type KeyedState, keyedFromJSON, keyedToJSON } from '../../stream/keyed.js';
import { compileCommon } from '../common.js';
import { joinKey, present } from '../keys.js';
import type { NewValueConfig } from '../new_value.js';
import { oneEvent, pointDraft } from '../point.js';
import { describeKey, type RuleRuntime } from '../rule.js';
import type { CompatOptions } from './options.js';
import { type CompatState, compatRuntime, emit, putKey } from './runtime.js';

/**
 * `new_value` with `compat: elastalert`: ElastAlert's NewTermsRule. A value (or composite of `fields`) not seen
 * before is a match, and it is remembered for as long as the rule runs: one match per value, ever (ElastAlert
 * loads the values of `terms_window_size` with a query at start; here `warmup` learns the first values silently).
 * Values are tracked across the whole rule.
 */

interface Seen {
  readonly lastSeen: number;
  readonly pinned: boolean;
}

type Store = KeyedState<Seen>;

export type CompatNewValueState = CompatState<Store>;

export function createCompatNewValue(cfg: NewValueConfig, compat: CompatOptions): RuleRuntime<CompatNewValueState> {
  const common = compileCommon('new_value', cfg);
  const getters = cfg.fields.map((name) => ({ path: resolveField(name)!, get: fieldGetter(name) }));

  const values = (event: ClassifiedEvent): string[] | undefined => {
    const out: string[] = [];
    for (const { get } of getters) {
      const v = present(get(event));
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  };

  return compatRuntime<Store>({
    common,
    every: compat.run_every,
    everyRun: false,
    accepts: (event) => common.matches(event) && values(event) !== undefined,
    init: () => initKeyed<Seen>(),
    event(store, event, ctx) {
      const vals = values(event)!;
      const id = joinKey(vals);
      const known = store.keys.has(id);
      // A value is remembered at its first sighting; later ones only keep it recent for max_keys eviction.
      const next = putKey(store, id, { lastSeen: event.time, pinned: false }, common.maxKeys, ctx);
      if (known || event.time < ctx.origin + cfg.warmup) return next;
      const keyFields: Record<string, string> = {};
      getters.forEach(({ path }, i) => {
        keyFields[path] = vals[i]!;
      });
      const draft = pointDraft(
        event,
        { key: id, fields: keyFields },
        { value: 1, ...oneEvent(event, cfg.sample_size) },
      );
      emit(ctx, common, draft, () => `new value ${describeKey(keyFields)} (first seen since the rule started)`);
      return next;
    },
    run: (store) => store,
    size: (store) => store.keys.size,
    toJSON: (store) => keyedToJSON(store, (e) => e.lastSeen),
    fromJSON: (value) => keyedFromJSON(value, (e): Seen => ({ lastSeen: json.number(e, 'lastSeen'), pinned: false })),
  });
}
