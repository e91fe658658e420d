import { Observable, type OperatorFunction } from 'rxjs';
import type { EngineInput } from '../stream/input.js';
import {
  type CorrelateOptions,
  type CorrelateState,
  correlateFlush,
  correlateStep,
  initCorrelate,
  resolveCorrelateOptions,
} from './step.js';

export interface CorrelateOperatorOptions extends CorrelateOptions {
  /** Resume from a state (`correlateStateFromJSON`); default a fresh one. */
  readonly state?: CorrelateState;
  /** Called after every input with the state, e.g. to checkpoint it with `correlateStateToJSON`. */
  readonly onState?: (state: CorrelateState) => void;
}

/**
 * Joins each extension event with the Security 6272/6273 event and accounting lines of the same RADIUS request
 * (see docs/correlation.md): events and ticks in; the same records out, enriched (`radius`) and flagged
 * (`correlation`), plus ticks for the engine behind. Records are held until the tolerance has passed and released
 * in an order that does not depend on arrival order within the lateness; on completion everything held is
 * released. Pure step (`correlateStep`) underneath, one state per subscription.
 */
export function correlate(options: CorrelateOperatorOptions = {}): OperatorFunction<EngineInput, EngineInput> {
  const resolved = resolveCorrelateOptions(options);
  return (source) =>
    new Observable<EngineInput>((subscriber) => {
      let state = options.state ?? initCorrelate();
      return source.subscribe({
        next(input) {
          const r = correlateStep(resolved, state, input);
          state = r.state;
          options.onState?.(state);
          for (const out of r.out) subscriber.next(out);
        },
        error: (err: unknown) => subscriber.error(err),
        complete() {
          const r = correlateFlush(resolved, state);
          state = r.state;
          options.onState?.(state);
          for (const out of r.out) subscriber.next(out);
          subscriber.complete();
        },
      });
    });
}
