import { statSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { Io } from './io.js';

export interface ProgressState {
  /** Input bytes read so far (compressed bytes for gzip inputs), of `total` when every input is a file. */
  readonly bytes: number;
  readonly total?: number;
  readonly events: number;
  /** Milliseconds since the start. */
  readonly elapsed: number;
}

const BAR = 24;

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;
const seconds = (ms: number) =>
  ms >= 60_000 ? `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s` : `${Math.round(ms / 1000)}s`;

/** One line of progress: a bar and percentage when the total is known, else the bytes read; events; time. */
export function progressLine(s: ProgressState): string {
  const events = `${s.events.toLocaleString('en-US')} events`;
  if (s.total === undefined || s.total === 0) return `${mb(s.bytes)}  ${events}  ${seconds(s.elapsed)}`;
  const done = Math.min(s.bytes / s.total, 1);
  const filled = Math.round(done * BAR);
  const eta = done > 0 && done < 1 ? `  ${seconds((s.elapsed / done) * (1 - done))} left` : '';
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${Math.floor(done * 100)
    .toString()
    .padStart(3)}%  ${mb(s.bytes)} / ${mb(s.total)}  ${events}${eta}`;
}

/** Total size of the inputs when all are files (stdin and unreadable files make it unknown). */
export function totalBytes(inputs: readonly string[]): number | undefined {
  let total = 0;
  for (const input of inputs) {
    if (input === '-') return undefined;
    try {
      total += statSync(input).size;
    } catch {
      return undefined;
    }
  }
  return total;
}

export interface Progress {
  /** The Io to run with: its stderr clears the bar before each message, so messages and bar never mix. */
  readonly io: Io;
  /** For `InputOptions.onBytes`; undefined when no bar is drawn. */
  readonly onBytes?: (n: number) => void;
  addEvents(n: number): void;
  /** Clears the bar (call before the final summary line). */
  end(): void;
}

const REDRAW_MS = 100;

/**
 * A progress bar on stderr for long runs, drawn only when stderr is a terminal: pipes, files and CI logs get the
 * usual lines and nothing else. Redrawn at most every 100 ms.
 */
export function createProgress(io: Io, inputs: readonly string[], clock: () => number = Date.now): Progress {
  const real = io.stderr as Writable & { isTTY?: boolean };
  if (real.isTTY !== true) return { io, addEvents: () => {}, end: () => {} };
  const total = totalBytes(inputs);
  const start = clock();
  let bytes = 0;
  let events = 0;
  let shown = false;
  let last = 0;
  const clear = () => {
    if (shown) real.write('\r\x1b[K');
    shown = false;
  };
  const draw = () => {
    const now = clock();
    if (now - last < REDRAW_MS) return;
    last = now;
    real.write(`\r\x1b[K${progressLine({ bytes, total, events, elapsed: now - start })}`);
    shown = true;
  };
  const stderr = new Writable({
    write(chunk, _encoding, callback) {
      clear();
      real.write(chunk, callback);
    },
  });
  return {
    io: { ...io, stderr },
    onBytes: (n) => {
      bytes += n;
      draw();
    },
    addEvents(n) {
      events += n;
      draw();
    },
    end: clear,
  };
}
