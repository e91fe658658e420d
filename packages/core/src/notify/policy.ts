import { NotifyEngine } from './engine.js';
import type { NotifyPolicies } from './options.js';
import type { NotifyState } from './state.js';
import type { NotifyInput, NotifyStepResult } from './types.js';

/**
 * One step of the notification policy, pure: `state` is not modified (it is copied, O(state) per call; the
 * `notify` operator keeps one engine per subscription instead). Evaluated on event time only, so the same
 * inputs give the same notifications however they are chunked, and across a save and load of the state.
 */
export function notifyStep(state: NotifyState, input: NotifyInput, policies: NotifyPolicies): NotifyStepResult {
  const engine = new NotifyEngine(policies, structuredClone(state));
  const { out, suppressed } = engine.apply(input);
  return { state: engine.state, out, suppressed };
}

/** End of input, pure: sends what group buffers still hold, at the event time each was due. */
export function notifyDrain(state: NotifyState, policies: NotifyPolicies): NotifyStepResult {
  const engine = new NotifyEngine(policies, structuredClone(state));
  const { out, suppressed } = engine.drain();
  return { state: engine.state, out, suppressed };
}
