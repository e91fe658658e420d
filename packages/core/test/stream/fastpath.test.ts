/** The engine's fast paths (skipping idle advances, `apply` in place) against the plain pure `step`. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createEngine, type Engine, type EngineState } from '../../src/stream/engine.js';
import { type EngineInput, tick } from '../../src/stream/input.js';
import { HOUR, MIN, rule, T0 } from '../rules/helpers.js';
import { MIXED, specArb, toEvents } from './scenario.js';

const LATENESS = 2 * MIN;

/** Events shuffled by random delays (some beyond the lateness, so some are late), with ticks in between. */
const streamArb = fc
  .array(
    fc.tuple(
      specArb,
      fc.integer({ min: 0, max: 2 * LATENESS }),
      fc.option(fc.tuple(fc.integer({ min: 0, max: 7_200 }), fc.boolean()), { freq: 8 }),
    ),
    { maxLength: 150 },
  )
  .map((items) => {
    const events = toEvents(items.map(([s]) => s));
    const order = events.map((e, i) => ({ at: e.time + items[i]![1], i })).sort((a, b) => a.at - b.at || a.i - b.i);
    const inputs: EngineInput[] = [];
    for (const { i } of order) {
      inputs.push(events[i]!);
      const t = items[i]![2];
      if (t !== null) inputs.push(tick(T0 + t[0] * 1_000, t[1]));
    }
    inputs.push(tick(T0 + 3 * HOUR, true));
    return inputs;
  });

/** The same rules with every `idle` removed: the engine then steps every rule on every input. */
function withoutIdle(engine: Engine): Engine {
  for (const r of engine.rules) delete (r as { idle?: unknown }).idle;
  return engine;
}

describe('engine fast paths', () => {
  it('skipping idle advances changes no output and no saved state', () => {
    const fast = createEngine(MIXED.map(rule), { allowedLateness: LATENESS });
    const slow = withoutIdle(createEngine(MIXED.map(rule), { allowedLateness: LATENESS }));
    assert.ok(fast.rules.some((r) => r.idle !== undefined));
    fc.assert(
      fc.property(streamArb, (inputs) => {
        let a = fast.init();
        let b = slow.init();
        for (const input of inputs) {
          const ra = fast.step(a, input);
          const rb = slow.step(b, input);
          assert.deepEqual(ra.out, rb.out);
          assert.deepEqual(ra.late, rb.late);
          assert.deepEqual(ra.counts, rb.counts);
          a = ra.state;
          b = rb.state;
          assert.deepEqual(fast.toJSON(a), slow.toJSON(b));
        }
      }),
    );
  });

  it('apply gives what step gives, and leaves nothing behind that step would not', () => {
    const engine = createEngine(MIXED.map(rule), { allowedLateness: LATENESS });
    fc.assert(
      fc.property(streamArb, fc.nat(), (inputs, restartAt) => {
        let pure: EngineState = engine.init();
        let owned: EngineState = engine.init();
        const cut = inputs.length === 0 ? -1 : restartAt % inputs.length;
        inputs.forEach((input, i) => {
          const saved = engine.toJSON(pure);
          const rp = engine.step(pure, input);
          const ro = engine.apply(owned, input);
          // step never modifies the state it was given.
          assert.deepEqual(engine.toJSON(pure), saved);
          assert.deepEqual(ro.out, rp.out);
          assert.deepEqual(ro.late, rp.late);
          assert.deepEqual(ro.counts, rp.counts);
          assert.deepEqual(engine.toJSON(ro.state), engine.toJSON(rp.state));
          assert.deepEqual(engine.sizes(ro.state), engine.sizes(rp.state));
          pure = rp.state;
          owned = i === cut ? engine.fromJSON(JSON.parse(JSON.stringify(engine.toJSON(ro.state)))).state : ro.state;
        });
      }),
    );
  });
});
