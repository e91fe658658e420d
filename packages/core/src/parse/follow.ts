import type { Stats } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';

/** Where following stands: the byte offset just past the last chunk yielded, in the file with this inode. */
export interface FollowPosition {
  readonly offset: number;
  readonly inode: number;
}

export interface FollowOptions {
  /** How often (ms) to look for growth, rotation or the file appearing. Default 250. */
  readonly pollInterval?: number;
  /** Aborting it ends the iteration cleanly (no error), at the latest one poll later. */
  readonly signal?: AbortSignal;
  /** Byte offset to start at in the first file opened (default 0); ignored if the file is now shorter. */
  readonly fromOffset?: number;
  /** Apply `fromOffset` only if the file at `path` still has this inode (else it was rotated: read from 0). */
  readonly fromInode?: number;
  /** Called just before each chunk is yielded, with the offset just past it. */
  readonly onPosition?: (position: FollowPosition) => void;
  /** Waits `ms` or until `signal` aborts, whichever is first; injectable so tests control waiting. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

// Same chunk size as readBatches' own file reads: memory stays bounded however fast the file grows.
const CHUNK_BYTES = 1 << 16;

/**
 * Follows a file like `tail -F`, as an async iterable of byte chunks for `readBatches`: reads from `fromOffset`,
 * then polls (`fs.stat`, no `fs.watch`, which misses changes on network shares) for growth. A file that shrinks
 * below the offset was truncated: reading restarts at 0. A file replaced at the path (rotation by rename and
 * create, or removal) is read to its end first, then the new file is read from 0. A missing file is waited for.
 * Ends only when `signal` aborts.
 *
 * Limits, as for `tail -F`: a truncation followed by regrowth past the old offset within one poll, or bytes written
 * to a rotated-away file after its last read, go unseen.
 */
export async function* follow(path: string, options: FollowOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
  const poll = options.pollInterval ?? 250;
  if (!(poll > 0)) throw new RangeError(`follow: pollInterval must be > 0 ms, got ${poll}`);
  const { signal, onPosition } = options;
  const sleep = options.sleep ?? abortableSleep;
  // One read buffer, reused; what is yielded is a copy of exactly the bytes read.
  const buffer = new Uint8Array(CHUNK_BYTES);
  let file: FileHandle | undefined;
  let inode = 0;
  let offset = 0;
  let firstOpen = true;
  // Set when the path no longer names the open file: read it to its end, then move to the path's new file.
  let leaving = false;

  try {
    while (!signal?.aborted) {
      if (file === undefined) {
        file = await openIfExists(path);
        if (file === undefined) {
          await sleep(poll, signal);
          continue;
        }
        const st = await file.stat();
        inode = st.ino;
        const from = firstOpen ? (options.fromOffset ?? 0) : 0;
        const sameFile = options.fromInode === undefined || options.fromInode === st.ino;
        offset = from > 0 && from <= st.size && sameFile ? from : 0;
        firstOpen = false;
        leaving = false;
      }

      const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, offset);
      if (bytesRead > 0) {
        offset += bytesRead;
        onPosition?.({ offset, inode });
        yield buffer.slice(0, bytesRead);
        continue;
      }
      if (leaving) {
        await file.close();
        file = undefined;
        continue;
      }

      // At the end of the open file: has the path moved on, been truncated, or grown since the read?
      const now = await statIfExists(path);
      if (now === undefined || now.ino !== inode) {
        leaving = true;
        continue;
      }
      if (now.size < offset) {
        offset = 0;
        continue;
      }
      if (now.size > offset) continue;
      await sleep(poll, signal);
    }
  } finally {
    await file?.close().catch(() => undefined);
  }
}

function isMissing(err: unknown): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === 'ENOENT';
}

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

async function statIfExists(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
