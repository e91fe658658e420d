import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadBuiltinRules } from '@npswatch/core';
import { APP_ID, appFiles, packageApp } from '@npswatch/splunk-app';

const SCRIPT = fileURLToPath(new URL('../../scripts/services/appinspect.sh', import.meta.url));
const run = promisify(execFile);

interface Report {
  summary: Record<string, number>;
  reports: { groups: { checks: { name: string; result: string }[] }[] }[];
}

describe('Splunk AppInspect on the generated app package', function () {
  // The first run installs splunk-appinspect from PyPI into a cached venv.
  this.timeout(600_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'npswatch-appinspect-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('passes with no failures and no errors (precert mode, all checks)', async () => {
    const version = (
      JSON.parse(readFileSync(new URL('../../packages/splunk-app/package.json', import.meta.url), 'utf8')) as {
        version: string;
      }
    ).version;
    const tgz = join(dir, `${APP_ID}-${version}.tgz`);
    writeFileSync(tgz, packageApp(appFiles({ version, rules: await loadBuiltinRules() })));
    const reportPath = join(dir, 'report.json');
    let stdout = '';
    try {
      ({ stdout } = await run('bash', [SCRIPT, tgz, reportPath]));
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      assert.fail(`scripts/services/appinspect.sh failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    const bad = report.reports.flatMap((r) =>
      r.groups.flatMap((g) => g.checks.filter((c) => c.result === 'failure' || c.result === 'error')),
    );
    assert.deepEqual(
      bad.map((c) => `${c.result}: ${c.name}`),
      [],
    );
    assert.equal(report.summary.failure, 0);
    assert.equal(report.summary.error, 0);
    assert.ok(report.summary.success! > 50, stdout);
  });
});
