import { asyncScheduler, type OperatorFunction, type SchedulerLike, scan } from 'rxjs';
import type { RuleConfig } from '../../rules/schema.js';
import { createEngine, type Engine, type EngineOptions, type EngineState, type EngineStep } from '../engine.js';
import type { EngineInput } from '../input.js';
import { idleAdvance } from './idleAdvance.js';

/** Engine options apply when `detect` is given rules; a ready Engine keeps its own. */
export interface DetectOptions extends EngineOptions {
  /** Resume from a state (restored with `engine.fromJSON`); default a fresh one. */
  readonly state?: EngineState;
  /**
   * Watch mode only: every this many ms of processing time, advance event time by the processing time elapsed
   * since the newest event arrived (see `idleAdvance`). Leave unset for replay: there time comes from the events
   * and a final tick.
   */
  readonly idleAdvance?: number;
  /** Scheduler for `idleAdvance` ticks (default asyncScheduler; a TestScheduler in tests). */
  readonly scheduler?: SchedulerLike;
}

/**
 * Runs the detection engine over classified events and ticks: one EngineStep per input (its detections, late
 * events, counters and the state after it, for persistence). The engine step is pure; this adapter only threads
 * the state through `scan`, per subscription.
 */
export function detect(
  rules: readonly RuleConfig[] | Engine,
  options: DetectOptions = {},
): OperatorFunction<EngineInput, EngineStep> {
  const engine = isEngine(rules) ? rules : createEngine(rules, options);
  return (source) => {
    const input =
      options.idleAdvance === undefined
        ? source
        : source.pipe(idleAdvance(options.idleAdvance, options.scheduler ?? asyncScheduler));
    const seed: EngineStep = {
      state: options.state ?? engine.init(),
      out: [],
      late: [],
      counts: { events: 0, ticks: 0, late: 0, evicted: 0, detections: 0 },
    };
    return input.pipe(scan((prev: EngineStep, next: EngineInput) => engine.step(prev.state, next), seed));
  };
}

function isEngine(value: readonly RuleConfig[] | Engine): value is Engine {
  return !Array.isArray(value);
}
