import { PassThrough, Readable } from 'node:stream';
import type { Io } from '../src/io.js';
import { main } from '../src/main.js';

/** An Io reading `stdin`, with what the command writes to stdout and stderr captured as text. */
export function capturedIo(
  stdin: Readable,
  env: NodeJS.ProcessEnv = {},
): { io: Io; stdout: () => string; stderr: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  return { io: { stdout, stderr, stdin, env }, stdout: () => out, stderr: () => err };
}

/** Runs the CLI in-process with captured streams. */
export async function run(
  args: string[],
  stdin = '',
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const captured = capturedIo(Readable.from([Buffer.from(stdin)]), env);
  const code = await main(args, captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}
