import type { ClassifiedEvent } from '../classify/types.js';

/**
 * Advances event time without an event.
 *
 * - Plain tick (`final` absent): a heartbeat at event time `time`, exactly as if an event at `time` had arrived
 *   (every rule's watermark becomes at least `time` − its allowed lateness). Watch mode's `idleAdvance` sends these
 *   so that absence (flatline) is noticed while nothing arrives.
 * - Final tick (`final: true`): the caller asserts that every event at or before `time` has arrived, so every
 *   rule's watermark moves just past `time`, with no lateness subtracted: every window ending at or before `time`
 *   closes and every event at or before it is decided. Replay sends one at the end of input (`--until`, or the
 *   last event time). Events at or before it that still arrive are late.
 */
export interface Tick {
  readonly type: 'tick';
  readonly time: number;
  readonly final?: boolean;
}

/** What the engine consumes: classified events and ticks, in any order (events within the allowed lateness). */
export type EngineInput = ClassifiedEvent | Tick;

export const isTick = (input: EngineInput): input is Tick => 'type' in input && input.type === 'tick';

export const tick = (time: number, final = false): Tick =>
  final ? { type: 'tick', time, final } : { type: 'tick', time };
