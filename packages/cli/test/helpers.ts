import { PassThrough, Readable } from 'node:stream';
import type { Io } from '../src/io.js';
import { main } from '../src/main.js';

/** Runs the CLI in-process with captured streams. */
export async function run(
  args: string[],
  stdin = '',
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
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
  const io: Io = { stdout, stderr, stdin: Readable.from([Buffer.from(stdin)]), env };
  const code = await main(args, io);
  return { code, stdout: out, stderr: err };
}
