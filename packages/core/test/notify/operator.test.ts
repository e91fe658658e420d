import assert from 'node:assert/strict';
import { firstValueFrom, from, lastValueFrom, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { NotifyState } from '../../src/notify/state.js';
import type { NotifyAlert, NotifyTick, Suppression } from '../../src/notify/types.js';
import type { Detection } from '../../src/rules/types.js';
import { notify } from '../../src/stream/operators/notify.js';
import { at, brief, det, policies, run, settle } from './helpers.js';
import { detectionsOf, MIXED, type Step } from './scenario.js';

const tickAt = (time: number): NotifyTick => ({ type: 'tick', time });
const raw = (inputs: ReturnType<typeof settle>): (Detection | NotifyTick)[] =>
  inputs.map((i) => (i.type === 'tick' ? i : i.detection));

describe('notify operator', () => {
  const steps: Step[] = [];
  for (let k = 0; k < 30; k++)
    steps.push({ gap: (1 + (k % 4)) * 60_000, actives: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => (k + i) % 3 !== 0) });
  const inputs = [...settle(detectionsOf(steps).inputs), { type: 'tick' as const, time: at(24 * 60) }];

  it('emits what the step function sends, in order', async () => {
    const expected = run(MIXED, inputs).out;
    assert.ok(expected.length > 5);
    const got = await lastValueFrom(from(raw(inputs)).pipe(notify(MIXED), toArray()));
    assert.deepStrictEqual(got, expected);
  });

  it('resumes from an initial state without modifying it, and exposes the live state', async () => {
    const half = Math.floor(inputs.length / 2);
    const first = run(MIXED, inputs.slice(0, half));
    const frozen = JSON.stringify(first.state);
    let live: Readonly<NotifyState> | undefined;
    const suppressed: Suppression[] = [];
    const fired: string[] = [];
    const rest = await lastValueFrom(
      from(raw(inputs.slice(half))).pipe(
        notify(MIXED, {
          initialState: first.state,
          onState: (s) => {
            live = s;
          },
          onSuppressed: (s) => suppressed.push(s),
          telemetry: {
            recordAlert: (a) => fired.push(`${a.ruleId}:${a.status}`),
            recordSuppressed: () => undefined,
          },
        }),
        toArray(),
      ),
    );
    const whole = run(MIXED, inputs);
    assert.deepStrictEqual([...first.out, ...rest], whole.out);
    assert.deepStrictEqual([...first.suppressed, ...suppressed], whole.suppressed);
    assert.equal(JSON.stringify(first.state), frozen);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(live)), JSON.parse(JSON.stringify(whole.state)));
    assert.deepEqual(
      fired,
      rest.map((a) => `${a.ruleId}:${a.status}`),
    );
  });

  it('drains group buffers on completion when asked', async () => {
    const p = policies({ r: { group_by: [], group_wait: '10m' } });
    const source = [det(at(0)), tickAt(at(1))];
    assert.deepEqual(await lastValueFrom(from(source).pipe(notify(p), toArray())), []);
    const drained = await lastValueFrom(from(source).pipe(notify(p, { drainOnComplete: true }), toArray()));
    assert.deepEqual(brief(drained), ['r firing@10']);
  });

  it('errors on a bad input instead of throwing into the source', async () => {
    await assert.rejects(firstValueFrom(from([tickAt(Number.NaN)]).pipe(notify(MIXED))), /not a finite epoch ms/);
  });

  it('marbles: a notification leaves on the watermark tick of its evaluation', () => {
    const scheduler = new TestScheduler((actual, expected) => assert.deepStrictEqual(actual, expected));
    const p = policies({ r: { for: '10m' } });
    scheduler.run(({ cold, expectObservable }) => {
      const values: Record<string, Detection | NotifyTick> = {
        a: det(at(0)),
        b: tickAt(at(0)),
        c: det(at(10)),
        d: tickAt(at(10)),
        e: det(at(20), { active: false }),
        f: tickAt(at(20)),
      };
      const expected = run(
        p,
        settle([
          { type: 'detection', detection: det(at(0)) },
          { type: 'detection', detection: det(at(10)) },
          { type: 'detection', detection: det(at(20), { active: false }) },
        ]),
      ).out;
      const alerts: Record<string, NotifyAlert> = { x: expected[0] as NotifyAlert, y: expected[1] as NotifyAlert };
      expectObservable(cold('a-b-c-d-e-f|', values).pipe(notify(p))).toBe('------x---y|', alerts);
    });
  });
});
