import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ClassifiedEvent } from '../../src/classify/types.js';
import { agendaPeek, agendaPop, agendaPush, agendaSize, emptyAgenda } from '../../src/correlate/agenda.js';
import {
  type CorrelateState,
  correlateHoldback,
  correlateStateFromJSON,
  correlateStateToJSON,
  correlateStep,
  initCorrelate,
  resolveCorrelateOptions,
} from '../../src/correlate/step.js';
import { isTick } from '../../src/stream/input.js';
import { type RequestSpec, recordsOf, runCorrelate, SEC, spec, T0, where } from './helpers.js';

const OPTIONS = resolveCorrelateOptions({ tolerance: 5 * SEC, requestWindow: 40 * SEC });

/** Requests over a few minutes from a small pool of users and two servers, so that duplicates and near misses abound. */
const specsArb = fc
  .record({
    securitySkew: fc.integer({ min: -2000, max: 2000 }),
    accountingSkew: fc.integer({ min: -2000, max: 2000 }),
    requests: fc.array(
      fc.record({
        offset: fc.integer({ min: 0, max: 180 * SEC }),
        user: fc.constantFrom('jdoe', 'asmith', 'bwayne', 'ckent'),
        server: fc.integer({ min: 0, max: 1 }),
        outcome: fc.constantFrom('failure', 'success'),
        ext: fc.boolean(),
        security: fc.boolean(),
        accounting: fc.boolean(),
        wait: fc.integer({ min: 0, max: 35 * SEC }),
      }),
      { maxLength: 60 },
    ),
  })
  .map(({ securitySkew, accountingSkew, requests }): RequestSpec[] =>
    requests.map((r, n) =>
      spec(n, T0 + r.offset, r.user, {
        server: r.server,
        outcome: r.outcome as 'failure' | 'success',
        ext: r.ext,
        security: r.security,
        accounting: r.accounting,
        wait: r.wait,
        securitySkew,
        accountingSkew,
      }),
    ),
  );

describe('correlate: properties', () => {
  it('output does not depend on how inputs are interleaved within the lateness', () => {
    fc.assert(
      fc.property(
        specsArb,
        fc.array(fc.integer({ min: 0, max: OPTIONS.lateness }), { minLength: 400, maxLength: 400 }),
        (specs, delays) => {
          const events = recordsOf(specs);
          // Arrival = time + a delay of at most the lateness: nothing is late, whatever the shuffle (as merged logs
          // with different shipping delays would arrive).
          const arrival = (i: number) => events[i]!.time + delays[i % delays.length]!;
          const shuffled = events
            .map((_, i) => i)
            .sort((a, b) => arrival(a) - arrival(b) || a - b)
            .map((i) => events[i]!);
          const inOrder = runCorrelate(events, OPTIONS);
          const arrived = runCorrelate(shuffled, OPTIONS);
          assert.deepEqual(arrived.out, inOrder.out);
          assert.equal(arrived.state.totals.late, 0);
          // Every record comes out exactly once.
          assert.deepEqual(arrived.out.map(where).sort(), events.map(where).sort());
        },
      ),
      { numRuns: 150 },
    );
  });

  it('output does not depend on chunking, with a JSON save and restore between chunks', () => {
    fc.assert(
      fc.property(specsArb, fc.array(fc.nat(), { maxLength: 5 }), (specs, cuts) => {
        const events = recordsOf(specs);
        const whole = runCorrelate(events, OPTIONS).out;
        const points = [...new Set(cuts.map((c) => c % (events.length + 1)))].sort((a, b) => a - b);
        let state: CorrelateState = initCorrelate();
        const out: ClassifiedEvent[] = [];
        let from = 0;
        for (const to of [...points, events.length]) {
          for (const input of events.slice(from, to)) {
            const r = correlateStep(OPTIONS, state, input);
            state = r.state;
            for (const o of r.out) if (!isTick(o)) out.push(o);
          }
          state = correlateStateFromJSON(OPTIONS, JSON.parse(JSON.stringify(correlateStateToJSON(state))));
          from = to;
        }
        out.push(...runCorrelate([], OPTIONS, undefined, state).out);
        assert.deepEqual(out, whole);
      }),
      { numRuns: 100 },
    );
  });

  it('every extension event matched to a full set of partners gets its own request', () => {
    // With one user per request in flight and no skew, nothing is ambiguous: every pairing must be exact.
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 12 * SEC, max: 60 * SEC }), { maxLength: 40 }), (gaps) => {
        const times = gaps.map((_, n) => T0 + gaps.slice(0, n + 1).reduce((a, b) => a + b, 0));
        const specs = gaps.map((_, n) => spec(n, times[n]!, `u${n % 3}`, { wait: (n % 4) * 3 * SEC }));
        const { out } = runCorrelate(recordsOf(specs), OPTIONS);
        for (const e of out.filter((x) => x.kind === 'extension')) {
          assert.equal(e.correlation?.matched, 'both');
          assert.equal(e.radius?.callingStationId, `station-${Number(e.correlationId!.slice(-12))}`);
        }
      }),
    );
  });

  it('holds only what the next decisions need, and nothing once the input ends (long random streams)', () => {
    const holdback = correlateHoldback(OPTIONS);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            gap: fc.integer({ min: 0, max: 3 * SEC }),
            user: fc.integer({ min: 1, max: 50 }),
            present: fc.integer({ min: 1, max: 7 }),
            wait: fc.integer({ min: 0, max: 30 * SEC }),
          }),
          { minLength: 800, maxLength: 1500 },
        ),
        (items) => {
          let t = T0;
          const specs = items.map((it, n) => {
            t += it.gap;
            return spec(n, t, `u${it.user}`, {
              ext: (it.present & 1) !== 0,
              security: (it.present & 2) !== 0,
              accounting: (it.present & 4) !== 0,
              wait: it.wait,
              server: n % 2,
            });
          });
          const events = recordsOf(specs);
          let maxHeld = 0;
          const { out, state } = runCorrelate(events, OPTIONS, (s) => {
            const watermark = s.maxTime! - OPTIONS.lateness;
            for (const [, h] of s.held.entries()) assert.ok(h.event.time >= watermark - holdback, where(h.event));
            maxHeld = Math.max(maxHeld, s.held.size);
          });
          assert.equal(out.length, events.length);
          // About 30 s of traffic at most in the longest window (the request wait), never the whole stream.
          assert.ok(maxHeld < events.length / 4, `held ${maxHeld} of ${events.length}`);
          assert.equal(state.held.size, 0);
          assert.equal(agendaSize(state.agenda), 0);
          for (const index of [state.byUser, state.bySlot, state.requests, state.byClass]) assert.equal(index.size, 0);
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('correlate: agenda', () => {
  it('pops tasks in order whatever the lanes and however out of order they were pushed', () => {
    const cmp = (a: readonly [number, number], b: readonly [number, number]) => a[0] - b[0] || a[1] - b[1];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 50 }), fc.boolean()), {
          maxLength: 200,
        }),
        (ops) => {
          let agenda = emptyAgenda<readonly [number, number]>(4);
          const expected: (readonly [number, number])[] = [];
          const got: (readonly [number, number])[] = [];
          ops.forEach(([lane, due, pop], i) => {
            if (pop && agendaSize(agenda) > 0) {
              expected.sort(cmp);
              got.push(agendaPeek(agenda, cmp)!);
              assert.deepEqual(got.at(-1), expected.shift());
              agenda = agendaPop(agenda, cmp);
            } else {
              agenda = agendaPush(agenda, lane, [due, i], cmp);
              expected.push([due, i]);
            }
          });
          assert.equal(agendaSize(agenda), expected.length);
        },
      ),
    );
  });
});
