import type { Mutable } from '../mutable.js';
/**
 * A persistent leftist heap: O(log n) insert and pop, no mutation, so the pending-event buffers of the point rules
 * (any, new_value, sequence) stay pure without copying arrays on every event.
 */
export type Heap<T> = HeapNode<T> | null;

export interface HeapNode<T> {
  readonly rank: number;
  readonly size: number;
  readonly item: T;
  readonly left: Heap<T>;
  readonly right: Heap<T>;
}

export type Compare<T> = (a: T, b: T) => number;

const rank = <T>(h: Heap<T>): number => (h === null ? 0 : h.rank);

export const heapSize = <T>(h: Heap<T>): number => (h === null ? 0 : h.size);

export function mergeHeaps<T>(a: Heap<T>, b: Heap<T>, cmp: Compare<T>): Heap<T> {
  if (a === null) return b;
  if (b === null) return a;
  if (cmp(b.item, a.item) < 0) [a, b] = [b, a];
  const merged = mergeHeaps(a.right, b, cmp);
  const [left, right] = rank(a.left) >= rank(merged) ? [a.left, merged] : [merged, a.left];
  return { rank: rank(right) + 1, size: a.size + b.size, item: a.item, left, right };
}

/**
 * `mergeHeaps` for heaps the caller owns (see RuleRuntime.apply): relinks the nodes in place instead of copying the
 * merge path, so the inputs are consumed. Same resulting order and shape as `mergeHeaps`.
 */
export function mergeHeapsOwned<T>(a: Heap<T>, b: Heap<T>, cmp: Compare<T>): Heap<T> {
  if (a === null) return b;
  if (b === null) return a;
  if (cmp(b.item, a.item) < 0) [a, b] = [b, a];
  const node = a as Mutable<HeapNode<T>>;
  const size = a.size + b.size;
  const merged = mergeHeapsOwned(a.right, b, cmp);
  if (rank(a.left) < rank(merged)) {
    node.right = a.left;
    node.left = merged;
  } else node.right = merged;
  node.rank = rank(node.right) + 1;
  node.size = size;
  return node;
}

export function heapInsert<T>(h: Heap<T>, item: T, cmp: Compare<T>): Heap<T> {
  return mergeHeaps(h, { rank: 1, size: 1, item, left: null, right: null }, cmp);
}

export function heapPop<T>(h: HeapNode<T>, cmp: Compare<T>): Heap<T> {
  return mergeHeaps(h.left, h.right, cmp);
}

/** `heapInsert` and `heapPop` on an owned heap (see `mergeHeapsOwned`). */
export const heapInsertOwned = <T>(h: Heap<T>, item: T, cmp: Compare<T>): Heap<T> =>
  mergeHeapsOwned(h, { rank: 1, size: 1, item, left: null, right: null }, cmp);

export const heapPopOwned = <T>(h: HeapNode<T>, cmp: Compare<T>): Heap<T> => mergeHeapsOwned(h.left, h.right, cmp);

/** Items in order (for serialisation). */
export function heapToArray<T>(h: Heap<T>, cmp: Compare<T>): T[] {
  const out: T[] = [];
  let cur = h;
  while (cur !== null) {
    out.push(cur.item);
    cur = heapPop(cur, cmp);
  }
  return out;
}

export function heapFromArray<T>(items: readonly T[], cmp: Compare<T>): Heap<T> {
  let h: Heap<T> = null;
  for (const item of items) h = heapInsert(h, item, cmp);
  return h;
}
