import { z } from 'zod';
import { ElasticError } from './errors.js';

/**
 * Where reading an index pattern stands, in a form that survives a restart and a new point in time.
 *
 * Not the last sort values alone: the `_shard_doc` tiebreaker only means something inside the point in time that
 * produced it, sorting on `_id` needs fielddata (off by default since 8.0), and Winlogbeat sets no
 * `event.sequence`. So the cursor is a time and the ids read at or after it: the next read asks for
 * `time >= floor` and skips every id in `seen`.
 */
export interface ElasticCheckpoint {
  /**
   * Epoch ms, inclusive: reading resumes here. Every document at or after it that was read is in `seen`; those
   * before it count as read. Undefined: nothing has been read yet.
   */
  readonly floor?: number;
  /** `index/_id` and sort time (epoch ms) of every document read at or after `floor`, oldest first. */
  readonly seen: readonly (readonly [key: string, time: number])[];
}

export interface CursorOptions {
  /**
   * How far behind the newest document read the floor stays (ms). Documents that arrive late, with a time older
   * than what was read already, are still found when they are at most this much older. 0: only ties.
   */
  readonly lookback: number;
  /** Most ids kept in `seen`; past it the floor rises (shrinking the lookback), except over ties at the newest. */
  readonly maxSeen: number;
}

/** The `seen` key of a hit: ids are unique per index only. */
export function hitKey(index: string, id: string): string {
  return `${index}/${id}`;
}

/** The floor after reading up to `newest`: `lookback` behind it, never lower than before, never below 0. */
export function nextFloor(floor: number | undefined, newest: number, lookback: number): number {
  return Math.max(floor ?? 0, newest - lookback, 0);
}

/**
 * The lowest floor that leaves at most `maxSeen` of these times at or above it, but never above `newest` (ties
 * at the newest time cannot be told apart by time, so all of them stay).
 */
export function cappedFloor(times: readonly number[], floor: number, newest: number, maxSeen: number): number {
  if (times.length <= maxSeen) return floor;
  const sorted = Float64Array.from(times).sort();
  // The oldest time that may stay: everything strictly older goes; equal times stay or go together.
  let cut = sorted[sorted.length - maxSeen]!;
  if (cut > newest) cut = newest;
  // Keeping `cut` keeps all its ties too; raise past it when that would exceed the cap and `cut` is not the newest.
  const atOrAbove = sorted.length - lowerBound(sorted, cut);
  if (atOrAbove > maxSeen && cut < newest) cut = sorted[upperBound(sorted, cut)]!;
  return Math.max(floor, cut);
}

function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The live cursor of one reader: which hits to skip, and the checkpoint after each page. Mutable for speed; its
 * `checkpoint()` is an immutable copy.
 */
export class Cursor {
  private floorMs: number | undefined;
  private readonly seen = new Map<string, number>();
  private newest: number | undefined;
  /** The last checkpoint, until something changes. */
  private saved: ElasticCheckpoint | undefined;

  constructor(
    private readonly options: CursorOptions,
    from?: ElasticCheckpoint,
  ) {
    this.floorMs = from?.floor;
    for (const [key, time] of from?.seen ?? []) this.mark(key, time);
  }

  /** Inclusive lower bound of the next query; undefined: from the oldest document. */
  get floor(): number | undefined {
    return this.floorMs;
  }

  get size(): number {
    return this.seen.size;
  }

  has(key: string): boolean {
    return this.seen.has(key);
  }

  /** A hit is read (or dead-lettered): it is never handed out again while its time is at or after the floor. */
  mark(key: string, time: number): void {
    this.saved = undefined;
    this.seen.set(key, time);
    if (this.newest === undefined || time > this.newest) this.newest = time;
  }

  /** After a page: raise the floor (lookback, then the cap) and forget ids below it. */
  settle(): void {
    if (this.newest === undefined) return;
    let floor = nextFloor(this.floorMs, this.newest, this.options.lookback);
    floor = cappedFloor([...this.seen.values()], floor, this.newest, this.options.maxSeen);
    if (floor === this.floorMs) return;
    this.saved = undefined;
    this.floorMs = floor;
    for (const [key, time] of this.seen) if (time < floor) this.seen.delete(key);
  }

  checkpoint(): ElasticCheckpoint {
    if (this.saved === undefined) {
      const seen = [...this.seen].sort((a, b) => a[1] - b[1]);
      this.saved = this.floorMs === undefined ? { seen } : { floor: this.floorMs, seen };
    }
    return this.saved;
  }
}

// ---- the checkpoint in a state file ----

/** The name of an index pattern's cursor among a state file's source checkpoints. */
export function checkpointKey(pattern: string): string {
  return `elastic:${pattern}`;
}

/** The checkpoint as plain JSON, for `SavedState.checkpoint.sources` (undefined: nothing read, nothing to save). */
export function checkpointToJSON(checkpoint: ElasticCheckpoint): unknown {
  if (checkpoint.floor === undefined && checkpoint.seen.length === 0) return undefined;
  return { floor: checkpoint.floor ?? null, seen: checkpoint.seen.map(([key, time]) => [key, time]) };
}

const SavedCheckpointSchema = z.object({
  floor: z.number().min(0).nullable(),
  seen: z.array(
    z.tuple([
      z.string().regex(/^[^/]+\/.+$/, { error: 'expected "index/_id"' }),
      z.number({ error: 'expected a time in epoch ms' }),
    ]),
  ),
});

/**
 * Reads `checkpointToJSON` output back; a damaged one (hand-edited, or from another program) is an error naming
 * the part that is wrong, never a silent re-read.
 */
export function checkpointFromJSON(value: unknown): ElasticCheckpoint {
  const parsed = SavedCheckpointSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
    throw new ElasticError(
      'NPSWATCH_ES_CONFIG',
      `not an Elasticsearch source checkpoint${where}: ${issue.message}`,
      {},
      'fix or delete the state file (deleting it reads the index pattern again from the start)',
    );
  }
  const seen = parsed.data.seen.map(([key, time]): [string, number] => [key, time]).sort((a, b) => a[1] - b[1]);
  return parsed.data.floor === null ? { seen } : { floor: parsed.data.floor, seen };
}
