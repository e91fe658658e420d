import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import {
  type ElastAlertImportResult,
  formatImportNote,
  formatRuleIssue,
  type ImportNote,
  importElastAlertRule,
  loadRules,
  parseRules,
  type RuleConfigInput,
  type RuleIssue,
  ruleFileText,
} from '@npswatch/core';
import { EXIT } from '../errors.js';
import { type Io, write } from '../io.js';

export interface ImportElastAlertOptions {
  /** Write one rule file per input into this directory; without it, one rule file goes to stdout. */
  readonly out?: string;
  /** Write `compat: elastalert` on the rules whose ElastAlert semantics can be reproduced. */
  readonly compat?: boolean;
}

const RULE_FILE = /\.ya?ml$/i;

/** The rule files named on the command line: files as given, directories searched (sorted) for .yaml/.yml. */
async function ruleFiles(inputs: readonly string[], io: Io): Promise<{ files: string[]; unreadable: number }> {
  const files: string[] = [];
  let unreadable = 0;
  const walk = async (dir: string): Promise<string[]> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    const found: string[] = [];
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) found.push(...(await walk(path)));
      else if (RULE_FILE.test(entry.name)) found.push(path);
    }
    return found;
  };
  for (const input of inputs) {
    try {
      if ((await stat(input)).isDirectory()) {
        const found = await walk(input);
        if (found.length === 0) {
          await write(io.stderr, `npswatch: ${input}: no .yaml or .yml files\n`);
          unreadable++;
        }
        files.push(...found);
      } else files.push(input);
    } catch (err) {
      await write(io.stderr, `npswatch: cannot read ${input}: ${(err as Error).message}\n`);
      unreadable++;
    }
  }
  return { files, unreadable };
}

/** The report of one rule, ignored options with the same reason on one line. */
function reportText(report: readonly ImportNote[]): string[] {
  const lines: string[] = [];
  const ignored = new Map<string, string[]>();
  for (const note of report) {
    if (note.kind !== 'ignored' || note.message === undefined) {
      lines.push(formatImportNote(note));
      continue;
    }
    const options = ignored.get(note.message);
    if (options === undefined) ignored.set(note.message, [note.option]);
    else options.push(note.option);
  }
  for (const [message, options] of ignored) lines.push(`ignored: ${options.join(', ')}: ${message}`);
  return lines;
}

/** A name not taken yet: `base`, `base-2`, `base-3`, ... */
function unique(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}

/**
 * `npswatch rules import-elastalert FILE|DIR... [--out DIR] [--compat]`: converts ElastAlert 2 rules and reports, per rule,
 * what was mapped, approximated, ignored or refused. Exit 0 when every rule was imported, 3 when some were
 * refused, 2 when an input could not be read.
 */
export async function runImportElastAlert(
  inputs: readonly string[],
  options: ImportElastAlertOptions,
  io: Io,
): Promise<number> {
  const { files, unreadable } = await ruleFiles(inputs, io);
  const ids = new Set<string>();
  const names = new Set<string>();
  const imported: { result: ElastAlertImportResult; rule: RuleConfigInput; report: readonly ImportNote[] }[] = [];
  let refused = 0;
  let failed = unreadable;
  // Reports go to stdout when rules are written to files, else to stderr (stdout is then the rule file).
  const log = options.out === undefined ? io.stderr : io.stdout;
  if (options.out !== undefined) await mkdir(options.out, { recursive: true });
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      await write(io.stderr, `npswatch: cannot read ${file}: ${(err as Error).message}\n`);
      failed++;
      continue;
    }
    const result = importElastAlertRule(text, file, {
      compat: options.compat === true,
      // `!file` lists are found next to the rule when the path is relative.
      readListFile: (path) => readFileSync(resolve(dirname(file), path), 'utf8'),
    });
    if (result.rule === undefined) {
      refused++;
      await write(log, `${file}: refused (${result.error?.code ?? 'E_EA_INVALID'})\n`);
      for (const line of reportText(result.report)) await write(log, `  ${line}\n`);
      continue;
    }
    const id = unique(result.rule.id, ids);
    const rule = id === result.rule.id ? result.rule : { ...result.rule, id };
    const report: ImportNote[] =
      id === result.rule.id
        ? [...result.report]
        : [
            ...result.report,
            {
              kind: 'approximated',
              option: 'name',
              to: `id: ${id}`,
              message: `another imported rule has the id ${result.rule.id}`,
            },
          ];
    imported.push({ result, rule, report });
    let target = '';
    if (options.out !== undefined) {
      const name = unique(basename(file, extname(file)), names);
      target = join(options.out, `${name}.yaml`);
      const header = [`Imported from ${file} by npswatch rules import-elastalert.`, '', ...reportText(report)];
      await writeFile(target, ruleFileText([rule], header));
    }
    await write(log, `${file} → ${target === '' ? '' : `${target}: `}${rule.id} (${rule.type})\n`);
    for (const line of reportText(report)) await write(log, `  ${line}\n`);
  }
  if (options.out === undefined && imported.length > 0) {
    const sources = imported.map((i) => `${i.rule.id}: imported from ${i.result.file}`);
    await write(
      io.stdout,
      ruleFileText(
        imported.map((i) => i.rule),
        ['Imported by npswatch rules import-elastalert.', ...sources],
      ),
    );
  }
  await write(
    log,
    `imported ${imported.length} of ${imported.length + refused} rules${refused > 0 ? ` (${refused} refused)` : ''}\n`,
  );
  if (failed > 0) return EXIT.usage;
  return refused > 0 ? EXIT.rejected : EXIT.ok;
}

/**
 * `npswatch rules check FILE...`: validates npswatch rule files and names every problem by file, rule and
 * option. Exit 0 when all are valid, 3 when some rule is not, 2 when a file cannot be read.
 */
export async function runRulesCheck(files: readonly string[], io: Io): Promise<number> {
  const readable: string[] = [];
  for (const file of files) {
    try {
      await readFile(file);
      readable.push(file);
    } catch (err) {
      await write(io.stderr, `npswatch: cannot read ${file}: ${(err as Error).message}\n`);
    }
  }
  let issues: readonly RuleIssue[] = [];
  try {
    await loadRules(readable);
  } catch (err) {
    if (!(err instanceof Error) || err.name !== 'RuleFileError') throw err;
    issues = (err as Error & { issues: readonly RuleIssue[] }).issues;
  }
  for (const issue of issues)
    await write(io.stderr, `${formatRuleIssue(issue)}${issue.line === undefined ? '' : ` (line ${issue.line})`}\n`);
  for (const file of readable) {
    if (issues.some((i) => i.file === file)) continue;
    const count = parseRules(await readFile(file, 'utf8'), file).length;
    await write(io.stdout, `${file}: ${count} rule${count === 1 ? '' : 's'} ok\n`);
  }
  if (readable.length < files.length) return EXIT.usage;
  return issues.length > 0 ? EXIT.rejected : EXIT.ok;
}
