import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../src/main.js';
import { capturedIo, run } from './helpers.js';

const sample = (name: string) => fileURLToPath(new URL(`../../core/samples/reference/${name}`, import.meta.url));

describe('npswatch (no arguments)', () => {
  it('summarises the bundled samples: categories, codes and what to do', async () => {
    const { code, stdout, stderr } = await run([]);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.match(stdout, /By category:/);
    assert.match(stdout, /ESTS_TOKEN_ERROR\s+error/);
    assert.match(stdout, /UserNotFound\s+error/);
    assert.match(stdout, /What to do:/);
    assert.match(stdout, /0 records rejected/);
  });

  it('runs the built-in detection pack over the synthetic day and lists its alerts', async () => {
    const { stdout } = await run([]);
    const alerts = stdout.slice(stdout.indexOf('Alerts from the built-in detection pack'));
    for (const rule of [
      'otp-brute-force',
      'mfa-fatigue',
      'user-not-found-spike',
      'password-spray',
      'connectivity-error-spike',
      'config-error',
      'unknown-code',
      'server-silent',
      'support-required',
    ]) {
      assert.match(alerts, new RegExp(`firing\\s+\\w+\\s+${rule}\\s`), rule);
    }
  });

  it('speaks Korean with --lang ko', async () => {
    const { stdout } = await run(['--lang', 'ko']);
    assert.match(stdout, /조치 방법/);
  });
});

describe('npswatch classify', () => {
  it('writes one ECS document per event with code, category and remediation', async () => {
    const { code, stdout } = await run(['classify', sample('winlogbeat.ndjson')]);
    assert.equal(code, 0);
    const docs = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(docs.length, 5);
    const codes = docs.map((d) => d.npswatch.code);
    assert.deepEqual(codes, [undefined, 'CHALLENGE_REQUESTED', 'UserNotFound', 'ESTS_TOKEN_ERROR', undefined]);
    assert.equal(docs[2].error.code, 'UserNotFound');
    assert.equal(docs[2].npswatch.category, 'error');
    assert.ok(Array.isArray(docs[2].npswatch.remediation) && docs[2].npswatch.remediation.length > 0);
    assert.equal(docs[4].npswatch.radius.reason_code, 21);
    assert.equal(docs[4].source.ip, '203.0.113.77');
  });

  it('reads stdin with -', async () => {
    const { stdout } = await run(
      ['classify', '-', '--no-explain'],
      readFileSync(sample('splunk-wineventlog.txt'), 'utf8'),
    );
    const docs = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      docs.map((d) => d.npswatch.code),
      ['CHALLENGE_REQUESTED', 'UserNotFound', 'ESTS_TOKEN_ERROR'],
    );
    assert.equal(docs[0].npswatch.remediation, undefined);
  });

  it('names bad records by file and line, dead-letters them, goes on, and exits 3', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npswatch-'));
    const input = join(dir, 'bad.ndjson');
    const good = readFileSync(sample('winlogbeat.ndjson'), 'utf8').split('\n')[1];
    writeFileSync(input, `${good}\n{"@timestamp": "yesterday", "message": "x", "winlog": {}}\n{not json\n${good}\n`);
    const deadLetter = join(dir, 'dead.ndjson');
    const { code, stdout, stderr } = await run(['classify', input, '--dead-letter', deadLetter]);
    assert.equal(code, 3);
    assert.equal(stdout.trim().split('\n').length, 2);
    assert.match(stderr, new RegExp(`rejected ${input.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2 \\(@timestamp\\)`));
    assert.match(stderr, /:3: /);
    assert.match(stderr, /2 events classified, 2 records rejected/);
    const dead = readFileSync(deadLetter, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      dead.map((d) => [d.line, d.raw.slice(0, 9)]),
      [
        [2, '{"@timest'],
        [3, '{not json'],
      ],
    );
  });
});

describe('npswatch replay', () => {
  const day = fileURLToPath(new URL('../../core/samples/synthetic/nps-day.winlogbeat.ndjson', import.meta.url));

  it('writes alerts as NDJSON with the remediation of their code', async () => {
    const { code, stdout, stderr } = await run(['replay', day]);
    assert.equal(code, 0, stderr);
    const alerts = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const spike = alerts.find((a) => a.rule.id === 'user-not-found-spike' && a.npswatch.alert.status === 'firing');
    assert.equal(spike.npswatch.alert.key_fields['host.name'], 'NPS02.contoso.com');
    assert.equal(spike.npswatch.context.code, 'UserNotFound');
    assert.ok(spike.npswatch.context.remediation.length > 0);
    assert.match(stderr, /747 events, \d+ alerts, 0 late events, 0 records rejected/);
  });

  it('gives identical output for the classified form of the same input', async () => {
    const direct = await run(['replay', day]);
    const classified = await run(['classify', day]);
    const again = await run(['replay', '-'], classified.stdout);
    assert.equal(again.stdout, direct.stdout);
  });

  it('closes windows at --until, so a server silent at the end is reported', async () => {
    const short = await run(['replay', day, '--until', '2024-09-20T18:30:00Z']);
    const long = await run(['replay', day, '--until', '2024-09-21T00:00:00Z']);
    const silent = (out: string) => out.split('\n').filter((l) => l.includes('"server-silent"')).length;
    assert.equal(silent(short.stdout), 0);
    assert.ok(silent(long.stdout) >= 1);
  });

  it('reads generic JSON events with --timestamp-field (epoch ms or ISO)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npswatch-'));
    const input = join(dir, 'events.ndjson');
    const t0 = Date.UTC(2024, 8, 20, 9, 0);
    const lines = Array.from({ length: 6 }, (_, i) =>
      JSON.stringify({
        ts: i % 2 ? new Date(t0 + i * 30_000).toISOString() : t0 + i * 30_000,
        host: 'NPS09',
        message: `NPS Extension for Azure MFA: CID: 430ef057-7941-44ff-a0b1-240e7d74cedc : Access Rejected for user eve@contoso.com with Azure MFA response: OathCodeIncorrect and message: Wrong code entered`,
      }),
    );
    writeFileSync(input, `${lines.join('\n')}\n`);
    const { code, stdout, stderr } = await run([
      'replay',
      '--timestamp-field',
      'ts',
      '--until',
      '2024-09-20T09:15:00Z',
      input,
    ]);
    assert.equal(code, 0, stderr);
    const alerts = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      alerts.map((a) => [a.rule.id, a.npswatch.alert.key, a.npswatch.alert.status]),
      [
        ['otp-brute-force', 'eve', 'firing'],
        ['otp-brute-force', 'eve', 'resolved'],
      ],
    );
  });

  it('says so when --rules swallowed the inputs, in a few lines', async () => {
    const { code, stderr } = await run(['replay', '--rules', sample('winlogbeat.ndjson')]);
    assert.equal(code, 2);
    assert.ok(stderr.split('\n').length < 10, stderr);
    assert.match(stderr, /more error\(s\) not shown/);
    assert.match(stderr, /hint: .*winlogbeat\.ndjson was read as a rule file .*put the inputs before --rules/);
  });

  it('rejects a bad rule file naming the file, rule and option', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npswatch-'));
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, 'rules:\n  - id: x\n    type: threshold\n    window: ten minutes\n    threshold: 3\n');
    const { code, stderr } = await run(['replay', day, '--rules', rules]);
    assert.equal(code, 2);
    assert.match(stderr, /rules\.yaml/);
    assert.match(stderr, /window/);
  });
});

describe('npswatch explain', () => {
  it('explains a code in English and Korean', async () => {
    const en = await run(['explain', 'HTTPS_COMMUNICATION_ERROR']);
    assert.equal(en.code, 0);
    assert.match(en.stdout, /adnotifications\.windowsazure\.com/);
    const ko = await run(['explain', 'HTTPS_COMMUNICATION_ERROR', '--lang', 'ko']);
    assert.match(ko.stdout, /[가-힣]/);
  });

  it('prints the note in the chosen language', async () => {
    const en = await run(['explain', 'ESTS_TOKEN_ERROR']);
    assert.match(en.stdout, /\n {2}Note: The 2017 page called it an "ADAL token" problem/);
    const ko = await run(['explain', 'ESTS_TOKEN_ERROR', '--lang', 'ko']);
    assert.equal(ko.code, 0);
    assert.match(ko.stdout, /\n {2}참고: 2017년판 문서는 "ADAL token" 문제라고 불렀고/);
    assert.doesNotMatch(ko.stdout, /The 2017 page called it/);
  });

  it('names category, severity and who acts in Korean too, keeping the values searches use', async () => {
    const { stdout } = await run(['explain', 'UserNotFound', '--lang', 'ko']);
    assert.match(
      stdout,
      /분류: 오류 \(error\) {3}심각도: [가-힣]+ \((?:critical|high|medium|low)\) {3}담당: 관리자 \(admin\)/,
    );
  });

  it('shows both meanings of a code that sits in two groups', async () => {
    const { stdout } = await run(['explain', 'OathCodePinIncorrect']);
    assert.match(stdout, /support-required/);
    assert.match(stdout, /Category: error/);
  });

  it('rejects an unknown code with exit 2 and a hint', async () => {
    const { code, stderr } = await run(['explain', 'ESTS_TOKEN']);
    assert.equal(code, 2);
    assert.match(stderr, /unknown code "ESTS_TOKEN"/);
    assert.match(stderr, /hint: did you mean ESTS_TOKEN_ERROR/);
  });

  it('lists every code', async () => {
    const { stdout } = await run(['explain', '--list']);
    assert.ok(stdout.split('\n').length > 40);
  });
});

describe('npswatch options', () => {
  it('prints the version', async () => {
    const { code, stdout } = await run(['--version']);
    assert.equal(code, 0);
    assert.match(stdout, /^\d+\.\d+\.\d+/);
  });

  it('points classify --sink elastic at the command that indexes events, sending nothing', async () => {
    const { code, stdout, stderr } = await run(['classify', sample('ias.log'), '--sink', 'elastic']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /hint: .*npswatch elastic index/);
    const other = await run(['classify', sample('ias.log'), '--sink', 'kafka:x']);
    assert.match(other.stderr, /unknown sink "kafka"\nhint: use --sink splunk-hec:/);
  });

  it('hands --tz, --lang and --dead-letter given before a command to that command, or refuses them', async () => {
    const after = await run(['classify', sample('ias.log'), '--tz', 'Europe/Berlin']);
    const before = await run(['--tz', 'Europe/Berlin', 'classify', sample('ias.log')]);
    assert.equal(before.code, 0);
    assert.equal(before.stdout, after.stdout);
    assert.notEqual(before.stdout, (await run(['classify', sample('ias.log')])).stdout);
    // The command's own flag wins.
    const both = await run(['--tz', 'Asia/Seoul', 'classify', sample('ias.log'), '--tz', 'Europe/Berlin']);
    assert.equal(both.stdout, after.stdout);
    assert.match((await run(['--lang', 'ko', 'explain', 'ESTS_TOKEN_ERROR'])).stdout, /[가-힣]/);
    const refused = await run(['--tz', 'Europe/Berlin', 'explain', 'ESTS_TOKEN_ERROR']);
    assert.equal(refused.code, 2);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /--tz does not apply to "explain"/);
  });

  it('refuses to wait on an interactive terminal when no input is named; - still reads it', async () => {
    for (const command of ['classify', 'replay', 'report', 'doctor', 'watch']) {
      const stdin = Object.assign(Readable.from([]), { isTTY: true });
      const captured = capturedIo(stdin);
      assert.equal(await main([command], captured.io), 2, command);
      assert.match(captured.stderr(), /no inputs\nhint: name the log files to read, or - to read stdin/, command);
    }
    const piped = await run(['classify'], readFileSync(sample('ias.log'), 'utf8'));
    assert.equal(piped.code, 0);
    assert.ok(piped.stdout.length > 0);
  });

  it('rejects an unknown zone with exit 2', async () => {
    const { code, stderr } = await run(['classify', '--tz', 'Nowhere/Land', sample('ias.log')]);
    assert.equal(code, 2);
    assert.match(stderr, /unknown time zone/);
  });
});
