/**
 * A persistent (immutable) map with O(1) updates, so that step functions can be pure without copying every
 * per-key map on every event.
 *
 * It is the "rerooting" persistent array of Conchon and Filliâtre (2007) applied to a Map: the newest version owns
 * the real Map; every older version holds one undo entry pointing at the next version. Reading an older version
 * rewrites the chain so that it owns the Map again. Used linearly (always the newest version), every operation is
 * O(1); reusing an old version costs the length of the chain once. Old versions that nobody references are
 * garbage: the chain only points from old to new.
 *
 * Iteration order is unspecified (rerooting re-inserts keys): callers that need an order sort.
 */
type Node<K, V> =
  | { readonly root: true; readonly map: Map<K, V> }
  | {
      readonly root: false;
      readonly key: K;
      readonly had: boolean;
      readonly value: V | undefined;
      readonly next: PMap<K, V>;
    };

export class PMap<K, V> {
  private node: Node<K, V>;

  private constructor(node: Node<K, V>) {
    this.node = node;
  }

  static empty<K, V>(): PMap<K, V> {
    return new PMap<K, V>({ root: true, map: new Map() });
  }

  static from<K, V>(entries: Iterable<readonly [K, V]>): PMap<K, V> {
    const map = new Map<K, V>();
    for (const [k, v] of entries) map.set(k, v);
    return new PMap<K, V>({ root: true, map });
  }

  /** Makes this version own the Map, undoing the newer versions' changes on the way (iteratively: no deep stack). */
  private own(): Map<K, V> {
    if (this.node.root) return this.node.map;
    const chain: PMap<K, V>[] = [];
    let p: PMap<K, V> = this;
    while (!p.node.root) {
      chain.push(p);
      p = p.node.next;
    }
    const map = p.node.map;
    for (let i = chain.length - 1; i >= 0; i--) {
      const version = chain[i]!;
      const diff = version.node;
      if (diff.root) continue;
      const next = diff.next;
      const had = map.has(diff.key);
      const value = map.get(diff.key);
      if (diff.had) map.set(diff.key, diff.value as V);
      else map.delete(diff.key);
      next.node = { root: false, key: diff.key, had, value, next: version };
      version.node = { root: true, map };
    }
    return map;
  }

  get(key: K): V | undefined {
    return this.own().get(key);
  }

  has(key: K): boolean {
    return this.own().has(key);
  }

  get size(): number {
    return this.own().size;
  }

  set(key: K, value: V): PMap<K, V> {
    const map = this.own();
    const had = map.has(key);
    const old = map.get(key);
    if (had && old === value) return this;
    map.set(key, value);
    const next = new PMap<K, V>({ root: true, map });
    this.node = { root: false, key, had, value: old, next };
    return next;
  }

  delete(key: K): PMap<K, V> {
    const map = this.own();
    if (!map.has(key)) return this;
    const old = map.get(key);
    map.delete(key);
    const next = new PMap<K, V>({ root: true, map });
    this.node = { root: false, key, had: true, value: old, next };
    return next;
  }

  /**
   * Sets in place, for a map whose owner drops every older version (see RuleRuntime.apply): no new version and no
   * undo entry, so an older version read afterwards would be wrong.
   */
  setOwned(key: K, value: V): void {
    this.own().set(key, value);
  }

  /** A snapshot of the entries (a copy: the underlying Map moves between versions). */
  entries(): [K, V][] {
    return [...this.own()];
  }

  keys(): K[] {
    return [...this.own().keys()];
  }
}
