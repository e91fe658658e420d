/**
 * Why an ElastAlert 2 rule was refused. Stable codes, so callers (the CLI, tests, scripts) can tell the cases
 * apart without parsing messages.
 */
export type RefusalCode =
  /** The file is not YAML, or not a mapping. */
  | 'E_EA_YAML'
  /** `type` is missing, custom (`module.Class`) or has no npswatch counterpart. */
  | 'E_EA_TYPE'
  /** A required option is missing or has a value that cannot be expressed. */
  | 'E_EA_OPTION'
  /** A field the rule depends on is not one npswatch reads. */
  | 'E_EA_FIELD'
  /** A filter uses query DSL or Lucene syntax outside the supported subset. */
  | 'E_EA_FILTER'
  /** The produced rule did not validate (a bug, or a value out of npswatch's ranges). */
  | 'E_EA_INVALID';

/** An ElastAlert 2 rule that cannot be expressed as an npswatch rule. `option` names where the problem is. */
export class ElastAlertImportError extends Error {
  override readonly name = 'ElastAlertImportError';
  readonly code: RefusalCode;
  readonly option: string | undefined;

  constructor(code: RefusalCode, message: string, option?: string) {
    super(message);
    this.code = code;
    this.option = option;
  }
}

/** By stable code, not instanceof: module instances can differ (test loaders, duplicated installs). */
export function isElastAlertImportError(err: unknown): err is ElastAlertImportError {
  return (
    err instanceof Error && err.name === 'ElastAlertImportError' && typeof (err as { code?: unknown }).code === 'string'
  );
}

export const refuse = (code: RefusalCode, message: string, option?: string): never => {
  throw new ElastAlertImportError(code, message, option);
};
