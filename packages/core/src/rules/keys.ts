import { z } from 'zod';
import { FIELD_GETTERS, type FieldGetter, resolveField } from '../classify/fields.js';
import type { ClassifiedEvent } from '../classify/types.js';

/** A field name or alias (`host`, `npswatch.user.key`), or a list of them meaning "the first one present". */
export type GroupField = string | readonly string[];

const unknownField = (name: string): string =>
  `unknown field "${name}" (use an ECS path like "host.name" or an alias like "host"; see docs/rules.md)`;

/** One known field name; the error names it. */
export const FieldNameSchema = z.string().superRefine((name, ctx) => {
  if (resolveField(name) === undefined) ctx.addIssue({ code: 'custom', message: unknownField(name), input: name });
});

export const GroupFieldSchema = z.union([FieldNameSchema, z.array(FieldNameSchema).min(1)], {
  error: 'expected a field name, or a list of field names meaning "the first one present"',
});

export const GroupBySchema = z.array(GroupFieldSchema);

/** The group of an event under a rule: the stable key string and field path → value. */
export interface GroupKey {
  readonly key: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** Extracts the group of an event, or undefined when a group field is missing (the event does not count for the rule). */
export type KeyFunction = (event: ClassifiedEvent) => GroupKey | undefined;

const escapePart = (value: string): string =>
  value.includes('\\') || value.includes('|') ? value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|') : value;

/** The key string for values in group_by order: joined by `|`, with `|` and `\` escaped so distinct groups never collide. */
export function joinKey(values: readonly string[]): string {
  if (values.length === 1) return escapePart(values[0]!);
  let key = '';
  for (let i = 0; i < values.length; i++) key += i === 0 ? escapePart(values[i]!) : `|${escapePart(values[i]!)}`;
  return key;
}

const UNGROUPED: GroupKey = Object.freeze({ key: '', fields: Object.freeze({}) });

/** A field value as text, or undefined when missing or empty (neither counts as a value). */
export function present(value: ReturnType<FieldGetter>): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  return text === '' ? undefined : text;
}

/** Compiles a `group_by` list once. Field names must be known (the schema checks that first). */
export function compileKey(groupBy: readonly GroupField[]): KeyFunction {
  if (groupBy.length === 0) return () => UNGROUPED;
  const parts = groupBy.map((field) =>
    (typeof field === 'string' ? [field] : field).map((name) => {
      const path = resolveField(name);
      if (path === undefined) throw new RangeError(unknownField(name));
      return { path, get: FIELD_GETTERS[path]! };
    }),
  );
  if (parts.length === 1) {
    // One group field (the usual case): no intermediate list.
    const alternatives = parts[0]!;
    return (event) => {
      for (const { path, get } of alternatives) {
        const value = present(get(event));
        if (value === undefined) continue;
        const fields: Record<string, string> = {};
        fields[path] = value;
        return { key: escapePart(value), fields };
      }
      return undefined;
    };
  }
  return (event) => {
    const values: string[] = [];
    const fields: Record<string, string> = {};
    for (const alternatives of parts) {
      let found = false;
      for (const { path, get } of alternatives) {
        const value = present(get(event));
        if (value === undefined) continue;
        values.push(value);
        fields[path] = value;
        found = true;
        break;
      }
      if (!found) return undefined;
    }
    return { key: joinKey(values), fields };
  };
}

/** Canonical paths of a group_by list, for documentation and key rendering (`a|b` for "first of"). */
export function groupByPaths(groupBy: readonly GroupField[]): string[] {
  return groupBy.map((field) =>
    (typeof field === 'string' ? [field] : field).map((name) => resolveField(name) ?? name).join('|'),
  );
}
