import { z } from 'zod';
import { type FieldValue, fieldGetter, resolveField } from '../classify/fields.js';
import type { ClassifiedEvent } from '../classify/types.js';

export type Scalar = string | number | boolean;

/** Operators on one field; every one given must hold. */
export interface FieldOps {
  readonly eq?: Scalar;
  readonly in?: readonly Scalar[];
  readonly not?: FieldCondition;
  /** A regular expression (`^adm`), or `/pattern/flags` for flags (`/^adm/i`). */
  readonly matches?: string;
  readonly exists?: boolean;
  readonly gte?: number;
  readonly lte?: number;
  readonly gt?: number;
  readonly lt?: number;
}

/** A value (equality), a list (any of), or operators. */
export type FieldCondition = Scalar | readonly Scalar[] | FieldOps;

/** Field name (ECS path or alias) → condition; several fields AND together; `all`/`any`/`not` combine filters. */
export interface FilterSpec {
  readonly all?: readonly FilterSpec[];
  readonly any?: readonly FilterSpec[];
  readonly not?: FilterSpec;
  readonly [field: string]: FieldCondition | FilterSpec | readonly FilterSpec[] | undefined;
}

export type EventPredicate = (event: ClassifiedEvent) => boolean;

const ScalarSchema = z.union([z.string(), z.number(), z.boolean()], {
  error: 'expected a string, number or boolean',
});

const REGEX_LITERAL = /^\/(.*)\/([dgimsuvy]*)$/s;

/** `^adm` or `/^adm/i` → RegExp; throws SyntaxError on a bad pattern. Sticky/global flags are dropped: test() must be stateless. */
export function compilePattern(text: string): RegExp {
  const literal = REGEX_LITERAL.exec(text);
  if (literal === null) return new RegExp(text);
  return new RegExp(literal[1]!, literal[2]!.replace(/[gy]/g, ''));
}

const PatternSchema = z.string().superRefine((text, ctx) => {
  try {
    compilePattern(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(err as Error).message}`, input: text });
  }
});

export const FieldConditionSchema: z.ZodType<FieldCondition> = z.lazy(() =>
  z.union(
    [
      ScalarSchema,
      z.array(ScalarSchema).min(1),
      z
        .object({
          eq: ScalarSchema.optional(),
          in: z.array(ScalarSchema).min(1).optional(),
          not: FieldConditionSchema.optional(),
          matches: PatternSchema.optional(),
          exists: z.boolean().optional(),
          gte: z.number().optional(),
          lte: z.number().optional(),
          gt: z.number().optional(),
          lt: z.number().optional(),
        })
        .strict()
        .refine((ops) => Object.keys(ops).length > 0, {
          error: 'expected at least one of eq, in, not, matches, exists, gte, lte, gt, lt',
        }),
    ],
    { error: 'expected a value, a list of values, or an object with eq, in, not, matches, exists, gte, lte, gt, lt' },
  ),
);

const COMBINATORS = new Set(['all', 'any', 'not']);

export const FilterSchema: z.ZodType<FilterSpec> = z.lazy(() =>
  z
    .object({
      all: z.array(FilterSchema).min(1).optional(),
      any: z.array(FilterSchema).min(1).optional(),
      not: FilterSchema.optional(),
    })
    .catchall(FieldConditionSchema)
    .superRefine((spec, ctx) => {
      for (const name of Object.keys(spec)) {
        if (COMBINATORS.has(name) || resolveField(name) !== undefined) continue;
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `unknown field "${name}" (use an ECS path like "npswatch.code" or an alias like "code"; see docs/rules.md)`,
          input: name,
        });
      }
    }),
);

function asNumber(value: FieldValue): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

type ValueTest = (value: FieldValue) => boolean;

function isScalar(cond: FieldCondition): cond is Scalar {
  return typeof cond !== 'object';
}

function compileCondition(cond: FieldCondition): ValueTest {
  // A value equals a scalar when their texts are equal (`6273` and "6273" alike).
  if (isScalar(cond)) {
    const text = String(cond);
    return (v) => v !== undefined && (typeof v === 'string' ? v === text : String(v) === text);
  }
  if (Array.isArray(cond)) {
    const texts = new Set((cond as readonly Scalar[]).map(String));
    return (v) => v !== undefined && texts.has(typeof v === 'string' ? v : String(v));
  }
  const ops = cond as FieldOps;
  const tests: ValueTest[] = [];
  if (ops.eq !== undefined) tests.push(compileCondition(ops.eq));
  if (ops.in !== undefined) tests.push(compileCondition(ops.in));
  if (ops.not !== undefined) {
    const inner = compileCondition(ops.not);
    tests.push((v) => !inner(v));
  }
  if (ops.matches !== undefined) {
    const re = compilePattern(ops.matches);
    tests.push((v) => v !== undefined && re.test(String(v)));
  }
  if (ops.exists !== undefined) {
    const want = ops.exists;
    tests.push((v) => (v !== undefined && v !== '') === want);
  }
  const bound = (limit: number | undefined, ok: (n: number, limit: number) => boolean): void => {
    if (limit === undefined) return;
    tests.push((v) => {
      const n = asNumber(v);
      return n !== undefined && ok(n, limit);
    });
  };
  bound(ops.gte, (n, l) => n >= l);
  bound(ops.lte, (n, l) => n <= l);
  bound(ops.gt, (n, l) => n > l);
  bound(ops.lt, (n, l) => n < l);
  if (tests.length === 1) return tests[0]!;
  return (v) => {
    for (const t of tests) if (!t(v)) return false;
    return true;
  };
}

const always: EventPredicate = () => true;

/**
 * Compiles a filter once into a predicate. Field names are resolved here; unknown ones throw (the schema rejects them
 * first).
 *
 * The predicate's body is generated as one expression (`t0(g0(e)) && (t1(g1(e)) || !t2(g2(e)))`) over the compiled
 * getters and value tests, passed in as arguments: each filter then has call sites of its own, which V8 can inline,
 * where closures nested per node would share theirs across every rule's filter (measured in bench/engine). Only
 * identifiers we generate go into the source; values stay in the compiled tests.
 */
export function compileFilter(spec: FilterSpec | undefined): EventPredicate {
  if (spec === undefined) return always;
  const refs: unknown[] = [];
  const ref = (value: unknown): string => `r${refs.push(value) - 1}`;
  const expr = filterExpression(spec, ref);
  if (expr === 'true') return always;
  const names = refs.map((_, i) => `r${i}`);
  const make = new Function(...names, `'use strict'; return (e) => ${expr};`) as (...r: unknown[]) => EventPredicate;
  return make(...refs);
}

/** The expression of one filter: `true` for an empty one. */
function filterExpression(spec: FilterSpec, ref: (value: unknown) => string): string {
  const parts: string[] = [];
  for (const [name, cond] of Object.entries(spec)) {
    if (cond === undefined) continue;
    if (name === 'all') {
      const subs = (cond as readonly FilterSpec[]).map((f) => filterExpression(f, ref));
      parts.push(`(${subs.join(' && ')})`);
    } else if (name === 'any') {
      const subs = (cond as readonly FilterSpec[]).map((f) => filterExpression(f, ref));
      parts.push(`(${subs.join(' || ')})`);
    } else if (name === 'not') {
      parts.push(`!(${filterExpression(cond as FilterSpec, ref)})`);
    } else {
      parts.push(`${ref(compileCondition(cond as FieldCondition))}(${ref(fieldGetter(name))}(e))`);
    }
  }
  return parts.length === 0 ? 'true' : parts.join(' && ');
}
