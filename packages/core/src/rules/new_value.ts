import { z } from 'zod';
import { fieldGetter, resolveField } from '../classify/fields.js';
import type { ClassifiedEvent } from '../classify/types.js';
import { json } from '../stream/json.js';
import { initKeyed, type KeyedEntry, type KeyedState, keyedFromJSON, keyedToJSON, upsertKey } from '../stream/keyed.js';
import { type Pending, pendingFromJSON, pendingToJSON } from '../stream/pending.js';
import { commonShape, compileCommon, groupOf } from './common.js';
import { RULE_DEFAULTS } from './defaults.js';
import { duration } from './duration.js';
import { FieldNameSchema, joinKey } from './keys.js';
import { type Decision, decideFinal, oneEvent, pointDraft, pointIdle, sweepKeys } from './point.js';
import { type DetectionDraft, describeDuration, describeKey, makeDetection, type RuleRuntime } from './rule.js';

const D = RULE_DEFAULTS.new_value;

/**
 * `new_value`: a value (or tuple of values) of `fields` not seen for the key within `lookback`. Values first
 * seen within `warmup` of the rule's start are learned silently. The store holds one entry per (key, value), expires
 * entries after `lookback` and is capped by `max_keys` (least recently seen evicted).
 */
export const newValueSchema = z
  .object({
    ...commonShape,
    type: z.literal('new_value'),
    fields: z.array(FieldNameSchema).min(1),
    lookback: duration.refine((ms) => ms > 0, { error: 'expected a duration longer than 0' }).prefault(D.lookback),
    warmup: duration.prefault(D.warmup),
  })
  .strict();

export type NewValueConfig = z.output<typeof newValueSchema>;

interface Seen extends KeyedEntry {
  readonly lastSeen: number;
}

export interface NewValueState {
  readonly store: KeyedState<Seen>;
  readonly pending: Pending;
  /** Event time of the last sweep of expired entries. */
  readonly sweptAt: number | null;
}

const render = (lookback: number) => (d: DetectionDraft) =>
  `new value ${describeKey(d.keyFields)} (not seen in the last ${describeDuration(lookback)})`;

export function createNewValue(cfg: NewValueConfig): RuleRuntime<NewValueState> {
  const common = compileCommon('new_value', cfg);
  const getters = cfg.fields.map((name) => ({ path: resolveField(name)!, get: fieldGetter(name) }));
  const sweepEvery = Math.max(1_000, Math.floor(cfg.lookback / 10));
  const text = render(cfg.lookback);

  const values = (event: ClassifiedEvent): string[] | undefined => {
    const out: string[] = [];
    for (const { get } of getters) {
      const v = get(event);
      if (v === undefined || v === '') return undefined;
      out.push(String(v));
    }
    return out;
  };

  const accepts = (event: ClassifiedEvent) => groupOf(common, event) !== undefined && values(event) !== undefined;

  const decide = (state: KeyedState<Seen>, event: ClassifiedEvent): Decision<Seen> => {
    const group = groupOf(common, event)!;
    const vals = values(event)!;
    const id = joinKey([group.key, ...vals]);
    const previous = state.keys.get(id);
    const isNew = previous === undefined || previous.lastSeen <= event.time - cfg.lookback;
    const learning = event.time < (state.origin ?? event.time) + cfg.warmup;
    const { state: store, evicted } = upsertKey(
      state,
      id,
      (old) => ({ lastSeen: Math.max(old?.lastSeen ?? event.time, event.time), pinned: false }),
      common.maxKeys,
    );
    if (!isNew || learning) return { store, evicted };
    const keyFields: Record<string, string> = { ...group.fields };
    getters.forEach(({ path }, i) => {
      keyFields[path] = vals[i]!;
    });
    // The value is part of what is detected: each new value is its own alert.
    const detected = { key: joinKey(Object.values(keyFields)), fields: keyFields };
    const draft = pointDraft(event, detected, { value: 1, ...oneEvent(event, cfg.sample_size) });
    return { store, out: makeDetection(common.info, draft, text), evicted };
  };

  const sweep = (state: NewValueState, watermark: number): NewValueState => {
    const expiry = watermark - cfg.lookback;
    const store = sweepKeys(state.store, state.sweptAt, watermark, sweepEvery, (e) => e.lastSeen <= expiry);
    return store === undefined ? state : { ...state, store, sweptAt: watermark };
  };

  return {
    id: common.info.id,
    type: common.info.type,
    lateness: common.lateness,
    fingerprint: common.fingerprint,
    accepts,
    init: () => ({ store: initKeyed<Seen>(), pending: null, sweptAt: null }),
    idle: (state, watermark) => pointIdle(state.store, state.pending, state.sweptAt, watermark, sweepEvery),
    step(state, input) {
      const { store, pending, out, evicted } = decideFinal(state.store, state.pending, input, decide);
      return { state: sweep({ store, pending, sweptAt: state.sweptAt }, input.watermark), out, evicted };
    },
    size: (state) => state.store.keys.size + (state.pending?.size ?? 0),
    toJSON: (state) => ({
      store: keyedToJSON(state.store, (e) => e.lastSeen),
      pending: pendingToJSON(state.pending),
      sweptAt: state.sweptAt,
    }),
    fromJSON: (value) => {
      const o = json.object(value, 'new_value state');
      return {
        store: keyedFromJSON(o.store, (e): Seen => ({ lastSeen: json.number(e, 'lastSeen'), pinned: false })),
        pending: pendingFromJSON(o.pending),
        sweptAt: json.numberOrNull(o.sweptAt, 'sweptAt'),
      };
    },
  };
}
