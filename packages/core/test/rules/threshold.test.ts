import assert from 'node:assert/strict';
import { at, briefs, ev, final, heartbeat, MIN, OTP_RULE, run, userEv } from './helpers.js';

describe('threshold rule', () => {
  it('alerts once per closed window that reaches the count, then resolves on the next window', () => {
    const r = run(OTP_RULE, [userEv(0, 'alice'), userEv(1, 'alice'), userEv(2, 'alice'), final(30)]);
    assert.deepEqual(briefs(r.out), ['otp +alice@10=3', 'otp -alice@20=0']);
    const d = r.out[0]!;
    assert.equal(d.windowStart, at(0));
    assert.equal(d.windowEnd, at(10));
    assert.equal(d.threshold, 3);
    assert.equal(d.ruleType, 'threshold');
    assert.deepEqual(d.keyFields, { 'npswatch.user.key': 'alice' });
    assert.equal(d.sample.length, 3);
    assert.match(d.summary, /3 matching events for npswatch\.user\.key=alice in 10m/);
  });

  it('puts an event exactly at the window end into the next window', () => {
    const r = run(OTP_RULE, [userEv(1, 'alice'), userEv(5, 'alice'), userEv(10, 'alice'), final(40)]);
    assert.deepEqual(briefs(r.out), []);
  });

  it('closes a window only when the watermark passes its end, in the same step', () => {
    const engine = run(OTP_RULE, []).engine;
    let s = engine.init();
    for (const e of [userEv(0, 'alice'), userEv(1, 'alice'), userEv(2, 'alice'), userEv(10, 'bob')])
      s = engine.step(s, e).state;
    // Watermark = 10 = the window end: not passed yet.
    const passing = engine.step(s, userEv(10.001, 'bob'));
    assert.deepEqual(briefs(passing.out), ['otp +alice@10=3']);
  });

  it('keeps separate counts per key and ignores events without the group field', () => {
    const r = run(OTP_RULE, [
      userEv(0, 'alice'),
      userEv(1, 'bob'),
      userEv(2, 'alice'),
      ev(3),
      ev(4),
      userEv(5, 'alice'),
      final(10),
    ]);
    assert.deepEqual(briefs(r.out), ['otp +alice@10=3']);
    assert.deepEqual(r.late, []);
  });

  it('slides by step: a burst across a tumbling edge is still caught', () => {
    const sliding = { ...OTP_RULE, step: '5m' };
    const inputs = [userEv(7, 'alice'), userEv(8, 'alice'), userEv(12, 'alice'), final(30)];
    assert.deepEqual(briefs(run(OTP_RULE, inputs).out), []);
    assert.deepEqual(briefs(run(sliding, inputs).out), ['otp +alice@15=3', 'otp -alice@20=1']);
  });

  it('stays active for every window that holds (no reset after a match), one inactive after', () => {
    const inputs = [...Array.from({ length: 9 }, (_, i) => userEv(i * 3, 'alice')), final(40)];
    assert.deepEqual(briefs(run(OTP_RULE, inputs).out), ['otp +alice@10=4', 'otp +alice@20=3', 'otp -alice@30=2']);
  });

  it('applies out-of-order events within the allowed lateness and reports older ones as late', () => {
    const late = userEv(7, 'alice');
    const inputs = [
      userEv(8, 'alice'),
      userEv(11, 'alice'),
      userEv(9, 'alice'),
      userEv(9.5, 'alice'),
      userEv(12.5, 'bob'),
      late,
      final(30),
    ];
    const r = run(OTP_RULE, inputs, { allowedLateness: 2 * MIN });
    // 9 arrived after 11 but within 2m: it counts. 7 arrived when the watermark was 10.5: late.
    assert.deepEqual(briefs(r.out), ['otp +alice@10=3', 'otp -alice@20=1']);
    assert.deepEqual(r.late, [late]);
  });

  it('emits nothing for empty windows and forgets keys once their windows closed', () => {
    const r = run(OTP_RULE, [userEv(0, 'alice'), heartbeat(100)]);
    assert.deepEqual(briefs(r.out), []);
    assert.deepEqual(r.engine.sizes(r.state), { otp: 0 });
  });

  it('applies the filter before counting', () => {
    const rule = { ...OTP_RULE, filter: { code: { in: ['OathCodeIncorrect', 'SMSAuthFailedWrongCodeEntered'] } } };
    const inputs = [
      userEv(0, 'alice', { code: 'OathCodeIncorrect' }),
      userEv(1, 'alice', { code: 'ACCESS_ACCEPTED' }),
      userEv(2, 'alice', { code: 'SMSAuthFailedWrongCodeEntered' }),
      userEv(3, 'alice', { code: 'OathCodeIncorrect' }),
      final(10),
    ];
    const [d] = run(rule, inputs).out;
    assert.equal(d?.value, 3);
    assert.deepEqual(d?.codes, ['OathCodeIncorrect', 'SMSAuthFailedWrongCodeEntered']);
  });

  it('groups by compound keys and by the first present of alternatives', () => {
    const compound = { ...OTP_RULE, group_by: ['host', 'user'], count: 2 };
    const a = run(compound, [
      userEv(0, 'al|ice', { host: 'n1' }),
      userEv(1, 'al|ice', { host: 'n1' }),
      userEv(2, 'al|ice', { host: 'n2' }),
      final(10),
    ]);
    assert.deepEqual(briefs(a.out), ['otp +n1|al\\|ice@10=2']);
    assert.deepEqual(a.out[0]?.keyFields, { 'host.name': 'n1', 'npswatch.user.key': 'al|ice' });
    const either = { ...OTP_RULE, group_by: [['client_ip', 'nas']], count: 2 };
    const b = run(either, [
      ev(0, { radius: { clientIp: '10.0.0.1' } }),
      ev(1, { radius: { nasIdentifier: 'VPN1' } }),
      ev(2, { radius: { clientIp: '10.0.0.1', nasIdentifier: 'VPN1' } }),
      final(10),
    ]);
    assert.deepEqual(briefs(b.out), ['otp +10.0.0.1@10=2']);
  });

  it('caps the sample at sample_size, newest last', () => {
    const inputs = [...Array.from({ length: 8 }, (_, i) => userEv(i, 'alice')), final(10)];
    const [d] = run({ ...OTP_RULE, sample_size: 2 }, inputs).out;
    assert.deepEqual(
      d?.sample.map((e) => e.time),
      [at(6), at(7)],
    );
  });

  it('evicts least recently seen keys past max_keys and counts them', () => {
    const inputs = [userEv(0, 'a'), userEv(1, 'b'), userEv(2, 'c'), userEv(3, 'd')];
    const r = run({ ...OTP_RULE, max_keys: 2 }, inputs);
    assert.ok(r.engine.sizes(r.state).otp! <= 2);
    assert.ok(r.state.totals.evicted >= 2);
  });
});
