import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRules } from '@npswatch/core';
import { run } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../../core/test/elastalert/fixtures/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);
const tmp = () => mkdtempSync(join(tmpdir(), 'npswatch-rules-'));

/** ElastAlert fixtures the importer refuses (see packages/core/test/elastalert/import.test.ts). */
const REFUSED = 6;
const yamlFixtures = () => readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml'));

describe('npswatch rules import-elastalert', () => {
  it('writes the rule file to stdout and the report to stderr', async () => {
    const { code, stdout, stderr } = await run(['rules', 'import-elastalert', fixture('frequency-nps-rejects.yaml')]);
    assert.equal(code, 0, stderr);
    const [rule] = parseRules(stdout, 'stdout.yaml');
    assert.equal(rule?.id, 'nps-rejects-per-server');
    assert.equal(rule?.type, 'threshold');
    assert.match(stdout, /^# Imported by npswatch rules import-elastalert\.\n# nps-rejects-per-server: imported from /);
    assert.match(stderr, /frequency-nps-rejects\.yaml → nps-rejects-per-server \(threshold\)\n/);
    assert.match(stderr, /\n {2}mapped: num_events → count: 20\n/);
    assert.match(stderr, /\n {2}approximated: timeframe → window: 1h, step: 5m \(/);
    // Ignored options with the same reason share a line.
    assert.match(stderr, /\n {2}ignored: alert, slack_webhook_url, slack_username_override: alerter setting/);
    assert.match(stderr, /imported 1 of 1 rules\n$/);
  });

  it('puts every imported rule in one loadable file and exits 3 when some are refused', async () => {
    const { code, stdout, stderr } = await run([
      'rules',
      'import-elastalert',
      fixture('spike-user-not-found.yaml'),
      fixture('event-data-field.yaml'),
      fixture('whitelist-nas.yaml'),
    ]);
    assert.equal(code, 3);
    assert.deepEqual(
      parseRules(stdout, 'stdout.yaml').map((r) => r.id),
      ['usernotfound-spike', 'request-through-an-unknown-nas'],
    );
    assert.match(
      stderr,
      /event-data-field\.yaml: refused \(E_EA_FIELD\)\n {2}refused: filter\[0\]\.term: field "winlog\.event_data\.SubjectUserName"/,
    );
    assert.match(stderr, /imported 2 of 3 rules \(1 refused\)\n$/);
  });

  it('imports a directory into --out, one file per rule with the report on top', async () => {
    const out = join(tmp(), 'imported');
    const { code, stdout, stderr } = await run(['rules', 'import-elastalert', FIXTURES, '--out', out]);
    assert.equal(code, 3, stderr);
    const total = yamlFixtures().length;
    assert.match(stdout, new RegExp(`imported ${total - REFUSED} of ${total} rules \\(${REFUSED} refused\\)\\n$`));
    const written = readdirSync(out).sort();
    assert.equal(written.length, total - REFUSED);
    assert.ok(written.includes('frequency-nps-rejects.yaml'));
    for (const file of written) {
      const text = readFileSync(join(out, file), 'utf8');
      assert.match(text, /^# Imported from .* by npswatch rules import-elastalert\.\n#\n# mapped: type → type: /);
      assert.equal(parseRules(text, file).length, 1);
    }
    // The !file list of the blacklist is read next to the rule.
    assert.match(
      readFileSync(join(out, 'blacklist-client-ip.yaml'), 'utf8'),
      /client\.ip: \[10\.9\.9\.9, 10\.6\.6\.6, 10\.7\.7\.7\]/,
    );
    assert.match(
      stdout,
      new RegExp(
        `flatline-server-silent\\.yaml → ${out.replace(/[\\/.]/g, '.')}.flatline-server-silent\\.yaml: nps-server-silent \\(flatline\\)`,
      ),
    );
    // The written files pass `rules check`.
    const check = await run(['rules', 'check', ...written.map((f) => join(out, f))]);
    assert.equal(check.code, 0, check.stderr);
  });

  it('gives rules with the same name distinct ids and files', async () => {
    const dir = tmp();
    const rule = 'name: Same name\ntype: any\nfilter:\n- term:\n    host.name: NPS01\n';
    writeFileSync(join(dir, 'a.yaml'), rule);
    writeFileSync(join(dir, 'b.yml'), rule);
    const { code, stdout, stderr } = await run(['rules', 'import-elastalert', join(dir, 'a.yaml'), join(dir, 'b.yml')]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(
      parseRules(stdout, 'stdout.yaml').map((r) => r.id),
      ['same-name', 'same-name-2'],
    );
    assert.match(stderr, /approximated: name → id: same-name-2 \(another imported rule has the id same-name\)/);
  });

  it('exits 2 on an input it cannot read, and still imports the others', async () => {
    const { code, stdout, stderr } = await run([
      'rules',
      'import-elastalert',
      join(tmp(), 'missing.yaml'),
      fixture('frequency-heartbeat.yaml'),
    ]);
    assert.equal(code, 2);
    assert.match(stderr, /npswatch: cannot read .*missing\.yaml/);
    assert.equal(parseRules(stdout, 'stdout.yaml')[0]?.id, 'heartbeat-seen');
  });

  it('exits 2 on a directory without rules and without arguments', async () => {
    const empty = await run(['rules', 'import-elastalert', tmp()]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no \.yaml or \.yml files/);
    assert.equal((await run(['rules', 'import-elastalert'])).code, 2);
  });
});

describe('npswatch rules check', () => {
  it('says how many rules each valid file holds', async () => {
    const dir = tmp();
    const file = join(dir, 'ok.yaml');
    writeFileSync(
      file,
      'rules:\n  - {id: a, type: any}\n  - {id: b, type: threshold, window: 10m, count: 3, group_by: [host]}\n',
    );
    const { code, stdout, stderr } = await run(['rules', 'check', file]);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, `${file}: 2 rules ok\n`);
  });

  it('names every problem by file, rule and option, and exits 3', async () => {
    const dir = tmp();
    const good = join(dir, 'good.yaml');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(good, 'rules:\n  - {id: a, type: any}\n');
    writeFileSync(
      bad,
      'rules:\n  - id: spray\n    type: threshold\n    window: ten minutes\n    count: 3\n  - type: any\n    filter: {cde: 1}\n',
    );
    const { code, stdout, stderr } = await run(['rules', 'check', good, bad]);
    assert.equal(code, 3);
    assert.equal(stdout, `${good}: 1 rule ok\n`);
    assert.match(
      stderr,
      new RegExp(
        `${bad.replace(/[\\/.]/g, '.')}: rule "spray": option "window": expected a duration like "10m", got "ten minutes" \\(line 4\\)`,
      ),
    );
    assert.match(stderr, /rule #2: option "id": required/);
    assert.match(stderr, /rule #2: option "filter\.cde": unknown field "cde"/);
  });

  it('reports ids used in two files', async () => {
    const dir = tmp();
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    writeFileSync(a, 'rules:\n  - {id: same, type: any}\n');
    writeFileSync(b, 'rules:\n  - {id: same, type: any}\n');
    const { code, stderr } = await run(['rules', 'check', a, b]);
    assert.equal(code, 3);
    assert.match(stderr, /rule "same": option "id": duplicate id \(also in /);
  });

  it('exits 2 on a file it cannot read', async () => {
    const { code, stderr } = await run(['rules', 'check', join(tmp(), 'nope.yaml')]);
    assert.equal(code, 2);
    assert.match(stderr, /cannot read .*nope\.yaml/);
  });
});
