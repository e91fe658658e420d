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

/** File system errors users cause (a wrong path, a directory, no permission), with what to do instead. */
const FILE_ERRORS: Readonly<Record<string, { readonly what: string; readonly hint: string }>> = {
  ENOENT: { what: 'no such file or directory', hint: 'check the path (- reads stdin)' },
  EISDIR: { what: 'is a directory', hint: 'name the files in it, e.g. logs/*.ndjson' },
  EACCES: { what: 'permission denied', hint: 'run as a user who may read it, or copy the file somewhere readable' },
  EPERM: {
    what: 'operation not permitted',
    hint: 'run as a user who may read it, or copy the file somewhere readable',
  },
};

/** A user-facing message and hint for a file system error, or undefined for any other error. */
export function fileErrorMessage(err: unknown): { readonly message: string; readonly hint: string } | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  const known = typeof e?.code === 'string' ? FILE_ERRORS[e.code] : undefined;
  if (known === undefined) return undefined;
  return { message: e?.path ? `cannot open ${e.path}: ${known.what}` : `an input ${known.what}`, hint: known.hint };
}

/** Edit distance, to suggest the command meant by a typo. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** Names within two edits of `word` (or starting with it), closest first. */
export function closestNames(word: string, names: readonly string[]): string[] {
  return names
    .map((name) => ({ name, d: name.startsWith(word) ? 0 : distance(word, name) }))
    .filter((x) => x.d <= 2)
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .map((x) => x.name);
}
