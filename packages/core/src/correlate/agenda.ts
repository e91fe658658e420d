/**
 * The correlator's agenda: tasks ordered by a total order, persistent (nothing is mutated, so the step functions
 * that hold it stay pure) and cheap for the way tasks arrive. Each kind of task is due a fixed time after its
 * record, and records arrive nearly in time order, so each lane is a FIFO queue that a task joins at the back
 * (one allocation); the few tasks that would break a lane's order go to a pairing heap instead. The next task is
 * the least of the lane heads and the heap's top.
 */
export type Compare<T> = (a: T, b: T) => number;

interface Cons<T> {
  readonly head: T;
  readonly tail: Cons<T> | null;
}

/** A banker's queue: pop from `front`, push onto `back`; `front` is empty only when the queue is. */
interface Queue<T> {
  readonly front: Cons<T> | null;
  readonly back: Cons<T> | null;
  readonly last: T | undefined;
}

interface HeapNode<T> {
  readonly item: T;
  readonly children: Cons<HeapNode<T>> | null;
}

export interface Agenda<T> {
  readonly lanes: readonly Queue<T>[];
  readonly heap: HeapNode<T> | null;
  readonly size: number;
}

const EMPTY_QUEUE: Queue<never> = Object.freeze({ front: null, back: null, last: undefined });

export function emptyAgenda<T>(lanes: number): Agenda<T> {
  return { lanes: Array.from({ length: lanes }, () => EMPTY_QUEUE as Queue<T>), heap: null, size: 0 };
}

export const agendaSize = <T>(a: Agenda<T>): number => a.size;

function reverse<T>(list: Cons<T> | null): Cons<T> | null {
  let out: Cons<T> | null = null;
  for (let c = list; c !== null; c = c.tail) out = { head: c.head, tail: out };
  return out;
}

function meld<T>(a: HeapNode<T>, b: HeapNode<T>, cmp: Compare<T>): HeapNode<T> {
  return cmp(b.item, a.item) < 0
    ? { item: b.item, children: { head: a, tail: b.children } }
    : { item: a.item, children: { head: b, tail: a.children } };
}

/** The heap without its top: two-pass pairing, iterative. */
function heapPop<T>(h: HeapNode<T>, cmp: Compare<T>): HeapNode<T> | null {
  const pairs: HeapNode<T>[] = [];
  let c = h.children;
  while (c !== null) {
    const second = c.tail;
    if (second === null) {
      pairs.push(c.head);
      break;
    }
    pairs.push(meld(c.head, second.head, cmp));
    c = second.tail;
  }
  let out: HeapNode<T> | null = null;
  for (let i = pairs.length - 1; i >= 0; i--) out = out === null ? pairs[i]! : meld(pairs[i]!, out, cmp);
  return out;
}

/** Adds a task to a lane (to the heap when it sorts before the lane's last task). */
export function agendaPush<T>(a: Agenda<T>, lane: number, item: T, cmp: Compare<T>): Agenda<T> {
  const q = a.lanes[lane]!;
  if (q.last !== undefined && cmp(item, q.last) < 0) {
    const node: HeapNode<T> = { item, children: null };
    return { lanes: a.lanes, heap: a.heap === null ? node : meld(a.heap, node, cmp), size: a.size + 1 };
  }
  const next: Queue<T> =
    q.front === null
      ? { front: { head: item, tail: null }, back: null, last: item }
      : { front: q.front, back: { head: item, tail: q.back }, last: item };
  const lanes = a.lanes.slice();
  lanes[lane] = next;
  return { lanes, heap: a.heap, size: a.size + 1 };
}

/** The least task, or undefined when empty. */
export function agendaPeek<T>(a: Agenda<T>, cmp: Compare<T>): T | undefined {
  let best = a.heap?.item;
  for (const q of a.lanes) {
    const head = q.front?.head;
    if (head !== undefined && (best === undefined || cmp(head, best) < 0)) best = head;
  }
  return best;
}

/** Removes the least task (the one `agendaPeek` returns). */
export function agendaPop<T>(a: Agenda<T>, cmp: Compare<T>): Agenda<T> {
  let lane = -1;
  let best = a.heap?.item;
  a.lanes.forEach((q, i) => {
    const head = q.front?.head;
    if (head !== undefined && (best === undefined || cmp(head, best) < 0)) {
      best = head;
      lane = i;
    }
  });
  if (best === undefined) return a;
  if (lane < 0) return { lanes: a.lanes, heap: heapPop(a.heap!, cmp), size: a.size - 1 };
  const q = a.lanes[lane]!;
  const rest = q.front!.tail;
  const next: Queue<T> =
    rest !== null
      ? { front: rest, back: q.back, last: q.last }
      : q.back !== null
        ? { front: reverse(q.back), back: null, last: q.last }
        : (EMPTY_QUEUE as Queue<T>);
  const lanes = a.lanes.slice();
  lanes[lane] = next;
  return { lanes, heap: a.heap, size: a.size - 1 };
}
