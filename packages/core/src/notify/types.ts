import type { Alert, Detection } from '../rules/types.js';
import type { NotifyState } from './state.js';

/** A notification with what the policy adds to an `Alert`. */
export interface NotifyAlert extends Alert {
  /** An alert in the notification changed state more than `flap.max_changes` times in `flap.window`. */
  readonly flapping: boolean;
}

/** Advances event time with no detection: a watermark. Every detection at or before `time` has been sent. */
export interface NotifyTick {
  readonly type: 'tick';
  readonly time: number;
}

export type NotifyInput = { readonly type: 'detection'; readonly detection: Detection } | NotifyTick;

/**
 * Why a detection or an alert did not become a notification of its own:
 * - `pending`: an active detection inside the `for` period;
 * - `repeat`: an active detection of an alert already notified (waits for `repeat_interval`);
 * - `grouped`: an alert sent as part of another alert's group notification;
 * - `silenced` / `inhibited`: an alert muted by a silence or an inhibit rule (once per muted episode);
 * - `flapping`: a change held back by flap damping.
 */
export type SuppressReason = 'silenced' | 'inhibited' | 'repeat' | 'pending' | 'grouped' | 'flapping';

export interface Suppression {
  readonly reason: SuppressReason;
  /** The alert instance (rule id + detection key). */
  readonly fingerprint: string;
  readonly ruleId: string;
  /** Event time of the decision. */
  readonly time: number;
}

export interface NotifyStepResult {
  readonly state: NotifyState;
  /** Notifications in event-time order (ties by fingerprint). */
  readonly out: NotifyAlert[];
  readonly suppressed: Suppression[];
}
