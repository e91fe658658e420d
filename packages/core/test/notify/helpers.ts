import type { Severity } from '../../src/catalog/types.js';
import type { ClassifiedEvent } from '../../src/classify/types.js';
import { NotifyEngine } from '../../src/notify/engine.js';
import type { NotifyGlobalInput } from '../../src/notify/options.js';
import { compileNotifyPolicies, type NotifyOptionsInput, type NotifyPolicies } from '../../src/notify/options.js';
import { notifyStep } from '../../src/notify/policy.js';
import { emptyNotifyState, type NotifyState } from '../../src/notify/state.js';
import type { NotifyAlert, NotifyInput, Suppression } from '../../src/notify/types.js';
import type { Detection, RuleType } from '../../src/rules/types.js';

export const T0 = Date.UTC(2024, 2, 1, 8, 0, 0);
export const SEC = 1_000;
export const MIN = 60_000;
export const HOUR = 3_600_000;

/** Minutes after T0. */
export const at = (minutes: number, seconds = 0): number => T0 + minutes * MIN + seconds * SEC;

export interface DetOptions {
  readonly ruleId?: string;
  readonly ruleType?: RuleType;
  readonly active?: boolean;
  readonly keyFields?: Readonly<Record<string, string>>;
  readonly severity?: Severity;
  readonly value?: number;
  readonly windowMs?: number;
  readonly sample?: readonly ClassifiedEvent[];
  readonly codes?: readonly string[];
}

/** A detection as a rule would emit it: key = key field values joined by `|`. */
export function det(time: number, o: DetOptions = {}): Detection {
  const ruleId = o.ruleId ?? 'r';
  const keyFields = o.keyFields ?? {};
  const key = Object.values(keyFields).join('|');
  const active = o.active ?? true;
  const value = o.value ?? (active ? 10 : 0);
  return {
    ruleId,
    ruleType: o.ruleType ?? 'threshold',
    active,
    key,
    keyFields,
    windowStart: time - (o.windowMs ?? 10 * MIN),
    windowEnd: time,
    time,
    severity: o.severity ?? 'medium',
    value,
    threshold: 5,
    summary: `${ruleId} ${key === '' ? '-' : key}: ${value} ${active ? '>=' : '<'} 5`,
    sample: o.sample ?? [],
    codes: o.codes ?? [],
  };
}

export const d = (detection: Detection): NotifyInput => ({ type: 'detection', detection });
export const tick = (time: number): NotifyInput => ({ type: 'tick', time });

export function policies(
  rules: Readonly<Record<string, NotifyOptionsInput>> = {},
  global: NotifyGlobalInput = {},
): NotifyPolicies {
  return compileNotifyPolicies({ rules, global });
}

/** Adds the watermark tick a rule engine sends after each evaluation: after the last input at each time. */
export function settle(inputs: readonly NotifyInput[]): NotifyInput[] {
  const out: NotifyInput[] = [];
  const timeOf = (x: NotifyInput) => (x.type === 'tick' ? x.time : x.detection.time);
  inputs.forEach((input, i) => {
    out.push(input);
    const next = inputs[i + 1];
    if (input.type === 'detection' && (next === undefined || timeOf(next) > timeOf(input)))
      out.push(tick(timeOf(input)));
  });
  return out;
}

export interface RunResult {
  out: NotifyAlert[];
  suppressed: Suppression[];
  state: NotifyState;
}

/** Runs inputs through the pure step function, one at a time. */
export function run(
  p: NotifyPolicies,
  inputs: readonly NotifyInput[],
  state: NotifyState = emptyNotifyState(),
): RunResult {
  const out: NotifyAlert[] = [];
  const suppressed: Suppression[] = [];
  let s = state;
  for (const input of inputs) {
    const r = notifyStep(s, input, p);
    s = r.state;
    out.push(...r.out);
    suppressed.push(...r.suppressed);
  }
  return { out, suppressed, state: s };
}

/** Runs inputs in chunks, each chunk on a fresh engine loaded from the JSON of the previous one's state. */
export function runChunked(p: NotifyPolicies, inputs: readonly NotifyInput[], cuts: readonly number[]): RunResult {
  const out: NotifyAlert[] = [];
  const suppressed: Suppression[] = [];
  let json = JSON.stringify(emptyNotifyState());
  let start = 0;
  for (const end of [...[...new Set(cuts)].sort((a, b) => a - b), inputs.length]) {
    const engine = new NotifyEngine(p, JSON.parse(json) as NotifyState);
    for (const input of inputs.slice(start, Math.max(start, end))) {
      const r = engine.apply(input);
      out.push(...r.out);
      suppressed.push(...r.suppressed);
    }
    json = JSON.stringify(engine.state);
    start = Math.max(start, end);
  }
  return { out, suppressed, state: JSON.parse(json) as NotifyState };
}

/** `status@minutes` lines, the shape most scenario assertions compare. */
export function brief(out: readonly NotifyAlert[]): string[] {
  return out.map((a) => `${a.ruleId}${a.key === '' ? '' : `[${a.key}]`} ${a.status}@${(a.time - T0) / MIN}`);
}

export function reasons(suppressed: readonly Suppression[]): string[] {
  return suppressed.map((s) => `${s.reason}@${(s.time - T0) / MIN}`);
}
