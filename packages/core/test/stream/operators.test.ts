import assert from 'node:assert/strict';
import { map, mergeMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Detection } from '../../src/rules/types.js';
import type { EngineInput } from '../../src/stream/input.js';
import { detect } from '../../src/stream/operators/detect.js';
import { eventTimeWindows } from '../../src/stream/operators/eventTimeWindows.js';
import { idleAdvance } from '../../src/stream/operators/idleAdvance.js';
import { makeEvent } from '../../src/testing/events.js';
import { rule } from '../rules/helpers.js';

/** Events whose event time is given in ms (marble frames are ms too, so the two clocks line up in the tests). */
const at = (time: number, host = 'n1', line = time) => makeEvent({ time, host, position: { file: 'marble', line } });
const show = (d: Detection) => `${d.active ? '+' : '-'}${d.key}@${d.time}=${d.value}`;

const scheduler = () => new TestScheduler((actual, expected) => assert.deepStrictEqual(actual, expected));

describe('stream operators', () => {
  describe('detect', () => {
    const counting = rule({ id: 'c', type: 'threshold', window: '10ms', count: 2, group_by: ['host'] });

    it('emits one step per input, closing windows in the step whose input passes their end', () => {
      scheduler().run(({ cold, expectObservable }) => {
        const source = cold<EngineInput>('a b c d |', { a: at(1), b: at(2), c: at(10), d: at(11) });
        const out = source.pipe(
          detect([counting], { allowedLateness: 0 }),
          map((step) => step.out.map(show).join(' ')),
        );
        // c at exactly 10 belongs to [10, 20) and does not pass the end of [0, 10); d does.
        expectObservable(out).toBe('a b c d |', { a: '', b: '', c: '', d: '+n1@10=2' });
      });
    });

    it('emits late events on the step output and resumes from a given state', () => {
      scheduler().run(({ cold, expectObservable }) => {
        const late = at(3, 'n1', 99);
        const source = cold<EngineInput>('a b c |', { a: at(20), b: late, c: { type: 'tick', time: 40, final: true } });
        const out = source.pipe(
          detect([counting], { allowedLateness: 5 }),
          map((step) => ({ late: step.late.length, out: step.out.map(show), events: step.counts.events })),
        );
        expectObservable(out).toBe('a b c |', {
          a: { late: 0, out: [], events: 1 },
          b: { late: 1, out: [], events: 1 },
          c: { late: 0, out: [], events: 0 },
        });
      });
    });

    it('advances event time while idle with idleAdvance on an injected scheduler, so flatline fires', () => {
      const testScheduler = scheduler();
      testScheduler.run(({ hot, expectObservable }) => {
        const silent = rule({ id: 's', type: 'flatline', window: '20ms', group_by: ['host'] });
        const source = hot<EngineInput>('a', { a: at(0) });
        const out = source.pipe(
          detect([silent], { allowedLateness: 0, idleAdvance: 10, scheduler: testScheduler }),
          mergeMap((step) => step.out),
          map(show),
        );
        // Ticks at 10, 20, ... carry event time 0 + elapsed. [20, 40) is silent; the tick at 50 passes its end.
        expectObservable(out, '^ 80ms !').toBe('50ms a 19ms b', { a: '+n1@40=0', b: '+n1@60=0' });
      });
    });
  });

  describe('idleAdvance', () => {
    it('passes inputs through and ticks every period with the newest event time plus the idle time', () => {
      const testScheduler = scheduler();
      testScheduler.run(({ cold, expectObservable }) => {
        const a = at(1_000);
        const out = cold<EngineInput>('a 34ms |', { a }).pipe(idleAdvance(10, testScheduler));
        expectObservable(out).toBe('a 9ms b 9ms c 9ms d 4ms |', {
          a,
          b: { type: 'tick', time: 1_010 },
          c: { type: 'tick', time: 1_020 },
          d: { type: 'tick', time: 1_030 },
        });
      });
    });

    it('emits nothing before the first event, and counts idle time from the newest event’s arrival', () => {
      const testScheduler = scheduler();
      testScheduler.run(({ cold, expectObservable }) => {
        const a = at(5_000);
        const old = at(100);
        const out = cold<EngineInput>('15ms a 6ms o 16ms |', { a, o: old }).pipe(idleAdvance(10, testScheduler));
        // An older event (o at frame 22) does not reset the idle clock of the newest one (a at frame 15).
        expectObservable(out).toBe('15ms a 4ms b 1ms o 7ms c 8ms |', {
          a,
          o: old,
          b: { type: 'tick', time: 5_005 },
          c: { type: 'tick', time: 5_015 },
        });
      });
    });

    it('unsubscribes its timer with the subscription', () => {
      const testScheduler = scheduler();
      testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
        const source = hot<EngineInput>('a', { a: at(0) });
        expectObservable(source.pipe(idleAdvance(10, testScheduler)), '^ 25ms !').toBe('a 9ms b 9ms c', {
          a: at(0),
          b: { type: 'tick', time: 10 },
          c: { type: 'tick', time: 20 },
        });
        expectSubscriptions(source.subscriptions).toBe('^ 25ms !');
      });
    });

    it('rejects a non-positive period', () => {
      assert.throws(() => idleAdvance(0), RangeError);
    });
  });

  describe('eventTimeWindows', () => {
    it('emits each non-empty window when the watermark passes its end, and late events', () => {
      scheduler().run(({ cold, expectObservable }) => {
        const e = {
          a: at(1),
          b: at(4, 'n2'),
          c: at(12),
          d: at(2, 'n1', 50),
          f: { type: 'tick', time: 30, final: true },
        } as const;
        const out = cold<EngineInput>('a 9ms b 9ms c 9ms d 9ms f 9ms |', e).pipe(
          eventTimeWindows({ size: 10, allowedLateness: 0, key: (x) => x.host ?? '' }),
          map((w) => (w.type === 'late' ? `late@${w.event.time}` : `${w.key}[${w.start},${w.end})×${w.events.length}`)),
        );
        // Two windows close at c (frame 20); a group takes the frames of its characters, so z is 6ms later.
        expectObservable(out).toBe('20ms (xy) 6ms z 9ms v 9ms |', {
          x: 'n1[0,10)×1',
          y: 'n2[0,10)×1',
          z: 'late@2',
          v: 'n1[10,20)×1',
        });
      });
    });
  });
});
