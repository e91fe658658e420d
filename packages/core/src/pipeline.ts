import { Observable, type OperatorFunction } from 'rxjs';
import type { ClassifiedEvent } from './classify/types.js';
import { NotifyEngine } from './notify/engine.js';
import { compileNotifyPolicies, type NotifyGlobalInput, type NotifyPolicies } from './notify/options.js';
import type { NotifyState } from './notify/state.js';
import type { Telemetry } from './notify/telemetry.js';
import type { NotifyAlert, Suppression } from './notify/types.js';
import { isMomentRule, type RuleConfig } from './rules/schema.js';
import type { Detection } from './rules/types.js';
import {
  createEngine,
  type Engine,
  type EngineCounts,
  type EngineState,
  type EngineStateJSON,
} from './stream/engine.js';
import { type EngineInput, isTick, tick } from './stream/input.js';

export interface DetectorOptions {
  /** Allowed lateness for rules without their own (default 1m). */
  readonly allowedLateness?: number;
  /** Silences and inhibition rules. */
  readonly notify?: NotifyGlobalInput;
  /** Resume from a saved state (`snapshot()` of an earlier run, e.g. from `loadState`). */
  readonly state?: DetectorSnapshot;
  readonly telemetry?: Pick<Telemetry, 'recordAlert' | 'recordSuppressed'>;
}

/** What one input produced: notifications, the detections behind them, and events too late to apply. */
export interface DetectorOutput {
  readonly alerts: readonly NotifyAlert[];
  readonly detections: readonly Detection[];
  readonly suppressed: readonly Suppression[];
  readonly late: readonly ClassifiedEvent[];
}

export interface DetectorSnapshot {
  readonly detection: EngineStateJSON;
  readonly notify: NotifyState;
}

/**
 * Rules and notification policy as one stateful object: feed classified events (and ticks), get notifications.
 * Detection is the pure engine; the notification policy runs on event time behind it, advanced to the slowest
 * rule's watermark after every input, so a notification is sent as soon as no earlier input can change it.
 */
export interface Detector {
  readonly engine: Engine;
  readonly policies: NotifyPolicies;
  push(input: EngineInput): DetectorOutput;
  /**
   * End of input: a final tick at `until` (default the newest event time) closes every window, then notification
   * buffers are drained. The detector stays usable (watch mode calls it only at shutdown).
   */
  finish(until?: number): DetectorOutput;
  /** Running totals of the engine. */
  counts(): EngineCounts;
  /** Keys or stored values held per rule in the current state (`engine.sizes`): bounded-memory checks, telemetry. */
  sizes(): Record<string, number>;
  /** Newest event time seen, or null. */
  maxTime(): number | null;
  snapshot(): DetectorSnapshot;
}

/**
 * Rules whose detections are single moments (a matching event, a completed sequence, a new value, and every
 * `compat: elastalert` match): they never report the condition ending. Their alerts stay open for
 * `keep_firing_for` (default 15m), folding further matches of the same key into the open alert, then close without
 * a resolved notification unless asked.
 */
const POINT_DEFAULTS = { keep_firing_for: '15m', resolve: false } as const;

const EMPTY: DetectorOutput = Object.freeze({ alerts: [], detections: [], suppressed: [], late: [] });

export function createDetector(rules: readonly RuleConfig[], options: DetectorOptions = {}): Detector {
  const engine = createEngine(rules, { allowedLateness: options.allowedLateness });
  const moments = new Set(rules.filter((r) => r.enabled && isMomentRule(r)).map((r) => r.id));
  const policies = compileNotifyPolicies({
    rules: Object.fromEntries(
      rules
        .filter((r) => r.enabled)
        .map((r) => [r.id, moments.has(r.id) ? { ...POINT_DEFAULTS, ...r.notify } : r.notify]),
    ),
    global: options.notify,
  });
  let state: EngineState = options.state ? engine.fromJSON(options.state.detection).state : engine.init();
  const notifier = new NotifyEngine(policies, options.state ? structuredClone(options.state.notify) : undefined);
  let lastTick = Number.NEGATIVE_INFINITY;

  // A tick only matters when a notification timer is due by then; the watermark moves with nearly every event.
  const tickDue = (): number | undefined => {
    const w = engine.minWatermark(state);
    if (w === null || w - 1 <= lastTick) return undefined;
    const due = notifier.nextDue();
    return due !== undefined && due <= w - 1 ? w - 1 : undefined;
  };

  const notifyAll = (
    detections: readonly Detection[],
    final: boolean,
  ): Pick<DetectorOutput, 'alerts' | 'suppressed'> => {
    const alerts: NotifyAlert[] = [];
    const suppressed: Suppression[] = [];
    const take = (r: { out: NotifyAlert[]; suppressed: Suppression[] }) => {
      alerts.push(...r.out);
      suppressed.push(...r.suppressed);
    };
    for (const detection of detections) {
      take(notifier.apply({ type: 'detection', detection }));
      // The moment has passed: the alert moves to keep_firing_for and closes by itself.
      if (detection.active && moments.has(detection.ruleId)) {
        take(notifier.apply({ type: 'detection', detection: { ...detection, active: false } }));
      }
    }
    // Timers due strictly before the slowest watermark can no longer be affected by later input.
    const at = tickDue();
    if (at !== undefined) {
      lastTick = at;
      take(notifier.apply({ type: 'tick', time: at }));
    }
    if (final) take(notifier.drain());
    for (const s of suppressed) options.telemetry?.recordSuppressed(s);
    for (const a of alerts) options.telemetry?.recordAlert(a);
    return { alerts, suppressed };
  };

  const push = (input: EngineInput): DetectorOutput => {
    // The detector owns its state and never hands it out: update it in place.
    const step = engine.apply(state, input);
    state = step.state;
    // Most events release nothing: no detection, and no notification timer due yet.
    if (step.out.length === 0 && step.late.length === 0 && !isTick(input) && tickDue() === undefined) return EMPTY;
    return { ...notifyAll(step.out, false), detections: step.out, late: step.late };
  };

  return {
    engine,
    policies,
    push,
    finish(until) {
      const end = until ?? state.maxTime;
      if (end === null) return { ...notifyAll([], true), detections: [], late: [] };
      const step = engine.step(state, tick(end, true));
      state = step.state;
      return { ...notifyAll(step.out, true), detections: step.out, late: step.late };
    },
    counts: () => ({ ...state.totals }),
    sizes: () => engine.sizes(state),
    maxTime: () => state.maxTime,
    snapshot: () => ({ detection: engine.toJSON(state), notify: structuredClone(notifier.state) }),
  };
}

/**
 * The detector as an rxjs operator: classified events (and ticks) in, notifications out; `until` closes the
 * windows at completion (default: the newest event time). Late events go to `onLate`.
 */
export function detectAlerts(
  rules: readonly RuleConfig[],
  options: DetectorOptions & { readonly until?: number; readonly onLate?: (event: ClassifiedEvent) => void } = {},
): OperatorFunction<EngineInput, NotifyAlert> {
  return (source) =>
    new Observable<NotifyAlert>((subscriber) => {
      let detector: Detector;
      try {
        detector = createDetector(rules, options);
      } catch (err) {
        subscriber.error(err);
        return undefined;
      }
      const emit = (out: DetectorOutput) => {
        for (const e of out.late) options.onLate?.(e);
        for (const a of out.alerts) subscriber.next(a);
      };
      return source.subscribe({
        next: (input) => {
          try {
            emit(detector.push(input));
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          try {
            emit(detector.finish(options.until));
            subscriber.complete();
          } catch (err) {
            subscriber.error(err);
          }
        },
      });
    });
}
