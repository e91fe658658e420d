import { EXIT, isUsageError } from './errors.js';
import { type Io, processIo } from './io.js';
import { CommanderError, createProgram } from './program.js';

/**
 * Runs the CLI and returns the exit code. The one place where errors become exit codes: usage errors print
 * their message and hint, anything else is a bug or an I/O failure and prints its message (never a secret:
 * sinks and transports scrub their errors before they get here).
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let code: number = EXIT.ok;
  const program = createProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" under exitOverride with exit code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (isUsageError(err)) {
      io.stderr.write(`npswatch: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
      return EXIT.usage;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`npswatch: ${message}\n`);
    return EXIT.failure;
  }
}
