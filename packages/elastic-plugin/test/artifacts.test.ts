import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  catalogEntries,
  loadBuiltinRules,
  lookupEntry,
  parseMessage,
  parseText,
  type RuleConfig,
  samplesDirectory,
} from '@npswatch/core';
import { elasticArtifacts } from '../src/artifacts/index.js';
import { ALERTS_VIEW, EVENTS_VIEW, type SavedObject, savedObjectsNdjson } from '../src/artifacts/kibana.js';
import {
  classifyScript,
  codeLookup,
  GROK_DEFINITIONS,
  GROK_PATTERNS,
  ingestPipeline,
  painlessRegex,
} from '../src/artifacts/pipeline.js';
import { filterQuery, queryFields, regexpQuery } from '../src/artifacts/query.js';
import { kibanaDuration, kibanaRules } from '../src/artifacts/rules.js';
import { alertMappings, eventMappings } from '../src/templates.js';

type Node = { type?: string; properties?: Record<string, Node> };
const typeOf = (props: Record<string, unknown>, path: string): string | undefined =>
  path.split('.').reduce<Node | undefined>((n, k) => n?.properties?.[k], { properties: props as Record<string, Node> })
    ?.type;
const AGGREGATABLE = new Set(['keyword', 'date', 'long', 'integer', 'double', 'ip', 'boolean', 'flattened']);
const fieldsOf = (view: string) => (view === ALERTS_VIEW ? alertMappings() : eventMappings()).properties;

/** The sample messages of every reference format, as the core reads them. */
function sampleMessages(): string[] {
  const out: string[] = [];
  for (const name of ['winlogbeat.ndjson', 'raw-messages.txt', 'dts.log', 'splunk-wineventlog-6273.txt']) {
    const text = readFileSync(new URL(`reference/${name}`, samplesDirectory()), 'utf8');
    for (const r of parseText(text, { defaultTime: 0 }).records) if (r.message) out.push(r.message);
  }
  const day = readFileSync(new URL('synthetic/nps-day.winlogbeat.ndjson', samplesDirectory()), 'utf8');
  for (const r of parseText(day, { defaultTime: 0 }).records) if (r.message) out.push(r.message);
  return out;
}

/** Grok as Elasticsearch expands it, in JS: `%{NAME:field}` → a named group, `(?i)` → the i flag. */
function grokRegExp(
  pattern: string,
  definitions: Readonly<Record<string, string>> = GROK_DEFINITIONS,
): { re: RegExp; fields: Map<string, string> } {
  const builtins: Record<string, string> = { NOTSPACE: '\\S+' };
  const fields = new Map<string, string>();
  let n = 0;
  const expand = (p: string): string =>
    p.replace(/%\{(\w+)(?::([\w.]+))?\}/g, (_m, name: string, field?: string) => {
      const def = definitions[name] ?? builtins[name];
      assert.ok(def !== undefined, `grok pattern ${name} undefined`);
      const body = expand(def);
      if (!field) return `(?:${body})`;
      const group = `g${n++}`;
      fields.set(group, field);
      return `(?<${group}>${body})`;
    });
  const insensitive = pattern.startsWith('(?i)');
  const re = new RegExp(expand(insensitive ? pattern.slice(4) : pattern), insensitive ? 'i' : '');
  return { re, fields };
}

function grok(message: string): Record<string, string> | undefined {
  for (const pattern of GROK_PATTERNS) {
    const { re, fields } = grokRegExp(pattern);
    const m = re.exec(message);
    if (!m) continue;
    const out: Record<string, string> = {};
    for (const [group, field] of fields) if (m.groups?.[group] !== undefined) out[field] = m.groups[group]!;
    return out;
  }
  return undefined;
}

const SHAPE_OF_LEAD: Record<string, string> = {
  'challenge requested': 'challenge',
  'access rejected': 'rejected',
  'access accepted': 'accepted',
  'exception in': 'exception',
  'only performs secondary auth': 'ignored-state',
  errorcode: 'error-code',
  'this is not an error': 'not-an-error',
};

describe('generated ingest pipeline', () => {
  it('grok reads the message grammar as the core does, on every sample message', () => {
    const messages = sampleMessages();
    assert.ok(messages.length > 700);
    let compared = 0;
    for (const message of messages) {
      const parsed = parseMessage(message);
      if (!parsed.prefixed) continue;
      const g = grok(message) ?? {};
      const lead = g['npswatch_parse.shape']?.toLowerCase();
      const shape = lead ? SHAPE_OF_LEAD[lead] : g['npswatch_parse.code'] ? 'warning-token' : 'free-text';
      const expectedShape = parsed.shape === 'free-text' && parsed.code ? 'free-text' : parsed.shape;
      assert.equal(shape, expectedShape, message);
      if (parsed.shape !== 'accepted') assert.equal(g['npswatch_parse.code'], parsed.code, message);
      assert.equal(g['npswatch_parse.user']?.trim(), parsed.user?.trim(), message);
      assert.equal(g['npswatch.correlation_id'], parsed.correlationId, message);
      compared++;
    }
    assert.ok(compared > 700, `${compared} compared`);
  });

  it('looks up every catalog code and alias, choosing the entry the core chooses', () => {
    const { entries, codes, lowerCodes } = codeLookup();
    for (const e of catalogEntries()) {
      assert.equal(entries[e.id]?.category, e.category);
      assert.equal(entries[e.id]?.severity, e.severity);
      for (const code of [e.code, ...(e.aliases ?? [])]) {
        assert.equal(codes[code], lookupEntry(code, '')?.id, code);
        assert.equal(lowerCodes[code.toLowerCase()], lookupEntry(code.toLowerCase(), '')?.id, code);
      }
    }
  });

  it('tells variants apart with the catalog’s own patterns', () => {
    const script = classifyScript();
    for (const e of catalogEntries()) {
      if (!e.match) continue;
      const literal = painlessRegex(e.match);
      assert.ok(script.includes(literal), `${e.id}: ${literal}`);
      // The literal still compiles (as JS: the catalog's patterns use syntax Java shares).
      const m = /^\/(.*)\/([a-z]*)$/s.exec(literal)!;
      assert.doesNotThrow(() => new RegExp(m[1]!.replaceAll('\\/', '/'), m[2]));
    }
  });

  it('is a valid pipeline body: known processors, tags, an on_failure that marks the document', () => {
    const p = ingestPipeline() as { processors: Record<string, Record<string, unknown>>[]; on_failure: unknown[] };
    const types = p.processors.map((x) => Object.keys(x)[0]);
    assert.deepEqual(types, ['grok', 'grok', 'grok', 'script']);
    for (const x of p.processors) {
      const body = Object.values(x)[0]!;
      assert.equal(typeof body.tag, 'string');
      if ('grok' in x) {
        assert.equal(body.field, 'message');
        const defs = body.pattern_definitions as Record<string, string>;
        for (const pattern of body.patterns as string[]) assert.doesNotThrow(() => grokRegExp(pattern, defs), pattern);
      }
    }
    const script = p.processors[3]!.script!;
    assert.equal(script.lang, 'painless');
    assert.ok(JSON.stringify(script.params).length < 65_536, 'params fit a stored script');
    assert.ok(p.on_failure.length > 0);
  });
});

describe('generated Kibana saved objects', () => {
  const lines = savedObjectsNdjson().trim().split('\n');
  const objects = lines.slice(0, -1).map((l) => JSON.parse(l) as SavedObject);
  const summary = JSON.parse(lines.at(-1)!) as Record<string, unknown>;

  it('is an export: objects in dependency order, then the summary line', () => {
    assert.equal(summary.exportedCount, objects.length);
    assert.equal(summary.missingRefCount, 0);
    const seen = new Set<string>();
    for (const o of objects) {
      assert.equal(o.coreMigrationVersion, '8.8.0');
      assert.match(o.typeMigrationVersion, /^\d+\.\d+\.\d+$/);
      assert.equal(o.managed, false);
      for (const r of o.references)
        assert.ok(seen.has(`${r.type}:${r.id}`), `${o.id} refers to ${r.type}:${r.id} before it`);
      seen.add(`${o.type}:${o.id}`);
    }
    assert.equal(new Set(objects.map((o) => o.id)).size, objects.length);
  });

  it('stringified fields parse, and data views point at npswatch indices', () => {
    for (const o of objects) {
      const a = o.attributes;
      if (o.type === 'index-pattern') {
        for (const k of ['fieldFormatMap', 'runtimeFieldMap', 'sourceFilters', 'fields', 'typeMeta', 'fieldAttrs'])
          assert.doesNotThrow(() => JSON.parse(String(a[k])), `${o.id}.${k}`);
        assert.equal(a.timeFieldName, '@timestamp');
        assert.match(String(a.title), /^npswatch-(events-\*|alerts\*)$/);
      }
      if (o.type === 'search' || o.type === 'dashboard') {
        const meta = a.kibanaSavedObjectMeta as { searchSourceJSON: string };
        assert.doesNotThrow(() => JSON.parse(meta.searchSourceJSON));
      }
    }
  });

  it('the SOC dashboard has its panels, each resolvable and on the 48-column grid', () => {
    const dash = objects.find((o) => o.type === 'dashboard')!;
    const panels = JSON.parse(String(dash.attributes.panelsJSON)) as {
      panelIndex: string;
      panelRefName: string;
      type: string;
      gridData: { x: number; y: number; w: number; h: number; i: string };
    }[];
    const titles = panels.map((p) => {
      const ref = dash.references.find((r) => r.name === `${p.panelIndex}:${p.panelRefName}`);
      assert.ok(ref, p.panelRefName);
      assert.equal(ref.type, p.type);
      assert.equal(p.gridData.i, p.panelIndex);
      assert.ok(p.gridData.x + p.gridData.w <= 48);
      return String(objects.find((o) => o.id === ref.id)?.attributes.title);
    });
    for (const want of [
      'codes over time by category',
      'errors by NPS server',
      'users with repeated non-errors',
      'support required',
      'alert timeline',
    ])
      assert.ok(
        titles.some((t) => t.includes(want)),
        want,
      );
    for (let i = 0; i < panels.length; i++)
      for (let j = i + 1; j < panels.length; j++) {
        const a = panels[i]!.gridData;
        const b = panels[j]!.gridData;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        assert.ok(!overlap, `${a.i} overlaps ${b.i}`);
      }
    assert.doesNotThrow(() => JSON.parse(String(dash.attributes.optionsJSON)));
  });

  it('every Lens field exists in the mappings and can be aggregated; columns are consistent', () => {
    for (const o of objects.filter((x) => x.type === 'lens')) {
      const state = o.attributes.state as {
        datasourceStates: {
          formBased: {
            layers: Record<
              string,
              { columns: Record<string, { sourceField: string; operationType: string }>; columnOrder: string[] }
            >;
          };
        };
        visualization: {
          layers?: { accessors: string[]; xAccessor: string; splitAccessor?: string }[];
          columns?: { columnId: string }[];
        };
      };
      for (const [layerId, layer] of Object.entries(state.datasourceStates.formBased.layers)) {
        const ref = o.references.find((r) => r.name === `indexpattern-datasource-layer-${layerId}`);
        assert.ok(ref && ref.type === 'index-pattern', `${o.id}: layer ${layerId} has no data view`);
        assert.deepEqual([...layer.columnOrder].sort(), Object.keys(layer.columns).sort());
        for (const c of Object.values(layer.columns)) {
          if (c.operationType === 'count') continue;
          const type = typeOf(fieldsOf(ref.id), c.sourceField);
          assert.ok(type && AGGREGATABLE.has(type), `${o.id}: ${c.sourceField} is ${type}`);
        }
        const used = [
          ...(state.visualization.layers ?? []).flatMap((l) => [
            ...l.accessors,
            l.xAccessor,
            ...(l.splitAccessor ? [l.splitAccessor] : []),
          ]),
          ...(state.visualization.columns ?? []).map((c) => c.columnId),
        ];
        for (const id of used) assert.ok(id in layer.columns, `${o.id}: ${id}`);
      }
    }
  });

  it('saved search columns and every KQL field exist in the mappings', () => {
    for (const o of objects) {
      const view = o.references.find((r) => r.type === 'index-pattern')?.id ?? EVENTS_VIEW;
      const queries: string[] = [];
      if (o.type === 'search') {
        for (const c of o.attributes.columns as string[]) assert.ok(typeOf(fieldsOf(view), c), `${o.id}: ${c}`);
        queries.push(
          (
            JSON.parse((o.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON) as {
              query: { query: string };
            }
          ).query.query,
        );
      }
      if (o.type === 'lens') queries.push((o.attributes.state as { query: { query: string } }).query.query);
      for (const q of queries)
        for (const m of q.matchAll(/([\w.@]+)\s*:/g)) assert.ok(typeOf(fieldsOf(view), m[1]!), `${o.id}: ${m[1]}`);
    }
  });
});

describe('generated Kibana rules', () => {
  let rules: RuleConfig[];
  before(async () => {
    rules = await loadBuiltinRules();
  });

  it('one Elasticsearch query rule per enabled built-in rule, in Kibana’s create-rule format', () => {
    const out = kibanaRules(rules);
    assert.deepEqual(
      out.map((r) => r.source),
      rules.filter((r) => r.enabled && r.type !== 'ratio').map((r) => r.id),
    );
    const props = eventMappings().properties;
    for (const r of out) {
      const b = r.body;
      assert.equal(b.rule_type_id, '.es-query');
      assert.equal(b.consumer, 'stackAlerts');
      assert.match(b.schedule.interval, /^\d+[smhd]$/);
      const p = b.params;
      assert.equal(p.searchType, 'esQuery');
      assert.deepEqual(p.index, ['npswatch-events-*']);
      assert.equal(p.timeField, '@timestamp');
      assert.ok(['>', '>=', '<', '<='].includes(String(p.thresholdComparator)));
      assert.ok(Array.isArray(p.threshold) && p.threshold.length === 1 && typeof p.threshold[0] === 'number');
      assert.ok(Number.isInteger(p.timeWindowSize) && Number(p.timeWindowSize) >= 1);
      assert.ok(['s', 'm', 'h', 'd'].includes(String(p.timeWindowUnit)));
      assert.ok(['count', 'cardinality'].includes(String(p.aggType)));
      const query = JSON.parse(String(p.esQuery)) as { query: unknown };
      assert.ok(query.query);
      for (const f of queryFields(query.query)) assert.ok(typeOf(props, f), `${r.id}: ${f} not mapped`);
      if (p.aggType === 'cardinality') assert.ok(AGGREGATABLE.has(String(typeOf(props, String(p.aggField)))));
      if (p.groupBy === 'top') {
        const terms = Array.isArray(p.termField) ? p.termField : [p.termField];
        assert.ok(terms.length >= 1 && terms.length <= 4);
        for (const t of terms) assert.ok(AGGREGATABLE.has(String(typeOf(props, String(t)))), `${r.id}: ${t}`);
      } else assert.equal(p.groupBy, 'all');
      if (r.equivalence === 'approximate') assert.ok(r.note, `${r.id} says how it differs`);
    }
  });

  it('translates durations and filters', () => {
    assert.deepEqual(kibanaDuration(600_000), { size: 10, unit: 'm' });
    assert.deepEqual(kibanaDuration(3_600_000), { size: 1, unit: 'h' });
    assert.deepEqual(kibanaDuration(90_000), { size: 90, unit: 's' });
    assert.deepEqual(filterQuery({ code: ['A', 'B'] }), { terms: { 'npswatch.code': ['A', 'B'] } });
    assert.deepEqual(filterQuery({ audience: { not: ['admin'] } }), {
      bool: { must_not: [{ terms: { 'npswatch.audience': ['admin'] } }] },
    });
    assert.deepEqual(regexpQuery('user.name', '/^adm/i'), {
      regexp: { 'user.name': { value: 'adm.*', case_insensitive: true } },
    });
  });

  it('export writes every artifact, each generated (never hand-copied)', async () => {
    const files = await elasticArtifacts({ rules });
    const names = files.map((f) => f.name);
    assert.ok(names.includes('kibana/saved-objects.ndjson'));
    assert.ok(names.includes('elasticsearch/ingest-pipeline-npswatch-classify.json'));
    assert.ok(names.includes('elasticsearch/index-templates/npswatch-events.json'));
    assert.equal(names.filter((n) => n.startsWith('kibana/rules/')).length, kibanaRules(rules).length);
    for (const f of files.filter((x) => x.name.endsWith('.json')))
      assert.doesNotThrow(() => JSON.parse(f.content), f.name);
    const mappings = JSON.parse(files.find((f) => f.name.endsWith('npswatch-events-mappings.json'))!.content) as {
      template: { mappings: { properties: Record<string, unknown> } };
    };
    // The exported templates are for a default distribution: match_only_text where ECS uses it.
    assert.equal(typeOf(mappings.template.mappings.properties, 'message'), 'match_only_text');
  });
});
