import { asyncScheduler, interval, type MonoTypeOperatorFunction, Observable, type SchedulerLike } from 'rxjs';
import { type EngineInput, isTick, tick } from '../input.js';

/**
 * Watch mode: while the source is quiet, keeps event time moving so that absence is detected (a silent NPS
 * server's flatline fires without waiting for its next event).
 *
 * Every `every` ms of processing time (on `scheduler`, never raw timers) it emits a plain tick at
 * `newest event time + processing time elapsed since that event arrived`: event time is assumed to advance like the
 * wall clock while nothing arrives. Inputs pass through unchanged; nothing is emitted before the first event.
 * Events delayed by more than the rules' allowed lateness after an idle period are reported late, so give rules a
 * lateness at least as large as the expected ingestion delay.
 */
export function idleAdvance(
  every: number,
  scheduler: SchedulerLike = asyncScheduler,
): MonoTypeOperatorFunction<EngineInput> {
  if (!(every > 0)) throw new RangeError(`idleAdvance period must be > 0 ms, got ${every}`);
  return (source) =>
    new Observable<EngineInput>((subscriber) => {
      let newest: number | undefined;
      let arrivedAt = 0;
      const timer = interval(every, scheduler).subscribe(() => {
        if (newest !== undefined) subscriber.next(tick(newest + (scheduler.now() - arrivedAt)));
      });
      const upstream = source.subscribe({
        next(input) {
          if (!isTick(input) && Number.isFinite(input.time) && (newest === undefined || input.time >= newest)) {
            newest = input.time;
            arrivedAt = scheduler.now();
          }
          subscriber.next(input);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        timer.unsubscribe();
        upstream.unsubscribe();
      };
    });
}
