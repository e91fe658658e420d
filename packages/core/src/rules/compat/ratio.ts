import type { ClassifiedEvent } from '../../classify/types.js';
import { addCode, addSample, alignUp, mergeSamples, NO_CODES, NO_EVENTS, topCodes } from '../../stream/buckets.js';
import { json } from '../../stream/json.js';
import { initKeyed, type KeyedState, keyedFromJSON, keyedToJSON } from '../../stream/keyed.js';
import { compileCommon, groupOf } from '../common.js';
import { compileFilter } from '../filter.js';
import type { RatioConfig } from '../ratio.js';
import { describeDuration, describeKey, type RuleRuntime } from '../rule.js';
import type { CompatOptions } from './options.js';
import { type CompatState, compatRuntime, emit, putKey, windowMatch } from './runtime.js';

/**
 * `ratio` with `compat: elastalert`: ElastAlert's PercentageMatchRule. At the end of every run, per key, the
 * percentage of `numerator` events among the events of the last `window` (ElastAlert queries buffer_time back from
 * the run's end, (end − window, end]); a run with no events, or fewer than `min_total`, is skipped; a percentage
 * strictly above `max` or below `min` is a match, at every run where it holds. As with Elasticsearch's terms
 * aggregation, events without a `group_by` field are in no key.
 */

/** The events of one run's batch, (end − run_every, end]. */
interface Bucket {
  readonly end: number;
  readonly total: number;
  readonly matched: number;
  readonly matchedSample: readonly ClassifiedEvent[];
  readonly otherSample: readonly ClassifiedEvent[];
  readonly matchedCodes: Readonly<Record<string, number>>;
  readonly otherCodes: Readonly<Record<string, number>>;
}

interface Entry {
  readonly lastSeen: number;
  readonly pinned: boolean;
  readonly fields: Readonly<Record<string, string>>;
  /** Oldest first. */
  readonly buckets: readonly Bucket[];
}

type Keys = KeyedState<Entry>;

export type CompatRatioState = CompatState<Keys>;

/**
 * A share as the percentage ElastAlert compares with: `max: 0.29` was `max_percentage: 29`, and 0.29 × 100 is
 * 28.999999999999996 in floating point; 12 significant digits give back the number as written.
 */
const percent = (share: number): number => Number((share * 100).toPrecision(12));

const showPercent = (p: number): string => `${Number(p.toFixed(2))} %`;

function addTo(bucket: Bucket | undefined, end: number, event: ClassifiedEvent, hit: boolean, size: number): Bucket {
  const b: Bucket = bucket ?? {
    end,
    total: 0,
    matched: 0,
    matchedSample: NO_EVENTS,
    otherSample: NO_EVENTS,
    matchedCodes: NO_CODES,
    otherCodes: NO_CODES,
  };
  return hit
    ? {
        ...b,
        total: b.total + 1,
        matched: b.matched + 1,
        matchedSample: addSample(b.matchedSample, event, size),
        matchedCodes: addCode(b.matchedCodes, event.code),
      }
    : {
        ...b,
        total: b.total + 1,
        otherSample: addSample(b.otherSample, event, size),
        otherCodes: addCode(b.otherCodes, event.code),
      };
}

export function createCompatRatio(cfg: RatioConfig, compat: CompatOptions): RuleRuntime<CompatRatioState> {
  const common = compileCommon('ratio', cfg);
  const inDenominator = compileFilter(cfg.denominator);
  const inNumerator = compileFilter(cfg.numerator);
  const every = compat.run_every;
  const size = cfg.window;
  const maxPct = cfg.max === undefined ? undefined : percent(cfg.max);
  const minPct = cfg.min === undefined ? undefined : percent(cfg.min);
  const groupIn = (event: ClassifiedEvent) => (inDenominator(event) ? groupOf(common, event) : undefined);

  return compatRuntime<Keys>({
    common,
    every,
    everyRun: true,
    accepts: (event) => groupIn(event) !== undefined,
    init: () => initKeyed<Entry>(),
    event(keys, event, ctx) {
      const group = groupIn(event)!;
      const old = keys.keys.get(group.key);
      const end = alignUp(event.time, every);
      const buckets = [...(old?.buckets ?? [])];
      const last = buckets[buckets.length - 1];
      const hit = inNumerator(event);
      if (last?.end === end) buckets[buckets.length - 1] = addTo(last, end, event, hit, cfg.sample_size);
      else buckets.push(addTo(undefined, end, event, hit, cfg.sample_size));
      const entry: Entry = { lastSeen: event.time, pinned: false, fields: group.fields, buckets };
      return putKey(keys, group.key, entry, common.maxKeys, ctx);
    },
    run(keys, end, ctx) {
      let map = keys.keys;
      for (const [key, entry] of keys.keys.entries().sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const inWindow = entry.buckets.filter((b) => b.end > end - size && b.end <= end);
        const total = inWindow.reduce((n, b) => n + b.total, 0);
        const matched = inWindow.reduce((n, b) => n + b.matched, 0);
        if (total > 0 && total >= cfg.min_total) {
          const pct = (matched / total) * 100;
          const over = maxPct !== undefined && pct > maxPct;
          const under = minPct !== undefined && pct < minPct;
          if (over || under) {
            const group = { key, fields: entry.fields };
            const measured = {
              value: matched / total,
              threshold: over ? cfg.max! : cfg.min!,
              reference: total,
              sample: mergeSamples(
                inWindow.map((b) => (over ? b.matchedSample : b.otherSample)),
                cfg.sample_size,
              ),
              codes: topCodes(inWindow.map((b) => (over ? b.matchedCodes : b.otherCodes))),
            };
            emit(
              ctx,
              common,
              windowMatch(group, end, size, measured),
              () =>
                `${showPercent(pct)} of ${total} events match for ${describeKey(entry.fields)} in the ` +
                `${describeDuration(size)} up to ${new Date(end).toISOString()} ` +
                `(${over ? `above ${showPercent(maxPct!)}` : `below ${showPercent(minPct!)}`})`,
            );
          }
        }
        // The next run reads (end + run_every − window, end + run_every].
        const kept = entry.buckets.filter((b) => b.end > end + every - size);
        if (kept.length === 0) map = map.delete(key);
        else if (kept.length !== entry.buckets.length) map = map.set(key, { ...entry, buckets: kept });
      }
      return map === keys.keys ? keys : { ...keys, keys: map };
    },
    size: (keys) => keys.keys.size,
    toJSON: (keys) => keyedToJSON(keys, (e) => e),
    fromJSON: (value) =>
      keyedFromJSON(value, (raw): Entry => {
        const e = json.object(raw, 'ratio compat key');
        return {
          lastSeen: json.number(e.lastSeen, 'lastSeen'),
          pinned: false,
          fields: json.strings(e.fields, 'fields'),
          buckets: json.array(e.buckets, 'buckets').map((r): Bucket => {
            const b = json.object(r, 'bucket');
            return {
              end: json.number(b.end, 'bucket.end'),
              total: json.number(b.total, 'bucket.total'),
              matched: json.number(b.matched, 'bucket.matched'),
              matchedSample: json.events(b.matchedSample, 'bucket.matchedSample'),
              otherSample: json.events(b.otherSample, 'bucket.otherSample'),
              matchedCodes: json.counts(b.matchedCodes, 'bucket.matchedCodes'),
              otherCodes: json.counts(b.otherCodes, 'bucket.otherCodes'),
            };
          }),
        };
      }),
  });
}
