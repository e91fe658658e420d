import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { NotifyAlert } from '../../src/notify/types.js';
import { MIN, run, runChunked, settle, tick } from './helpers.js';
import { detectionsOf, MIXED, stepArb, withTicks } from './scenario.js';

const steps = fc.array(stepArb, { minLength: 1, maxLength: 40 });
const ticks = fc.array(fc.tuple(fc.nat(), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 15 });

function lastTime(inputs: ReturnType<typeof detectionsOf>['inputs'], extra = 0): number {
  const last = inputs.at(-1);
  const t = last === undefined ? 0 : last.type === 'tick' ? last.time : last.detection.time;
  return t + extra;
}

describe('notify policy properties', () => {
  it('gives the same output however the input is chunked, across JSON state round trips', () => {
    fc.assert(
      fc.property(steps, fc.array(fc.nat({ max: 400 }), { maxLength: 6 }), (s, cuts) => {
        const { inputs } = detectionsOf(s);
        const whole = run(MIXED, inputs);
        const chunked = runChunked(MIXED, inputs, cuts);
        assert.deepStrictEqual(chunked.out, whole.out);
        assert.deepStrictEqual(chunked.suppressed, whole.suppressed);
        assert.deepStrictEqual(chunked.state, JSON.parse(JSON.stringify(whole.state)));
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same output with any extra watermark ticks', () => {
    fc.assert(
      fc.property(steps, ticks, (s, t) => {
        const { inputs } = detectionsOf(s);
        const end = tick(lastTime(inputs, 3 * 60 * MIN));
        const plain = run(MIXED, [...inputs, end]);
        const ticked = run(MIXED, [...withTicks(inputs, t), end]);
        assert.deepStrictEqual(ticked.out, plain.out);
        assert.deepStrictEqual(ticked.suppressed, plain.suppressed);
      }),
      { numRuns: 150 },
    );
  });

  it('never sends the same (fingerprint, time, status) twice, in time order, resolving only what was sent', () => {
    fc.assert(
      fc.property(steps, ticks, (s, t) => {
        const { inputs } = detectionsOf(s);
        const { out } = run(MIXED, [...withTicks(inputs, t), tick(lastTime(inputs, 5 * 60 * MIN))]);
        const seen = new Set<string>();
        const open = new Map<string, boolean>();
        let previous = Number.NEGATIVE_INFINITY;
        for (const a of out) {
          const id = `${a.fingerprint}|${a.time}|${a.status}`;
          assert.ok(!seen.has(id), `duplicate ${id}`);
          seen.add(id);
          assert.ok(a.time >= previous, 'alerts are in event-time order');
          previous = a.time;
          if (a.status === 'resolved') {
            assert.equal(open.get(a.fingerprint), true, `resolved without firing: ${a.fingerprint}`);
            assert.ok(a.endsAt !== undefined && a.endsAt <= a.time && a.startsAt <= a.endsAt);
          }
          assert.ok(a.count >= 1);
          open.set(a.fingerprint, a.status === 'firing');
        }
        // Alert ids are unique too: they hash (fingerprint, status, time).
        assert.equal(new Set(out.map((a: NotifyAlert) => a.id)).size, out.length);
      }),
      { numRuns: 150 },
    );
  });

  it('sends no per-user alert for a host while server-silent is firing for it', () => {
    fc.assert(
      fc.property(steps, fc.boolean(), (s, watermarks) => {
        const { inputs } = detectionsOf(s);
        const { out } = run(MIXED, [...(watermarks ? settle(inputs) : inputs), tick(lastTime(inputs, 60 * MIN))]);
        // Oracle: server-silent (for 4m, nothing else) fires at the first active evaluation 4m after the condition
        // started and stops at the next inactive one.
        const down: { host: string; from: number; to: number }[] = [];
        const since = new Map<string, number>();
        const firing = new Map<string, number>();
        for (const input of inputs) {
          if (input.type !== 'detection' || input.detection.ruleId !== 'server-silent') continue;
          const { detection: det } = input;
          const host = det.keyFields['host.name'] ?? '';
          if (det.active) {
            const from = since.get(host) ?? det.time;
            since.set(host, from);
            if (!firing.has(host) && det.time - from >= 4 * MIN) firing.set(host, det.time);
          } else {
            const start = firing.get(host);
            if (start !== undefined) down.push({ host, from: start, to: det.time });
            since.delete(host);
            firing.delete(host);
          }
        }
        for (const [host, from] of firing) down.push({ host, from, to: Number.POSITIVE_INFINITY });
        for (const a of out) {
          if (a.ruleId !== 'otp' || a.status !== 'firing') continue;
          const host = a.keyFields['host.name'];
          const hit = down.find((x) => x.host === host && x.from <= a.time && a.time < x.to);
          assert.equal(hit, undefined, `otp for ${host} at ${a.time} while the host was down`);
        }
      }),
      { numRuns: 150 },
    );
  });
});
