import type { OperatorFunction } from 'rxjs';
import { concatMap, scan } from 'rxjs';
import type { EngineInput } from '../input.js';
import { initWindows, type WindowOptions, type WindowOutput, type WindowState, windowStep } from '../windows.js';

/**
 * Groups events into aligned event-time windows (tumbling, or sliding with `step`), per key, and emits each
 * non-empty window when the watermark reaches its end, plus every late event as `{type: 'late'}`. Ticks advance
 * time without events; a final tick closes everything up to its time. Pure step (`windowStep`) underneath.
 */
export function eventTimeWindows(options: WindowOptions): OperatorFunction<EngineInput, WindowOutput> {
  return (source) =>
    source.pipe(
      scan(
        (acc: { state: WindowState; out: readonly WindowOutput[] }, input: EngineInput) =>
          windowStep(options, acc.state, input),
        { state: initWindows(), out: [] },
      ),
      concatMap((r) => r.out),
    );
}
