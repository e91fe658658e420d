import assert from 'node:assert/strict';
import fc from 'fast-check';
import { heapFromArray, heapInsert, heapPop, heapSize, heapToArray } from '../../src/stream/heap.js';
import { PMap } from '../../src/stream/pmap.js';

describe('persistent map', () => {
  it('leaves every older version unchanged', () => {
    const v0 = PMap.empty<string, number>();
    const v1 = v0.set('a', 1);
    const v2 = v1.set('b', 2).delete('a');
    const v3 = v1.set('a', 10);
    assert.deepEqual(v0.entries(), []);
    assert.deepEqual(v1.entries(), [['a', 1]]);
    assert.deepEqual(v2.entries(), [['b', 2]]);
    assert.deepEqual(v3.entries(), [['a', 10]]);
    assert.equal(v1.get('a'), 1);
    assert.equal(v2.has('a'), false);
    assert.equal(v3.size, 1);
    assert.equal(v1.set('a', 1), v1);
    assert.equal(v1.delete('zz'), v1);
  });

  it('behaves like a copied Map under any sequence of operations on any version', () => {
    const op = fc.record({
      from: fc.nat(),
      key: fc.integer({ min: 0, max: 5 }),
      value: fc.integer(),
      del: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const versions: PMap<number, number>[] = [PMap.empty()];
        const models: Map<number, number>[] = [new Map()];
        for (const o of ops) {
          const i = o.from % versions.length;
          const model = new Map(models[i]);
          if (o.del) model.delete(o.key);
          else model.set(o.key, o.value);
          versions.push(o.del ? versions[i]!.delete(o.key) : versions[i]!.set(o.key, o.value));
          models.push(model);
        }
        const sorted = (e: [number, number][]) => e.sort((a, b) => a[0] - b[0]);
        for (const [i, v] of versions.entries()) assert.deepEqual(sorted(v.entries()), sorted([...models[i]!]));
      }),
    );
  });
});

describe('persistent heap', () => {
  it('pops in order and keeps old versions', () => {
    const cmp = (a: number, b: number) => a - b;
    fc.assert(
      fc.property(fc.array(fc.integer()), (items) => {
        const h = heapFromArray(items, cmp);
        assert.deepEqual(heapToArray(h, cmp), [...items].sort(cmp));
        assert.equal(heapSize(h), items.length);
        if (h !== null) {
          const popped = heapPop(h, cmp);
          assert.equal(heapSize(popped), items.length - 1);
          assert.deepEqual(heapToArray(h, cmp), [...items].sort(cmp));
        }
        assert.equal(heapSize(heapInsert(h, 0, cmp)), items.length + 1);
      }),
    );
  });
});
