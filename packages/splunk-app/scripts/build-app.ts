// Generates the Splunk app from the catalog and the built-in rule pack, and packages it for Splunk:
// app/npswatch_app/ (the app folder) and app/npswatch_app-<version>.tgz. Run by the package build.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBuiltinRules } from '@npswatch/core';
import { APP_ID, appFiles, packageApp } from '../src/app/build.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
const files = appFiles({ version, rules: await loadBuiltinRules() });
const out = join(root, 'app');
const appDir = join(out, APP_ID);
await rm(out, { recursive: true, force: true });
for (const [path, content] of files) {
  await mkdir(dirname(join(appDir, path)), { recursive: true });
  await writeFile(join(appDir, path), content);
}
const tgz = join(out, `${APP_ID}-${version}.tgz`);
await writeFile(tgz, packageApp(files));
process.stdout.write(`splunk app: ${files.size} files in ${appDir}, package ${tgz}\n`);
