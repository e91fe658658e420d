import { z } from 'zod';
import { json } from '../stream/json.js';
import { addPending, type Pending, pendingFromJSON, pendingToJSON, takeFinal } from '../stream/pending.js';
import { commonShape, compileCommon, groupOf } from './common.js';
import { type DetectionDraft, describeKey, makeDetection, type RuleRuntime } from './rule.js';

/** `any`: every matching event is a detection (at its own time, once it is final). */
export const anySchema = z
  .object({
    ...commonShape,
    type: z.literal('any'),
  })
  .strict();

export type AnyConfig = z.output<typeof anySchema>;

export interface AnyState {
  readonly pending: Pending;
}

const render = (d: DetectionDraft): string => {
  const e = d.sample[d.sample.length - 1];
  const what = e?.code ?? e?.message?.slice(0, 120) ?? 'matching event';
  return `${what} for ${describeKey(d.keyFields)}`;
};

export function createAny(cfg: AnyConfig): RuleRuntime<AnyState> {
  const common = compileCommon('any', cfg);
  return {
    id: cfg.id,
    type: 'any',
    lateness: common.lateness,
    fingerprint: common.fingerprint,
    accepts: (event) => groupOf(common, event) !== undefined,
    init: () => ({ pending: null }),
    step(state, input) {
      const queued = input.type === 'event' ? addPending(state.pending, input.event) : state.pending;
      const { pending, events } = takeFinal(queued, input.watermark);
      const out = events.map((event) => {
        const group = groupOf(common, event)!;
        const draft: DetectionDraft = {
          active: true,
          key: group.key,
          keyFields: group.fields,
          windowStart: event.time,
          windowEnd: event.time,
          time: event.time,
          value: 1,
          // Summaries name the event, so it is always rendered from it even with sample_size 0.
          sample: cfg.sample_size > 0 ? [event] : [],
          codes: event.code === undefined || event.code === '' ? [] : [event.code],
        };
        return makeDetection(common.info, draft, (d) => render({ ...d, sample: [event] }));
      });
      return { state: pending === state.pending ? state : { pending }, out, evicted: 0 };
    },
    size: (state) => (state.pending === null ? 0 : state.pending.size),
    toJSON: (state) => ({ pending: pendingToJSON(state.pending) }),
    fromJSON: (value) => ({ pending: pendingFromJSON(json.object(value, 'any state').pending) }),
  };
}
