import type { Mutable } from '../mutable.js';
import type { FieldOps, FilterSpec } from '../rules/filter.js';
import { ElastAlertImportError, refuse } from './errors.js';
import { fieldFilter, fieldOpsFilter } from './fields.js';
import type { Notes } from './report.js';
import { and, not, or } from './spec.js';
import { hasWildcard, type QueryValue, unescapeLucene } from './values.js';

/** How a clause takes part in its group, as in Lucene's classic query parser (which `query_string` uses). */
type Occur = 'must' | 'should' | 'must_not';
type Conjunction = 'none' | 'and' | 'or';
type Modifier = 'none' | 'required' | 'not';

interface Clause {
  occur: Occur;
  readonly filter: FilterSpec;
}

export interface QueryStringOptions {
  /** `default_field` / `fields`: where terms without a field are searched. */
  readonly defaultFields?: readonly string[];
  /** `default_operator`: how clauses without AND/OR combine (Lucene's default is OR). */
  readonly defaultOperator: 'and' | 'or';
}

/** Characters that end an unquoted term (unless escaped). */
const TERM_END = new Set([' ', '\t', '\n', '\r', '(', ')', '[', ']', '{', '}', '"', ':', '^', '~']);

/**
 * Reads a Lucene query (`query_string`) into an npswatch filter: `field:value`, quoted phrases, wildcards,
 * `/regex/`, ranges (`[1 TO 5]`, `>=5`), `_exists_:field`, groups, `field:(a OR b)`, AND/OR/NOT, `&&`, `||`,
 * `!`, `+` and `-`. Clauses combine exactly as Lucene's classic parser combines them (`a AND b OR c` requires
 * only a and b), so the filter selects the events Elasticsearch would have returned.
 */
export function translateQueryString(
  query: string,
  options: QueryStringOptions,
  option: string,
  notes: Notes,
): FilterSpec {
  const parser = new Parser(query, options, option, notes);
  const filter = parser.query(undefined);
  if (!parser.atEnd()) parser.fail('unbalanced ")"');
  return filter;
}

class Parser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly options: QueryStringOptions,
    private readonly option: string,
    private readonly notes: Notes,
  ) {}

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  fail(reason: string): never {
    throw new ElastAlertImportError(
      'E_EA_FILTER',
      `cannot read query_string ${JSON.stringify(this.text)}: ${reason} (at character ${this.pos + 1})`,
      this.option,
    );
  }

  /** A sequence of clauses up to `)` or the end, for the field a group is scoped to. */
  query(field: string | undefined): FilterSpec {
    const clauses: Clause[] = [];
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length || this.peek() === ')') break;
      let conj: Conjunction = 'none';
      if (this.keyword('AND') || this.symbol('&&')) conj = 'and';
      else if (this.keyword('OR') || this.symbol('||')) conj = 'or';
      this.skipSpace();
      let mods: Modifier = 'none';
      if (this.keyword('NOT') || this.prefix('!')) mods = 'not';
      else if (this.prefix('+')) mods = 'required';
      else if (this.prefix('-')) mods = 'not';
      this.skipSpace();
      if (this.pos >= this.text.length || this.peek() === ')') this.fail('an operator without a clause after it');
      this.add(clauses, conj, mods, this.clause(field));
    }
    return this.combine(clauses);
  }

  /** Lucene's `addClause`: a conjunction changes the previous clause too (`a AND b` makes a required). */
  private add(clauses: Clause[], conj: Conjunction, mods: Modifier, filter: FilterSpec): void {
    const last = clauses[clauses.length - 1];
    const andDefault = this.options.defaultOperator === 'and';
    if (last !== undefined && conj === 'and' && last.occur !== 'must_not') last.occur = 'must';
    if (last !== undefined && andDefault && conj === 'or' && last.occur !== 'must_not') last.occur = 'should';
    const prohibited = mods === 'not';
    const required = andDefault ? !prohibited && conj !== 'or' : mods === 'required' || (conj === 'and' && !prohibited);
    clauses.push({ occur: prohibited ? 'must_not' : required ? 'must' : 'should', filter });
  }

  private combine(clauses: readonly Clause[]): FilterSpec {
    const of = (occur: Occur) => clauses.filter((c) => c.occur === occur).map((c) => c.filter);
    const must = of('must');
    const should = of('should');
    const mustNot = of('must_not').map(not);
    if (must.length > 0) {
      if (should.length > 0)
        this.notes.approximated(
          this.option,
          'clauses joined by OR to required ones (AND, +) are optional in Lucene and select nothing; add parentheses if they were meant to',
        );
      return and([...must, ...mustNot]);
    }
    // Only negations: Elasticsearch matches everything else (Lucene alone would match nothing).
    return and(should.length > 0 ? [or(should), ...mustNot] : mustNot);
  }

  private clause(field: string | undefined): FilterSpec {
    if (this.peek() === '(') return this.group(field);
    const start = this.pos;
    const name = this.term();
    if (name !== '' && this.peek() === ':') {
      this.pos++;
      this.skipSpace();
      return this.value(unescapeLucene(name));
    }
    this.pos = start;
    return this.value(field);
  }

  private group(field: string | undefined): FilterSpec {
    this.pos++;
    const inner = this.query(field);
    this.skipSpace();
    if (this.peek() !== ')') this.fail('missing ")"');
    this.pos++;
    this.boost();
    return inner;
  }

  private value(field: string | undefined): FilterSpec {
    const c = this.peek();
    if (c === '(') return this.group(field);
    if (c === '"') {
      const text = this.quoted();
      this.fuzzy();
      this.boost();
      return this.test(field, { kind: 'phrase', text });
    }
    if (c === '/') {
      const pattern = this.regex();
      this.boost();
      return this.test(field, { kind: 'regexp', pattern });
    }
    if (c === '[' || c === '{') return this.range(field);
    if (c === '>' || c === '<') return this.comparison(field);
    const term = this.term();
    if (term === '') this.fail(c === undefined ? 'a value is missing' : `unexpected "${c}"`);
    this.fuzzy();
    this.boost();
    if (field === '_exists_') return fieldOpsFilter(unescapeLucene(term), { exists: true }, this.option, this.notes);
    const value: QueryValue = hasWildcard(term)
      ? { kind: 'wildcard', pattern: term }
      : { kind: 'words', text: unescapeLucene(term), all: true };
    return this.test(field, value);
  }

  /** A value on the field, or on the default fields for a bare term. */
  private test(field: string | undefined, value: QueryValue): FilterSpec {
    return or(this.fields(field).map((f) => fieldFilter(f, value, this.option, this.notes)));
  }

  private fields(field: string | undefined): readonly string[] {
    if (field !== undefined && field !== '*') return [field];
    const given = this.options.defaultFields?.filter((f) => f !== '*');
    if (given !== undefined && given.length > 0) return given;
    this.notes.approximated(
      this.option,
      'terms without a field search every field in Elasticsearch; here they search message, which holds the whole event text',
    );
    return ['message'];
  }

  private range(field: string | undefined): FilterSpec {
    const inclusiveLow = this.text[this.pos++] === '[';
    const low = this.rangeBound();
    this.skipSpace();
    if (!this.keyword('TO')) this.fail('expected TO in a range');
    const high = this.rangeBound();
    this.skipSpace();
    const close = this.text[this.pos++];
    if (close !== ']' && close !== '}') this.fail('expected "]" or "}" to end a range');
    this.boost();
    const ops: Mutable<FieldOps> = {};
    if (low !== undefined) ops[inclusiveLow ? 'gte' : 'gt'] = low;
    if (high !== undefined) ops[close === ']' ? 'lte' : 'lt'] = high;
    if (Object.keys(ops).length === 0) ops.exists = true;
    return this.opsOn(field, ops);
  }

  private comparison(field: string | undefined): FilterSpec {
    const op = this.symbol('>=')
      ? 'gte'
      : this.symbol('<=')
        ? 'lte'
        : this.symbol('>')
          ? 'gt'
          : this.symbol('<')
            ? 'lt'
            : '';
    if (op === '') this.fail('expected a comparison');
    const bound = this.number(unescapeLucene(this.term()));
    if (bound === undefined) this.fail('expected a number after the comparison');
    this.boost();
    return this.opsOn(field, { [op]: bound });
  }

  private opsOn(field: string | undefined, ops: FieldOps): FilterSpec {
    return or(this.fields(field).map((f) => fieldOpsFilter(f, ops, this.option, this.notes)));
  }

  /** A range bound: a number or `*` (open). Dates and words cannot be compared here. */
  private rangeBound(): number | undefined {
    this.skipSpace();
    const raw = this.peek() === '"' ? this.quoted() : this.rangeTerm();
    if (raw === '*') return undefined;
    const n = this.number(raw);
    if (n === undefined)
      return refuse(
        'E_EA_FILTER',
        `range bound "${raw}" is not a number (date and text ranges are not supported)`,
        this.option,
      );
    return n;
  }

  private rangeTerm(): string {
    const start = this.pos;
    while (this.pos < this.text.length && !/[\s\]}]/.test(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private number(raw: string): number | undefined {
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) ? n : undefined;
  }

  /** An unquoted term as written (escapes kept, so wildcards can tell `\*` from `*`). */
  private term(): string {
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (c === '\\') {
        this.pos += 2;
        continue;
      }
      if (TERM_END.has(c)) break;
      this.pos++;
    }
    this.pos = Math.min(this.pos, this.text.length);
    return this.text.slice(start, this.pos);
  }

  private quoted(): string {
    this.pos++;
    let out = '';
    while (this.pos < this.text.length && this.text[this.pos] !== '"') {
      if (this.text[this.pos] === '\\' && this.pos + 1 < this.text.length) this.pos++;
      out += this.text[this.pos++];
    }
    if (this.pos >= this.text.length) this.fail('unterminated quoted phrase');
    this.pos++;
    return out;
  }

  private regex(): string {
    this.pos++;
    let out = '';
    while (this.pos < this.text.length && this.text[this.pos] !== '/') {
      if (this.text[this.pos] === '\\' && this.pos + 1 < this.text.length) out += this.text[this.pos++];
      out += this.text[this.pos++];
    }
    if (this.pos >= this.text.length) this.fail('unterminated regular expression');
    this.pos++;
    this.notes.approximated(
      this.option,
      'Lucene regular expressions are read as JavaScript ones (same for common syntax)',
    );
    return out;
  }

  private fuzzy(): void {
    if (this.peek() === '~') refuse('E_EA_FILTER', 'fuzzy and proximity searches (~) are not supported', this.option);
  }

  private boost(): void {
    if (this.peek() !== '^') return;
    this.pos++;
    while (this.pos < this.text.length && /[\d.]/.test(this.text[this.pos]!)) this.pos++;
    this.notes.approximated(this.option, 'boosts (^) only change scores, which a filter does not have');
  }

  /** An uppercase operator word, standing alone. */
  private keyword(word: string): boolean {
    if (!this.text.startsWith(word, this.pos)) return false;
    const next = this.text[this.pos + word.length];
    if (next !== undefined && !/[\s(]/.test(next)) return false;
    this.pos += word.length;
    return true;
  }

  private symbol(sym: string): boolean {
    if (!this.text.startsWith(sym, this.pos)) return false;
    this.pos += sym.length;
    return true;
  }

  /** `+`, `-` or `!` directly before a clause (a lone `-` is not an operator). */
  private prefix(sym: string): boolean {
    const next = this.text[this.pos + 1];
    if (this.text[this.pos] !== sym || next === undefined || /\s/.test(next)) return false;
    this.pos++;
    return true;
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
}
