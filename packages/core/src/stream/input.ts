import type { ClassifiedEvent } from '../classify/types.js';

/**
 * Advances event time without an event.
 *
 * - Plain tick (`final` absent): a heartbeat at event time `time`, exactly as if an event at `time` had arrived
 *   (every rule's watermark becomes at least `time` − its allowed lateness). Watch mode's `idleAdvance` sends these
 *   so that absence (flatline) is noticed while nothing arrives.
 * - Final tick (`final: true`): the caller asserts that no event older than `time` will come, so every rule's
 *   watermark becomes at least `time` with no lateness subtracted. Replay sends one at the end of input
 *   (`--until`, or the last event time) to close every window that ends by then.
 */
export interface Tick {
  readonly type: 'tick';
  readonly time: number;
  readonly final?: boolean;
}

/** What the engine consumes: classified events and ticks, in any order (events within the allowed lateness). */
export type EngineInput = ClassifiedEvent | Tick;

export const isTick = (input: EngineInput): input is Tick => 'type' in input && input.type === 'tick';

export const tick = (time: number, final = false): Tick => (final ? { type: 'tick', time, final } : { type: 'tick', time });
