import type { ClassifiedEvent } from '../../classify/types.js';
import { alignUp, mergeSamples, topCodes } from '../../stream/buckets.js';
import { json } from '../../stream/json.js';
import type { KeyedState } from '../../stream/keyed.js';
import { compileCommon, groupOf } from '../common.js';
import { compileFilter } from '../filter.js';
import { addShare, NO_SHARE, type RatioConfig, type ShareCounts, shareFromJSON } from '../ratio.js';
import type { RuleRuntime } from '../rule.js';
import type { CompatOptions } from './options.js';
import { type CompatEntry, type CompatState, emitWindowMatch, keyedCompatRuntime, putKey } from './runtime.js';

/**
 * `ratio` with `compat: elastalert`: ElastAlert's PercentageMatchRule. At the end of every run, per key, the
 * percentage of `numerator` events among the events of the last `window` (ElastAlert queries buffer_time back from
 * the run's end, (end − window, end]); a run with no events, or fewer than `min_total`, is skipped; a percentage
 * strictly above `max` or below `min` is a match, at every run where it holds. As with Elasticsearch's terms
 * aggregation, events without a `group_by` field are in no key.
 */

/** The events of one run's batch, (end − run_every, end]. */
interface Bucket extends ShareCounts {
  readonly end: number;
}

interface Entry extends CompatEntry {
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

export function createCompatRatio(cfg: RatioConfig, compat: CompatOptions): RuleRuntime<CompatRatioState> {
  const common = compileCommon('ratio', cfg);
  const inDenominator = compileFilter(cfg.denominator);
  const inNumerator = compileFilter(cfg.numerator);
  const every = compat.run_every;
  const size = cfg.window;
  const maxPct = cfg.max === undefined ? undefined : percent(cfg.max);
  const minPct = cfg.min === undefined ? undefined : percent(cfg.min);
  const groupIn = (event: ClassifiedEvent) => (inDenominator(event) ? groupOf(common, event) : undefined);

  return keyedCompatRuntime<Entry>({
    common,
    every,
    everyRun: true,
    accepts: (event) => groupIn(event) !== undefined,
    event(keys, event, ctx) {
      const group = groupIn(event)!;
      const old = keys.keys.get(group.key);
      const end = alignUp(event.time, every);
      const buckets = [...(old?.buckets ?? [])];
      const last = buckets[buckets.length - 1];
      const hit = inNumerator(event);
      if (last?.end === end) buckets[buckets.length - 1] = addShare(last, event, hit, cfg.sample_size);
      else buckets.push(addShare({ end, ...NO_SHARE }, event, hit, cfg.sample_size));
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
            emitWindowMatch(
              ctx,
              common,
              group,
              end,
              size,
              measured,
              (where) =>
                `${showPercent(pct)} of ${total} events match ${where} ` +
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
    entryToJSON: (e) => e,
    entryFromJSON: (head, o) => ({
      ...head,
      buckets: json.array(o.buckets, 'buckets').map((r): Bucket => {
        const b = json.object(r, 'bucket');
        return { end: json.number(b.end, 'bucket.end'), ...shareFromJSON(b) };
      }),
    }),
  });
}
