import { refuse } from './errors.js';
import { eaMillis } from './time.js';

/**
 * An ElastAlert rule as read from YAML, handing out options one by one. Every option taken is accounted for by
 * whoever took it; `untaken()` lists the rest, so no option is ever dropped without a note.
 */
export class RuleSource {
  private readonly taken = new Set<string>();

  constructor(readonly raw: Readonly<Record<string, unknown>>) {}

  /** Present with a value (`key:` alone is YAML null, which ElastAlert treats as unset). */
  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  /** The value without taking it (to decide early whether the rule can be expressed at all). */
  peek(key: string): unknown {
    return this.raw[key] ?? undefined;
  }

  take(key: string): unknown {
    this.taken.add(key);
    const value = this.raw[key];
    return value === null ? undefined : value;
  }

  /** Present and not taken yet. */
  pending(key: string): boolean {
    return this.has(key) && !this.taken.has(key);
  }

  /** Options nobody took, in file order. */
  untaken(): string[] {
    return Object.keys(this.raw).filter((k) => !this.taken.has(k));
  }

  string(key: string): string | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return refuse('E_EA_OPTION', `expected text, got ${JSON.stringify(value)}`, key);
  }

  number(key: string, { integer = false, min = Number.NEGATIVE_INFINITY } = {}): number | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min)
      return refuse(
        'E_EA_OPTION',
        `expected ${integer ? 'a whole number' : 'a number'}${min > Number.NEGATIVE_INFINITY ? ` of at least ${min}` : ''}, got ${JSON.stringify(value)}`,
        key,
      );
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean')
      return refuse('E_EA_OPTION', `expected true or false, got ${JSON.stringify(value)}`, key);
    return value;
  }

  /** An ElastAlert time (`{minutes: 15}`) in milliseconds. */
  millis(key: string): number | undefined {
    const value = this.take(key);
    return value === undefined ? undefined : eaMillis(value, key);
  }

  /** A field name or a list of them (`query_key`, `compare_key`, `fields`). */
  names(key: string): unknown[] | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0) return refuse('E_EA_OPTION', 'expected at least one field', key);
    return list;
  }
}
