import { type FileHandle, mkdir, open, stat, truncate, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ElasticError } from './errors.js';

/** A document ready for `_bulk`: its action line and source are serialized once, when it is written. */
export interface PreparedDoc {
  readonly index: string;
  readonly id: string;
  /** The `{"create":{...}}` action line. */
  readonly action: string;
  /** The document as JSON. */
  readonly source: string;
  /** UTF-8 bytes of action + source + two newlines: what it adds to a request. */
  readonly bytes: number;
}

export function prepareDoc(index: string, id: string, source: string): PreparedDoc {
  const action = `{"create":{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(id)}}}`;
  return { index, id, action, source, bytes: Buffer.byteLength(action) + Buffer.byteLength(source) + 2 };
}

/**
 * Documents held on disk while Elasticsearch cannot be reached. The file is a valid `_bulk` body (action line,
 * source line), appended to while disconnected and read back in order once the server answers again; it is
 * emptied when read to the end. Operations run one at a time, in call order, so a read sees every earlier append.
 * A crash while draining leaves the whole file in place: it is sent again, and `create` with the same `_id`s makes
 * that harmless.
 */
export class Spool {
  private chain: Promise<unknown> = Promise.resolve();
  private offset = 0;
  private size = 0;
  private docs = 0;
  private handle: FileHandle | undefined;

  constructor(readonly path: string) {}

  /** Documents in the file not yet read back. */
  get pending(): number {
    return this.docs;
  }

  private run<T>(op: () => Promise<T>): Promise<T> {
    const next = this.chain.then(op);
    // The chain continues after a failed operation; the failure goes to that operation's caller.
    this.chain = next.catch(() => undefined);
    return next;
  }

  private fail(action: string, err: unknown): ElasticError {
    const reason = err instanceof Error ? err.message : String(err);
    return new ElasticError('NPSWATCH_ES_SPOOL', `spool ${action} ${this.path}: ${reason}`);
  }

  /** Picks up a file left by an earlier run (its documents were never confirmed): returns how many it holds. */
  open(): Promise<number> {
    return this.run(async () => {
      try {
        const info = await stat(this.path);
        this.size = info.size;
        this.offset = 0;
        this.docs = this.size === 0 ? 0 : await this.countDocs();
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'ENOENT') throw this.fail('open', err);
        this.size = 0;
        this.docs = 0;
      }
      return this.docs;
    });
  }

  private async countDocs(): Promise<number> {
    const fh = await open(this.path, 'r');
    try {
      const buf = Buffer.allocUnsafe(1 << 16);
      let lines = 0;
      for (let pos = 0; ; ) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) break;
        for (let i = 0; i < bytesRead; i++) if (buf[i] === 10) lines++;
        pos += bytesRead;
      }
      return Math.floor(lines / 2);
    } finally {
      await fh.close();
    }
  }

  /**
   * Appends documents, unless `accept()` (checked when the append runs, after every earlier operation) says the
   * sink is no longer spooling: then returns false and the caller sends them itself.
   */
  append(docs: readonly PreparedDoc[], accept: () => boolean = () => true): Promise<boolean> {
    return this.run(async () => {
      if (!accept()) return false;
      if (docs.length === 0) return true;
      let text = '';
      for (const d of docs) text += `${d.action}\n${d.source}\n`;
      try {
        if (this.size === 0) await mkdir(dirname(this.path), { recursive: true });
        await writeFile(this.path, text, { flag: 'a' });
      } catch (err) {
        throw this.fail('append to', err);
      }
      this.size += Buffer.byteLength(text);
      this.docs += docs.length;
      return true;
    });
  }

  /**
   * The next documents (at most `maxDocs`, and `maxBytes` unless one document alone is larger), left in place
   * until commit(). When none are left, empties the file and calls `onEmpty` inside the same operation, so no
   * append can slip in between.
   */
  peek(maxDocs: number, maxBytes: number, onEmpty: () => void): Promise<PreparedDoc[]> {
    return this.run(async () => {
      if (this.offset >= this.size) {
        await this.reset();
        onEmpty();
        return [];
      }
      try {
        this.handle ??= await open(this.path, 'r');
        let want = Math.max(1 << 16, Math.min(maxBytes, this.size - this.offset));
        for (;;) {
          const buf = Buffer.allocUnsafe(Math.min(want, this.size - this.offset));
          const { bytesRead } = await this.handle.read(buf, 0, buf.length, this.offset);
          const docs = parseDocs(buf.subarray(0, bytesRead), maxDocs, maxBytes);
          // A document larger than the buffer: read again with room for it.
          if (docs.length === 0 && this.offset + bytesRead < this.size) {
            want *= 2;
            continue;
          }
          if (docs.length === 0) {
            // Only an incomplete tail (a crash mid-append): nothing more can be read from it.
            await this.reset();
            onEmpty();
          }
          return docs;
        }
      } catch (err) {
        if (err instanceof ElasticError) throw err;
        throw this.fail('read', err);
      }
    });
  }

  /** Marks documents returned by peek() as handled. */
  commit(docs: readonly PreparedDoc[]): Promise<void> {
    return this.run(async () => {
      for (const d of docs) this.offset += d.bytes;
      this.docs = Math.max(0, this.docs - docs.length);
    });
  }

  private async reset(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    if (this.size > 0) {
      try {
        await truncate(this.path, 0);
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'ENOENT') throw this.fail('truncate', err);
      }
    }
    this.offset = 0;
    this.size = 0;
    this.docs = 0;
  }

  /** Closes the read handle; the file and what it holds stay for the next run. */
  close(): Promise<void> {
    return this.run(async () => {
      await this.handle?.close();
      this.handle = undefined;
    });
  }
}

/** Complete action/source pairs from the start of a buffer. */
function parseDocs(buf: Buffer, maxDocs: number, maxBytes: number): PreparedDoc[] {
  const docs: PreparedDoc[] = [];
  let pos = 0;
  let used = 0;
  while (docs.length < maxDocs) {
    const nl1 = buf.indexOf(10, pos);
    if (nl1 < 0) break;
    const nl2 = buf.indexOf(10, nl1 + 1);
    if (nl2 < 0) break;
    const size = nl2 + 1 - pos;
    if (docs.length > 0 && used + size > maxBytes) break;
    const action = buf.toString('utf8', pos, nl1);
    const source = buf.toString('utf8', nl1 + 1, nl2);
    let meta: { create?: { _index?: unknown; _id?: unknown } };
    try {
      meta = JSON.parse(action) as typeof meta;
    } catch {
      throw new ElasticError('NPSWATCH_ES_SPOOL', `spool: not a bulk action line at byte ${pos}`);
    }
    const index = meta.create?._index;
    const id = meta.create?._id;
    if (typeof index !== 'string' || typeof id !== 'string')
      throw new ElasticError('NPSWATCH_ES_SPOOL', `spool: action line without _index/_id at byte ${pos}`);
    docs.push({ index, id, action, source, bytes: size });
    used += size;
    pos = nl2 + 1;
  }
  return docs;
}
