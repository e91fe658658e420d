import assert from 'node:assert/strict';
import { parseDocument } from 'yaml';
import type { ImportResult } from '../../src/elastalert/import.js';
import { ruleFileText } from '../../src/elastalert/render.js';
import { parseRules } from '../../src/rules/load.js';
import { fixtureNames, fixtureText, importFixture, importText, note, optionsOf } from './helpers.js';

/** What each fixture modelled on ElastAlert's examples and docs becomes, exactly. */
const EXPECTED: Readonly<Record<string, object>> = {
  'frequency-nps-rejects.yaml': {
    id: 'nps-rejects-per-server',
    description: 'NPS rejects per server',
    type: 'threshold',
    filter: { 'winlog.channel': 'Security', 'winlog.event_id': 6273 },
    group_by: ['host.name'],
    window: '1h',
    step: '5m',
    count: 20,
    notify: { repeat_interval: '30m' },
  },
  'frequency-heartbeat.yaml': {
    id: 'heartbeat-seen',
    description: 'Heartbeat seen',
    type: 'threshold',
    filter: { message: { matches: '/\\bheartbeat\\b/i' } },
    window: '3m',
    step: '15s',
    count: 3,
    sample_size: 3,
  },
  'spike-user-not-found.yaml': {
    id: 'usernotfound-spike',
    description: 'UserNotFound spike',
    type: 'spike',
    filter: { 'winlog.provider_name': 'Microsoft-AzureMfa-AuthZ', message: { matches: '/\\bUserNotFound\\b/i' } },
    window: '2h',
    direction: 'up',
    ratio: 3,
    min_current: 5,
  },
  'spike-both-per-host.yaml': {
    id: 'auth-volume-change-per-server',
    description: 'Auth volume change per server',
    type: 'spike',
    filter: { 'winlog.channel': 'Security', 'winlog.event_id': [6272, 6273] },
    group_by: ['host.name'],
    window: '30m',
    direction: 'both',
    ratio: 4,
    min_current: 20,
    min_reference: 10,
    alert_on_new_keys: true,
    allowed_lateness: '7m',
  },
  'flatline-server-silent.yaml': {
    id: 'nps-server-silent',
    description: 'NPS server silent',
    type: 'flatline',
    filter: { 'winlog.channel': 'Security' },
    group_by: ['winlog.computer_name'],
    window: '1h',
    min_count: 1,
    forget_after: '2h',
    notify: { repeat_interval: '2h' },
  },
  'cardinality-spray.yaml': {
    id: 'password-spray-from-one-source',
    description: 'Password spray from one source',
    type: 'cardinality',
    severity: 'critical',
    filter: { 'winlog.event_id': '6273', 'source.ip': { exists: true } },
    group_by: ['source.ip'],
    window: '10m',
    step: '1m',
    field: 'user.name',
    max: 9,
    labels: { owner: 'soc-team', category: 'credential-access' },
  },
  'cardinality-min-hosts.yaml': {
    id: 'too-few-nps-servers-logging',
    description: 'Too few NPS servers logging',
    type: 'cardinality',
    filter: { 'event.provider': 'Microsoft-AzureMfa-AuthZ' },
    window: '4h',
    step: '15m',
    field: 'host.name',
    min: 2,
  },
  'new-term-admin-source.yaml': {
    id: 'admin-from-a-new-address',
    description: 'Admin from a new address',
    type: 'new_value',
    filter: { 'user.name': 'admin' },
    fields: ['source.ip'],
    lookback: '90d',
  },
  'new-term-composite.yaml': {
    id: 'user-via-new-radius-client',
    description: 'User via new RADIUS client',
    type: 'new_value',
    fields: ['user.name', 'npswatch.radius.client_ip'],
  },
  'percentage-match-success.yaml': {
    id: 'share-of-accepted-requests',
    description: 'Share of accepted requests: 95% of all NPS requests should be accepted',
    type: 'ratio',
    filter: { 'winlog.event_id': [6272, 6273] },
    group_by: ['host.name'],
    window: '15m',
    numerator: { 'winlog.event_id': 6272 },
    min: 0.95,
    min_total: 20,
  },
  'any-config-error.yaml': {
    id: 'nps-extension-configuration-error',
    description: 'NPS extension configuration error',
    type: 'any',
    filter: {
      'winlog.provider_name': 'Microsoft-AzureMfa-AuthZ',
      any: [
        { message: { matches: '/\\bREGISTRY_CONFIG_ERROR\\b/i' } },
        { message: { matches: '/\\bCLIENT_CERT_INSTALL_ERROR\\b/i' } },
      ],
    },
    notify: { keep_firing_for: '1m', repeat_interval: '1m', resolve: false },
  },
  'blacklist-client-ip.yaml': {
    id: 'request-from-a-blocked-radius-client',
    description: 'Request from a blocked RADIUS client',
    type: 'any',
    filter: { 'client.ip': ['10.9.9.9', '10.6.6.6', '10.7.7.7'] },
  },
  'whitelist-nas.yaml': {
    id: 'request-through-an-unknown-nas',
    description: 'Request through an unknown NAS',
    type: 'any',
    filter: {
      'winlog.event_id': 6272,
      'npswatch.radius.nas_identifier': { not: ['vpn-gw-01', 'vpn-gw-02'], exists: true },
    },
    notify: { keep_firing_for: '1h', repeat_interval: '1h', resolve: false },
  },
  'change-client.yaml': {
    id: 'user-changed-radius-client',
    description: 'User changed RADIUS client',
    type: 'new_value',
    filter: { 'winlog.event_id': 6272 },
    group_by: ['user.name'],
    fields: ['npswatch.radius.client_ip'],
    lookback: '1d',
  },
  'metric-distinct-users.yaml': {
    id: 'distinct-users-per-source',
    description: 'Distinct users per source',
    type: 'cardinality',
    filter: { 'event.outcome': 'failure' },
    group_by: ['source.ip'],
    window: '1h',
    field: 'user.name',
    max: 10,
  },
  'compound-key-aggregation.yaml': {
    id: 'rejects-per-user-and-server',
    description: 'Rejects per user and server',
    type: 'threshold',
    filter: { 'event.outcome': 'failure' },
    group_by: ['user.name', 'host.name'],
    window: '10m',
    step: '1m',
    count: 5,
    notify: {
      group_wait: '10m',
      group_interval: '10m',
      group_by: ['user.name'],
      repeat_interval: '10m',
      flap: { window: '1h', max_changes: 2 },
    },
  },
  'bool-filter.yaml': {
    id: 'rejected-outside-the-usual',
    description: 'Rejected outside the usual',
    type: 'any',
    filter: {
      'event.outcome': 'failure',
      'winlog.event_id': [6273, 6274],
      not: { 'user.name': 'alice', 'host.name': 'NPS01' },
      all: [
        { not: { 'user.name': 'bob', 'host.name': 'NPS02' } },
        { not: { 'user.name': 'charlie', message: { matches: '/\\b(?:timeout|unreachable)\\b/i' } } },
      ],
      any: [
        { 'npswatch.radius.reason_code': { gte: 16, lte: 23 } },
        { 'npswatch.radius.nas_identifier': { matches: '^vpn-' } },
      ],
    },
    notify: { keep_firing_for: '5m', repeat_interval: '5m', resolve: false },
  },
  'query-string-lucene.yaml': {
    id: 'lucene-query',
    description: 'Lucene query',
    type: 'any',
    filter: {
      'winlog.event_id': [6273, 6274],
      'user.name': { not: { matches: '^svc-' } },
      message: { matches: '/\\bAccess\\W+denied\\b/i' },
      'npswatch.radius.reason_code': { gte: 16, lt: 23 },
      'source.ip': { exists: true },
    },
  },
};

/** Fixtures ElastAlert can run that npswatch refuses, with the stable code and the option named. */
const REFUSED: Readonly<Record<string, readonly [string, string, RegExp]>> = {
  // ElastAlert's own writeback index (rule_name, match_body.*) is not an event stream npswatch reads.
  'frequency-repeat-offender.yaml': ['E_EA_FIELD', 'filter[0].term', /field "rule_name"/],
  'metric-cpu-avg.yaml': ['E_EA_TYPE', 'metric_agg_type', /metric_agg_type "avg" is not supported/],
  'spike-aggregation.yaml': ['E_EA_TYPE', 'type', /spike_aggregation.*numeric metrics/],
  'eql-filter.yaml': ['E_EA_FILTER', 'filter[0].eql', /EQL filters are not supported/],
  'event-data-field.yaml': ['E_EA_FIELD', 'filter[0].term', /winlog\.event_data\.SubjectUserName.*event_data fields/],
  'new-term-two-fields.yaml': [
    'E_EA_OPTION',
    'fields',
    /one new_value rule watches one field or one composite|2 separately watched fields/,
  ],
};

/** Top-level options of an ElastAlert rule that no note of its report names. */
function unreported(yaml: string, result: ImportResult): string[] {
  const reported = new Set(result.report.map((n) => n.option.replace(/[[.].*$/, '')));
  const doc = parseDocument(yaml, { version: '1.1' }).toJS() as Record<string, unknown>;
  return Object.keys(doc).filter((key) => !reported.has(key));
}

describe('ElastAlert import: fixtures modelled on ElastAlert 2 examples and docs', () => {
  it('covers every fixture', () => {
    assert.deepEqual(fixtureNames(), Object.keys({ ...EXPECTED, ...REFUSED }).sort());
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`imports ${name}`, () => {
      const result = importFixture(name);
      assert.equal(result.error, undefined, JSON.stringify(result.report));
      assert.deepEqual(result.rule, expected);
      assert.equal(optionsOf(result.report, 'refused').length, 0);
    });
  }

  for (const [name, [code, option, message]] of Object.entries(REFUSED)) {
    it(`refuses ${name} with ${code}`, () => {
      const result = importFixture(name);
      assert.equal(result.rule, undefined);
      assert.equal(result.error?.code, code);
      assert.equal(result.error?.option, option);
      assert.match(result.error?.message ?? '', message);
      // The report of a refused rule is the one reason, with its code.
      assert.equal(result.report.length, 1);
      assert.equal(result.report[0]!.kind, 'refused');
      assert.equal(result.report[0]!.option, option);
      assert.match(result.report[0]!.message ?? '', new RegExp(`\\[${code}\\]$`));
    });
  }

  it('reports every option of every imported rule: nothing is dropped silently', () => {
    for (const name of Object.keys(EXPECTED))
      assert.deepEqual(unreported(fixtureText(name), importFixture(name)), [], name);
  });

  it('reports options set to false, zero or nothing as well', () => {
    const rules = [
      'name: f\ntype: frequency\nnum_events: 3\ntimeframe: {minutes: 10}\nattach_related: false\nfilter:\nrealert:\n',
      'name: fl\ntype: flatline\nthreshold: 1\ntimeframe: {hours: 1}\nquery_key: host.name\nforget_keys: false\n',
      'name: w\ntype: whitelist\ncompare_key: host.name\nwhitelist: [a]\nignore_null: false\nowner: ""\n',
      'name: s\ntype: spike\nspike_height: 2\nspike_type: down\ntimeframe: {hours: 1}\nalert_on_new_data: false\nexponential_realert: {hours: 0}\n',
      'name: n\ntype: new_term\nfields: [user.name]\nalert_on_missing_field: false\nuse_keyword_postfix: false\naggregation_key: user.name\n',
      'name: p\ntype: percentage_match\nmatch_bucket_filter: []\nmax_percentage: 10\nmin_denominator: 0\nrun_every: {minutes: 1}\nuse_run_every_query_size: true\nbuffer_time: {minutes: 5}\nsync_bucket_interval: true\nallow_buffer_time_overlap: false\n',
      'name: m\ntype: metric_aggregation\nmetric_agg_type: cardinality\nmetric_agg_key: user.name\nmax_threshold: 3\nmin_threshold: 0\nbucket_interval: {minutes: 5}\nbuffer_time: {minutes: 30}\nuse_run_every_query_size: false\nmetric_format_string: "{:.2f}"\n',
      'name: c\ntype: change\ncompare_key: [source.ip]\nquery_key: user.name\nignore_null: false\ntimeframe: {days: 0}\naggregation: {minutes: 0}\naggregate_by_match_time: true\n',
    ];
    for (const yaml of rules) {
      const result = importText(yaml);
      assert.ok(result.rule, JSON.stringify(result.report));
      assert.deepEqual(unreported(yaml, result), [], yaml);
    }
  });

  it('writes rule files that load with parseRules (round trip)', () => {
    for (const name of Object.keys(EXPECTED)) {
      const rule = importFixture(name).rule!;
      const [loaded] = parseRules(ruleFileText([rule], ['a comment']), name);
      assert.equal(loaded!.id, rule.id);
      assert.equal(loaded!.type, rule.type);
    }
    const all = Object.keys(EXPECTED).map((name) => importFixture(name).rule!);
    assert.equal(parseRules(ruleFileText(all), 'all.yaml').length, all.length);
  });

  it('writes the report as comments above the rule', () => {
    const text = ruleFileText([importFixture('frequency-nps-rejects.yaml').rule!], ['first line', 'second line']);
    assert.match(text, /^# first line\n# second line\n\nrules:\n {2}- id: nps-rejects-per-server\n/);
    assert.match(text, /group_by: \[host\.name\]/);
  });
});

describe('ElastAlert import: the report', () => {
  it('says what each option of a frequency rule became', () => {
    const { report } = importFixture('frequency-nps-rejects.yaml');
    assert.deepEqual(note(report, 'mapped', 'type'), {
      kind: 'mapped',
      option: 'type',
      to: 'type: threshold',
      message: 'at least count events per key in a window',
    });
    assert.equal(report[0]!.option, 'type');
    assert.equal(note(report, 'mapped', 'num_events').to, 'count: 20');
    assert.equal(note(report, 'approximated', 'timeframe').to, 'window: 1h, step: 5m');
    assert.equal(note(report, 'mapped', 'query_key').to, 'group_by: [host.name]');
    assert.match(note(report, 'approximated', 'query_key').message!, /_missing/);
    assert.match(note(report, 'approximated', 'num_events').message!, /empties the window after a match/);
    assert.equal(note(report, 'mapped', 'realert').to, 'notify.repeat_interval: 30m');
    assert.deepEqual(optionsOf(report, 'ignored'), [
      'index',
      'include',
      'include_match_in_root',
      'alert_subject',
      'alert_subject_args',
      'alert_text',
      'alert_text_args',
      'alert',
      'slack_webhook_url',
      'slack_username_override',
      'alert_text_type',
    ]);
    assert.match(note(report, 'ignored', 'slack_webhook_url').message!, /alerter/);
    assert.match(note(report, 'ignored', 'index').message!, /indices/);
  });

  it('notes spike floors that apply to one direction only, and the global warm-up', () => {
    const { report } = importFixture('spike-both-per-host.yaml');
    assert.match(note(report, 'approximated', 'threshold_cur').message!, /up spikes only/);
    assert.match(note(report, 'approximated', 'threshold_ref').message!, /down spikes only/);
    assert.equal(note(report, 'approximated', 'alert_on_new_data').to, 'alert_on_new_keys: true');
    assert.equal(note(report, 'mapped', 'buffer_time').to, 'allowed_lateness: 7m');
    assert.equal(note(report, 'mapped', 'query_delay').to, 'allowed_lateness: 7m');
    assert.match(note(report, 'ignored', 'use_count_query').message!, /not needed/);
  });

  it('notes npswatch floors that replace a missing threshold_cur', () => {
    const { report } = importText('name: s\ntype: spike\nspike_height: 2\nspike_type: up\ntimeframe: {hours: 1}\n');
    assert.match(note(report, 'approximated', 'threshold_cur').message!, /min_current default \(5\)/);
    assert.match(note(report, 'approximated', 'realert').message!, /default is 1 minute/);
  });

  it('keeps the keyword copy of a field as the field, and says so', () => {
    const { report } = importFixture('percentage-match-success.yaml');
    assert.equal(note(report, 'mapped', 'query_key').to, 'host.name');
    assert.match(note(report, 'approximated', 'buffer_time').message!, /per query run/);
    assert.equal(note(report, 'mapped', 'min_percentage').to, 'min: 0.95');
  });

  it('explains the change → new_value difference', () => {
    const { report } = importFixture('change-client.yaml');
    assert.match(note(report, 'approximated', 'compare_key').message!, /A → B → A alerts twice there, once here/);
    assert.equal(note(report, 'mapped', 'timeframe').to, 'lookback: 1d');
  });

  it('reads a !file list and notes it', () => {
    const { report } = importFixture('blacklist-client-ip.yaml');
    assert.equal(note(report, 'mapped', 'blacklist').to, '2 values from blocked-clients.txt');
  });

  it('maps priority, owner and category', () => {
    const { report } = importFixture('cardinality-spray.yaml');
    assert.equal(note(report, 'approximated', 'priority').to, 'severity: critical');
    assert.equal(note(report, 'mapped', 'owner').to, 'labels.owner');
  });

  it('maps aggregation with an aggregation_key inside the query_key to notify.group_by', () => {
    const { report } = importFixture('compound-key-aggregation.yaml');
    assert.equal(note(report, 'mapped', 'aggregation_key').to, 'notify.group_by: [user.name]');
    assert.match(note(report, 'approximated', 'exponential_realert').to!, /notify\.flap/);
    assert.match(note(report, 'ignored', 'summary_table_fields').message!, /no tables/);
  });
});

describe('ElastAlert import: options and types', () => {
  const base = 'name: Test rule\n';

  it('takes the id from the file name when there is no name, and lower-cases names', () => {
    assert.equal(importText('type: any\n').rule?.id, 'test');
    assert.equal(
      importText('name: SSH abuse (ElastAlert 3.0.1) - 2\ntype: any\n').rule?.id,
      'ssh-abuse-elastalert-3.0.1-2',
    );
    assert.equal(importText('name: 관리자 로그인\ntype: any\n').rule?.id, 'test');
  });

  it('reads YAML 1.1 booleans as ElastAlert (PyYAML) does', () => {
    const r = importText(`${base}type: whitelist\ncompare_key: host.name\nignore_null: yes\nwhitelist: [a]\n`);
    assert.deepEqual(r.rule?.filter, { 'host.name': { not: ['a'], exists: true } });
  });

  it('maps a whitelist without ignore_null so that events without the field match', () => {
    const r = importText(`${base}type: whitelist\ncompare_key: host.name\nwhitelist: [a, b]\n`);
    assert.deepEqual(r.rule?.filter, { 'host.name': { not: ['a', 'b'] } });
  });

  it('maps is_enabled and realert 0 on windowed rules', () => {
    const r = importText(
      `${base}type: frequency\nnum_events: 3\ntimeframe: {minutes: 10}\nis_enabled: false\nrealert: {minutes: 0}\n`,
    );
    assert.equal(r.rule?.enabled, false);
    assert.deepEqual(r.rule?.notify, { repeat_interval: '10m' });
    assert.match(note(r.report, 'approximated', 'realert').message!, /every window/);
  });

  it('uses a tumbling window when no round step divides it ten times', () => {
    const r = importText(`${base}type: frequency\nnum_events: 3\ntimeframe: {seconds: 7}\n`);
    assert.equal(r.rule?.type, 'threshold');
    assert.equal((r.rule as { step?: string }).step, undefined);
    assert.equal(note(r.report, 'mapped', 'timeframe').to, 'window: 7s');
  });

  it('maps flatline thresholds and forget_keys without query_key', () => {
    const r = importText(`${base}type: flatline\nthreshold: 2.5\ntimeframe: {hours: 1}\nforget_keys: true\n`);
    assert.equal((r.rule as { min_count?: number }).min_count, 3);
    assert.match(note(r.report, 'ignored', 'forget_keys').message!, /query_key/);
  });

  it('maps new_term on query_key when fields is not set', () => {
    const r = importText(`${base}type: new_term\nquery_key: user.name\n`);
    assert.deepEqual((r.rule as { fields?: string[] }).fields, ['user.name']);
    assert.equal(r.rule?.group_by, undefined);
  });

  it('maps metric_aggregation value_count to a threshold or a flatline on events with the field', () => {
    const over = importText(
      `${base}type: metric_aggregation\nmetric_agg_type: value_count\nmetric_agg_key: user.name\nmax_threshold: 4.5\nbuffer_time: {minutes: 30}\nquery_key: host.name\n`,
    );
    assert.deepEqual(over.rule, {
      id: 'test-rule',
      description: 'Test rule',
      type: 'threshold',
      filter: { 'user.name': { exists: true } },
      group_by: ['host.name'],
      window: '30m',
      count: 5,
    });
    const under = importText(
      `${base}type: metric_aggregation\nmetric_agg_type: value_count\nmetric_agg_key: user.name\nmin_threshold: 2\nbucket_interval: {minutes: 5}\nbuffer_time: {minutes: 30}\n`,
    );
    assert.equal(under.rule?.type, 'flatline');
    assert.equal((under.rule as { window?: string }).window, '5m');
    assert.equal((under.rule as { min_count?: number }).min_count, 2);
    assert.match(note(under.report, 'ignored', 'buffer_time').message!, /bucket_interval/);
    const both = importText(
      `${base}type: metric_aggregation\nmetric_agg_type: value_count\nmetric_agg_key: user.name\nmin_threshold: 2\nmax_threshold: 9\nbuffer_time: {minutes: 30}\n`,
    );
    assert.equal(both.error?.code, 'E_EA_OPTION');
  });

  it('batches the whole rule when aggregation_key is not a query_key field', () => {
    const r = importText(`${base}type: any\naggregation: {minutes: 5}\naggregation_key: user.name\n`);
    assert.deepEqual(r.rule?.notify, {
      group_wait: '5m',
      group_interval: '5m',
      group_by: [],
      keep_firing_for: '1m',
      repeat_interval: '1m',
      resolve: false,
    });
    assert.match(note(r.report, 'approximated', 'aggregation_key').message!, /not part of the rule's query_key/);
  });

  it('ignores a cron aggregation schedule with a note', () => {
    const r = importText(`${base}type: any\naggregation: {schedule: '2 4 * * mon,fri'}\n`);
    assert.equal(r.rule?.notify, undefined);
    assert.match(note(r.report, 'ignored', 'aggregation').message!, /cron/);
  });

  it('reports unknown options and options of other types', () => {
    const r = importText(`${base}type: any\nnum_events: 3\nmy_custom_flag: true\n`);
    assert.match(note(r.report, 'ignored', 'num_events').message!, /not an option of ElastAlert any rules/);
    assert.match(note(r.report, 'ignored', 'my_custom_flag').message!, /not an ElastAlert 2 rule option/);
  });

  const refusals: readonly (readonly [string, string, string])[] = [
    ['not: [valid', 'E_EA_YAML', 'invalid YAML'],
    ['- a list', 'E_EA_YAML', 'expected an ElastAlert rule'],
    [`${base}filter: []\n`, 'E_EA_TYPE', 'type is required'],
    [`${base}type: mymodule.MyRule\n`, 'E_EA_TYPE', 'custom Python rule types'],
    [`${base}type: nonsense\n`, 'E_EA_TYPE', 'not an ElastAlert 2 rule type'],
    [`${base}type: any\nimport: base.rule\n`, 'E_EA_OPTION', 'inline the imported file'],
    [`${base}type: frequency\ntimeframe: {minutes: 5}\n`, 'E_EA_OPTION', 'num_events is required'],
    [`${base}type: frequency\nnum_events: 5\n`, 'E_EA_OPTION', 'timeframe is required'],
    [`${base}type: frequency\nnum_events: 5\ntimeframe: {fortnights: 1}\n`, 'E_EA_OPTION', 'unknown time unit'],
    [`${base}type: spike\nspike_height: 1\nspike_type: up\ntimeframe: {hours: 1}\n`, 'E_EA_OPTION', 'greater than 1'],
    [
      `${base}type: spike\nspike_height: 2\nspike_type: sideways\ntimeframe: {hours: 1}\n`,
      'E_EA_OPTION',
      'up, down or both',
    ],
    [
      `${base}type: spike\nspike_height: 2\nspike_type: up\ntimeframe: {hours: 1}\nfield_value: cpu\n`,
      'E_EA_OPTION',
      'field_value',
    ],
    [
      `${base}type: cardinality\ncardinality_field: user.name\ntimeframe: {hours: 1}\n`,
      'E_EA_OPTION',
      'max_cardinality or min_cardinality',
    ],
    [
      `${base}type: cardinality\ncardinality_field: Hostname\nmax_cardinality: 2\ntimeframe: {hours: 1}\n`,
      'E_EA_FIELD',
      'field "Hostname"',
    ],
    [`${base}type: change\ncompare_key: country\nquery_key: user.name\n`, 'E_EA_FIELD', 'field "country"'],
    [`${base}type: change\ncompare_key: source.ip\n`, 'E_EA_OPTION', 'need query_key'],
    [
      `${base}type: percentage_match\nmatch_bucket_filter: [{term: {event.outcome: success}}]\nmin_percentage: 90\n`,
      'E_EA_OPTION',
      'buffer_time',
    ],
    [
      `${base}type: percentage_match\nbuffer_time: {minutes: 5}\nmin_percentage: 90\n`,
      'E_EA_OPTION',
      'match_bucket_filter',
    ],
    [
      `${base}type: blacklist\ncompare_key: client.ip\nblacklist: ['!file /nowhere/list.txt']\n`,
      'E_EA_OPTION',
      'cannot read the blacklist file',
    ],
    [`${base}type: any\nquery_key: winlog.event_data.TargetUserName\n`, 'E_EA_FIELD', 'event_data'],
    [`${base}type: flatline\nthreshold: 0\ntimeframe: {hours: 1}\n`, 'E_EA_OPTION', 'never be undercut'],
  ];
  for (const [yaml, code, message] of refusals) {
    it(`refuses ${JSON.stringify(yaml.replace(base, '').slice(0, 60))} with ${code}`, () => {
      const r = importText(yaml);
      assert.equal(r.rule, undefined);
      assert.equal(r.error?.code, code, JSON.stringify(r.report));
      assert.ok(r.error?.message.includes(message), r.error?.message);
    });
  }
});
