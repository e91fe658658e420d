/** Shared helpers for the ElastAlert import tests: fixture files and compact report checks. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ImportResult, importElastAlertRule } from '../../src/elastalert/import.js';
import type { ImportNote, ImportNoteKind } from '../../src/elastalert/report.js';
import type { ImportOptions } from '../../src/elastalert/ruletypes.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** Every ElastAlert rule fixture (file names). */
export const fixtureNames = (): string[] =>
  readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

export const fixtureText = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

/** Imports a fixture (`compat` as `--compat` sets it); `!file` lists are read next to it, as the CLI does. */
export function importFixture(name: string, options: Pick<ImportOptions, 'compat'> = {}): ImportResult {
  return importElastAlertRule(fixtureText(name), name, {
    ...options,
    readListFile: (path) => readFileSync(join(FIXTURES, path), 'utf8'),
  });
}

/** Imports YAML written in a test. */
export const importText = (yaml: string, options: Pick<ImportOptions, 'compat'> = {}): ImportResult =>
  importElastAlertRule(yaml, 'test.yaml', options);

/** The options reported with a given kind. */
export const optionsOf = (report: readonly ImportNote[], kind: ImportNoteKind): string[] =>
  report.filter((n) => n.kind === kind).map((n) => n.option);

/** The note for an option and kind (the first), to check its target and wording. */
export function note(report: readonly ImportNote[], kind: ImportNoteKind, option: string): ImportNote {
  const found = report.find((n) => n.kind === kind && n.option === option);
  if (found === undefined)
    throw new Error(`no ${kind} note for ${option} in:\n${report.map((n) => `${n.kind} ${n.option}`).join('\n')}`);
  return found;
}
