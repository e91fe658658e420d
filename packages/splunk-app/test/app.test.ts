import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { loadBuiltinRules, type RuleConfig } from '@npswatch/core';
import fc from 'fast-check';
import { APP_ID, appFiles, CHANNELS, packageApp } from '../src/app/build.js';
import { DASHBOARDS, dashboardDefinition } from '../src/app/dashboards.js';
import { renderConf } from '../src/app/files.js';
import { savedSearch } from '../src/app/searches.js';
import { filterExpression, splString } from '../src/app/spl.js';
import { renderCodeLookupCsv } from '../src/lookup.js';
import { parseConf } from './helpers/conf.js';

/** The members of a ustar archive: name, mode, type, content. */
function untar(tgz: Buffer): { name: string; mode: number; type: string; data: Buffer }[] {
  const tar = gunzipSync(tgz);
  const out: { name: string; mode: number; type: string; data: Buffer }[] = [];
  for (let at = 0; at + 512 <= tar.length; ) {
    const h = tar.subarray(at, at + 512);
    if (h.every((b) => b === 0)) break;
    const str = (from: number, len: number) =>
      h
        .subarray(from, from + len)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = Number.parseInt(str(124, 12), 8);
    const prefix = str(345, 155);
    const name = prefix ? `${prefix}/${str(0, 100)}` : str(0, 100);
    out.push({
      name,
      mode: Number.parseInt(str(100, 8), 8),
      type: str(156, 1),
      data: tar.subarray(at + 512, at + 512 + size),
    });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** Double-quoted SPL literals in a text, unescaped; throws on an unterminated one. */
function splLiterals(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '"') continue;
    let value = '';
    for (i++; i < text.length && text[i] !== '"'; i++) {
      if (text[i] === '\\') i++;
      value += text[i];
    }
    assert.ok(i < text.length, `unterminated string in ${text}`);
    out.push(value);
  }
  return out;
}

describe('Splunk app', () => {
  let rules: RuleConfig[];
  let files: Map<string, string>;
  before(async () => {
    rules = await loadBuiltinRules();
    files = appFiles({ version: '1.2.3', rules });
  });
  const conf = (name: string) => parseConf(files.get(`default/${name}.conf`)!);

  it('has the layout Splunk and AppInspect expect', () => {
    for (const path of [
      'default/app.conf',
      'metadata/default.meta',
      'default/data/ui/nav/default.xml',
      'default/props.conf',
      'default/transforms.conf',
      'default/eventtypes.conf',
      'default/tags.conf',
      'default/macros.conf',
      'default/savedsearches.conf',
      'lookups/npswatch_codes.csv',
      'README.md',
    ])
      assert.ok(files.has(path), path);
    for (const path of files.keys()) {
      assert.ok(!path.split('/').some((p) => p.startsWith('.')), `no dotfiles: ${path}`);
      assert.ok(!path.startsWith('local/') && !path.includes(' '), path);
    }
  });

  it('names the app consistently and versions it semantically', () => {
    const app = conf('app');
    assert.equal(app.get('package')!.get('id'), APP_ID);
    assert.equal(app.get('id')!.get('name'), APP_ID);
    assert.equal(app.get('id')!.get('version'), '1.2.3');
    assert.equal(app.get('launcher')!.get('version'), '1.2.3');
    assert.equal(app.get('package')!.get('check_for_updates'), 'false');
    const label = app.get('ui')!.get('label')!;
    assert.ok(label.length >= 5 && label.length <= 80);
  });

  it('gives write access to admins only and exports knowledge objects', () => {
    const meta = parseConf(files.get('metadata/default.meta')!);
    const global = [...meta.entries()].find(([name, s]) => name === '' && s.has('access'))![1];
    assert.match(global.get('access')!, /write : \[ admin, sc_admin \]/);
    assert.equal(global.get('export'), 'system');
  });

  it('ships the catalog lookup with an automatic lookup on the entry (message variants told apart)', () => {
    assert.equal(files.get('lookups/npswatch_codes.csv'), renderCodeLookupCsv('en'));
    assert.equal(conf('transforms').get('npswatch_codes')!.get('filename'), 'npswatch_codes.csv');
    const props = conf('props');
    for (const [name, stanza] of props) {
      if (name === '' || name === 'npswatch:alert') continue;
      const key = name === 'npswatch:event' ? 'npswatch_entry_id' : 'npswatch_key';
      assert.match(
        stanza.get('LOOKUP-npswatch_codes')!,
        new RegExp(`^npswatch_codes lookup_key AS ${key} OUTPUTNEW `),
        name,
      );
      if (key === 'npswatch_key') assert.ok(stanza.get('EVAL-npswatch_key'), name);
    }
    assert.match(
      props.get('npswatch:event')!.get('FIELDALIAS-npswatch_event')!,
      /npswatch\.entry_id AS npswatch_entry_id/,
    );
  });

  it('extracts fields for each extension channel in both Windows renderings, and for npswatch sourcetypes', () => {
    const props = conf('props');
    for (const channel of CHANNELS) {
      const stanza = props.get(`source::...WinEventLog:...${channel}`);
      assert.ok(stanza, channel);
      for (const key of ['EXTRACT-npswatch_user', 'EXTRACT-npswatch_cid', 'EVAL-code', 'EVAL-action', 'EVAL-dest'])
        assert.ok(stanza.has(key), `${channel} ${key}`);
    }
    assert.equal(props.get('npswatch:event')!.get('KV_MODE'), 'json');
    assert.equal(props.get('npswatch:alert')!.get('KV_MODE'), 'json');
  });

  it('maps extension events to CIM Authentication', () => {
    const eventtype = conf('eventtypes').get('npswatch_mfa_auth')!;
    for (const channel of CHANNELS) assert.ok(eventtype.get('search')!.includes(channel));
    assert.ok(!eventtype.get('search')!.includes('|'), 'eventtype searches have no pipes');
    assert.equal(conf('tags').get('eventtype=npswatch_mfa_auth')!.get('authentication'), 'enabled');
    const ext = conf('props').get(`source::...WinEventLog:...${CHANNELS[0]}`)!;
    for (const field of ['action', 'app', 'dest', 'signature_id']) assert.ok(ext.has(`EVAL-${field}`), field);
    assert.ok(ext.has('EXTRACT-npswatch_user'));
    assert.match(ext.get('LOOKUP-npswatch_codes')!, /title AS signature/);
  });

  it('has overridable index and sourcetype macros used by every search', () => {
    const macros = conf('macros');
    for (const name of ['npswatch_index', 'npswatch_sourcetypes', 'npswatch_events']) assert.ok(macros.has(name), name);
    assert.match(macros.get('npswatch_events')!.get('definition')!, /`npswatch_index` `npswatch_sourcetypes`/);
    for (const [name, s] of conf('savedsearches'))
      if (name !== '') assert.match(s.get('search')!, /^`npswatch_events`/);
  });

  it('has one scheduled alert per rule of the built-in pack, within AppInspect limits', () => {
    const searches = conf('savedsearches');
    const names = [...searches.keys()].filter((n) => n !== '');
    assert.deepEqual(names.sort(), rules.map((r) => `npswatch - ${r.id}`).sort());
    for (const name of names) {
      const s = searches.get(name)!;
      assert.equal(s.get('enableSched'), '1');
      assert.ok(s.get('dispatch.earliest_time') && s.get('dispatch.latest_time'), name);
      assert.ok((s.get('description') ?? '').length > 10, name);
      // At most 12 runs an hour.
      const minute = s.get('cron_schedule')!.split(' ')[0]!;
      assert.ok(minute === '0' || /^\*\/(5|10|15|20|30)$/.test(minute), `${name}: ${minute}`);
      if (s.get('alert.digest_mode') === '0') assert.ok(s.get('alert.suppress.fields'), name);
      assert.ok(!/\brt\b|rt-/.test(s.get('dispatch.earliest_time')!), 'no real-time searches');
      assert.doesNotThrow(() => splLiterals(s.get('search')!), name);
    }
  });

  it('translates rule parameters into the searches', () => {
    const byId = new Map(rules.map((r) => [r.id, savedSearch(r)]));
    const brute = byId.get('otp-brute-force')!.stages.join(' | ');
    assert.match(brute, /streamstats time_window=10m count as npswatch_count by user_key/);
    assert.match(brute, /where npswatch_count>=5/);
    assert.match(brute, /"OathCodeIncorrect"/);
    const spike = byId.get('user-not-found-spike')!;
    assert.equal(spike.earliest, '-135m@m');
    assert.equal(spike.cron, '*/15 * * * *');
    assert.match(spike.stages.join(' | '), /count>=10 AND count>reference AND count>=upper/);
    const spray = byId.get('password-spray')!.stages.join(' | ');
    assert.match(spray, /client_ip_or_nas=coalesce\(/);
    assert.match(spray, /where npswatch_distinct>9/);
    const fatigue = byId.get('mfa-fatigue')!.stages.join(' | ');
    assert.match(fatigue, /steps>=3/);
    assert.equal(byId.get('server-silent')!.earliest, '-10080m@m');
  });

  it('escapes every value that reaches SPL: any string survives a round trip and cannot end its literal', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/[\r\n]/.test(s)),
        (value) => {
          const expr = filterExpression({ code: value });
          assert.deepEqual(splLiterals(expr), ['', value]);
          assert.deepEqual(splLiterals(splString(value)), [value]);
        },
      ),
    );
    assert.throws(() => splString('a\nb'), RangeError);
    const hostile = filterExpression({ code: { not: ['x" OR 1==1 | delete', 'a\\'] }, user: { matches: '/^adm"/i' } });
    assert.deepEqual(splLiterals(hostile), ['', 'x" OR 1==1 | delete', '', 'a\\', '', '(?i)^adm"']);
  });

  it('refuses conf values that would spill onto another line', () => {
    assert.throws(() => renderConf([], [{ name: 's', entries: [['k', 'a\nb']] }]), RangeError);
    assert.throws(() => renderConf([], [{ name: 's', entries: [['k', 'ends with \\']] }]), RangeError);
    assert.throws(() => renderConf([], [{ name: 'a]b', entries: [] }]), RangeError);
  });

  it('builds Dashboard Studio views whose token input is escaped', () => {
    assert.equal(DASHBOARDS.length, 3);
    for (const d of DASHBOARDS) {
      const xml = files.get(`default/data/ui/views/${d.name}.xml`)!;
      assert.match(xml, /^<dashboard version="2" theme="dark">/);
      const json = /<definition><!\[CDATA\[([\s\S]*)\]\]><\/definition>/.exec(xml)![1]!;
      assert.deepEqual(JSON.parse(json), dashboardDefinition(d));
      const def = JSON.parse(json) as { dataSources: Record<string, { options: { query: string } }> };
      for (const ds of Object.values(def.dataSources)) {
        for (const token of ds.options.query.match(/\$[^$]+\$/g) ?? [])
          assert.match(token, /\|s\$$/, `tokens in queries are quoted: ${token}`);
      }
    }
    const nav = files.get('default/data/ui/nav/default.xml')!;
    for (const d of DASHBOARDS) assert.ok(nav.includes(`<view name="${d.name}"`));
  });

  it('packages one top folder with 755 directories and 644 files', () => {
    const entries = untar(packageApp(files, Date.UTC(2025, 0, 1)));
    assert.ok(entries.every((e) => e.name === `${APP_ID}/` || e.name.startsWith(`${APP_ID}/`)));
    for (const e of entries) assert.equal(e.mode, e.type === '5' ? 0o755 : 0o644, e.name);
    const fileEntries = entries.filter((e) => e.type === '0');
    assert.deepEqual(fileEntries.map((e) => e.name.slice(APP_ID.length + 1)).sort(), [...files.keys()].sort());
    for (const e of fileEntries) assert.equal(e.data.toString('utf8'), files.get(e.name.slice(APP_ID.length + 1)));
    assert.deepEqual(packageApp(files, Date.UTC(2025, 0, 1)), packageApp(files, Date.UTC(2025, 0, 1)), 'reproducible');
  });
});
