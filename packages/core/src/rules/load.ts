import { readFile } from 'node:fs/promises';
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type RuleConfig, RuleFileSchema, RuleSchema } from './schema.js';

/** One problem in a rule file, named by file, rule (id or `#index`) and option path. */
export interface RuleIssue {
  readonly file: string;
  /** `otp-brute-force`, or `#3` for a rule without a usable id. */
  readonly rule?: string;
  /** Dotted option path: `window`, `filter.code.in`, `steps[0].count`. */
  readonly option?: string;
  readonly message: string;
  /** 1-based line of the offending value, when known. */
  readonly line?: number;
}

/** Rule files that could not be loaded. `issues` lists every problem found; the message has one per line. */
export class RuleFileError extends Error {
  override readonly name = 'RuleFileError';
  readonly code = 'E_RULE_FILE';
  readonly issues: readonly RuleIssue[];

  constructor(issues: readonly RuleIssue[]) {
    super(issues.map(formatRuleIssue).join('\n'));
    this.issues = issues;
  }
}

/** `rules/pack.yaml: rule "otp-brute-force": option "window": expected a duration like "10m", got "ten minutes"` */
export function formatRuleIssue(issue: RuleIssue): string {
  const rule =
    issue.rule === undefined ? '' : issue.rule.startsWith('#') ? ` rule ${issue.rule}:` : ` rule "${issue.rule}":`;
  const option = issue.option === undefined ? '' : ` option "${issue.option}":`;
  return `${issue.file}:${rule}${option} ${issue.message}`;
}

const describe = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
};

const pathText = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc === '' ? String(p) : `${acc}.${String(p)}`),
    '',
  );

/**
 * For a failed union, the branch that got furthest: the one whose issues are not a type mismatch at the top.
 * That turns "invalid input" into "filter.code.in: expected a list" when the value was clearly meant as operators.
 */
function bestBranch(issue: z.core.$ZodIssue): readonly z.core.$ZodIssue[] | undefined {
  if (issue.code !== 'invalid_union' || !('errors' in issue) || issue.errors.length === 0) return undefined;
  const deep = issue.errors.filter(
    (branch) => branch.length > 0 && !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0),
  );
  return deep.length === 1 ? deep[0] : undefined;
}

interface Flat {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

function flatten(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[] = []): Flat[] {
  const path = [...prefix, ...issue.path];
  const branch = bestBranch(issue);
  if (branch !== undefined) return branch.flatMap((i) => flatten(i, path));
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: [...path, key], message: 'unknown option' }));
    case 'invalid_type':
      return [
        {
          path,
          message: issue.input === undefined ? 'required' : `expected ${issue.expected}, got ${describe(issue.input)}`,
        },
      ];
    case 'invalid_value':
      return [
        {
          path,
          message: `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describe(issue.input)}`,
        },
      ];
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator !== undefined) {
        const options = 'options' in issue && Array.isArray(issue.options) ? issue.options.join(', ') : '';
        return [{ path, message: `expected one of ${options}, got ${describe(issue.input)}` }];
      }
      return [{ path, message: issue.message }];
    case 'too_small':
      return [
        {
          path,
          message:
            issue.origin === 'array'
              ? `expected at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`
              : `expected at least ${issue.minimum}${issue.inclusive ? '' : ' (exclusive)'}, got ${describe(issue.input)}`,
        },
      ];
    case 'too_big':
      return [
        {
          path,
          message:
            issue.origin === 'array'
              ? `expected at most ${issue.maximum} items`
              : `expected at most ${issue.maximum}${issue.inclusive ? '' : ' (exclusive)'}, got ${describe(issue.input)}`,
        },
      ];
    default:
      return [{ path, message: issue.message }];
  }
}

/**
 * Parses and validates one rule file. Throws RuleFileError naming the file, the rule and the option for every
 * problem found (not only the first).
 */
export function parseRules(text: string, file: string): RuleConfig[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new RuleFileError(
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        return { file, message: `invalid YAML: ${e.message.split('\n')[0]}`, ...(at ? { line: at.line } : {}) };
      }),
    );
  }
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as (string | number)[], true);
      if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const top = RuleFileSchema.safeParse(doc.toJS() ?? {}, { reportInput: true });
  if (!top.success) {
    throw new RuleFileError(
      top.error.issues
        .flatMap((i) => flatten(i))
        .map((f) => withLine({ file, option: pathText(f.path), message: f.message }, lineOf(f.path))),
    );
  }
  const issues: RuleIssue[] = [];
  const rules: RuleConfig[] = [];
  const seen = new Map<string, number>();
  top.data.rules.forEach((raw, index) => {
    const label = ruleLabel(raw, index);
    const parsed = RuleSchema.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
      for (const f of parsed.error.issues.flatMap((i) => flatten(i))) {
        issues.push(
          withLine(
            { file, rule: label, ...(f.path.length > 0 ? { option: pathText(f.path) } : {}), message: f.message },
            lineOf(['rules', index, ...f.path]),
          ),
        );
      }
      return;
    }
    const first = seen.get(parsed.data.id);
    if (first !== undefined) {
      issues.push(
        withLine(
          { file, rule: label, option: 'id', message: `duplicate id (rule #${first + 1} has it too)` },
          lineOf(['rules', index, 'id']),
        ),
      );
      return;
    }
    seen.set(parsed.data.id, index);
    rules.push(parsed.data);
  });
  if (issues.length > 0) throw new RuleFileError(issues);
  return rules;
}

function withLine(issue: RuleIssue, line: number | undefined): RuleIssue {
  return line === undefined ? issue : { ...issue, line };
}

function ruleLabel(raw: unknown, index: number): string {
  if (typeof raw === 'object' && raw !== null && 'id' in raw) {
    const id = (raw as { id: unknown }).id;
    if (typeof id === 'string' && id !== '') return id;
  }
  return `#${index + 1}`;
}

/** Reads and validates rule files in order; ids must be unique across them. Collects every file's problems. */
export async function loadRules(files: readonly string[]): Promise<RuleConfig[]> {
  const issues: RuleIssue[] = [];
  const rules: RuleConfig[] = [];
  const owner = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      issues.push({ file, message: `cannot read: ${(err as Error).message}` });
      continue;
    }
    try {
      for (const rule of parseRules(text, file)) {
        const other = owner.get(rule.id);
        if (other !== undefined) {
          issues.push({ file, rule: rule.id, option: 'id', message: `duplicate id (also in ${other})` });
          continue;
        }
        owner.set(rule.id, file);
        rules.push(rule);
      }
    } catch (err) {
      if (!(err instanceof RuleFileError)) throw err;
      issues.push(...err.issues);
    }
  }
  if (issues.length > 0) throw new RuleFileError(issues);
  return rules;
}
