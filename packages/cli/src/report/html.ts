import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ReportModel } from './model.js';
import { REPORT_TEXT } from './text.js';

/**
 * ECharts' "common" build (bar, line, scatter, data zoom, tooltip, legend): everything the report draws, at two
 * thirds of the full build. Resolved from the installed package, so the report carries the exact version the CLI
 * depends on.
 */
const CHARTS_MODULE = 'echarts/dist/echarts.common.min.js';
const ASSETS = new URL('../../assets/report/', import.meta.url);

let cached: { charts: string; script: string; style: string } | undefined;
function assets(): { charts: string; script: string; style: string } {
  cached ??= {
    charts: readFileSync(createRequire(import.meta.url).resolve(CHARTS_MODULE), 'utf8'),
    script: readFileSync(new URL('report.js', ASSETS), 'utf8'),
    style: readFileSync(new URL('report.css', ASSETS), 'utf8'),
  };
  return cached;
}

const JSON_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * JSON that is inert inside `<script type="application/json">`: no `<`, `>` or `&` survives as such, so no value
 * (a user name, a message, a file name) can close the element or open a comment, whatever it holds.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => JSON_ESCAPES[c]!);
}

/** Script text that cannot end its element early (the bundled library holds no such text, but keep it true). */
function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/**
 * One self-contained HTML page: the model as JSON, the charting library and the page's script inlined. A content
 * security policy forbids every network fetch, so the page shows the same thing offline, years later.
 */
export function renderReportHtml(model: ReportModel): string {
  const a = assets();
  const t = REPORT_TEXT[model.lang];
  return `<!doctype html>
<html lang="${model.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:">
<meta name="generator" content="npswatch ${model.version.replace(/[^\w.+-]/g, '')}">
<title>${t.title.replace(/[<>&]/g, '')}</title>
<style>${a.style}</style>
</head>
<body>
<main id="app"><noscript>This report needs JavaScript to draw its charts and tables.</noscript></main>
<script type="application/json" id="npswatch-model">${jsonForScript(model)}</script>
<script type="application/json" id="npswatch-text">${jsonForScript(REPORT_TEXT)}</script>
<script>${inlineScript(a.charts)}</script>
<script>${inlineScript(a.script)}</script>
</body>
</html>
`;
}
