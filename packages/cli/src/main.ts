import { closestNames, EXIT, fileErrorMessage, isUsageError, UsageError } from './errors.js';
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
    // The default command takes no arguments: a first word that names no command is a typo, not an input.
    const first = argv[0];
    const commands = [...program.commands.map((c) => c.name()), 'help'];
    if (first !== undefined && !first.startsWith('-') && !commands.includes(first)) {
      const near = closestNames(first, commands);
      throw new UsageError(
        `unknown command "${first}"`,
        near.length ? `did you mean ${near.join(' or ')}?` : `commands: ${commands.join(', ')}`,
      );
    }
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
    // A path on the command line that cannot be opened is the command line's fault, as for rule files.
    const file = fileErrorMessage(err);
    if (file) {
      io.stderr.write(`npswatch: ${file.message}\nhint: ${file.hint}\n`);
      return EXIT.usage;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`npswatch: ${message}\n`);
    return EXIT.failure;
  }
}
