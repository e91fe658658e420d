import { z } from 'zod';
import { json } from '../stream/json.js';
import { type Pending, pendingFromJSON, pendingIdle, pendingToJSON } from '../stream/pending.js';
import { commonShape, compileCommon, groupOf } from './common.js';
import { finalEvents, oneEvent, pointDraft } from './point.js';
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
    id: common.info.id,
    type: common.info.type,
    lateness: common.lateness,
    fingerprint: common.fingerprint,
    accepts: (event) => groupOf(common, event) !== undefined,
    init: () => ({ pending: null }),
    idle: (state, watermark) => pendingIdle(state.pending, watermark),
    step(state, input) {
      const { pending, events } = finalEvents(state.pending, input);
      const out = events.map((event) => {
        const draft = pointDraft(event, groupOf(common, event)!, { value: 1, ...oneEvent(event, cfg.sample_size) });
        // Summaries name the event, so it is always rendered from it even with sample_size 0.
        return makeDetection(common.info, draft, (d) => render({ ...d, sample: [event] }));
      });
      return { state: pending === state.pending ? state : { pending }, out, evicted: 0 };
    },
    size: (state) => (state.pending === null ? 0 : state.pending.size),
    toJSON: (state) => ({ pending: pendingToJSON(state.pending) }),
    fromJSON: (value) => ({ pending: pendingFromJSON(json.object(value, 'any state').pending) }),
  };
}
