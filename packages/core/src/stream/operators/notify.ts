import { Observable, type OperatorFunction } from 'rxjs';
import { NotifyEngine } from '../../notify/engine.js';
import type { NotifyPolicies } from '../../notify/options.js';
import type { NotifyState } from '../../notify/state.js';
import type { Telemetry } from '../../notify/telemetry.js';
import type { NotifyAlert, NotifyInput, NotifyTick, Suppression } from '../../notify/types.js';
import type { Detection } from '../../rules/types.js';

export interface NotifyOperatorOptions {
  /** State to resume from (e.g. `loadState(...).notify`); copied, never modified. */
  readonly initialState?: NotifyState;
  /** Called after every input with the live state. Serialise it there (saveState does); do not keep or change it. */
  readonly onState?: (state: Readonly<NotifyState>) => void;
  readonly onSuppressed?: (suppression: Suppression) => void;
  /** Counts `npswatch.alerts.fired` and `npswatch.alerts.suppressed`. */
  readonly telemetry?: Pick<Telemetry, 'recordAlert' | 'recordSuppressed'>;
  /**
   * On completion, send what group buffers still hold (alerts waiting for `group_wait` / `group_interval`) at the
   * event time each was due. For replays without a final watermark tick; default false.
   */
  readonly drainOnComplete?: boolean;
}

function isTick(input: Detection | NotifyTick): input is NotifyTick {
  return 'type' in input && input.type === 'tick';
}

/**
 * Detections (and watermark ticks) → notifications, through the notification policy (`notifyStep`). Time is
 * event time only, taken from the inputs, so no scheduler is needed: in `watch`, idle time reaches this operator
 * as ticks from upstream. One engine (and state) per subscription.
 */
export function notify(
  policies: NotifyPolicies,
  options: NotifyOperatorOptions = {},
): OperatorFunction<Detection | NotifyTick, NotifyAlert> {
  return (source) =>
    new Observable<NotifyAlert>((subscriber) => {
      let engine: NotifyEngine;
      try {
        engine = new NotifyEngine(
          policies,
          options.initialState === undefined ? undefined : structuredClone(options.initialState),
        );
      } catch (err) {
        subscriber.error(err);
        return undefined;
      }
      const emit = (result: { out: NotifyAlert[]; suppressed: Suppression[] }): void => {
        for (const s of result.suppressed) {
          options.telemetry?.recordSuppressed(s);
          options.onSuppressed?.(s);
        }
        options.onState?.(engine.state);
        for (const alert of result.out) {
          options.telemetry?.recordAlert(alert);
          subscriber.next(alert);
        }
      };
      const run = (step: () => { out: NotifyAlert[]; suppressed: Suppression[] }): boolean => {
        let result: { out: NotifyAlert[]; suppressed: Suppression[] };
        try {
          result = step();
        } catch (err) {
          subscriber.error(err);
          return false;
        }
        emit(result);
        return true;
      };
      return source.subscribe({
        next: (input) => {
          const step: NotifyInput = isTick(input) ? input : { type: 'detection', detection: input };
          run(() => engine.apply(step));
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          if (options.drainOnComplete === true && !run(() => engine.drain())) return;
          subscriber.complete();
        },
      });
    });
}
