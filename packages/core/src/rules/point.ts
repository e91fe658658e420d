import type { ClassifiedEvent } from '../classify/types.js';
import { begin, type KeyedEntry, type KeyedState } from '../stream/keyed.js';
import { addPending, type Pending, pendingIdle, takeFinal } from '../stream/pending.js';
import type { GroupKey } from './keys.js';
import type { DetectionDraft, RuleInput } from './rule.js';
import type { Detection } from './types.js';

/**
 * Shared steps of the point rule types (any, new_value, sequence): they decide on single events, in event order,
 * once the watermark has made them final (see stream/pending.ts).
 */

/** Queues the input's event, then takes every event the input's watermark made final (`owned`: in place). */
export function finalEvents(
  pending: Pending,
  input: RuleInput,
  owned = false,
): { readonly pending: Pending; readonly events: readonly ClassifiedEvent[] } {
  const queued = input.type === 'event' ? addPending(pending, input.event, owned) : pending;
  return takeFinal(queued, input.watermark, owned);
}

/** What deciding one event did to a rule's key store. */
export interface Decision<E extends KeyedEntry> {
  readonly store: KeyedState<E>;
  readonly out?: Detection;
  readonly evicted: number;
}

/**
 * One step of a keyed point rule: queues the input's event, then decides every event the watermark made final, in
 * order, each against the key store the previous one left.
 */
export function decideFinal<E extends KeyedEntry>(
  store: KeyedState<E>,
  pending: Pending,
  input: RuleInput,
  decide: (store: KeyedState<E>, event: ClassifiedEvent) => Decision<E>,
  owned = false,
): { readonly store: KeyedState<E>; readonly pending: Pending; readonly out: Detection[]; readonly evicted: number } {
  const { pending: rest, events } = finalEvents(pending, input, owned);
  let current = begin(store, input, 1);
  const out: Detection[] = [];
  let evicted = 0;
  for (const event of events) {
    const r = decide(current, event);
    current = r.store;
    evicted += r.evicted;
    if (r.out !== undefined) out.push(r.out);
  }
  return { store: current, pending: rest, out, evicted };
}

/**
 * Whether an advance of a keyed point rule to `watermark` changes nothing: the origin is set and not after it, no
 * pending event is final yet, and no sweep (every `every` ms of watermark) is due.
 */
export function pointIdle(
  store: KeyedState<KeyedEntry>,
  pending: Pending,
  sweptAt: number | null,
  watermark: number,
  every: number,
): boolean {
  return (
    store.origin !== null &&
    store.origin <= watermark &&
    store.evaluated !== null &&
    sweptAt !== null &&
    watermark - sweptAt < every &&
    pendingIdle(pending, watermark)
  );
}

/**
 * Drops the keys `expired` marks, at most once per `every` ms of watermark (a sweep visits every key); undefined
 * when no sweep is due.
 */
export function sweepKeys<E extends KeyedEntry>(
  store: KeyedState<E>,
  sweptAt: number | null,
  watermark: number,
  every: number,
  expired: (entry: E) => boolean,
): KeyedState<E> | undefined {
  if (sweptAt !== null && watermark - sweptAt < every) return undefined;
  let keys = store.keys;
  for (const [k, e] of keys.entries()) if (expired(e)) keys = keys.delete(k);
  return { ...store, keys };
}

/** An active detection of `group` at the event's time: the event is its window. */
export function pointDraft(
  event: ClassifiedEvent,
  group: GroupKey,
  measured: Pick<DetectionDraft, 'value' | 'threshold' | 'sample' | 'codes'>,
): DetectionDraft {
  return {
    active: true,
    key: group.key,
    keyFields: group.fields,
    windowStart: event.time,
    windowEnd: event.time,
    time: event.time,
    ...measured,
  };
}

/** The evidence of a detection about one event: the event itself (when samples are kept) and its code. */
export function oneEvent(event: ClassifiedEvent, sampleSize: number): Pick<DetectionDraft, 'sample' | 'codes'> {
  return {
    sample: sampleSize > 0 ? [event] : [],
    codes: event.code === undefined || event.code === '' ? [] : [event.code],
  };
}
