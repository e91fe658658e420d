import type { AnyConfig } from '../any.js';
import { compileCommon } from '../common.js';
import { oneEvent, pointDraft } from '../point.js';
import { describeKey, type RuleRuntime } from '../rule.js';
import type { CompatOptions } from './options.js';
import { type CompatState, compatKey, compatRuntime, emit } from './runtime.js';

/**
 * `any` with `compat: elastalert`: ElastAlert's AnyRule, where every event is a match. The one difference from the
 * default `any` is the key: events without a `group_by` field match too, under `_missing` (query_key only keys
 * ElastAlert's realert).
 */

export type CompatAnyState = CompatState<null>;

export function createCompatAny(cfg: AnyConfig, compat: CompatOptions): RuleRuntime<CompatAnyState> {
  const common = compileCommon('any', cfg);
  const keyOf = compatKey(cfg.group_by);
  return compatRuntime<null>({
    common,
    every: compat.run_every,
    everyRun: false,
    accepts: common.matches,
    init: () => null,
    event(own, event, ctx) {
      const group = keyOf(event);
      const what = event.code ?? event.message?.slice(0, 120) ?? 'matching event';
      const draft = pointDraft(event, group, { value: 1, ...oneEvent(event, cfg.sample_size) });
      emit(ctx, common, draft, () => `${what} for ${describeKey(group.fields)}`);
      return own;
    },
    run: (own) => own,
    size: () => 0,
    toJSON: () => null,
    fromJSON: () => null,
  });
}
