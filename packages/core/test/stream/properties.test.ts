import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ClassifiedEvent } from '../../src/classify/types.js';
import { createEngine } from '../../src/stream/engine.js';
import { tick } from '../../src/stream/input.js';
import { makeEvent } from '../../src/testing/events.js';
import { HOUR, MIN, type RuleLike, rule, T0, userRef } from '../rules/helpers.js';
import { assertArrivalOrderFree, assertChunkingFree, MIXED } from './scenario.js';

const LATENESS = 2 * MIN;
const END = tick(T0 + 3 * HOUR, true);

describe('engine properties', () => {
  // fast-check's default number of runs.
  const runs = { numRuns: 100, maxLength: 150 };

  it('output does not depend on how the input is chunked (with a save and restore between chunks)', () => {
    assertChunkingFree(createEngine(MIXED.map(rule), { allowedLateness: LATENESS }), END, runs);
  });

  it('output does not depend on arrival order within the allowed lateness', () => {
    assertArrivalOrderFree(createEngine(MIXED.map(rule), { allowedLateness: LATENESS }), LATENESS, END, runs);
  });

  describe('bounded memory on long random streams', () => {
    const PER_USER: readonly RuleLike[] = [
      { id: 'threshold', type: 'threshold', window: '10m', step: '1m', count: 2, group_by: ['user'] },
      { id: 'spike', type: 'spike', window: '5m', group_by: ['user'], min_current: 2, baseline: { windows: 3 } },
      {
        id: 'flatline',
        type: 'flatline',
        window: '10m',
        group_by: ['user'],
        forget_after: '20m',
        expected_keys: ['always'],
      },
      { id: 'cardinality', type: 'cardinality', window: '10m', group_by: ['user'], field: 'code', max: 1 },
      { id: 'new_value', type: 'new_value', fields: ['code'], group_by: ['user'], lookback: '30m' },
      {
        id: 'ratio',
        type: 'ratio',
        window: '10m',
        group_by: ['user'],
        numerator: { outcome: 'failure' },
        max: 0.5,
        min_total: 1,
      },
      {
        id: 'sequence',
        type: 'sequence',
        group_by: ['user'],
        within: '10m',
        steps: [{ filter: { code: 'A' } }, { filter: { code: 'B' } }],
      },
      { id: 'any', type: 'any', group_by: ['user'] },
    ];
    /** Generous per-rule memory horizon: keys with no event for this long must be gone. */
    const HORIZON = 60 * MIN;

    it('holds only keys seen recently, and nothing but configured keys once traffic stops', () => {
      const engine = createEngine(PER_USER.map(rule), { allowedLateness: LATENESS });
      const streamArb = fc.array(
        fc.record({
          gap: fc.integer({ min: 0, max: 15 * MIN }),
          user: fc.integer({ min: 1, max: 100_000 }),
          code: fc.constantFrom('A', 'B', 'C'),
          failure: fc.boolean(),
        }),
        { minLength: 500, maxLength: 1_500 },
      );
      fc.assert(
        fc.property(streamArb, (items) => {
          let time = T0;
          const events: ClassifiedEvent[] = items.map((it, i) => {
            time += it.gap;
            return makeEvent({
              time,
              position: { file: 'long', line: i + 1 },
              user: userRef(`u${it.user}`),
              code: it.code,
              outcome: it.failure ? 'failure' : 'success',
            });
          });
          let state = engine.init();
          let recentFrom = 0;
          let pendingFrom = 0;
          for (const [i, e] of events.entries()) {
            state = engine.step(state, e).state;
            while (events[recentFrom]!.time < e.time - HORIZON) recentFrom++;
            while (events[pendingFrom]!.time < e.time - LATENESS) pendingFrom++;
            const recent = new Set(events.slice(recentFrom, i + 1).map((x) => x.user!.name)).size;
            // Point rules also hold the events not yet final (within the lateness).
            const pending = i + 1 - pendingFrom;
            for (const [id, size] of Object.entries(engine.sizes(state))) {
              // new_value stores (user, code) pairs; flatline keeps its expected key.
              const bound = (id === 'new_value' ? recent * 3 : recent + 1) + pending;
              assert.ok(size <= bound, `${id} holds ${size} entries with ${recent} users active in the last hour`);
            }
          }
          const quiet = engine.step(state, tick(time + 2 * HOUR)).state;
          assert.deepEqual(engine.sizes(quiet), {
            threshold: 0,
            spike: 0,
            flatline: 1,
            cardinality: 0,
            new_value: 0,
            ratio: 0,
            sequence: 0,
            any: 0,
          });
        }),
        { numRuns: 15 },
      );
    });
  });
});
