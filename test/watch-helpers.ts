/** Shared pieces of the tests that run the built `npswatch watch` in its own process. */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The installed command (needs `npx turbo run build`). */
export const NPSWATCH_BIN = fileURLToPath(new URL('../packages/cli/bin/npswatch.js', import.meta.url));
/** A synthetic day of NPS traffic in winlogbeat form: enough for several alerts. */
export const DAY_SAMPLE = fileURLToPath(
  new URL('../packages/core/samples/synthetic/nps-day.winlogbeat.ndjson', import.meta.url),
);

/** The state file's checkpoint offset of `file`, if one has been written. */
export function savedOffset(state: string, file: string): number | undefined {
  try {
    const doc = JSON.parse(readFileSync(state, 'utf8')) as {
      checkpoint: { inputs: Record<string, { offset: number }> };
    };
    return doc.checkpoint.inputs[resolve(file)]?.offset;
  } catch {
    // Not written yet (the save itself is atomic: never half a file).
    return undefined;
  }
}

/** A running `npswatch` process: what it has printed so far, and its exit code once it closes. */
export interface RunningNpswatch {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly stdout: string;
  readonly stderr: string;
  readonly exited: Promise<number | null>;
}

/** Starts `npswatch <args>` with `env` added to this process's environment (NODE_OPTIONS cleared: no tsx). */
export function startNpswatch(args: readonly string[], env: Readonly<Record<string, string>> = {}): RunningNpswatch {
  const child = spawn(process.execPath, [NPSWATCH_BIN, ...args], {
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const printed = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => {
    printed.stdout += d;
  });
  child.stderr.on('data', (d) => {
    printed.stderr += d;
  });
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  return {
    child,
    exited,
    get stdout() {
      return printed.stdout;
    },
    get stderr() {
      return printed.stderr;
    },
  };
}
