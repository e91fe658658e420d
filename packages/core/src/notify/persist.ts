import { randomUUID } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { formatIssues } from './options.js';
import { type NotifyState, NotifyStateSchema } from './state.js';

export const STATE_FILE_VERSION = 1;

/** Where reading an input stopped: byte offset and 1-based line of the next record, and the file's inode. */
export interface InputCheckpoint {
  readonly offset: number;
  readonly line: number;
  /** To notice a rotated file (same path, new inode). */
  readonly inode?: number;
}

/** Everything the engine needs to resume without re-alerting or forgetting. */
export interface SavedState {
  readonly version: typeof STATE_FILE_VERSION;
  /** Wall-clock ISO time of the save (for people; nothing reads it back). */
  readonly savedAt: string;
  /** The detection side's serialised state (rule windows), opaque here. */
  readonly detection: unknown;
  readonly notify: NotifyState;
  readonly checkpoint: {
    readonly inputs: Readonly<Record<string, InputCheckpoint>>;
    /**
     * Checkpoints of inputs that are not byte streams (e.g. an Elasticsearch index pattern's cursor), by source
     * name; each owner reads and checks its own. Absent in files without such inputs.
     */
    readonly sources?: Readonly<Record<string, unknown>>;
  };
  /**
   * The correlator's state (`correlateStateToJSON`, versioned itself), when the run correlates; restored with
   * `correlateStateFromJSON`, which checks it in full. Absent in files saved without correlation (and older ones).
   */
  readonly correlation?: unknown;
}

export type SavedStateInput = Omit<SavedState, 'version' | 'savedAt'>;

export type StateFileErrorCode = 'E_STATE_UNREADABLE' | 'E_STATE_INVALID' | 'E_STATE_VERSION' | 'E_STATE_WRITE';

/** A state file that cannot be read or written. The message names the file and what is wrong. */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';
  readonly code: StateFileErrorCode;
  readonly path: string;

  constructor(code: StateFileErrorCode, path: string, reason: string, options?: { cause?: unknown }) {
    super(`state file ${path}: ${reason}`, options);
    this.code = code;
    this.path = path;
  }
}

const CheckpointSchema = z.object({
  offset: z.number().int().min(0),
  line: z.number().int().min(0),
  inode: z.number().int().min(0).optional(),
});

const SavedStateSchema = z.object({
  version: z.literal(STATE_FILE_VERSION),
  savedAt: z.string(),
  detection: z.unknown(),
  notify: NotifyStateSchema,
  checkpoint: z.object({
    inputs: z.record(z.string(), CheckpointSchema),
    sources: z.record(z.string(), z.unknown()).optional(),
  }),
  // Opaque here like `detection`, but versioned: the rest is checked by correlateStateFromJSON.
  correlation: z.looseObject({ version: z.number().int().min(1) }).optional(),
});

export interface SaveStateOptions {
  /** Wall clock for `savedAt`. */
  readonly now?: () => number;
}

/**
 * Writes the engine state atomically: a temporary file in the same directory, fsync, rename over `path`, then
 * fsync of the directory, so a crash leaves either the old or the new file, never a torn one.
 */
export async function saveState(path: string, state: SavedStateInput, options: SaveStateOptions = {}): Promise<void> {
  const now = options.now ?? Date.now;
  const doc: SavedState = {
    version: STATE_FILE_VERSION,
    savedAt: new Date(now()).toISOString(),
    detection: state.detection,
    notify: state.notify,
    checkpoint: state.checkpoint,
    ...(state.correlation === undefined ? {} : { correlation: state.correlation }),
  };
  const text = `${JSON.stringify(doc)}\n`;
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomUUID()}.tmp`);
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new StateFileError('E_STATE_WRITE', path, `cannot write: ${describe(err)}`, { cause: err });
  }
  await syncDirectory(dir);
}

/** Makes the rename durable. Some platforms (Windows) cannot open a directory; the rename is still atomic there. */
async function syncDirectory(dir: string): Promise<void> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Durability of the directory entry is best effort; atomicity does not depend on it.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/**
 * Reads a state file written by `saveState`. A missing file is a fresh start (undefined); an unreadable,
 * malformed or newer-version file is a `StateFileError` naming the file and the problem.
 */
export async function loadState(path: string): Promise<SavedState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err) && err.code === 'ENOENT') return undefined;
    throw new StateFileError('E_STATE_UNREADABLE', path, `cannot read: ${describe(err)}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StateFileError('E_STATE_INVALID', path, `not valid JSON (${describe(err)})`, { cause: err });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new StateFileError('E_STATE_INVALID', path, 'expected a JSON object');
  }
  const version = (json as { version?: unknown }).version;
  if (typeof version === 'number' && Number.isInteger(version) && version > STATE_FILE_VERSION) {
    throw new StateFileError(
      'E_STATE_VERSION',
      path,
      `written by a newer npswatch (state version ${version}); this version reads version ${STATE_FILE_VERSION}`,
    );
  }
  const parsed = SavedStateSchema.safeParse(json);
  if (!parsed.success) throw new StateFileError('E_STATE_INVALID', path, formatIssues(parsed.error.issues));
  return parsed.data as SavedState;
}

function isErrno(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && 'code' in err;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
