import type { ClassifiedEvent } from '../classify/types.js';
import { type Heap, heapFromArray, heapInsert, heapInsertOwned, heapPop, heapPopOwned, heapToArray } from './heap.js';
import { json } from './json.js';
import { compareEvents } from './order.js';

/**
 * Events held until they are final. Point rules (any, new_value, sequence) decide in event order once the
 * watermark has passed an event's time: until then an earlier event may still arrive within the allowed lateness,
 * and deciding early would make the outcome depend on arrival order.
 */
export type Pending = Heap<ClassifiedEvent>;

/** Queues an event; `owned` changes the heap in place (see RuleRuntime.apply). */
export const addPending = (pending: Pending, event: ClassifiedEvent, owned = false): Pending =>
  owned ? heapInsertOwned(pending, event, compareEvents) : heapInsert(pending, event, compareEvents);

const NO_EVENTS: readonly ClassifiedEvent[] = Object.freeze([]);

/** Removes and returns, in event order, every event with time < watermark; `owned` changes the heap in place. */
export function takeFinal(
  pending: Pending,
  watermark: number,
  owned = false,
): { readonly pending: Pending; readonly events: readonly ClassifiedEvent[] } {
  if (pending === null || pending.item.time >= watermark) return { pending, events: NO_EVENTS };
  const events: ClassifiedEvent[] = [];
  let heap: Pending = pending;
  while (heap !== null && heap.item.time < watermark) {
    events.push(heap.item);
    heap = owned ? heapPopOwned(heap, compareEvents) : heapPop(heap, compareEvents);
  }
  return { pending: heap, events };
}

export const pendingToJSON = (pending: Pending): ClassifiedEvent[] => heapToArray(pending, compareEvents);

export const pendingFromJSON = (value: unknown): Pending => heapFromArray(json.events(value, 'pending'), compareEvents);

/** Whether `takeFinal` at `watermark` would release nothing. */
export const pendingIdle = (pending: Pending, watermark: number): boolean =>
  pending === null || pending.item.time >= watermark;
