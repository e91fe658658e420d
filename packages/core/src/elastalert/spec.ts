import type { FieldCondition, FieldOps, FilterSpec, Scalar } from '../rules/filter.js';

/**
 * Builders for npswatch filters that keep the result readable: conditions on different fields share one
 * object, `all`/`any` appear only where they are needed, and a negated single-field filter becomes `not` on
 * the field.
 */

export const MATCH_ALL: FilterSpec = Object.freeze({});

const COMBINATORS = ['all', 'any', 'not'] as const;

const isEmpty = (spec: FilterSpec): boolean => Object.keys(spec).length === 0;

const isOps = (cond: FieldCondition): cond is FieldOps => typeof cond === 'object' && !Array.isArray(cond);

/** The only field of a filter that tests one field and nothing else. */
function singleField(spec: FilterSpec): [string, FieldCondition] | undefined {
  const keys = Object.keys(spec);
  if (keys.length !== 1 || COMBINATORS.includes(keys[0] as (typeof COMBINATORS)[number])) return undefined;
  return [keys[0]!, spec[keys[0]!] as FieldCondition];
}

/** One field's condition. */
export const field = (name: string, cond: FieldCondition): FilterSpec => ({ [name]: cond });

/** Both conditions on one field, as one operator object when they use different operators (`gte` and `lte`). */
function mergeConditions(a: FieldCondition, b: FieldCondition): FieldCondition | undefined {
  if (!isOps(a) || !isOps(b)) return undefined;
  if (Object.keys(a).some((k) => k in b)) return undefined;
  return { ...a, ...b };
}

/** Every filter must hold. */
export function and(specs: readonly FilterSpec[]): FilterSpec {
  const parts = specs.filter((s) => !isEmpty(s));
  if (parts.length === 0) return MATCH_ALL;
  if (parts.length === 1) return parts[0]!;
  const out: Record<string, unknown> = {};
  const rest: FilterSpec[] = [];
  for (const part of parts) {
    const leftover: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(part)) {
      if (value === undefined) continue;
      if (!(key in out)) {
        out[key] = value;
        continue;
      }
      if (key === 'all') {
        out.all = [...(out.all as FilterSpec[]), ...(value as FilterSpec[])];
        continue;
      }
      const merged =
        key === 'any' || key === 'not'
          ? undefined
          : mergeConditions(out[key] as FieldCondition, value as FieldCondition);
      if (merged === undefined) leftover[key] = value;
      else out[key] = merged;
    }
    if (Object.keys(leftover).length > 0) rest.push(leftover as FilterSpec);
  }
  if (rest.length > 0) out.all = [...((out.all as FilterSpec[] | undefined) ?? []), ...rest];
  return out as FilterSpec;
}

/** At least one filter must hold. */
export function or(specs: readonly FilterSpec[]): FilterSpec {
  if (specs.length === 0) return not(MATCH_ALL);
  if (specs.some(isEmpty)) return MATCH_ALL;
  if (specs.length === 1) return specs[0]!;
  // Equality tests of one field become one list: `code: [A, B]`.
  const single = specs.map(singleField);
  if (single.every((s) => s !== undefined && s[0] === single[0]![0] && isEqualityList(s[1]))) {
    const values = single.flatMap((s) => equalityValues(s![1]));
    return field(single[0]![0], [...new Set(values)]);
  }
  return { any: specs.flatMap((s) => (Object.keys(s).length === 1 && s.any !== undefined ? s.any : [s])) };
}

const isEqualityList = (cond: FieldCondition): boolean => !isOps(cond);

const equalityValues = (cond: FieldCondition): Scalar[] =>
  Array.isArray(cond) ? [...(cond as Scalar[])] : [cond as Scalar];

/** The filter does not hold (a missing field does not hold any value test, so its negation holds). */
export function not(spec: FilterSpec): FilterSpec {
  const single = singleField(spec);
  if (single !== undefined) {
    const [name, cond] = single;
    // not(not x) on one field is x itself.
    if (isOps(cond) && Object.keys(cond).length === 1 && cond.not !== undefined) return field(name, cond.not);
    return field(name, { not: cond });
  }
  if (Object.keys(spec).length === 1 && spec.not !== undefined) return spec.not;
  return { not: spec };
}
