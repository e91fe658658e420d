import type { ClassifiedEvent } from '../classify/types.js';

/** Minimal readers for state JSON: the file is ours, but a truncated or foreign one must fail loudly, not corrupt state. */
export const json = {
  object(value: unknown, what: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new TypeError(`${what}: expected an object`);
    return value as Record<string, unknown>;
  },
  array(value: unknown, what: string): unknown[] {
    if (!Array.isArray(value)) throw new TypeError(`${what}: expected an array`);
    return value;
  },
  number(value: unknown, what: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`${what}: expected a number`);
    return value;
  },
  numberOrNull(value: unknown, what: string): number | null {
    return value === null ? null : json.number(value, what);
  },
  boolean(value: unknown, what: string): boolean {
    if (typeof value !== 'boolean') throw new TypeError(`${what}: expected a boolean`);
    return value;
  },
  string(value: unknown, what: string): string {
    if (typeof value !== 'string') throw new TypeError(`${what}: expected a string`);
    return value;
  },
  strings(value: unknown, what: string): Record<string, string> {
    const o = json.object(value, what);
    for (const v of Object.values(o)) if (typeof v !== 'string') throw new TypeError(`${what}: expected string values`);
    return o as Record<string, string>;
  },
  counts(value: unknown, what: string): Record<string, number> {
    const o = json.object(value, what);
    for (const v of Object.values(o)) json.number(v, what);
    return o as Record<string, number>;
  },
  events(value: unknown, what: string): ClassifiedEvent[] {
    const list = json.array(value, what);
    for (const e of list) json.number(json.object(e, what).time, `${what}.time`);
    return list as ClassifiedEvent[];
  },
};
