import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addToSummary,
  type ClassifiedEvent,
  classify,
  createDetector,
  createSummary,
  entryById,
  loadBuiltinRules,
  type NotifyAlert,
  parseUser,
  readBatches,
  userKey,
} from '@npswatch/core';
import { makeEvent } from '@npswatch/core/testing';
import { bucketAt, createBuckets, type Mergeable, stepFor } from '../src/report/buckets.js';
import { jsonForScript, renderReportHtml } from '../src/report/html.js';
import {
  addAlertToReport,
  addToReport,
  createReportState,
  type ReportMeta,
  type ReportModel,
  type ReportOptions,
  reportModel,
} from '../src/report/model.js';
import { createPseudonymizer } from '../src/report/pseudonym.js';
import { run } from './helpers.js';

const T = Date.UTC(2024, 0, 1);
const MIN = 60_000;
const HOUR = 60 * MIN;
const OPTIONS: ReportOptions = { silenceMs: HOUR, minRepeats: 3 };
const META: ReportMeta = {
  version: '0.0.0-test',
  generatedAt: T,
  tz: 'UTC',
  lang: 'en',
  inputs: [{ name: 'test', rejected: 0 }],
  late: 0,
  correlated: false,
};

function build(events: readonly ClassifiedEvent[], options = OPTIONS, meta = META, alerts: NotifyAlert[] = []) {
  const state = createReportState(options);
  for (const e of events) addToReport(state, e);
  for (const a of alerts) addAlertToReport(state, a);
  return reportModel(state, meta);
}

const ext = (
  minute: number,
  code: string,
  category: ClassifiedEvent['category'],
  extra: Partial<ClassifiedEvent> = {},
) => makeEvent({ time: T + minute * MIN, code, category, host: 'NPS01.contoso.com', ...extra });

function alert(partial: Partial<NotifyAlert>): NotifyAlert {
  return {
    id: 'a1',
    fingerprint: 'f1',
    status: 'firing',
    ruleId: 'otp-brute-force',
    ruleType: 'threshold',
    key: '',
    keyFields: {},
    severity: 'high',
    windowStart: T,
    windowEnd: T + 10 * MIN,
    time: T + 10 * MIN,
    startsAt: T + 10 * MIN,
    value: 5,
    threshold: 5,
    summary: '',
    codes: [],
    sample: [],
    count: 1,
    flapping: false,
    ...partial,
  };
}

/** The model a report page carries, read back the way the page's script reads it. */
function modelOf(html: string): ReportModel {
  const m = /<script type="application\/json" id="npswatch-model">([^<]*)<\/script>/.exec(html);
  assert.ok(m, 'the page holds its model');
  return JSON.parse(m[1]!) as ReportModel;
}

describe('report model', () => {
  it('counts events per time bucket and category, and ranks codes by what needs action with their trend', () => {
    const model = build([
      ext(0, 'UserNotFound', 'error'),
      ext(1, 'UserNotFound', 'error'),
      ext(10, 'OathCodeIncorrect', 'non-error'),
      ext(11, 'OathCodeIncorrect', 'non-error'),
      ext(12, 'OathCodeIncorrect', 'non-error'),
      ext(13, 'OathCodeIncorrect', 'non-error'),
      ext(20, 'CHALLENGE_REQUESTED', 'info'),
      ext(40, 'CHALLENGE_REQUESTED', 'info'),
      ext(50, 'UserNotFound', 'error'),
      ext(55, 'UserNotFound', 'error'),
      ext(59, 'UserNotFound', 'error'),
      makeEvent({ time: T + 30 * MIN, kind: 'security', category: 'info', eventId: 6273, host: 'NPS01' }),
    ]);
    assert.deepEqual(model.range, { from: T, to: T + 59 * MIN });
    assert.deepEqual(model.totals.byCategory, {
      error: 5,
      'support-required': 0,
      unknown: 0,
      'non-error': 4,
      info: 3,
    });
    assert.deepEqual(model.totals.byKind, { extension: 11, security: 1 });
    // One hour fits in 60 one-minute buckets.
    assert.equal(model.timeline.step, MIN);
    assert.equal(model.timeline.start, T);
    assert.equal(model.timeline.series.error.length, 60);
    const at = (category: keyof ReportModel['timeline']['series']) =>
      model.timeline.series[category].flatMap((n, i) => (n > 0 ? [`${i}:${n}`] : []));
    assert.deepEqual(at('error'), ['0:1', '1:1', '50:1', '55:1', '59:1']);
    assert.deepEqual(at('non-error'), ['10:1', '11:1', '12:1', '13:1']);
    assert.deepEqual(at('info'), ['20:1', '30:1', '40:1']);
    assert.deepEqual(
      model.codes.map((c) => [c.code, c.count, c.firstHalf, c.secondHalf, c.trend]),
      [
        ['UserNotFound', 5, 2, 3, 'up'],
        ['OathCodeIncorrect', 4, 4, 0, 'down'],
        ['CHALLENGE_REQUESTED', 2, 1, 1, 'flat'],
      ],
    );
    // Remediation in both languages, from the catalog.
    const userNotFound = model.codes[0]!;
    const entry = entryById('UserNotFound');
    assert.deepEqual(userNotFound.remediation, entry?.remediation);
    assert.ok(userNotFound.title?.ko && userNotFound.title.ko !== userNotFound.title.en);
  });

  it('chooses the bucket size from the range, folding fine buckets exactly', () => {
    const model = build([
      ext(0, 'UserNotFound', 'error'),
      ext(24 * 60, 'UserNotFound', 'error'),
      ext(48 * 60, 'X', 'unknown'),
    ]);
    // Two days: 15-minute buckets are the finest with at most 360 of them.
    assert.equal(model.timeline.step, 15 * MIN);
    assert.equal(model.timeline.series.error.length, 2 * 96 + 1);
    assert.deepEqual(
      [model.timeline.series.error[0], model.timeline.series.error[96], model.timeline.series.unknown[192]],
      [1, 1, 1],
    );
    assert.equal(stepFor(T, T + 59 * MIN, MIN, 360), MIN);
    assert.equal(stepFor(T, T + 365 * 24 * HOUR, MIN, 360), 7 * 24 * HOUR);

    // While reading, too many occupied buckets fold into the next size: counts are kept.
    const counter: Mergeable<{ n: number }> = {
      create: () => ({ n: 0 }),
      merge: (a, b) => {
        a.n += b.n;
      },
    };
    const tb = createBuckets<{ n: number }>();
    for (let m = 0; m < 12; m++) bucketAt(tb, T + m * MIN, counter, 2).n++;
    assert.equal(tb.step, 15 * MIN);
    assert.deepEqual(
      [...tb.buckets].map(([start, b]) => [start - T, b.n]),
      [[0, 12]],
    );
  });

  it("puts bucket boundaries on the report zone's wall clock: days from local midnight, weeks from Monday", () => {
    // Regression: buckets were aligned to UTC, so a Seoul report's daily bars ran from 09:00 to 09:00 local.
    const DAY = 24 * HOUR;
    const seoul = { ...OPTIONS, tz: 'Asia/Seoul', maxBuckets: 40 };
    // 2024-01-01T00:00Z is 09:00 in Seoul; 30 days of events (daily bars at most 40 of them).
    const days = build(
      Array.from({ length: 31 }, (_, d) => ext(d * 24 * 60, 'UserNotFound', 'error')),
      seoul,
      { ...META, tz: 'Asia/Seoul' },
    );
    assert.equal(days.timeline.step, DAY);
    assert.equal(
      days.timeline.start,
      T - 9 * HOUR,
      'the first bar starts at midnight in Seoul (15:00 UTC the day before)',
    );
    const utc = build(
      Array.from({ length: 31 }, (_, d) => ext(d * 24 * 60, 'UserNotFound', 'error')),
      {
        ...OPTIONS,
        maxBuckets: 40,
      },
    );
    assert.equal(utc.timeline.start, T);
    // A year: weekly bars start on Mondays (2024-01-01 is a Monday) at local midnight.
    const weeks = build(
      [ext(0, 'UserNotFound', 'error'), ext(365 * 24 * 60, 'UserNotFound', 'error')],
      {
        ...seoul,
        maxBuckets: 360,
      },
      { ...META, tz: 'Asia/Seoul' },
    );
    assert.equal(weeks.timeline.step, 7 * DAY);
    assert.equal(new Date(weeks.timeline.start + 9 * HOUR).getUTCDay(), 1, 'a Monday in Seoul');
    assert.equal((weeks.timeline.start + 9 * HOUR) % DAY, 0, 'at local midnight');
  });

  it('lists silent periods per server (also at the end of the range) and merges spellings of one server', () => {
    const model = build([
      ext(0, 'UserNotFound', 'error'),
      ext(10, 'ACCESS_ACCEPTED', 'info'),
      makeEvent({ time: T + 5 * MIN, host: 'NPS02.contoso.com', category: 'info', code: 'ACCESS_ACCEPTED' }),
      makeEvent({ time: T + 30 * MIN, host: 'NPS02.contoso.com', category: 'info', outcome: 'success' }),
      ext(120, 'ACCESS_ACCEPTED', 'info', { outcome: 'success' }),
      makeEvent({ time: T + 125 * MIN, host: 'NPS01', kind: 'accounting', category: 'info', outcome: 'failure' }),
      ext(180, 'ACCESS_ACCEPTED', 'info', { outcome: 'success' }),
      // Not an NPS record: says nothing about the server.
      makeEvent({ time: T + 90 * MIN, host: 'NPS02.contoso.com', kind: 'system', category: 'info' }),
    ]);
    assert.deepEqual(
      model.servers.map((s) => ({
        host: s.host,
        events: s.events,
        errors: s.errors,
        errorRate: s.errorRate,
        rejects: s.rejects,
        silences: s.silences.map((g) => [(g.from - T) / MIN, (g.to - T) / MIN]),
        silentMinutes: s.silentMs / MIN,
      })),
      [
        {
          host: 'NPS01.contoso.com',
          events: 5,
          errors: 1,
          errorRate: 0.2,
          rejects: 3,
          silences: [[10, 120]],
          silentMinutes: 110,
        },
        {
          host: 'NPS02.contoso.com',
          events: 2,
          errors: 0,
          errorRate: 0,
          rejects: 1,
          silences: [[30, 180]],
          silentMinutes: 150,
        },
      ],
    );
    // --until extends the range: the last server is then silent too.
    const until = build([ext(0, 'ACCESS_ACCEPTED', 'info')], OPTIONS, { ...META, until: T + 2 * HOUR });
    assert.deepEqual(until.range, { from: T, to: T + 2 * HOUR });
    assert.deepEqual(until.servers[0]?.silences, [{ from: T, to: T + 2 * HOUR }]);
  });

  it('lists users with repeated non-errors, whatever the spelling of their name', () => {
    const nonError = (minute: number, raw: string, code = 'OathCodeIncorrect') =>
      ext(minute, code, 'non-error', { user: parseUser(raw) });
    const events = [
      nonError(0, 'jdoe@contoso.com'),
      nonError(1, 'CONTOSO\\jdoe'),
      nonError(2, 'JDOE', 'UserMfaDenied'),
      nonError(3, 'asmith@contoso.com'),
      nonError(4, 'asmith@contoso.com'),
      ext(5, 'UserNotFound', 'error', { user: parseUser('asmith@contoso.com') }),
    ];
    const model = build(events);
    assert.deepEqual(model.users, [
      {
        user: 'jdoe@contoso.com',
        nonErrors: 3,
        codes: [
          { code: 'OathCodeIncorrect', count: 2 },
          { code: 'UserMfaDenied', count: 1 },
        ],
        servers: ['NPS01.contoso.com'],
        first: T,
        last: T + 2 * MIN,
      },
    ]);
    assert.equal(model.usersTotal, 1);
    assert.equal(build(events, { ...OPTIONS, minRepeats: 2 }).usersTotal, 2);
  });

  it('pseudonymises users everywhere with a keyed hash: same user, same token; no name left', () => {
    const user = parseUser('jdoe@contoso.com');
    const events = [0, 1, 2].map((m) =>
      ext(m, 'OathCodeIncorrect', 'non-error', {
        user: m === 1 ? parseUser('CONTOSO\\JDoe') : user,
        message:
          'NPS Extension for Azure MFA: Access Rejected for user jdoe@contoso.com with Azure MFA response: OathCodeIncorrect',
      }),
    );
    const brute = alert({
      key: 'jdoe',
      keyFields: { 'npswatch.user.key': 'jdoe' },
      summary: '5 matching events for npswatch.user.key=jdoe in 10m (at least 5)',
      sample: events,
      codes: ['OathCodeIncorrect'],
    });
    const withKey = (key: string) =>
      build(events, { ...OPTIONS, pseudonymize: createPseudonymizer(key) }, META, [brute]);
    const model = withKey('s3cret');
    const token = model.users[0]?.user;
    assert.match(token ?? '', /^user-[0-9a-f]{12}$/);
    assert.equal(token, createPseudonymizer('s3cret')(userKey(user!)));
    assert.equal(model.pseudonymized, true);
    assert.equal(model.alerts[0]?.key, token);
    assert.equal(model.alerts[0]?.summary, `5 matching events for npswatch.user.key=${token} in 10m (at least 5)`);
    assert.deepEqual(
      model.alerts[0]?.events.map((e) => e.user),
      [token, token, token],
    );
    assert.match(model.alerts[0]?.events[0]?.message ?? '', new RegExp(`Access Rejected for user ${token} with`));
    assert.doesNotMatch(JSON.stringify(model), /jdoe|s3cret/i);
    // The same key gives the same token in the next report; another key another token.
    assert.equal(withKey('s3cret').users[0]?.user, token);
    assert.notEqual(withKey('other').users[0]?.user, token);
  });

  it('counts RADIUS requests per NAS and per network policy once, correlated or not', () => {
    const radius = { nasIdentifier: 'VPN-GW01', networkPolicy: 'VPN Users', clientIp: '10.0.0.1' };
    const partners = [{ kind: 'security' as const, file: 'sec', line: 1, time: T }];
    const model = build([
      ext(0, 'UserNotFound', 'error', {
        user: parseUser('jdoe@contoso.com'),
        radius,
        correlation: { matched: 'security', role: 'anchor', partners },
      }),
      // The anchor's partner: the same request.
      makeEvent({
        time: T,
        kind: 'security',
        eventId: 6273,
        category: 'info',
        user: parseUser('CONTOSO\\jdoe'),
        radius,
        correlation: { matched: 'extension', role: 'partner', partners: [] },
      }),
      makeEvent({
        time: T + MIN,
        kind: 'security',
        eventId: 6273,
        category: 'info',
        user: parseUser('asmith'),
        radius,
      }),
      makeEvent({
        time: T + 2 * MIN,
        kind: 'security',
        eventId: 6272,
        category: 'info',
        outcome: 'success',
        user: parseUser('bob'),
        radius: { nasIp: '10.0.0.9', networkPolicy: 'Wireless' },
      }),
      // An accounting request line precedes its response: only the response is a request's outcome.
      makeEvent({
        time: T + 3 * MIN,
        kind: 'accounting',
        category: 'info',
        outcome: 'unknown',
        user: parseUser('jdoe'),
        radius: { nasIdentifier: 'VPN-GW01', packetType: 1 },
      }),
      makeEvent({
        time: T + 3 * MIN,
        kind: 'accounting',
        category: 'info',
        outcome: 'success',
        user: parseUser('jdoe'),
        radius: { nasIdentifier: 'VPN-GW01', packetType: 2, clientIp: '10.0.0.2' },
      }),
    ]);
    const rows = (groups: ReportModel['nas']) =>
      groups.map((g) => [g.key, g.requests, g.rejects, g.rejectRate, g.errors, g.errorRate, g.users, g.clients]);
    assert.deepEqual(rows(model.nas), [
      ['VPN-GW01', 3, 2, 2 / 3, 1, 1 / 3, 2, ['10.0.0.1', '10.0.0.2']],
      ['10.0.0.9', 1, 0, 0, 0, 0, 1, []],
    ]);
    assert.deepEqual(rows(model.policies), [
      ['VPN Users', 2, 2, 1, 1, 0.5, 2, ['10.0.0.1']],
      ['Wireless', 1, 0, 0, 0, 0, 1, []],
    ]);
  });

  it('keeps alerts with references to the events behind them, up to a limit', () => {
    const sample = [ext(1, 'OathCodeIncorrect', 'non-error', { position: { file: 'a.ndjson', line: 7 } })];
    const model = build(sample, { ...OPTIONS, maxAlerts: 1 }, META, [
      alert({ sample, codes: ['OathCodeIncorrect'] }),
      alert({ id: 'a2', status: 'resolved' }),
    ]);
    assert.equal(model.totals.alerts, 2);
    assert.equal(model.totals.alertsOmitted, 1);
    assert.deepEqual(model.alerts[0]?.events, [
      {
        time: T + MIN,
        file: 'a.ndjson',
        line: 7,
        kind: 'extension',
        category: 'non-error',
        host: 'NPS01.contoso.com',
        code: 'OathCodeIncorrect',
      },
    ]);
  });
});

describe('report page', () => {
  const evil = '</script><script>window.pwned=1</script><!--';

  it('carries the model as inert JSON: a user name cannot end the script element', () => {
    const events = [0, 1, 2].map((m) => ext(m, 'OathCodeIncorrect', 'non-error', { user: parseUser(evil) }));
    const html = renderReportHtml(build(events));
    assert.doesNotMatch(html, /window\.pwned=1<\/script>/);
    assert.equal(modelOf(html).users[0]?.user, evil);
    assert.equal(jsonForScript({ s: '<&>\u2028' }), '{"s":"\\u003c\\u0026\\u003e\\u2028"}');
    // Self-contained: the charting library is inlined and nothing is fetched.
    assert.match(html, /default-src 'none'/);
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/);
    assert.match(html, /echarts/);
  });
});

describe('npswatch report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'npswatch-report-'));
  const day = fileURLToPath(new URL('../../core/samples/synthetic/nps-day.winlogbeat.ndjson', import.meta.url));

  it("writes the engine's own counts: events, categories, codes, alerts, servers and repeated non-errors", async () => {
    const out = join(dir, 'day.html');
    const { code, stderr } = await run(['report', day, '--out', out]);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /wrote .*day\.html \(\d+ KB\): 747 events, \d+ alerts, 0 late events, 0 records rejected/);
    const model = modelOf(readFileSync(out, 'utf8'));

    // What the engine says about the same input.
    const summary = createSummary();
    const detector = createDetector(await loadBuiltinRules());
    const nonErrors = new Map<string, number>();
    let alerts = 0;
    for await (const batch of readBatches(day, { timeZone: 'UTC' })) {
      for (const record of batch.records) {
        const e = classify(record);
        addToSummary(summary, e);
        alerts += detector.push(e).alerts.length;
        if (e.category === 'non-error' && e.user)
          nonErrors.set(userKey(e.user), (nonErrors.get(userKey(e.user)) ?? 0) + 1);
      }
    }
    alerts += detector.finish().alerts.length;

    assert.equal(model.totals.events, detector.counts().events);
    assert.equal(model.totals.events, 747);
    assert.deepEqual(
      Object.entries(model.totals.byCategory).filter(([, n]) => n > 0),
      [...summary.byCategory].sort(
        (a, b) =>
          Object.keys(model.totals.byCategory).indexOf(a[0]) - Object.keys(model.totals.byCategory).indexOf(b[0]),
      ),
    );
    for (const [category, series] of Object.entries(model.timeline.series))
      assert.equal(
        series.reduce((a, b) => a + b, 0),
        model.totals.byCategory[category as keyof typeof model.totals.byCategory],
      );
    assert.deepEqual(
      Object.fromEntries(model.codes.map((c) => [c.code, c.count])),
      Object.fromEntries([...summary.byCode.values()].map((c) => [c.code, c.count])),
    );
    assert.equal(model.totals.alerts, alerts);
    assert.equal(model.alerts.length, alerts);
    const replay = await run(['replay', day]);
    assert.equal(replay.stdout.trim().split('\n').length, alerts);
    assert.deepEqual(
      model.servers.map((s) => [s.host, s.events]),
      [
        ['NPS01.contoso.com', summary.byHost.get('NPS01.contoso.com')],
        ['NPS02.contoso.com', summary.byHost.get('NPS02.contoso.com')],
      ],
    );
    // NPS02 stops at 18:00: silent until the end of the day's records.
    const nps02 = model.servers[1]!;
    assert.equal(nps02.silences.at(-1)?.to, model.range?.to);
    assert.deepEqual(
      model.users.map((u) => [u.user, u.nonErrors]),
      [...nonErrors]
        .filter(([, n]) => n >= 3)
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([k, n]) => [`${k}@contoso.com`, n]),
    );
    assert.equal(model.users[0]?.user, 'mallory@contoso.com');
    // The password spray's Security events name their NAS and policy.
    assert.deepEqual(
      model.nas.map((g) => [g.key, g.requests, g.rejects, g.users]),
      [['VPN-GW01', 12, 12, 12]],
    );
    assert.deepEqual(
      model.policies.map((g) => [g.key, g.requests]),
      [['VPN Users', 12]],
    );
  });

  it('counts rejected records per input and exits 3', async () => {
    const bad = join(dir, 'bad.ndjson');
    const good = readFileSync(day, 'utf8').split('\n').slice(0, 2).join('\n');
    writeFileSync(bad, `${good}\n{not json\n`);
    const out = join(dir, 'bad.html');
    const { code, stderr } = await run(['report', day, bad, '--out', out, '--no-correlate']);
    assert.equal(code, 3, stderr);
    const model = modelOf(readFileSync(out, 'utf8'));
    assert.deepEqual(
      model.inputs.map((i) => [i.events, i.rejected]),
      [
        [747, 0],
        [2, 1],
      ],
    );
    assert.equal(model.totals.rejected, 1);
    assert.equal(model.totals.events, 749);
  });

  it('pseudonymises with a key from the environment, and never prints the key', async () => {
    const missing = await run(['report', day, '--out', join(dir, 'p.html'), '--pseudonymize']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /NPSWATCH_PSEUDONYMIZE_KEY is not set/);
    const out = join(dir, 'p.html');
    const key = 'a-secret-key-0123456789';
    const r = await run(['report', day, '--out', out, '--pseudonymize', '--lang', 'ko'], '', {
      NPSWATCH_PSEUDONYMIZE_KEY: key,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, new RegExp(key));
    const html = readFileSync(out, 'utf8');
    assert.doesNotMatch(html, /mallory|a-secret-key/);
    const model = modelOf(html);
    assert.equal(model.lang, 'ko');
    assert.equal(model.users[0]?.user, createPseudonymizer(key)('mallory'));
    const other = await run(['report', day, '--out', '-', '--pseudonymize', '--pseudonymize-key-env', 'MY_KEY'], '', {
      MY_KEY: key,
    });
    assert.equal(modelOf(other.stdout).users[0]?.user, model.users[0]?.user);
  });

  it('names bad options with a hint', async () => {
    const silence = await run(['report', day, '--out', '-', '--silence', 'soon']);
    assert.equal(silence.code, 2);
    assert.match(silence.stderr, /--silence/);
    const repeats = await run(['report', day, '--out', '-', '--min-repeats', '0']);
    assert.equal(repeats.code, 2);
    assert.match(repeats.stderr, /--min-repeats "0"[\s\S]*hint:/);
  });
});
