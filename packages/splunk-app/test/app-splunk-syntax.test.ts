import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadBuiltinRules } from '@npswatch/core';
import definitionLib from '@splunk/dashboard-definition';
import dashboardUtils from '@splunk/dashboard-utils';
import validationLib from '@splunk/dashboard-validation';
import vizSchemas from '@splunk/visualization-schemas';
import { appFiles } from '../src/app/build.js';
import { type Conf, parseConf } from './helpers/conf.js';

// The app checked with Splunk's own published artifacts, since no Splunk server can be had here: Dashboard Studio
// definitions go through the migrations and the validator of Splunk's dashboard framework, against a schema built
// from the visualizations' published option schemas; every SPL search is checked against the SPL syntax table
// Splunk's search editor ships (commands, their arguments, their functions).

interface CommandSyntax {
  readonly args: readonly { readonly key: string }[];
  readonly functions: readonly { readonly name: string }[];
  readonly other?: readonly string[];
}
// A data module without type declarations, so loaded untyped.
const SPL_SYNTAX = (
  createRequire(import.meta.url)('@splunk/dashboard-utils/defaultSPLSyntax.json.js') as {
    default: Record<string, CommandSyntax>;
  }
).default;

/** Visualization types our dashboards may use, with the option schema Splunk publishes for each. */
const VIZ_OPTION_SCHEMAS: Readonly<Record<string, Record<string, unknown>>> = {
  'splunk.line': vizSchemas.lineOptionsSchema,
  'splunk.column': vizSchemas.columnOptionsSchema,
  'splunk.bar': vizSchemas.barOptionsSchema,
  'splunk.area': vizSchemas.areaOptionsSchema,
  'splunk.pie': vizSchemas.pieOptionsSchema,
  'splunk.table': vizSchemas.tableOptionsSchema,
  'splunk.singlevalue': vizSchemas.singleValueOptionsSchema,
  'splunk.markdown': vizSchemas.markdownOptionsSchema,
};

type Definition = Record<string, unknown> & {
  visualizations: Record<string, { type: string; options?: Record<string, unknown> }>;
  dataSources: Record<string, { type: string; options: { query: string } }>;
  layout: { structure: { item: string }[] };
};

function definitionOf(xml: string, path: string): Definition {
  const m = /<definition><!\[CDATA\[([\s\S]*?)\]\]><\/definition>/.exec(xml);
  assert.ok(m, `${path}: no Dashboard Studio definition`);
  return JSON.parse(m[1]!) as Definition;
}

/**
 * What Splunk's framework does to a stored single-layout definition before it validates or renders it: moves the
 * layout into its tabs form (its schema knows no other). Its other load-time migration renames legacy `viz.*`
 * types, which we do not use.
 */
function asLoaded(definition: Definition): unknown {
  const tabs = dashboardUtils.migrateToTabsLayout({ definition: definition as never });
  assert.ok(tabs.success, `migration to the tabs layout failed: ${tabs.success ? '' : tabs.reason}`);
  return tabs.definition;
}

function validator() {
  const v = new validationLib.DashboardValidator();
  const schema = definitionLib.createSchemaBasedOnDicts({ visualizationDict: VIZ_OPTION_SCHEMAS });
  assert.equal(v.setSchema(schema as never), null);
  return (definition: Definition) => v.validate(asLoaded(definition) as never) ?? [];
}

/** Top-level splits of SPL: outside "…" strings, '…' field names, `…` macros and […] subsearches. */
function splitTopLevel(spl: string, separator: string): { parts: string[]; subsearches: string[] } {
  const parts: string[] = [];
  const subsearches: string[] = [];
  let depth = 0;
  let start = 0;
  let subStart = 0;
  for (let i = 0; i < spl.length; i++) {
    const c = spl[i]!;
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < spl.length && spl[i] !== c; i++) if (spl[i] === '\\') i++;
      assert.ok(i < spl.length, `unterminated ${c} in: ${spl}`);
    } else if (c === '[') {
      if (depth++ === 0) subStart = i + 1;
    } else if (c === ']') {
      assert.ok(depth > 0, `unbalanced ] in: ${spl}`);
      if (--depth === 0) subsearches.push(spl.slice(subStart, i));
    } else if (c === separator && depth === 0) {
      parts.push(spl.slice(start, i));
      start = i + 1;
    }
  }
  assert.equal(depth, 0, `unbalanced [ in: ${spl}`);
  parts.push(spl.slice(start));
  return { parts, subsearches };
}

/** Expands argument-free macros from macros.conf, as Splunk does before parsing; an unknown macro is an error. */
function expandMacros(spl: string, macros: Conf, seen: readonly string[] = []): string {
  return spl.replace(/`([^`]+)`/g, (_, name: string) => {
    const definition = macros.get(name)?.get('definition');
    assert.ok(definition !== undefined, `unknown macro \`${name}\` in: ${spl}`);
    assert.ok(!seen.includes(name), `recursive macro ${name}`);
    return expandMacros(definition, macros, [...seen, name]);
  });
}

/** Text with string literals and quoted field names blanked, so only SPL syntax remains. */
function withoutQuoted(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
}

/**
 * Problems of one (macro-expanded) search against Splunk's syntax table: unknown commands; leading `key=value`
 * arguments a command does not take (for commands with a fixed argument list that do not filter on field=value);
 * `name(` calls that are not functions of the command.
 */
function splProblems(spl: string): string[] {
  const problems: string[] = [];
  const { parts, subsearches } = splitTopLevel(spl.trim(), '|');
  const generating = parts[0]!.trim() === '';
  const segments = generating ? parts.slice(1) : parts;
  segments.forEach((segment, i) => {
    const text = segment.trim();
    const implicitSearch = i === 0 && !generating;
    const command = implicitSearch ? 'search' : (/^[A-Za-z_]\w*/.exec(text)?.[0] ?? '');
    const body = implicitSearch ? text : text.slice(command.length);
    const syntax = SPL_SYNTAX[`${command}-command`];
    if (!syntax) {
      problems.push(`unknown command "${command}" in: ${text}`);
      return;
    }
    const filters = (syntax.other ?? []).some((o) => o.startsWith('boolean-operator'));
    if (syntax.args.length > 0 && !filters) {
      const known = new Set(syntax.args.map((a) => a.key));
      const leadingArgument = /^\s*(\w+)=("(?:[^"\\]|\\.)*"|\S+)/;
      let rest = body;
      for (let m = leadingArgument.exec(rest); m; m = leadingArgument.exec(rest)) {
        if (!known.has(m[1]!)) problems.push(`${command} takes no argument "${m[1]}" in: ${text}`);
        rest = rest.slice(m[0].length);
      }
    }
    if (syntax.functions.length > 0) {
      const known = new Set(syntax.functions.map((f) => f.name));
      for (const m of withoutQuoted(body).matchAll(/(?<![\w.])([A-Za-z_]\w*)\(/g))
        if (!known.has(m[1]!)) problems.push(`${command} has no function "${m[1]}" in: ${text}`);
    }
  });
  for (const sub of subsearches) problems.push(...splProblems(sub));
  return problems;
}

describe("Splunk app against Splunk's published dashboard schema and SPL syntax", () => {
  let files: Map<string, string>;
  let macros: Conf;
  before(async () => {
    files = appFiles({ version: '1.2.3', rules: await loadBuiltinRules() });
    macros = parseConf(files.get('default/macros.conf')!);
  });
  const views = () => [...files].filter(([path]) => path.startsWith('default/data/ui/views/') && path.endsWith('.xml'));

  it("passes Splunk's Dashboard Studio validator after Splunk's own load-time migration", () => {
    const validate = validator();
    assert.ok(views().length >= 3);
    for (const [path, xml] of views()) {
      const definition = definitionOf(xml, path);
      for (const [id, viz] of Object.entries(definition.visualizations))
        assert.ok(VIZ_OPTION_SCHEMAS[viz.type], `${path}: ${id} is a ${viz.type}, which this test has no schema for`);
      assert.deepEqual(validate(definition), [], path);
    }
  });

  it("sets only visualization options Splunk's schema declares (a misspelt option would be silently ignored)", () => {
    for (const [path, xml] of views())
      for (const [id, viz] of Object.entries(definitionOf(xml, path).visualizations))
        for (const option of Object.keys(viz.options ?? {}))
          assert.ok(Object.hasOwn(VIZ_OPTION_SCHEMAS[viz.type]!, option), `${path}: ${id} option ${option}`);
  });

  it('the validator, so configured, refuses a wrong option type and a layout naming a missing visualization', () => {
    const validate = validator();
    const [path, xml] = views()[0]!;
    const wrongType = definitionOf(xml, path);
    const [lineId] = Object.entries(wrongType.visualizations).find(([, v]) => v.type !== 'splunk.singlevalue')!;
    wrongType.visualizations[lineId]!.options = { ...wrongType.visualizations[lineId]!.options, seriesColors: 12 };
    assert.ok(validate(wrongType).length > 0, 'a number where Splunk wants colours is refused');
    const dangling = definitionOf(xml, path);
    dangling.layout.structure[0]!.item = 'viz_missing';
    const problems = validate(dangling).map((p) => String(p.message));
    assert.ok(
      problems.some((m) => m.includes('viz_missing')),
      problems.join('; '),
    );
  });

  it("uses only commands, arguments and functions in Splunk's SPL syntax table, in every search the app ships", () => {
    const searches: [string, string][] = [];
    for (const [name, stanza] of parseConf(files.get('default/savedsearches.conf')!))
      if (stanza.has('search')) searches.push([`savedsearches [${name}]`, stanza.get('search')!]);
    for (const [name, stanza] of parseConf(files.get('default/eventtypes.conf')!))
      if (stanza.has('search')) searches.push([`eventtypes [${name}]`, stanza.get('search')!]);
    for (const [path, xml] of views())
      for (const [id, ds] of Object.entries(definitionOf(xml, path).dataSources))
        searches.push([`${path} ${id}`, ds.options.query.replace(/\$[\w.]+(?:\|s)?\$/g, '"token"')]);
    assert.ok(searches.length >= 20, `${searches.length} searches`);
    for (const [where, spl] of searches) {
      const expanded = expandMacros(spl.replace(/\\\n/g, '\n'), macros);
      assert.deepEqual(splProblems(expanded), [], `${where}: ${expanded}`);
    }
  });

  it('the SPL check refuses an unknown command, argument or function', () => {
    assert.match(splProblems('index=x | stat count').join(), /unknown command "stat"/);
    assert.match(splProblems('index=x | timechart spam=15m count by dest').join(), /takes no argument "spam"/);
    assert.match(splProblems('index=x | eval a=coalese(b, c)').join(), /no function "coalese"/);
    assert.match(
      splProblems('index=x [ search index=y | sort -count | head 1 | fields dest | bogus ]').join(),
      /"bogus"/,
    );
    assert.deepEqual(splProblems('index=x "a|b" | eval a="stat(" | where \'odd|name\'>1 | stats count by dest'), []);
  });
});
