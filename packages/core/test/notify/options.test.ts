import assert from 'node:assert/strict';
import {
  compileNotifyPolicies,
  compileRulePolicy,
  NotifyConfigError,
  NotifyGlobalSchema,
  NotifyOptionsSchema,
} from '../../src/notify/options.js';
import { DurationError, formatDuration, parseDuration } from '../../src/time/duration.js';

describe('parseDuration', () => {
  it('reads the usual units and sums of parts', () => {
    assert.equal(parseDuration('0'), 0);
    assert.equal(parseDuration('0s'), 0);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('10m'), 600_000);
    assert.equal(parseDuration('4h'), 14_400_000);
    assert.equal(parseDuration('1d'), 86_400_000);
    assert.equal(parseDuration('2w'), 1_209_600_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    assert.equal(parseDuration(' 5m '), 300_000);
  });

  it('explains what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['', /expected a number followed by a unit/],
      ['10', /"10" has no unit/],
      ['10x', /unknown unit "x"/],
      ['1M', /unknown unit "M"/],
      ['m', /unexpected "m"/],
      ['-5m', /must not be negative/],
      ['5m5m', /unit "m" appears twice/],
      ['1e3s', /unknown unit "e3s"/],
      ['99999999999999w', /too large/],
    ];
    for (const [text, re] of cases) {
      assert.throws(
        () => parseDuration(text, 'notify.for'),
        (err: unknown) => {
          assert.ok(err instanceof DurationError);
          assert.equal(err.code, 'E_DURATION');
          assert.match(err.message, /^notify\.for: invalid duration "/);
          assert.match(err.message, re);
          return true;
        },
        text,
      );
    }
  });

  it('formats back', () => {
    for (const text of ['0s', '250ms', '30s', '10m', '1h30m', '1d', '1w2d3h4m5s6ms']) {
      assert.equal(formatDuration(parseDuration(text)), text);
    }
  });
});

describe('notify options', () => {
  it('applies defaults', () => {
    // keep_firing_for and resolve stay absent after parsing (so rule types can default them differently);
    // the compiled policy applies the defaults.
    assert.deepEqual(NotifyOptionsSchema.parse({}), {
      for: '0s',
      repeat_interval: '4h',
    });
    assert.deepEqual(compileRulePolicy(undefined), {
      forMs: 0,
      keepFiringForMs: 0,
      repeatIntervalMs: 4 * 3_600_000,
      resolve: true,
      groupWaitMs: 0,
      groupIntervalMs: 300_000,
    });
    assert.equal(compileRulePolicy({ group_by: ['host.name'] }).groupWaitMs, 30_000, 'group_wait 30s when grouping');
  });

  it('accepts parsed options again (the rule loader may parse first)', () => {
    const once = NotifyOptionsSchema.parse({
      for: '10m',
      group_by: ['user.name'],
      flap: { window: '1h', max_changes: 4 },
    });
    assert.deepEqual(compileRulePolicy(once, 'x'), {
      forMs: 600_000,
      keepFiringForMs: 0,
      repeatIntervalMs: 14_400_000,
      resolve: true,
      groupBy: ['user.name'],
      groupWaitMs: 30_000,
      groupIntervalMs: 300_000,
      flap: { windowMs: 3_600_000, maxChanges: 4 },
    });
  });

  it('names the rule and option in errors', () => {
    assert.throws(
      () => compileRulePolicy({ for: 'soon' }, 'r'),
      (err: unknown) => err instanceof NotifyConfigError && err.code === 'E_NOTIFY_CONFIG',
    );
    assert.throws(
      () => compileRulePolicy({ for: '10 minutes' }, 'otp-brute-force'),
      /rule "otp-brute-force" notify: for: invalid duration "10 minutes"/,
    );
    assert.throws(() => compileRulePolicy({ repeat_interval: '0s' }, 'r'), /repeat_interval: must be longer than 0/);
    assert.throws(() => compileRulePolicy({ group_interval: '0' }, 'r'), /group_interval: must be longer than 0/);
    assert.throws(() => compileRulePolicy({ flap: { window: '1h', max_changes: 0 } }, 'r'), /flap\.max_changes/);
    assert.throws(() => compileRulePolicy({ fro: '1m' } as never, 'r'), /Unrecognized key: "fro"/);
  });

  it('validates silences and inhibit rules', () => {
    const ok = NotifyGlobalSchema.parse({
      silences: [
        {
          matchers: { ruleId: 'otp', keyFields: { 'user.name': ['alice', 'bob'] } },
          starts_at: '2024-03-01T08:00:00Z',
          ends_at: '2024-03-01T10:00:00+01:00',
          comment: 'maintenance',
        },
      ],
      inhibit_rules: [
        { source: { ruleId: 'server-silent' }, target: { severity: ['low', 'medium'] }, equal: ['host.name'] },
      ],
    });
    assert.equal(ok.silences.length, 1);
    const p = compileNotifyPolicies({ global: ok });
    assert.equal(p.silences[0]?.id, 'silence-1');
    assert.equal(p.silences[0]?.endsAt, Date.parse('2024-03-01T09:00:00Z'));

    const bad = NotifyGlobalSchema.safeParse({
      silences: [
        { matchers: {}, starts_at: '2024-03-01T08:00:00Z', ends_at: '2024-03-01T09:00:00Z', comment: '' },
        {
          matchers: { keyFields: {} },
          starts_at: '2024-03-01T08:00:00Z',
          ends_at: '2024-03-01T09:00:00Z',
          comment: '',
        },
        { matchers: { key: 'x' }, starts_at: '2024-03-01T09:00:00Z', ends_at: '2024-03-01T08:00:00Z', comment: '' },
        { matchers: { key: 'x' }, starts_at: '2024-03-01 09:00', ends_at: '2024-03-01T10:00:00Z', comment: '' },
      ],
      inhibit_rules: [{ source: { severity: 'urgent' }, target: {} }],
    });
    assert.ok(!bad.success);
    const messages = bad.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    for (const i of [0, 1]) {
      const re = new RegExp(`^silences\\.${i}\\.matchers: a silence needs at least one matcher`);
      assert.ok(
        messages.some((m) => re.test(m)),
        messages.join('\n'),
      );
    }
    assert.ok(
      messages.some((m) => /^silences\.2\.ends_at: ends_at must be after starts_at/.test(m)),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => /^silences\.3\.starts_at: expected an ISO 8601 time/.test(m)),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => /^inhibit_rules\.0\.source\.severity/.test(m)),
      messages.join('\n'),
    );
    assert.throws(
      () => compileNotifyPolicies({ global: { silences: [{}] } as never }),
      /^NotifyConfigError: notification policy: silences\.0/,
    );
  });
});
