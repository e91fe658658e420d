/**
 * A read-only shape made writable: for code that builds a value field by field, or changes one it owns (the
 * in-place paths of owned rule states, see RuleRuntime.apply). Never for values shared with callers.
 */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
