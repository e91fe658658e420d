import assert from 'node:assert/strict';
import {
  Cursor,
  cappedFloor,
  checkpointFromJSON,
  checkpointKey,
  checkpointToJSON,
  type ElasticCheckpoint,
  hitKey,
  nextFloor,
} from '../src/cursor.js';
import { cursorQuery } from '../src/source.js';

/** A document of an in-memory index: what a search hit carries that the cursor uses. */
interface Doc {
  readonly key: string;
  readonly time: number;
}

/**
 * One read as the source does it on a real server, over an in-memory index: every document with
 * `time >= floor` (all of them without a floor), by time (ties in index order, as `_shard_doc` keeps them within
 * one point in time), in pages; new ones are handed out and marked, then the cursor settles after each page.
 * `pages` limits how many pages are read (a kill after N pages); returns the keys handed out.
 */
function read(index: readonly Doc[], cursor: Cursor, pageSize: number, pages = Number.POSITIVE_INFINITY): string[] {
  const floor = cursor.floor;
  const hits = index
    .map((d, i) => ({ ...d, i }))
    .filter((d) => floor === undefined || d.time >= floor)
    .sort((a, b) => a.time - b.time || a.i - b.i);
  const out: string[] = [];
  for (let p = 0; p < pages && p * pageSize < hits.length; p++) {
    for (const hit of hits.slice(p * pageSize, (p + 1) * pageSize)) {
      if (cursor.has(hit.key)) continue;
      cursor.mark(hit.key, hit.time);
      out.push(hit.key);
    }
    cursor.settle();
  }
  return out;
}

const doc = (n: number, time: number): Doc => ({ key: hitKey('winlogbeat-2024.09.20', `id${n}`), time });
const T = Date.UTC(2024, 8, 20, 10);

describe('elastic source cursor', () => {
  it('the floor stays the lookback behind the newest document, never goes back, never below 0', () => {
    assert.equal(nextFloor(undefined, T, 60_000), T - 60_000);
    assert.equal(nextFloor(T, T - 1000, 60_000), T, 'an older document does not lower it');
    assert.equal(nextFloor(undefined, 5000, 60_000), 0);
    assert.equal(nextFloor(undefined, T, 0), T, 'lookback 0: only ties at the newest time are remembered');
  });

  it('past the cap the floor rises to keep the newest ids, whole groups of ties, and all ties at the newest', () => {
    assert.equal(cappedFloor([1, 2, 3], 0, 3, 5), 0, 'under the cap nothing changes');
    assert.equal(cappedFloor([1, 2, 3, 4, 5], 0, 5, 2), 4);
    // Ties at 3 straddle the cut: keeping one of them means keeping all three, more than 2, so they go.
    assert.equal(cappedFloor([1, 3, 3, 3, 5], 0, 5, 2), 5);
    assert.equal(cappedFloor([1, 5, 5, 5, 5], 0, 5, 2), 5, 'ties at the newest cannot be told apart: all stay');
    assert.equal(cappedFloor([1, 2, 3, 4], 3, 4, 1), 4);
  });

  it('a cursor forgets ids below its floor and decides the same after a round trip through its checkpoint', () => {
    const cursor = new Cursor({ lookback: 10, maxSeen: 100 });
    assert.equal(cursor.floor, undefined);
    cursor.mark('i/a', 100);
    cursor.mark('i/b', 105);
    cursor.mark('i/c', 120);
    cursor.settle();
    assert.equal(cursor.floor, 110);
    assert.deepEqual(cursor.checkpoint(), { floor: 110, seen: [['i/c', 120]] });
    assert.equal(cursor.checkpoint(), cursor.checkpoint(), 'unchanged: the same checkpoint object');
    const again = new Cursor({ lookback: 10, maxSeen: 100 }, cursor.checkpoint());
    assert.equal(again.floor, 110);
    assert.ok(again.has('i/c') && !again.has('i/a'));
  });

  it('a restart after any page hands out exactly the documents not yet handed out, ties across pages too', () => {
    // 30 documents, a run of 12 ties at T+5s, page size 5: pages end inside the ties.
    const index = Array.from({ length: 30 }, (_, n) => doc(n, T + (n >= 8 && n < 20 ? 5000 : n * 1000)));
    const all = index.map((d) => d.key);
    for (const lookback of [0, 3000, 60_000]) {
      for (let killAfter = 0; killAfter <= 6; killAfter++) {
        const first = new Cursor({ lookback, maxSeen: 1000 });
        const before = read(index, first, 5, killAfter);
        const saved = JSON.parse(JSON.stringify(first.checkpoint())) as ElasticCheckpoint;
        const after = read(index, new Cursor({ lookback, maxSeen: 1000 }, saved), 5);
        const seen = [...before, ...after];
        assert.equal(new Set(seen).size, seen.length, `no duplicate (lookback ${lookback}, kill after ${killAfter})`);
        assert.deepEqual(
          new Set(seen),
          new Set(all),
          `nothing skipped (lookback ${lookback}, kill after ${killAfter})`,
        );
      }
    }
  });

  it('late documents within the lookback are read once; older ones are not read', () => {
    const index = Array.from({ length: 10 }, (_, n) => doc(n, T + n * 1000));
    const cursor = new Cursor({ lookback: 5000, maxSeen: 1000 });
    assert.equal(read(index, cursor, 4).length, 10);
    // Newest read: T+9s, floor T+4s. One arrives for T+6s (within), one for T+1s (too old).
    index.push(doc(100, T + 6000), doc(101, T + 1000));
    assert.deepEqual(read(index, cursor, 4), [doc(100, 0).key]);
    assert.deepEqual(read(index, cursor, 4), [], 'a further read finds nothing new');
  });

  it('a small cap shrinks the lookback instead of re-reading forgotten documents', () => {
    const index = Array.from({ length: 50 }, (_, n) => doc(n, T + n * 1000));
    const cursor = new Cursor({ lookback: 3_600_000, maxSeen: 7 });
    assert.equal(read(index, cursor, 10).length, 50);
    assert.equal(cursor.size, 7);
    assert.equal(cursor.floor, T + 43_000);
    assert.deepEqual(read(index, cursor, 10), []);
  });

  it('the checkpoint in a state file: JSON round trip, nothing saved before anything is read, damage refused', () => {
    const checkpoint: ElasticCheckpoint = {
      floor: T,
      seen: [
        ['winlogbeat-2024.09.20/a', T],
        ['winlogbeat-2024.09.20/b/c', T + 5],
      ],
    };
    const json = JSON.parse(JSON.stringify(checkpointToJSON(checkpoint)));
    assert.deepEqual(checkpointFromJSON(json), checkpoint, 'ids with "/" survive');
    assert.deepEqual(checkpointFromJSON(JSON.parse(JSON.stringify(checkpointToJSON({ floor: 7, seen: [] })))), {
      floor: 7,
      seen: [],
    });
    assert.equal(checkpointToJSON({ seen: [] }), undefined, 'nothing read: nothing saved');
    assert.equal(checkpointKey('winlogbeat-*'), 'elastic:winlogbeat-*');
    assert.throws(
      () => checkpointFromJSON({ floor: T, seen: [['no-slash', T]] }),
      /not an Elasticsearch source checkpoint at seen\.0\.0: expected "index\/_id"/,
    );
    assert.throws(() => checkpointFromJSON({ floor: 'x', seen: [] }), /at floor/);
    assert.throws(() => checkpointFromJSON([]), /not an Elasticsearch source checkpoint/);
  });

  it('queries from the floor, or every document with a time when there is none', () => {
    assert.deepEqual(cursorQuery(undefined), { exists: { field: '@timestamp' } });
    assert.deepEqual(cursorQuery(T), { range: { '@timestamp': { gte: T, format: 'epoch_millis' } } });
  });
});
