import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createEngine, type EngineStateJSON } from '../../../src/stream/engine.js';
import { type EngineInput, tick } from '../../../src/stream/input.js';
import { specArb, toEvents } from '../../stream/scenario.js';
import { HOUR, MIN, type RuleLike, rule, T0 } from '../helpers.js';

/** One compat rule of every supported type, over the random streams of the engine property tests. */
const COMPAT: readonly RuleLike[] = [
  { id: 'a-threshold', type: 'threshold', window: '10m', count: 3, group_by: ['user'], compat: 'elastalert' },
  {
    id: 'b-spike',
    type: 'spike',
    window: '10m',
    group_by: ['host'],
    direction: 'both',
    min_current: 0,
    min_reference: 0,
    alert_on_new_keys: true,
    compat: 'elastalert',
  },
  { id: 'c-flatline', type: 'flatline', window: '10m', group_by: ['host'], min_count: 2, compat: 'elastalert' },
  {
    id: 'd-flatline-forget',
    type: 'flatline',
    window: '15m',
    compat: { mode: 'elastalert', run_every: '5m', forget_keys: true },
  },
  {
    id: 'e-cardinality',
    type: 'cardinality',
    window: '10m',
    group_by: ['host'],
    field: 'user',
    max: 2,
    min: 2,
    compat: 'elastalert',
  },
  { id: 'f-new-value', type: 'new_value', fields: ['code', 'host'], compat: 'elastalert' },
  {
    id: 'g-ratio',
    type: 'ratio',
    window: '10m',
    group_by: ['host'],
    numerator: { outcome: 'failure' },
    max: 0.6,
    min_total: 3,
    compat: { mode: 'elastalert', run_every: '2m' },
  },
  { id: 'h-any', type: 'any', filter: { code: 'X' }, group_by: ['user'], compat: 'elastalert' },
];

const LATENESS = 2 * MIN;
const END = tick(T0 + 3 * HOUR, true);

describe('compat: elastalert properties', () => {
  const engine = createEngine(COMPAT.map(rule), { allowedLateness: LATENESS });

  it('output does not depend on arrival order within the allowed lateness', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(specArb, fc.integer({ min: 0, max: LATENESS })), { maxLength: 120 }), (pairs) => {
        const sorted = [...pairs].sort((a, b) => a[0].second - b[0].second);
        const events = toEvents(sorted.map(([s]) => s));
        // Arrival = time + a delay of at most the lateness: nothing is late, whatever the shuffle.
        const arrival = (i: number) => events[i]!.time + sorted[i]![1];
        const shuffled = events
          .map((_, i) => i)
          .sort((a, b) => arrival(a) - arrival(b) || a - b)
          .map((i) => events[i]!);
        const inOrder = engine.run(engine.init(), [...events, END]);
        const arrived = engine.run(engine.init(), [...shuffled, END]);
        assert.deepEqual(arrived.late, []);
        assert.deepEqual(arrived.out, inOrder.out);
      }),
      { numRuns: 60 },
    );
  });

  it('output does not depend on chunking, with a save and restore between chunks', () => {
    fc.assert(
      fc.property(fc.array(specArb, { maxLength: 120 }), fc.array(fc.nat(), { maxLength: 5 }), (specs, cuts) => {
        const inputs: EngineInput[] = [...toEvents(specs), END];
        const whole = engine.run(engine.init(), inputs);
        const points = [...new Set(cuts.map((c) => c % (inputs.length + 1)))].sort((a, b) => a - b);
        let state = engine.init();
        const out = [];
        let from = 0;
        for (const to of [...points, inputs.length]) {
          const r = engine.run(state, inputs.slice(from, to));
          out.push(...r.out);
          state = engine.fromJSON(JSON.parse(JSON.stringify(engine.toJSON(r.state))) as EngineStateJSON).state;
          from = to;
        }
        assert.deepEqual(out, whole.out);
      }),
      { numRuns: 60 },
    );
  });

  it('steps are pure: replaying from an old state gives the same output again', () => {
    fc.assert(
      fc.property(fc.array(specArb, { minLength: 1, maxLength: 80 }), fc.nat(), (specs, cut) => {
        const inputs: EngineInput[] = [...toEvents(specs), END];
        const at = cut % inputs.length;
        const head = engine.run(engine.init(), inputs.slice(0, at));
        const first = engine.run(head.state, inputs.slice(at));
        const again = engine.run(head.state, inputs.slice(at));
        assert.deepEqual(again.out, first.out);
      }),
      { numRuns: 40 },
    );
  });
});
