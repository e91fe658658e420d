/** Exit codes of the `npswatch` command (documented in the README). */
export const EXIT = {
  ok: 0,
  /** An unexpected failure: a bug or an I/O error. */
  failure: 1,
  /** Bad command line: unknown option, unknown code, bad zone. */
  usage: 2,
  /** The run completed but some records were rejected (see the dead-letter file). */
  rejected: 3,
} as const;

/** An error the user can fix; its message is shown without a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'NPSWATCH_USAGE';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** By stable code, not instanceof: module instances can differ (test loaders, duplicated installs). */
export function isUsageError(err: unknown): err is UsageError {
  return err instanceof Error && (err as { code?: unknown }).code === 'NPSWATCH_USAGE';
}
