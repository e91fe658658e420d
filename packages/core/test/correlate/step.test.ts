import assert from 'node:assert/strict';
import type { ClassifiedEvent } from '../../src/classify/types.js';
import { hostKey } from '../../src/correlate/match.js';
import {
  correlateHoldback,
  correlateSize,
  correlateStateFromJSON,
  correlateStateToJSON,
  correlateStep,
  initCorrelate,
  resolveCorrelateOptions,
} from '../../src/correlate/step.js';
import { type EngineInput, isTick, tick } from '../../src/stream/input.js';
import { makeEvent } from '../../src/testing/events.js';
import { recordsOf, requestOf, runCorrelate, SEC, spec, stationOf, T0, where } from './helpers.js';

const extensions = (out: readonly ClassifiedEvent[]) => out.filter((e) => e.kind === 'extension');
/** Each extension event's request number → the request whose Calling-Station-Id it was given. */
const pairing = (out: readonly ClassifiedEvent[]) =>
  Object.fromEntries(extensions(out).map((e) => [requestOf(e), e.radius?.callingStationId]));
const expected = (ns: readonly number[]) => Object.fromEntries(ns.map((n) => [n, stationOf(n)]));

describe('correlate: matching', () => {
  it('joins generated requests across three logs with clock skew, whole-second IAS times and MFA waits', () => {
    const specs = Array.from({ length: 40 }, (_, n) =>
      spec(n, T0 + n * 7 * SEC + (n % 4) * 137, `user${n % 9}`, {
        server: n % 2,
        outcome: n % 3 === 0 ? 'success' : 'failure',
        securitySkew: 1800,
        accountingSkew: -2300,
        wait: (n % 5) * 9 * SEC,
      }),
    );
    const { out } = runCorrelate(recordsOf(specs));
    assert.equal(out.length, 40 * 4);
    assert.deepEqual(pairing(out), expected(specs.map((s) => s.n)));
    for (const e of extensions(out)) assert.equal(e.correlation?.matched, 'both');
    for (const e of out.filter((x) => x.kind !== 'extension')) assert.equal(e.correlation?.matched, 'extension');
  });

  it('keeps two users in the same second apart', () => {
    const specs = [spec(1, T0, 'alice'), spec(2, T0, 'bob'), spec(3, T0 + 400, 'carol', { server: 1 })];
    const { out } = runCorrelate(recordsOf(specs));
    assert.deepEqual(pairing(out), expected([1, 2, 3]));
  });

  it('pairs duplicate user names in the same second in order, even with skew larger than their spacing', () => {
    // Earlier unambiguous requests teach the offset between the logs (1.5 s and -1.2 s here).
    const warm = Array.from({ length: 6 }, (_, n) =>
      spec(n, T0 + n * 20 * SEC, `w${n}`, { securitySkew: 1500, accountingSkew: -1200 }),
    );
    const dup = [0, 1, 2].map((i) =>
      spec(10 + i, T0 + 200 * SEC + i * 300, 'jdoe', { securitySkew: 1500, accountingSkew: -1200 }),
    );
    const { out } = runCorrelate(recordsOf([...warm, ...dup]));
    assert.deepEqual(pairing(out), expected([...warm, ...dup].map((s) => s.n)));
    // The security partners too: each 6273 names its own extension event.
    for (const e of out.filter((x) => x.kind === 'security')) {
      const ext = e.correlation!.partners.find((p) => p.kind === 'extension')!;
      const partner = out.find((x) => x.position.file === ext.file && x.position.line === ext.line)!;
      assert.equal(e.radius?.callingStationId, stationOf(requestOf(partner)!));
    }
  });

  it('emits records whose partners are missing, flagged', () => {
    const specs = [
      spec(1, T0, 'a', { accounting: false }),
      spec(2, T0 + 60 * SEC, 'b', { security: false }),
      spec(3, T0 + 120 * SEC, 'c', { security: false, accounting: false }),
      spec(4, T0 + 180 * SEC, 'd', { ext: false }),
      spec(5, T0 + 240 * SEC, 'e', { ext: false, accounting: false }),
      spec(6, T0 + 300 * SEC, 'f', { ext: false, security: false }),
    ];
    const { out } = runCorrelate(recordsOf(specs));
    const flags = out.map((e) => `${where(e)} ${e.kind} ${e.correlation?.matched} ${e.correlation?.role}`);
    assert.deepEqual(flags, [
      'AuthZOptCh.evtx:1 extension security anchor',
      'Security.evtx:1 security extension partner',
      'AuthZOptCh.evtx:2 extension accounting anchor',
      'IN2409.log:1 accounting extension partner',
      'IN2409.log:2 accounting extension partner',
      'AuthZOptCh.evtx:3 extension none anchor',
      // No extension event: the earlier NPS decision reports the request.
      'Security.evtx:2 security accounting anchor',
      'IN2409.log:3 accounting both partner',
      'IN2409.log:4 accounting both partner',
      'Security.evtx:3 security none anchor',
      'IN2409.log:6 accounting accounting anchor',
      'IN2409.log:5 accounting accounting partner',
    ]);
  });

  it('never guesses a redacted user between two candidates, and takes the only one', () => {
    const base = recordsOf([spec(1, T0, 'alice', { ext: false }), spec(2, T0 + 1000, 'bob', { ext: false })]);
    const redacted = (line: number, time: number): ClassifiedEvent =>
      makeEvent({
        time,
        kind: 'extension',
        host: 'NPS01.contoso.com',
        position: { file: 'x.evtx', line },
        user: { raw: '<USERNAME>', name: '<USERNAME>', redacted: true },
      });
    const ambiguous = runCorrelate([redacted(1, T0 + 500), ...base].sort((a, b) => a.time - b.time)).out;
    assert.equal(ambiguous.find((e) => e.kind === 'extension')?.correlation?.matched, 'none');
    const alone = recordsOf([spec(1, T0, 'alice', { ext: false })]);
    const single = runCorrelate([redacted(1, T0 + 100), ...alone].sort((a, b) => a.time - b.time)).out;
    assert.equal(single.find((e) => e.kind === 'extension')?.correlation?.matched, 'both');
  });

  it('matches only within the tolerance, on the same server, with a compatible outcome', () => {
    const far = runCorrelate(recordsOf([spec(1, T0, 'a', { securitySkew: 6000, accounting: false })])).out;
    assert.equal(far.find((e) => e.kind === 'extension')?.correlation?.matched, 'none');
    const wide = runCorrelate(recordsOf([spec(1, T0, 'a', { securitySkew: 6000, accounting: false })]), {
      tolerance: 7000,
    }).out;
    assert.equal(wide.find((e) => e.kind === 'extension')?.correlation?.matched, 'security');
    // Same user at the same moment on another server, and an accept next to a reject: neither is a partner.
    const [ext] = recordsOf([spec(1, T0, 'a', { security: false, accounting: false })]);
    const [other] = recordsOf([spec(2, T0, 'a', { ext: false, accounting: false, server: 1 })]);
    const [granted] = recordsOf([spec(3, T0, 'a', { ext: false, accounting: false, outcome: 'success' })]);
    const out = runCorrelate([ext!, other!, granted!]).out;
    assert.equal(out.find((e) => e.kind === 'extension')?.correlation?.matched, 'none');
  });

  it('pairs a challenge line only with an accounting Access-Challenge', () => {
    const ext = makeEvent({
      time: T0,
      kind: 'extension',
      code: 'CHALLENGE_REQUESTED',
      outcome: 'unknown',
      host: 'NPS01',
      position: { file: 'authz', line: 1 },
      user: { raw: 'a', name: 'a', redacted: false },
    });
    const nps = (line: number, kind: 'security' | 'accounting', fields: Partial<ClassifiedEvent>) =>
      makeEvent({
        time: T0 + 100 * line,
        kind,
        host: 'NPS01',
        position: { file: kind, line },
        user: { raw: 'a', name: 'a', redacted: false },
        ...fields,
      });
    const granted = nps(1, 'security', { eventId: 6272, outcome: 'success' });
    const challenge = nps(2, 'accounting', { outcome: 'unknown', radius: { packetType: 11 } });
    const out = runCorrelate([ext, granted, challenge]).out;
    const anchor = out.find((e) => e.kind === 'extension')!;
    assert.equal(anchor.correlation?.matched, 'accounting');
    assert.deepEqual(
      anchor.correlation?.partners.map((p) => p.file),
      ['accounting'],
    );
  });

  it('prefers a shared Account-Session-Id over time', () => {
    const user = { raw: 'a', name: 'a', redacted: false };
    const at = (file: string, line: number, dt: number, kind: 'security' | 'accounting', sid: string) =>
      makeEvent({
        time: T0 + dt,
        kind,
        eventId: kind === 'security' ? 6273 : undefined,
        host: 'nps01',
        user,
        position: { file, line },
        radius: kind === 'security' ? { accountSessionId: sid } : { accountSessionId: sid, packetType: 3 },
      });
    const ext = makeEvent({ time: T0, kind: 'extension', host: 'nps01', user, position: { file: 'e', line: 1 } });
    const out = runCorrelate([
      ext,
      at('sec', 1, 100, 'security', 'S2'),
      at('acct', 1, 50, 'accounting', 'S1'),
      at('acct', 2, 900, 'accounting', 'S2'),
    ]).out;
    const anchor = out.find((e) => e.kind === 'extension')!;
    assert.deepEqual(
      anchor.correlation?.partners.map((p) => `${p.file}:${p.line}`),
      ['sec:1', 'acct:2'],
    );
  });

  it('passes other records through untouched, in time order', () => {
    const discard = makeEvent({ time: T0 + 2, kind: 'security', eventId: 6274, position: { file: 's', line: 1 } });
    const system = makeEvent({ time: T0 + 1, kind: 'system', position: { file: 's', line: 2 } });
    const config = makeEvent({
      time: T0,
      kind: 'extension',
      code: 'REGISTRY_CONFIG_ERROR',
      position: { file: 'e', line: 1 },
    });
    const out = runCorrelate([discard, config, system]).out;
    assert.deepEqual(out, [config, system, discard]);
  });

  it('gives the same output when records arrive out of order within the lateness', () => {
    const events = recordsOf(Array.from({ length: 12 }, (_, n) => spec(n, T0 + n * 1500, `u${n % 4}`)));
    const inOrder = runCorrelate(events).out;
    // Reverse within groups of four: every record is at most 4.5 s older than the newest before it (lateness 5 s).
    const shuffled = events.map((_, i) => events[Math.floor(i / 4) * 4 + 3 - (i % 4)] ?? events[i]!);
    assert.deepEqual(runCorrelate(shuffled).out, inOrder);
  });

  it('flags records that arrive after their partners were decided as late', () => {
    const [ext, sec] = recordsOf([spec(1, T0, 'a', { accounting: false })]);
    const later = makeEvent({ time: T0 + 60 * SEC, kind: 'system', position: { file: 'z', line: 1 } });
    const out = runCorrelate([ext!, later, sec!]).out;
    assert.deepEqual(
      out.map((e) => `${e.kind} ${e.correlation?.matched}`),
      ['extension none', 'security late', 'system undefined'],
    );
  });
});

describe('correlate: time, ticks and state', () => {
  it('holds a record until the watermark passes its time + tolerance, then releases it', () => {
    const [ext] = recordsOf([spec(1, T0, 'a', { security: false, accounting: false })]);
    let s = correlateStep({}, initCorrelate(), ext!);
    assert.deepEqual(s.out, []);
    // Watermark = newest − lateness (5 s); the extension event is decided once it passes T0 + 5 s.
    s = correlateStep({}, s.state, tick(T0 + 10 * SEC));
    assert.deepEqual(
      s.out.filter((o) => !isTick(o)),
      [],
    );
    s = correlateStep({}, s.state, tick(T0 + 10 * SEC + 1));
    assert.deepEqual(
      s.out.filter((o) => !isTick(o)).map((e) => where(e as ClassifiedEvent)),
      ['AuthZOptCh.evtx:1'],
    );
    assert.equal(correlateSize(s.state), 0);
  });

  it('forwards plain ticks behind the records it may still emit, and final ticks after releasing up to them', () => {
    const holdback = correlateHoldback();
    assert.equal(holdback, 75 * SEC);
    const [ext, sec] = recordsOf([spec(1, T0, 'a', { accounting: false })]);
    let s = correlateStep({}, initCorrelate(), ext!);
    s = correlateStep({}, s.state, tick(T0 + 100 * SEC));
    assert.deepEqual(s.out.at(-1), tick(T0 + 100 * SEC - 5 * SEC - holdback - 1));
    s = correlateStep({}, s.state, sec!);
    assert.equal((s.out[0] as ClassifiedEvent).correlation?.matched, 'late');
    const fresh = correlateStep({}, correlateStep({}, initCorrelate(), ext!).state, sec!);
    const final = correlateStep({}, fresh.state, tick(T0 + SEC, true));
    assert.deepEqual(
      final.out.map((o) => (isTick(o) ? `tick ${o.final}` : where(o))),
      ['AuthZOptCh.evtx:1', 'Security.evtx:1', 'tick true'],
    );
  });

  it('saves and restores its state as JSON mid-stream without changing the output', () => {
    const events: EngineInput[] = recordsOf(
      Array.from({ length: 20 }, (_, n) => spec(n, T0 + n * 2500, `u${n % 3}`, { wait: (n % 4) * 10 * SEC })),
    );
    const whole = runCorrelate(events).out;
    let state = initCorrelate();
    const out: ClassifiedEvent[] = [];
    for (const input of events) {
      const r = correlateStep({}, state, input);
      for (const o of r.out) if (!isTick(o)) out.push(o);
      state = correlateStateFromJSON({}, JSON.parse(JSON.stringify(correlateStateToJSON(r.state))));
    }
    const rest = runCorrelate([], {}, undefined, state);
    assert.deepEqual([...out, ...rest.out], whole);
  });

  it('caps what it holds at maxHeld, deciding early and counting it', () => {
    const events = recordsOf(Array.from({ length: 50 }, (_, n) => spec(n, T0 + n * 100, `u${n}`)));
    let max = 0;
    const { out, state } = runCorrelate(events, { maxHeld: 10 }, (s) => {
      max = Math.max(max, correlateSize(s));
    });
    assert.ok(max <= 10, `held ${max}`);
    assert.equal(out.length, events.length);
    assert.ok(state.totals.forced > 0);
  });

  it('rejects impossible options', () => {
    assert.throws(() => resolveCorrelateOptions({ tolerance: -1 }), RangeError);
    assert.throws(() => resolveCorrelateOptions({ maxHeld: 0 }), RangeError);
    assert.throws(() => resolveCorrelateOptions({ requestWindow: Number.NaN }), RangeError);
    assert.deepEqual(resolveCorrelateOptions({ tolerance: 2000 }), {
      tolerance: 2000,
      lateness: 2000,
      requestWindow: 60_000,
      maxHeld: 200_000,
    });
  });

  it('normalises server names', () => {
    assert.equal(hostKey('NPS01.contoso.com'), 'nps01');
    assert.equal(hostKey('nps01'), 'nps01');
    assert.equal(hostKey(' 10.0.0.5 '), '10.0.0.5');
    assert.equal(hostKey('fe80::1'), 'fe80::1');
    assert.equal(hostKey('-'), '');
    assert.equal(hostKey(undefined), '');
  });
});
