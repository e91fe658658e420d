import {
  type ClassifiedEvent,
  type CorrelateOptions,
  type CorrelateState,
  correlateFlush,
  correlateHoldback,
  correlateStep,
  type EngineInput,
  initCorrelate,
  isTick,
  type RecordKind,
  resolveCorrelateOptions,
} from '@npswatch/core';
import { classifiedBatches, type InputOptions, type RejectLog } from './inputs.js';
import type { Io } from './io.js';

/** Events buffered per input: the most an input's own records may be out of time order and still be merged right. */
export const DEFAULT_LOOKAHEAD = 10_000;
const OUT_BATCH = 1024;

/** Same total order as the engine's (time, file, line), without the content fallback: ties go to the older input. */
function before(a: ClassifiedEvent, b: ClassifiedEvent): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.position.file !== b.position.file) return a.position.file < b.position.file;
  return a.position.line < b.position.line;
}

/** A plain binary min-heap of events: each input's reorder buffer. */
class EventHeap {
  private readonly items: ClassifiedEvent[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): ClassifiedEvent | undefined {
    return this.items[0];
  }
  push(e: ClassifiedEvent): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): ClassifiedEvent | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

interface Lane {
  readonly source: AsyncIterator<ClassifiedEvent[]>;
  readonly buffer: EventHeap;
  done: boolean;
  /** Kinds among the records read so far (for the `auto` correlation decision). */
  readonly kinds: Set<RecordKind>;
}

async function fill(lane: Lane, lookahead: number): Promise<void> {
  while (!lane.done && lane.buffer.size < lookahead) {
    const next = await lane.source.next();
    if (next.done === true) {
      lane.done = true;
      return;
    }
    for (const e of next.value) {
      lane.buffer.push(e);
      lane.kinds.add(e.kind);
    }
  }
}

export interface MergedInputs {
  /** Kinds of the records each input started with (its first `lookahead` records), in input order. */
  readonly kinds: readonly ReadonlySet<RecordKind>[];
  /** Every input's events, merged by event time. */
  readonly batches: AsyncGenerator<ClassifiedEvent[]>;
}

/**
 * A k-way merge of per-input event streams by event time. Each input keeps a reorder buffer of `lookahead` events
 * and offers its earliest; the merge takes the earliest offer. Memory is k × lookahead events, whatever the input
 * sizes; an input out of order by more than that comes out late (the engine reports it, nothing is dropped).
 * Opening reads the first `lookahead` events of every input, so `kinds` is known before the first batch.
 */
export async function mergeByTime(
  sources: readonly AsyncIterable<ClassifiedEvent[]>[],
  lookahead = DEFAULT_LOOKAHEAD,
): Promise<MergedInputs> {
  if (!(lookahead >= 1)) throw new RangeError(`merge lookahead must be ≥ 1, got ${lookahead}`);
  const lanes: Lane[] = sources.map((s) => ({
    source: s[Symbol.asyncIterator](),
    buffer: new EventHeap(),
    done: false,
    kinds: new Set(),
  }));
  // One input at a time: stdin and files are read in turn, never all at once.
  for (const lane of lanes) await fill(lane, lookahead);
  const kinds = lanes.map((l) => new Set(l.kinds));
  async function* batches(): AsyncGenerator<ClassifiedEvent[]> {
    let out: ClassifiedEvent[] = [];
    for (;;) {
      let best: Lane | undefined;
      for (const lane of lanes) {
        const head = lane.buffer.peek();
        if (head !== undefined && (best === undefined || before(head, best.buffer.peek()!))) best = lane;
      }
      if (best === undefined) break;
      out.push(best.buffer.pop()!);
      if (!best.done && best.buffer.size < lookahead) {
        // Refill before the next choice: the lane's offer must be the earliest of its next `lookahead` events.
        if (out.length >= OUT_BATCH) {
          yield out;
          out = [];
        }
        await fill(best, lookahead);
      } else if (out.length >= OUT_BATCH) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  }
  return { kinds, batches: batches() };
}

/** Runs classified batches through the correlator (pure step per event); flushes what it holds at the end. */
export async function* correlatedBatches(
  source: AsyncIterable<ClassifiedEvent[]>,
  options: CorrelateOptions,
  onState?: (state: CorrelateState) => void,
): AsyncGenerator<ClassifiedEvent[]> {
  const resolved = resolveCorrelateOptions(options);
  let state = initCorrelate();
  // Replay needs no ticks from the correlator: the detector gets its own final tick.
  const take = (inputs: readonly EngineInput[], into: ClassifiedEvent[]) => {
    for (const o of inputs) if (!isTick(o)) into.push(o);
  };
  for await (const batch of source) {
    const out: ClassifiedEvent[] = [];
    for (const event of batch) {
      const r = correlateStep(resolved, state, event);
      state = r.state;
      take(r.out, out);
    }
    onState?.(state);
    if (out.length > 0) yield out;
  }
  const end = correlateFlush(resolved, state);
  onState?.(end.state);
  const out: ClassifiedEvent[] = [];
  take(end.out, out);
  if (out.length > 0) yield out;
}

/** `--correlate` (true), `--no-correlate` (false) or neither (auto). */
export type CorrelateChoice = boolean | undefined;

/**
 * Auto: on when one input holds NPS records only (a Security export, an IN*.log) and another holds extension
 * events. Inputs that each hold both (one log split by day, say) are merged but not correlated: use --correlate.
 */
export function shouldCorrelate(choice: CorrelateChoice, kinds: readonly ReadonlySet<RecordKind>[]): boolean {
  if (choice !== undefined) return choice;
  const npsOnly = (k: ReadonlySet<RecordKind>) => (k.has('security') || k.has('accounting')) && !k.has('extension');
  return kinds.some((a, i) => npsOnly(a) && kinds.some((b, j) => j !== i && b.has('extension')));
}

export interface ReplaySourceOptions {
  readonly correlate?: CorrelateChoice;
  /** Correlation tolerance, ms. */
  readonly tolerance?: number;
  readonly lookahead?: number;
}

export interface ReplaySource {
  readonly batches: AsyncIterable<ClassifiedEvent[]>;
  readonly correlating: boolean;
  /** Allowed lateness the detector needs behind this source (undefined: the engine default). */
  readonly allowedLateness?: number;
  /** One line for the end-of-run summary on stderr, when correlating. */
  summary(): string | undefined;
}

/**
 * What replay reads: one input as it is; several merged by event time; then, when asked (or automatically for
 * extension logs next to NPS logs), correlated. Rejected records go to `rejects` as before.
 */
export async function replaySource(
  inputs: readonly string[],
  inputOptions: InputOptions,
  io: Io,
  rejects: RejectLog,
  options: ReplaySourceOptions = {},
): Promise<ReplaySource> {
  const perInput = inputs.map((input) => classifiedBatches([input], inputOptions, io, rejects));
  const merged: MergedInputs | undefined =
    perInput.length > 1 || options.correlate === true ? await mergeByTime(perInput, options.lookahead) : undefined;
  const correlating = merged !== undefined && shouldCorrelate(options.correlate, merged.kinds);
  if (merged === undefined || !correlating) {
    return { batches: merged?.batches ?? perInput[0]!, correlating: false, summary: () => undefined };
  }
  const correlateOptions: CorrelateOptions = { tolerance: options.tolerance };
  let last: CorrelateState | undefined;
  // The correlator's output trails its input by up to the holdback: the engine must not call that late.
  const allowedLateness = Math.max(60_000, correlateHoldback(correlateOptions));
  return {
    batches: correlatedBatches(merged.batches, correlateOptions, (s) => {
      last = s;
    }),
    correlating: true,
    allowedLateness,
    summary() {
      const t = last?.totals;
      if (t === undefined) return undefined;
      return `npswatch: correlated ${t.extension} extension events, ${t.matched} with Security or accounting records; ${t.npsOnly} NPS decisions without an extension event; ${t.late} records too late to match`;
    },
  };
}
