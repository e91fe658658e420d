import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  addToSummary,
  classify,
  createDetector,
  createSummary,
  entryById,
  loadBuiltinRules,
  readBatches,
} from '@npswatch/core';
import { type Browser, chromium, type Page } from 'playwright-core';

// The report as a user gets it: written by the built command, opened in Debian's Chromium (no downloaded browser).
const bin = fileURLToPath(new URL('../packages/cli/bin/npswatch.js', import.meta.url));
const day = fileURLToPath(new URL('../packages/core/samples/synthetic/nps-day.winlogbeat.ndjson', import.meta.url));
const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
// Debian's package (.ci/run installs it): never a browser downloaded by Playwright.
const CHROMIUM = '/usr/bin/chromium';

function report(args: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'npswatch-report-e2e-'));
  const out = join(dir, 'report.html');
  const r = spawnSync(process.execPath, [bin, 'report', ...args, '--out', out], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  assert.equal(r.status, 0, r.stderr);
  return out;
}

/** Opens a report; fails on any script error or any request that leaves the file. */
async function open(browser: Browser, file: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('request', (r) => {
    if (r.url() !== pathToFileURL(file).href) problems.push(`request: ${r.url()}`);
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-rendered]');
  return { page, problems };
}

interface PageCanvas {
  readonly width: number;
  readonly height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

/** Pixels of a chart's canvas drawn in the given colour (the bars and points are filled solid). */
function pixelsOf(page: Page, chart: string, hex: string): Promise<number> {
  return page.evaluate(
    ([selector, color]) => {
      // Runs in the page; typed structurally so the test config needs no DOM library.
      const page = globalThis as unknown as { document: { querySelector(s: string): PageCanvas | null } };
      const canvas = page.document.querySelector(`${selector} canvas`);
      const ctx = canvas?.getContext('2d');
      if (!canvas || !ctx) return 0;
      const want = [1, 3, 5].map((i) => Number.parseInt(color.slice(i, i + 2), 16));
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4)
        if (data[i] === want[0] && data[i + 1] === want[1] && data[i + 2] === want[2]) n++;
      return n;
    },
    [chart, hex] as const,
  );
}

const cell = (page: Page, table: string, key: string, col: string) =>
  page
    .locator(`table[data-table="${table}"] > tbody > tr[data-key="${key}"] > td[data-col="${col}"]`)
    .textContent()
    .then(String);
const number = (text: string) => Number(text.replace(/,/g, ''));

describe('npswatch report in a real browser (headless Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM });
  });
  after(async () => {
    await browser?.close();
  });

  it('draws the charts, holds the engine’s counts, switches language, and fetches nothing', async () => {
    // What the engine counts on the same input.
    const summary = createSummary();
    const detector = createDetector(await loadBuiltinRules());
    let alerts = 0;
    for await (const batch of readBatches(day, { timeZone: 'UTC' }))
      for (const record of batch.records) {
        const e = classify(record);
        addToSummary(summary, e);
        alerts += detector.push(e).alerts.length;
      }
    alerts += detector.finish().alerts.length;

    const { page, problems } = await open(browser, report([day]));
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: true });

    // Charts: bars of errors (red) and information (grey) on the timeline, firing alerts (red) on the alert chart.
    assert.ok((await pixelsOf(page, '#chart-timeline', '#c0392b')) > 0, 'error bars drawn');
    assert.ok((await pixelsOf(page, '#chart-timeline', '#a6acaf')) > 0, 'info bars drawn');
    assert.ok((await pixelsOf(page, '#chart-alerts', '#c0392b')) > 0, 'alerts drawn');

    // Tables: the engine's counts.
    const total = (key: string) =>
      page.locator(`[data-table="totals"] [data-key="${key}"] dd`).textContent().then(String);
    assert.equal(number(await total('events')), summary.events);
    assert.equal(number(await total('alerts')), alerts);
    assert.equal(number(await total('category-error')), summary.byCategory.get('error'));
    assert.equal(await page.locator('table[data-table="alerts"] > tbody > tr').count(), alerts);
    for (const c of summary.byCode.values())
      assert.equal(number(await cell(page, 'codes', c.code, 'count')), c.count, c.code);
    for (const [host, n] of summary.byHost) assert.equal(number(await cell(page, 'servers', host, 'events')), n, host);
    assert.equal(number(await cell(page, 'users', 'mallory@contoso.com', 'nonErrors')), 8);
    assert.equal(number(await cell(page, 'nas', 'VPN-GW01', 'requests')), 12);
    assert.match(await cell(page, 'servers', 'NPS02.contoso.com', 'silences'), /17:55:57 — 2024-09-20 23:51:13/);

    // Language: remediation from the catalog in the chosen language.
    const steps = () =>
      page
        .locator('table[data-table="codes"] > tbody > tr[data-key="UserNotFound"] > td[data-col="remediation"] li')
        .allTextContents();
    const entry = entryById('UserNotFound')!;
    assert.deepEqual(await steps(), entry.remediation.en);
    await page.click('button[data-lang="ko"]');
    await page.waitForSelector('body[data-rendered="ko"]');
    assert.match(await page.locator('h1').textContent().then(String), /보고서/);
    assert.deepEqual(await steps(), entry.remediation.ko);
    assert.equal(await page.locator('html').getAttribute('lang'), 'ko');
    assert.ok((await pixelsOf(page, '#chart-timeline', '#c0392b')) > 0, 'charts drawn again');
    await page.screenshot({ path: join(artifacts, 'report-ko.png'), fullPage: true });
    await page.click('button[data-lang="en"]');
    await page.waitForSelector('body[data-rendered="en"]');
    assert.deepEqual(await steps(), entry.remediation.en);

    // An alert leads to the events behind it.
    const brute = page.locator('table[data-table="alerts"] > tbody > tr', { hasText: 'otp-brute-force' }).first();
    await brute.locator('summary').click();
    const where = await brute.locator('td[data-col="where"]').allTextContents();
    assert.ok(where.length > 0 && where.every((w) => w.startsWith(`${day}:`)), where.join());

    assert.deepEqual(problems, []);
  });

  it('shows a hostile user name as text: nothing in the data runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npswatch-report-xss-'));
    const input = join(dir, 'hostile.ndjson');
    const template = JSON.parse(readFileSync(day, 'utf8').split('\n')[0]!);
    const name = '</script><img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    const lines = [0, 1, 2].map((i) =>
      JSON.stringify({
        ...template,
        '@timestamp': new Date(Date.UTC(2024, 8, 20, 9, i)).toISOString(),
        message: `NPS Extension for Azure MFA: CID: 0367e6e3-aeb9-49b1-a683-d5345aed253${i} : Access Rejected for user ${name} with Azure MFA response: OathCodeIncorrect and message: Wrong code entered`,
      }),
    );
    writeFileSync(input, `${lines.join('\n')}\n`);
    const { page, problems } = await open(browser, report([input]));
    assert.equal(await page.evaluate(() => (globalThis as { pwned?: number }).pwned), undefined);
    assert.equal(
      await page.locator('table[data-table="users"] > tbody > tr > td[data-col="user"]').textContent().then(String),
      name,
    );
    assert.deepEqual(problems, []);
  });
});
