import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { type FollowOptions, type FollowPosition, follow } from '../../src/parse/follow.js';

/** Waits for a condition in a bounded loop: no test depends on how long anything takes. */
async function waitFor(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 4000; i++) {
    if (cond()) return;
    await delay(5);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Follows `path` in the background, collecting chunks and positions until stopped. */
function tail(path: string, options: Omit<FollowOptions, 'signal' | 'onPosition'> = {}) {
  const controller = new AbortController();
  const chunks: Uint8Array[] = [];
  const positions: FollowPosition[] = [];
  const done = (async () => {
    for await (const chunk of follow(path, {
      pollInterval: 5,
      ...options,
      signal: controller.signal,
      onPosition: (p) => positions.push(p),
    })) {
      chunks.push(chunk);
    }
  })();
  return {
    chunks,
    positions,
    text: () => Buffer.concat(chunks).toString('utf8'),
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

describe('follow: tail -F as an async iterable', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'npswatch-follow-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads what is there, then what is appended, reporting the offset after each chunk', async () => {
    const path = join(dir, 'a.log');
    writeFileSync(path, 'one\ntwo\n');
    const t = tail(path);
    await waitFor('existing content', () => t.text() === 'one\ntwo\n');
    appendFileSync(path, 'three\n');
    await waitFor('appended line', () => t.text() === 'one\ntwo\nthree\n');
    await t.stop();
    const inode = statSync(path).ino;
    assert.deepEqual(t.positions.at(-1), { offset: 14, inode });
    let offset = 0;
    t.chunks.forEach((c, i) => {
      offset += c.length;
      assert.equal(t.positions[i]!.offset, offset);
    });
  });

  it('reads in chunks of at most 64 KiB', async () => {
    const path = join(dir, 'big.log');
    writeFileSync(path, Buffer.alloc(200_000, 0x61));
    const t = tail(path);
    await waitFor('the whole file', () => t.positions.at(-1)?.offset === 200_000);
    await t.stop();
    assert.ok(t.chunks.every((c) => c.length <= 65_536));
    assert.ok(t.chunks.length >= 4);
  });

  it('starts at fromOffset in the same file, and at 0 in another one or a shorter one', async () => {
    const path = join(dir, 'a.log');
    writeFileSync(path, 'one\ntwo\n');
    const inode = statSync(path).ino;

    const same = tail(path, { fromOffset: 4, fromInode: inode });
    await waitFor('the rest', () => same.text() === 'two\n');
    await same.stop();
    assert.deepEqual(same.positions, [{ offset: 8, inode }]);

    const other = tail(path, { fromOffset: 4, fromInode: inode + 1 });
    await waitFor('the whole rotated file', () => other.text() === 'one\ntwo\n');
    await other.stop();

    const shorter = tail(path, { fromOffset: 100 });
    await waitFor('the whole truncated file', () => shorter.text() === 'one\ntwo\n');
    await shorter.stop();
  });

  it('restarts at 0 when the file is truncated', async () => {
    const path = join(dir, 'a.log');
    writeFileSync(path, 'a long first line\n');
    const t = tail(path);
    await waitFor('first content', () => t.text() === 'a long first line\n');
    writeFileSync(path, 'new\n');
    await waitFor('content after truncation', () => t.text() === 'a long first line\nnew\n');
    await t.stop();
    assert.equal(t.positions.at(-1)!.offset, 4);
  });

  it('finishes the old file on rotation (rename + create), then reads the new one from 0', async () => {
    const path = join(dir, 'a.log');
    writeFileSync(path, 'old 1\n');
    const t = tail(path);
    await waitFor('old file', () => t.text() === 'old 1\n');
    const oldInode = statSync(path).ino;
    appendFileSync(path, 'old 2\n');
    renameSync(path, join(dir, 'a.log.1'));
    writeFileSync(path, 'new 1\n');
    const newInode = statSync(path).ino;
    await waitFor('new file', () => t.text() === 'old 1\nold 2\nnew 1\n');
    appendFileSync(path, 'new 2\n');
    await waitFor('new file growing', () => t.text() === 'old 1\nold 2\nnew 1\nnew 2\n');
    await t.stop();
    assert.deepEqual(t.positions.at(0), { offset: 6, inode: oldInode });
    assert.ok(t.positions.some((p) => p.inode === oldInode && p.offset === 12));
    assert.deepEqual(t.positions.at(-1), { offset: 12, inode: newInode });
  });

  it('waits for a file that does not exist yet, and for it to come back after removal', async () => {
    const path = join(dir, 'late.log');
    let polls = 0;
    const t = tail(path, {
      sleep: async (ms, signal) => {
        polls++;
        await delay(ms, undefined, { signal }).catch(() => undefined);
      },
    });
    await waitFor('a few polls of the missing file', () => polls >= 3);
    assert.equal(t.chunks.length, 0);
    writeFileSync(path, 'here\n');
    await waitFor('the file once it appears', () => t.text() === 'here\n');
    unlinkSync(path);
    const before = polls;
    await waitFor('polls after removal', () => polls >= before + 3);
    writeFileSync(path, 'back\n');
    await waitFor('the file once it is back', () => t.text() === 'here\nback\n');
    await t.stop();
  });

  it('ends cleanly when the signal aborts, while waiting or before starting', async () => {
    const path = join(dir, 'a.log');
    writeFileSync(path, 'x\n');
    const t = tail(path, { pollInterval: 60_000 });
    await waitFor('content', () => t.text() === 'x\n');
    // The poll interval is a minute: stopping must not wait for it.
    await t.stop();

    const controller = new AbortController();
    controller.abort();
    const chunks: Uint8Array[] = [];
    for await (const c of follow(path, { signal: controller.signal })) chunks.push(c);
    assert.deepEqual(chunks, []);
  });

  it('closes the file when the consumer stops early', async () => {
    const path = join(dir, 'a.log');
    writeFileSync(path, 'x\n');
    for await (const chunk of follow(path, { pollInterval: 5 })) {
      assert.equal(Buffer.from(chunk).toString(), 'x\n');
      break;
    }
    // On Windows an open handle would make this fail; elsewhere it shows the generator finished without error.
    unlinkSync(path);
  });

  it('rejects a poll interval that would busy-loop', async () => {
    await assert.rejects(async () => {
      for await (const _ of follow(join(dir, 'a.log'), { pollInterval: 0 })) break;
    }, RangeError);
  });
});
