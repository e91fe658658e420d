import assert from 'node:assert/strict';
import type { ClassifiedEvent } from '../../src/classify/types.js';
import type { Detection } from '../../src/rules/types.js';
import { createEngine, type EngineStateJSON } from '../../src/stream/engine.js';
import type { EngineInput } from '../../src/stream/input.js';
import { makeEvent } from '../../src/testing/events.js';
import { at, briefs, ev, final, heartbeat, MIN, rule, run, T0, userEv } from '../rules/helpers.js';
import { MIXED, toEvents } from './scenario.js';

const counting = { id: 'count', type: 'threshold', window: '10m', count: 1 } as const;

/** A deterministic busy stream for the restart tests: every host, user and code, some gaps. */
function busyStream(): ClassifiedEvent[] {
  const specs = Array.from({ length: 400 }, (_, i) => ({
    second: (i * 37) % 7_200,
    host: ['h1', 'h2', 'h3'][i % 3]!,
    user: ['u1', 'u2', 'u3', 'u4'][(i * 7) % 4]!,
    code: ['A', 'B', 'X', 'ACCESS_ACCEPTED'][(i * 5) % 4]!,
    failure: i % 3 !== 0,
  })).filter((s) => s.second < 2_000 || s.second > 3_500);
  return toEvents(specs);
}

describe('detection engine', () => {
  it('sorts each step’s detections by time, rule id and key', () => {
    const rules = [
      { id: 'z', type: 'threshold', window: '10m', count: 1, group_by: ['host'] },
      { id: 'a', type: 'threshold', window: '5m', count: 1, group_by: ['host'] },
    ] as const;
    const r = run(rules, [ev(1, { host: 'n2' }), ev(2, { host: 'n1' }), final(10)]);
    assert.deepEqual(briefs(r.out), ['a +n1@5=1', 'a +n2@5=1', 'a -n1@10=0', 'a -n2@10=0', 'z +n1@10=1', 'z +n2@10=1']);
  });

  it('reports late events once, only when a rule would have used them, and counts them', () => {
    const engine = createEngine([rule(counting), rule({ id: 'x', type: 'any', filter: { code: 'X' } })], {
      allowedLateness: MIN,
    });
    let s = engine.init();
    s = engine.step(s, ev(10)).state;
    const late = engine.step(s, ev(5));
    assert.deepEqual(
      late.late.map((e) => e.time),
      [at(5)],
    );
    assert.deepEqual(late.counts, { events: 1, ticks: 0, late: 1, evicted: 0, detections: 0 });
    // An event no rule accepts is not late for anyone.
    const onlyX = createEngine([rule({ id: 'x', type: 'any', filter: { code: 'X' } })], { allowedLateness: 0 });
    const r = onlyX.run(onlyX.init(), [ev(10), ev(5), ev(4, { code: 'X' })]);
    assert.deepEqual(
      r.late.map((e) => e.time),
      [at(4)],
    );
    assert.equal(r.state.totals.late, 1);
    assert.equal(r.state.totals.events, 3);
  });

  it('reports events with an unusable time as late instead of losing them', () => {
    const bad = makeEvent({ time: Number.NaN });
    const r = run(counting, [ev(0), bad, final(20)]);
    assert.deepEqual(r.late, [bad]);
    assert.deepEqual(briefs(r.out), ['count +@10=1', 'count -@20=0']);
  });

  it('uses the rule’s own allowed_lateness over the engine default', () => {
    const r = run([counting, { ...counting, id: 'patient', allowed_lateness: '10m' }], [ev(10), ev(5)], {
      allowedLateness: MIN,
    });
    // 5 is late for `count` (watermark 9) but on time for `patient` (watermark 0).
    assert.equal(r.late.length, 1);
    assert.deepEqual(r.engine.watermarks(r.state), { count: at(9), patient: at(0) });
  });

  it('advances time with plain ticks (minus lateness) and final ticks (just past their time)', () => {
    const engine = createEngine([rule(counting)], { allowedLateness: 5 * MIN });
    let s = engine.step(engine.init(), ev(1)).state;
    // Watermark 16 - 5 = 11: past the end of [0, 10).
    const plain = engine.step(s, heartbeat(16));
    assert.deepEqual(briefs(plain.out), ['count +@10=1']);
    s = plain.state;
    assert.deepEqual(briefs(engine.step(s, heartbeat(25)).out), []);
    assert.deepEqual(briefs(engine.step(s, final(20)).out), ['count -@20=0']);
    const after = engine.step(engine.step(s, final(20)).state, ev(20));
    assert.equal(after.late.length, 1, 'an event at the final tick’s time is late after it');
  });

  it('is pure: a state can be stepped twice with the same result', () => {
    const engine = createEngine(MIXED.map(rule), { allowedLateness: MIN });
    const events = busyStream();
    const half = engine.run(engine.init(), events.slice(0, 200)).state;
    const rest: EngineInput[] = [...events.slice(200), { type: 'tick', time: T0 + 3 * 3_600_000, final: true }];
    const once = engine.run(half, rest);
    const twice = engine.run(half, rest);
    assert.deepEqual(twice.out, once.out);
    assert.deepEqual(engine.toJSON(twice.state), engine.toJSON(once.state));
    const full = engine.run(engine.init(), [...events.slice(0, 200), ...rest]);
    assert.deepEqual(full.out.slice(-once.out.length), once.out);
    assert.equal(new Set(full.out.map((d) => d.ruleType)).size, 8, 'the scenario should exercise every rule type');
  });

  it('restarts from a serialised state mid-window with exactly the output of an uninterrupted run', () => {
    const engine = createEngine(MIXED.map(rule), { allowedLateness: 2 * MIN });
    const inputs: EngineInput[] = [...busyStream(), { type: 'tick', time: T0 + 3 * 3_600_000, final: true }];
    const whole = engine.run(engine.init(), inputs);
    for (const cut of [1, 57, 123, 250, 311]) {
      const first = engine.run(engine.init(), inputs.slice(0, cut));
      const saved = JSON.parse(JSON.stringify(engine.toJSON(first.state))) as EngineStateJSON;
      // A new engine instance, as after a process restart.
      const restarted = createEngine(MIXED.map(rule), { allowedLateness: 2 * MIN });
      const { state, reset } = restarted.fromJSON(saved);
      assert.deepEqual(reset, []);
      const second = restarted.run(state, inputs.slice(cut));
      assert.deepEqual([...first.out, ...second.out], whole.out, `cut at ${cut}`);
      assert.deepEqual([...first.late, ...second.late], whole.late);
      assert.deepEqual(second.state.totals, whole.state.totals);
    }
  });

  it('starts a rule fresh when its options changed, and keeps the others', () => {
    const before = createEngine([rule(counting), rule({ id: 'other', type: 'any' })]);
    const saved = before.toJSON(before.run(before.init(), [ev(0), ev(1)]).state);
    const after = createEngine([rule({ ...counting, count: 2 }), rule({ id: 'other', type: 'any', severity: 'high' })]);
    const { reset } = after.fromJSON(JSON.parse(JSON.stringify(saved)));
    // Severity is cosmetic: `other` resumes; `count` changed what it detects.
    assert.deepEqual(reset, ['count']);
  });

  it('rejects foreign state files and resets unreadable rule states', () => {
    const engine = createEngine([rule(counting)]);
    assert.throws(() => engine.fromJSON({ version: 2 }), TypeError);
    assert.throws(() => engine.fromJSON('nope'), TypeError);
    const saved = engine.toJSON(engine.init());
    const broken = {
      ...saved,
      rules: { count: { fingerprint: saved.rules.count!.fingerprint, state: { keys: 'x' } } },
    };
    assert.deepEqual(engine.fromJSON(broken).reset, ['count']);
  });

  it('keeps running totals in the state', () => {
    const r = run(counting, [ev(0), ev(1), heartbeat(30)]);
    assert.deepEqual(r.state.totals, { events: 2, ticks: 1, late: 0, evicted: 0, detections: 2 });
  });

  it('rejects duplicate rule ids and negative lateness', () => {
    assert.throws(() => createEngine([rule(counting), rule(counting)]), /duplicate rule id/);
    assert.throws(() => createEngine([rule(counting)], { allowedLateness: -1 }), RangeError);
  });

  it('skips disabled rules', () => {
    const r = run({ ...counting, enabled: false }, [ev(0), final(30)]);
    assert.deepEqual(r.out, []);
    assert.deepEqual(r.engine.rules, []);
  });

  it('gives every detection the rule’s severity and type', () => {
    const r = run({ ...counting, severity: 'critical' }, [userEv(0, 'a'), final(10)]);
    const d: Detection = r.out[0]!;
    assert.equal(d.severity, 'critical');
    assert.equal(d.ruleType, 'threshold');
  });
});
