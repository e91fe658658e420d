import assert from 'node:assert/strict';
import type { EngineInput } from '../../src/stream/input.js';
import { initWindows, type WindowOptions, type WindowOutput, windowStep } from '../../src/stream/windows.js';
import { makeEvent } from '../../src/testing/events.js';

const at = (time: number) => makeEvent({ time, position: { file: 'w', line: time } });

function collect(options: WindowOptions, inputs: readonly EngineInput[]): string[] {
  let state = initWindows();
  const out: WindowOutput[] = [];
  for (const input of inputs) {
    const r = windowStep(options, state, input);
    state = r.state;
    out.push(...r.out);
  }
  return out.map((w) =>
    w.type === 'late' ? `late ${w.event.time}` : `[${w.start},${w.end}) ${w.events.map((e) => e.time).join(',')}`,
  );
}

describe('event-time windows (pure step)', () => {
  it('puts an event at a window end into the next window', () => {
    assert.deepEqual(collect({ size: 10 }, [at(0), at(10), at(21)]), ['[0,10) 0', '[10,20) 10']);
  });

  it('slides by step and keeps events in event order', () => {
    assert.deepEqual(
      collect({ size: 10, step: 5, allowedLateness: 5 }, [
        at(7),
        at(3),
        at(12),
        { type: 'tick', time: 20, final: true },
      ]),
      ['[-5,5) 3', '[0,10) 3,7', '[5,15) 7,12', '[10,20) 12'],
    );
  });

  it('reports events older than the watermark as late', () => {
    assert.deepEqual(
      collect({ size: 10, allowedLateness: 2 }, [at(15), at(14), at(12), at(13.5), { type: 'tick', time: 30 }]),
      ['late 12', '[10,20) 13.5,14,15'],
    );
  });

  it('rejects a step that does not divide the size', () => {
    assert.throws(() => windowStep({ size: 10, step: 3 }, initWindows(), at(0)), RangeError);
  });
});
