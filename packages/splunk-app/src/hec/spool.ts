import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** A batch as the spool keeps it: where it goes and its lines (each one envelope or raw line, with newline). */
export interface SpooledBatch {
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly lines: readonly string[];
  /** Whether it was sent at least once before being spooled (its events may already be in Splunk). */
  readonly attempted: boolean;
}

interface SpoolHeader {
  readonly v: 1;
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly count: number;
  readonly attempted: boolean;
}

const SUFFIX = '.hecbatch';
const NAME = /^(\d{12})\.hecbatch$/;

/**
 * Batches on disk while the collector is unreachable: one file per batch, named by a sequence number so they
 * drain oldest first, written to a temporary name, fsynced and renamed so a crash never leaves half a batch.
 * The file is JSON lines (a header, then each line as a JSON string), so any event text survives.
 */
export class Spool {
  private seq = 0;
  private bytes = 0;
  private readonly sizes = new Map<string, number>();
  private ready: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    /** Spool no more than this many bytes; past it the sink holds batches in memory (and applies backpressure). */
    readonly maxBytes: number = 1 << 30,
  ) {}

  /** Creates the directory, removes leftovers of interrupted writes and indexes what an earlier run left. */
  open(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.dir, { recursive: true });
      for (const name of await readdir(this.dir)) {
        if (name.endsWith('.tmp')) {
          await unlink(join(this.dir, name)).catch(() => undefined);
          continue;
        }
        const m = NAME.exec(name);
        if (!m) continue;
        const size = (await stat(join(this.dir, name))).size;
        this.sizes.set(name, size);
        this.bytes += size;
        this.seq = Math.max(this.seq, Number(m[1]));
      }
    })();
    return this.ready;
  }

  /** Batches waiting, oldest first. */
  files(): string[] {
    return [...this.sizes.keys()].sort();
  }

  get size(): number {
    return this.sizes.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  hasRoom(bytes: number): boolean {
    return this.bytes + bytes <= this.maxBytes;
  }

  async append(batch: SpooledBatch): Promise<string> {
    await this.open();
    const header: SpoolHeader = {
      v: 1,
      path: batch.path,
      ...(batch.query === undefined ? {} : { query: batch.query }),
      count: batch.lines.length,
      attempted: batch.attempted,
    };
    const text = `${JSON.stringify(header)}\n${batch.lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
    const name = `${String(++this.seq).padStart(12, '0')}${SUFFIX}`;
    const tmp = join(this.dir, `${name}.tmp`);
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(this.dir, name));
    const size = Buffer.byteLength(text);
    this.sizes.set(name, size);
    this.bytes += size;
    return name;
  }

  async read(name: string): Promise<SpooledBatch> {
    const text = await readFile(join(this.dir, name), 'utf8');
    const rows = text.split('\n').filter((r) => r !== '');
    const header = JSON.parse(rows[0] ?? '{}') as Partial<SpoolHeader>;
    if (header.v !== 1 || typeof header.path !== 'string')
      throw new Error(`spool file ${name} is not an npswatch HEC batch`);
    return {
      path: header.path,
      ...(header.query === undefined ? {} : { query: header.query }),
      lines: rows.slice(1).map((r) => JSON.parse(r) as string),
      attempted: header.attempted === true,
    };
  }

  async remove(name: string): Promise<void> {
    await unlink(join(this.dir, name)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    this.bytes -= this.sizes.get(name) ?? 0;
    this.sizes.delete(name);
  }
}
