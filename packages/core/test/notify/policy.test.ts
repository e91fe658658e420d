import assert from 'node:assert/strict';
import { alertFingerprint } from '../../src/notify/match.js';
import type { NotifyPolicies } from '../../src/notify/options.js';
import { notifyDrain, notifyStep } from '../../src/notify/policy.js';
import type { NotifyState } from '../../src/notify/state.js';
import { emptyNotifyState } from '../../src/notify/state.js';
import type { NotifyInput } from '../../src/notify/types.js';
import { at, brief, d, det, HOUR, policies, reasons, run, SEC, settle, T0, tick } from './helpers.js';

/** Runs the inputs with the watermark tick a rule engine sends after each evaluation. */
const go = (p: NotifyPolicies, inputs: readonly NotifyInput[], state?: NotifyState) => run(p, settle(inputs), state);

describe('notify policy', () => {
  describe('for (pending period)', () => {
    const p = policies({ r: { for: '10m' } });

    it('sends nothing when the condition clears before `for` has elapsed', () => {
      const r = go(p, [d(det(at(0))), d(det(at(5))), d(det(at(9), { active: false })), tick(at(60))]);
      assert.deepEqual(r.out, []);
      assert.deepEqual(reasons(r.suppressed), ['pending@0', 'pending@5']);
      assert.deepEqual(r.state.instances, {}, 'a cleared pending alert is forgotten');
    });

    it('restarts the pending period after a flicker', () => {
      const r = go(p, [
        d(det(at(0))),
        d(det(at(5))),
        d(det(at(8), { active: false })),
        d(det(at(10))),
        d(det(at(15))),
        d(det(at(20))),
      ]);
      assert.deepEqual(brief(r.out), ['r firing@20']);
    });

    it('fires once, at the first evaluation `for` after the condition started', () => {
      const r = go(p, [d(det(at(0))), d(det(at(5))), d(det(at(10))), d(det(at(15))), tick(at(30))]);
      assert.deepEqual(brief(r.out), ['r firing@10']);
      const [alert] = r.out;
      assert.equal(alert?.startsAt, at(10));
      assert.equal(alert?.count, 1);
      assert.equal(alert?.fingerprint, alertFingerprint('r', ''));
      assert.deepEqual(reasons(r.suppressed), ['pending@0', 'pending@5', 'repeat@15']);
    });

    it('fires at once without `for`', () => {
      const r = go(policies(), [d(det(at(3)))]);
      assert.deepEqual(brief(r.out), ['r firing@3']);
    });
  });

  describe('resolve', () => {
    it('sends one resolved notification, with endsAt the time the condition cleared', () => {
      const r = go(policies(), [
        d(det(at(0))),
        d(det(at(10))),
        d(det(at(20), { active: false })),
        tick(at(30)),
        tick(at(90)),
        tick(at(600)),
      ]);
      assert.deepEqual(brief(r.out), ['r firing@0', 'r resolved@20']);
      const resolved = r.out[1];
      assert.equal(resolved?.endsAt, at(20));
      assert.equal(resolved?.startsAt, at(0));
      assert.equal(resolved?.value, 0, 'the resolution carries the last (inactive) detection');
      assert.deepEqual(r.state, { now: at(600), instances: {}, groups: {} });
    });

    it('sends no resolved notification with resolve: false', () => {
      const r = go(policies({ r: { resolve: false } }), [
        d(det(at(0))),
        d(det(at(10), { active: false })),
        tick(at(60)),
      ]);
      assert.deepEqual(brief(r.out), ['r firing@0']);
      assert.deepEqual(r.state.groups, {});
    });

    it('never sends a resolution for an alert it did not send', () => {
      const p = policies({ r: { group_by: [], group_wait: '5m' } });
      const r = go(p, [d(det(at(0))), d(det(at(2), { active: false })), tick(at(30))]);
      assert.deepEqual(r.out, []);
    });

    it('keep_firing_for holds the alert through a short gap and resolves after it', () => {
      const p = policies({ r: { keep_firing_for: '15m' } });
      const r = go(p, [
        d(det(at(0))),
        d(det(at(10), { active: false })),
        d(det(at(20))), // back within 15m: never resolved
        d(det(at(30), { active: false })),
        tick(at(44)),
        tick(at(46)),
      ]);
      assert.deepEqual(brief(r.out), ['r firing@0', 'r resolved@45']);
      assert.equal(r.out[1]?.endsAt, at(45));
    });
  });

  describe('repeat_interval', () => {
    it('re-notifies a condition active across 10 windows at the expected times only', () => {
      const p = policies({ r: { repeat_interval: '1h' } });
      const inputs = [];
      for (let k = 1; k <= 10; k++) inputs.push(d(det(at(10 * k))));
      inputs.push(d(det(at(110), { active: false })));
      const r = go(p, inputs);
      assert.deepEqual(brief(r.out), ['r firing@10', 'r firing@70', 'r resolved@110']);
      assert.deepEqual(
        r.out.map((a) => a.count),
        [1, 6, 4],
        'each notification counts the detections since the previous one',
      );
      assert.equal(r.out[1]?.startsAt, at(10), 'a repeat keeps the start of the alert');
      assert.equal(r.suppressed.filter((s) => s.reason === 'repeat').length, 9);
    });

    it('defaults to 4h', () => {
      const inputs = [];
      for (let k = 0; k <= 50; k++) inputs.push(d(det(at(10 * k))));
      const r = go(policies(), inputs);
      assert.deepEqual(brief(r.out), ['r firing@0', 'r firing@240', 'r firing@480']);
    });

    it('repeats on ticks too, when the rule evaluates rarely', () => {
      const p = policies({ r: { repeat_interval: '30m', group_interval: '10m' } });
      const r = go(p, [d(det(at(0))), tick(at(29)), tick(at(30)), tick(at(95))]);
      assert.deepEqual(brief(r.out), ['r firing@0', 'r firing@30', 'r firing@60', 'r firing@90']);
    });
  });

  describe('grouping', () => {
    const p = policies({ otp: { group_by: ['host.name'], group_wait: '30s' } });
    const user = (u: string, host = 'nps1') => ({ ruleId: 'otp', keyFields: { 'host.name': host, 'user.name': u } });

    it('sends one notification with count 3 for 3 users within group_wait', () => {
      const r = go(p, [
        d(det(T0, user('alice'))),
        d(det(T0 + 5 * SEC, user('bob'))),
        d(det(T0 + 10 * SEC, user('carol'))),
        d(det(T0 + 12 * SEC, user('dave', 'nps2'))),
        tick(T0 + 29 * SEC),
      ]);
      assert.deepEqual(r.out, [], 'nothing before group_wait');
      const r2 = go(p, [tick(T0 + 45 * SEC)], r.state);
      assert.equal(r2.out.length, 2);
      const [nps1, nps2] = r2.out;
      assert.equal(nps1?.key, 'nps1');
      assert.deepEqual(nps1?.keyFields, { 'host.name': 'nps1' });
      assert.equal(nps1?.count, 3);
      assert.equal(nps1?.time, T0 + 30 * SEC);
      assert.equal(nps1?.fingerprint, alertFingerprint('otp', 'nps1'));
      assert.match(nps1?.summary ?? '', /^3 otp alerts for nps1: /);
      assert.equal(nps2?.count, 1);
      assert.equal(nps2?.time, T0 + 42 * SEC);
      assert.deepEqual(reasons(r2.suppressed), ['grouped@0.5', 'grouped@0.5']);
    });

    it('adds a new member at the next group_interval, not at once', () => {
      const r = go(p, [
        d(det(T0, user('alice'))),
        tick(T0 + 30 * SEC),
        d(det(at(1), user('bob'))),
        tick(at(5)),
        tick(at(5, 30)),
      ]);
      assert.deepEqual(brief(r.out), ['otp[nps1] firing@0.5', 'otp[nps1] firing@5.5']);
      assert.equal(r.out[1]?.count, 2);
    });

    it('resolves the group only when its last member resolves', () => {
      const r = go(p, [
        d(det(T0, user('alice'))),
        d(det(T0, user('bob'))),
        tick(T0 + 30 * SEC),
        d(det(at(3), { ...user('alice'), active: false })),
        tick(at(10)),
        d(det(at(12), { ...user('bob'), active: false })),
        tick(at(20)),
      ]);
      assert.deepEqual(brief(r.out), ['otp[nps1] firing@0.5', 'otp[nps1] resolved@15.5']);
      assert.equal(r.out[1]?.endsAt, at(12));
    });

    it('group_by [] puts every alert of the rule in one group', () => {
      const r = go(policies({ otp: { group_by: [], group_wait: '1m' } }), [
        d(det(T0, user('alice', 'a'))),
        d(det(T0, user('bob', 'b'))),
        tick(at(1)),
      ]);
      assert.equal(r.out.length, 1);
      assert.equal(r.out[0]?.key, '');
      assert.equal(r.out[0]?.count, 2);
    });

    it('merges codes and samples across the group', () => {
      const ev = (time: number, code: string) =>
        ({
          time,
          kind: 'extension',
          format: 'npswatch',
          position: { file: 'x', line: 1 },
          category: 'non-error',
          severity: 'medium',
          outcome: 'failure',
          code,
        }) as const;
      const r = go(p, [
        d(det(T0, { ...user('alice'), codes: ['A', 'B'], sample: [ev(T0 - 2, 'A'), ev(T0 - 1, 'B')] })),
        d(det(T0, { ...user('bob'), codes: ['B'], sample: [ev(T0 - 3, 'B')], severity: 'high' })),
        tick(at(1)),
      ]);
      const [a] = r.out;
      assert.deepEqual(a?.codes, ['B', 'A']);
      assert.deepEqual(
        a?.sample.map((e) => e.time),
        [T0 - 2, T0 - 1],
      );
      assert.equal(a?.severity, 'high');
    });
  });

  describe('silences', () => {
    const silence = {
      matchers: { ruleId: 'r', keyFields: { 'user.name': 'alice' } },
      starts_at: new Date(T0).toISOString(),
      ends_at: new Date(at(60)).toISOString(),
      comment: 'alice is testing her token',
    };
    const p = policies({}, { silences: [silence] });
    const u = (name: string, time: number, active = true) => d(det(time, { keyFields: { 'user.name': name }, active }));

    it('keeps and counts a silenced alert, sends the others, and sends it once the silence ends', () => {
      const inputs = [];
      for (let m = 10; m <= 80; m += 10) inputs.push(u('alice', at(m)), u('bob', at(m)));
      const r = go(p, inputs);
      assert.deepEqual(brief(r.out), ['r[bob] firing@10', 'r[alice] firing@60']);
      assert.deepEqual(
        r.suppressed.filter((s) => s.reason === 'silenced').map((s) => s.fingerprint),
        [alertFingerprint('r', 'alice')],
        'counted once per silenced episode',
      );
      assert.equal(r.out[1]?.startsAt, at(10), 'the alert started while silenced');
      assert.equal(r.out[1]?.count, 6);
    });

    it('does not silence before starts_at', () => {
      const early = policies({}, { silences: [{ ...silence, starts_at: new Date(at(30)).toISOString() }] });
      const r = go(early, [u('alice', at(10)), u('alice', at(20))]);
      assert.deepEqual(brief(r.out), ['r[alice] firing@10']);
    });

    it('a silence by severity or rule id only matches those', () => {
      const bySeverity = policies(
        {},
        {
          silences: [
            { ...silence, matchers: { severity: ['low', 'info'] } },
            { ...silence, matchers: { ruleId: 'other' } },
          ],
        },
      );
      const r = go(bySeverity, [
        d(det(at(10), { keyFields: { 'user.name': 'x' }, severity: 'low' })),
        d(det(at(10), { keyFields: { 'user.name': 'y' }, severity: 'high' })),
      ]);
      assert.deepEqual(brief(r.out), ['r[y] firing@10']);
      assert.deepEqual(reasons(r.suppressed), ['silenced@10']);
    });

    it('still sends the resolution of an alert notified before the silence', () => {
      const later = policies({}, { silences: [{ ...silence, starts_at: new Date(at(15)).toISOString() }] });
      const r = go(later, [u('alice', at(10)), u('alice', at(20)), u('alice', at(30), false)]);
      assert.deepEqual(brief(r.out), ['r[alice] firing@10', 'r[alice] resolved@30']);
    });
  });

  describe('inhibition', () => {
    const p = policies(
      { otp: {}, 'server-silent': {} },
      {
        inhibit_rules: [{ source: { ruleId: 'server-silent' }, target: { ruleId: 'otp' }, equal: ['host.name'] }],
      },
    );
    const silent = (time: number, host: string, active = true) =>
      d(det(time, { ruleId: 'server-silent', ruleType: 'flatline', keyFields: { 'host.name': host }, active }));
    const otp = (time: number, user: string, host: string) =>
      d(det(time, { ruleId: 'otp', keyFields: { 'host.name': host, 'user.name': user } }));

    it('mutes per-user alerts of the silent host only, and stops after the host alert resolves', () => {
      const r = go(p, [
        silent(at(0), 'X'),
        otp(at(1), 'alice', 'X'),
        otp(at(1), 'bob', 'Y'),
        otp(at(11), 'alice', 'X'),
        silent(at(20), 'X', false),
        tick(at(30)),
      ]);
      assert.deepEqual(brief(r.out), [
        'server-silent[X] firing@0',
        'otp[Y|bob] firing@1',
        'server-silent[X] resolved@20',
        'otp[X|alice] firing@21',
      ]);
      assert.deepEqual(
        r.suppressed.filter((s) => s.reason === 'inhibited').map((s) => s.fingerprint),
        [alertFingerprint('otp', 'X|alice')],
      );
    });

    it('does not inhibit when the source does not name the field', () => {
      const r = go(p, [d(det(at(0), { ruleId: 'server-silent', keyFields: {} })), otp(at(1), 'alice', 'X')]);
      assert.deepEqual(brief(r.out), ['server-silent firing@0', 'otp[X|alice] firing@1']);
    });
  });

  describe('flap damping', () => {
    const toggles = (until: number) => {
      const inputs = [];
      for (let m = 0; m <= until; m += 10) inputs.push(d(det(at(m), { active: (m / 10) % 2 === 0 })));
      return inputs;
    };

    it('holds a flapping alert firing, says so, and resolves once stable for the window', () => {
      const p = policies({ r: { flap: { window: '1h', max_changes: 3 } } });
      const r = go(p, [...toggles(90), tick(at(149)), tick(at(150)), tick(at(200))]);
      assert.deepEqual(brief(r.out), ['r firing@0', 'r resolved@10', 'r firing@20', 'r firing@30', 'r resolved@150']);
      assert.deepEqual(
        r.out.map((a) => a.flapping),
        [false, false, false, true, false],
      );
      assert.match(r.out[3]?.summary ?? '', /^\[flapping\] /);
      assert.equal(r.out[4]?.endsAt, at(150));
      assert.ok(r.suppressed.some((s) => s.reason === 'flapping'));
      assert.deepEqual(r.state.instances, {});
    });

    it('without flap damping every change is sent', () => {
      const r = go(policies(), toggles(90));
      assert.equal(r.out.length, 10);
    });

    it('an alert that settles firing stops being flagged', () => {
      const p = policies({ r: { flap: { window: '1h', max_changes: 3 }, repeat_interval: '1h' } });
      const inputs = [...toggles(40)];
      for (let m = 50; m <= 200; m += 10) inputs.push(d(det(at(m))));
      const r = go(p, inputs);
      assert.deepEqual(brief(r.out), [
        'r firing@0',
        'r resolved@10',
        'r firing@20',
        'r firing@30',
        'r firing@90',
        'r firing@150',
      ]);
      assert.deepEqual(
        r.out.map((a) => a.flapping),
        [false, false, false, true, true, false],
      );
    });
  });

  describe('step function', () => {
    it('does not modify the state it is given', () => {
      const s0 = emptyNotifyState();
      const r1 = notifyStep(s0, d(det(at(0))), policies());
      assert.deepEqual(s0, emptyNotifyState());
      const frozen = JSON.stringify(r1.state);
      notifyStep(r1.state, d(det(at(10), { active: false })), policies());
      assert.equal(JSON.stringify(r1.state), frozen);
    });

    it('uses policy defaults for rules it does not know', () => {
      const r = go(policies({ other: { for: '1h' } }), [d(det(at(0), { ruleId: 'unknown' }))]);
      assert.deepEqual(brief(r.out), ['unknown firing@0']);
    });

    it('drains group buffers at the time they were due', () => {
      const p = policies({ r: { group_by: [], group_wait: '10m' } });
      const r = go(p, [d(det(at(0)))]);
      assert.deepEqual(r.out, []);
      const drained = notifyDrain(r.state, p);
      assert.deepEqual(brief(drained.out), ['r firing@10']);
    });

    it('rejects a non-finite time', () => {
      assert.throws(() => notifyStep(emptyNotifyState(), tick(Number.NaN), policies()), /not a finite epoch ms/);
    });

    it('runs a long quiet gap without stepping through every group_interval', () => {
      const p = policies({ r: { repeat_interval: '1d', group_interval: '1s' } });
      const r = go(p, [d(det(at(0))), tick(T0 + 365 * 24 * HOUR)]);
      assert.equal(r.out.length, 366);
      assert.equal(r.out.at(-1)?.time, T0 + 365 * 24 * HOUR);
      assert.ok(r.out.every((a, i) => a.time === T0 + i * 24 * HOUR));
    });
  });
});
