import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createEngine } from '../../../src/stream/engine.js';
import { type EngineInput, tick } from '../../../src/stream/input.js';
import { assertArrivalOrderFree, assertChunkingFree, MIXED_RATIO, specArb, toEvents } from '../../stream/scenario.js';
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
  { ...MIXED_RATIO, compat: { mode: 'elastalert', run_every: '2m' } },
  { id: 'h-any', type: 'any', filter: { code: 'X' }, group_by: ['user'], compat: 'elastalert' },
];

const LATENESS = 2 * MIN;
const END = tick(T0 + 3 * HOUR, true);

describe('compat: elastalert properties', () => {
  const engine = createEngine(COMPAT.map(rule), { allowedLateness: LATENESS });

  const runs = { numRuns: 60, maxLength: 120 };

  it('output does not depend on arrival order within the allowed lateness', () => {
    assertArrivalOrderFree(engine, LATENESS, END, runs);
  });

  it('output does not depend on chunking, with a save and restore between chunks', () => {
    assertChunkingFree(engine, END, runs);
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
