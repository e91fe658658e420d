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

/** An issue that only says "not this type" (directly, or as a union of such): the branch was not meant. */
function shallow(issue: z.core.$ZodIssue): boolean {
  if (issue.path.length > 0) return false;
  if (issue.code === 'invalid_type') return true;
  return issue.code === 'invalid_union' && issue.errors.every((branch) => branch.every(shallow));
}

/**
 * For a failed union, the one branch the value was meant for (its issues are more than a type mismatch). That
 * turns "invalid input" into "filter.code.in: expected array" when the value clearly was an operator object.
 */
function bestBranch(issue: z.core.$ZodIssue): readonly z.core.$ZodIssue[] | undefined {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return undefined;
  const deep = issue.errors.filter((branch) => branch.length > 0 && !branch.every(shallow));
  return deep.length === 1 ? deep[0] : undefined;
}

interface Flat {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** zod's own wording (as opposed to a message written in our schemas), which we rephrase. */
const DEFAULT_MESSAGE = /^(?:Invalid input|Invalid option|Too small|Too big|Unrecognized key|Invalid discriminator)/;

function flatten(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[] = []): Flat[] {
  const path = [...prefix, ...issue.path];
  const branch = bestBranch(issue);
  if (branch !== undefined) return branch.flatMap((i) => flatten(i, path));
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((key) => ({ path: [...path, key], message: 'unknown option' }));
  if (!DEFAULT_MESSAGE.test(issue.message)) return [{ path, message: issue.message }];
  switch (issue.code) {
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
    case 'invalid_union': {
      if ('discriminator' in issue && typeof issue.discriminator === 'string') {
        const options = 'options' in issue && Array.isArray(issue.options) ? issue.options.join(', ') : '';
        const input = issue.input as Record<string, unknown> | undefined;
        const given = input?.[issue.discriminator];
        return [
          {
            path: [...path, ...(issue.path.length === 0 ? [issue.discriminator] : [])],
            message: `expected one of ${options}, got ${describe(given)}`,
          },
        ];
      }
      return [{ path, message: issue.message }];
    }
    case 'too_small':
      return [
        {
          path,
          message:
            issue.origin === 'array'
              ? `expected at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`
              : `expected at least ${issue.minimum}${issue.inclusive === false ? ' (exclusive)' : ''}, got ${describe(issue.input)}`,
        },
      ];
    case 'too_big':
      return [
        {
          path,
          message:
            issue.origin === 'array'
              ? `expected at most ${issue.maximum} items`
              : `expected at most ${issue.maximum}${issue.inclusive === false ? ' (exclusive)' : ''}, got ${describe(issue.input)}`,
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
  const { rules, issues } = readRuleFile(text, file);
  if (issues.length > 0) throw new RuleFileError(issues);
  return rules;
}

const MAX_YAML_ERRORS = 3;

/** The valid rules of a file and the problems with the others (ids are checked for duplicates within the file). */
function readRuleFile(text: string, file: string): { rules: RuleConfig[]; issues: RuleIssue[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    // Past the first few, syntax errors are echoes of the first (a JSON or log file read as YAML gives hundreds).
    const issues: RuleIssue[] = doc.errors.slice(0, MAX_YAML_ERRORS).map((e) => {
      const at = e.linePos?.[0];
      return { file, message: `invalid YAML: ${e.message.split('\n')[0]}`, ...(at ? { line: at.line } : {}) };
    });
    const more = doc.errors.length - MAX_YAML_ERRORS;
    if (more > 0) issues.push({ file, message: `invalid YAML: ${more} more error(s) not shown` });
    return { rules: [], issues };
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
    const issues = top.error.issues
      .flatMap((i) => flatten(i))
      .map((f) => withLine({ file, option: pathText(f.path), message: f.message }, lineOf(f.path)));
    return { rules: [], issues };
  }
  const issues: RuleIssue[] = [];
  const rules: RuleConfig[] = [];
  const seen = new Map<string, number>();
  top.data.rules.forEach((raw, index) => {
    const label = ruleLabel(raw, index);
    const parsed = RuleSchema.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
      for (const f of parsed.error.issues.flatMap((i) => flatten(i))) {
        const option = f.path.length > 0 ? { option: pathText(f.path) } : {};
        issues.push(
          withLine({ file, rule: label, ...option, message: f.message }, lineOf(['rules', index, ...f.path])),
        );
      }
      return;
    }
    const first = seen.get(parsed.data.id);
    if (first !== undefined) {
      const message = `duplicate id (rule #${first + 1} has it too)`;
      issues.push(withLine({ file, rule: label, option: 'id', message }, lineOf(['rules', index, 'id'])));
      return;
    }
    seen.set(parsed.data.id, index);
    rules.push(parsed.data);
  });
  return { rules, issues };
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
    const read = readRuleFile(text, file);
    issues.push(...read.issues);
    for (const rule of read.rules) {
      const other = owner.get(rule.id);
      if (other !== undefined) {
        issues.push({ file, rule: rule.id, option: 'id', message: `duplicate id (also in ${other})` });
        continue;
      }
      owner.set(rule.id, file);
      rules.push(rule);
    }
  }
  if (issues.length > 0) throw new RuleFileError(issues);
  return rules;
}
