import { resolveField } from '../classify/fields.js';
import type { Mutable } from '../mutable.js';
import type { NotifyOptionsInput } from '../notify/options.js';
import { ruleField } from './fields.js';
import type { Notes } from './report.js';
import type { TypeMapping } from './ruletypes.js';
import type { RuleSource } from './source.js';
import { durationText, eaMillis } from './time.js';

/** npswatch's default for moment rules without a `notify:` block (pipeline.ts POINT_DEFAULTS). */
const POINT_KEEP_FIRING = '15m';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * ElastAlert's alert suppression and batching (`realert`, `exponential_realert`, `aggregation`,
 * `aggregation_key`) as the rule's `notify:` block. ElastAlert applies them on the wall clock at send time;
 * npswatch on event time, so replay and live runs agree.
 */
export function notifyOptions(
  src: RuleSource,
  notes: Notes,
  mapping: TypeMapping,
  groupBy: readonly string[],
): NotifyOptionsInput | undefined {
  const notify: Mutable<NotifyOptionsInput> = {};
  const aggregated = aggregation(src, notes, notify, groupBy);
  realert(src, notes, notify, mapping, aggregated);
  const exponential = src.millis('exponential_realert');
  if (exponential !== undefined && exponential > 0) {
    notify.flap = { window: durationText(exponential), max_changes: 2 };
    notes.approximated(
      'exponential_realert',
      'realert does not double here; an alert that fires and clears more than twice within this time is held firing instead of notifying again',
      `notify.flap: {window: ${notify.flap.window}, max_changes: 2}`,
    );
  } else if (exponential !== undefined) notes.ignored('exponential_realert', 'a cap of 0 never doubles realert');
  if (src.has('aggregate_by_match_time'))
    notes.mapped('aggregate_by_match_time', 'always', 'notification timing is event time');
  src.take('aggregate_by_match_time');
  if (Object.keys(notify).length === 0) return undefined;
  if (mapping.point && notify.keep_firing_for === undefined) setPoint(notify, POINT_KEEP_FIRING);
  return notify;
}

function realert(
  src: RuleSource,
  notes: Notes,
  notify: Mutable<NotifyOptionsInput>,
  mapping: TypeMapping,
  aggregated: boolean,
): void {
  const given = src.millis('realert');
  // With aggregation, ElastAlert's realert default drops to 0: every match goes into the batch.
  const ms = given ?? (aggregated ? 0 : undefined);
  if (ms === undefined && mapping.compat === true) {
    // A compat rule keeps ElastAlert's default: a notification per key at most once a minute.
    setPoint(notify, '1m', '1m');
    notes.mapped(
      'realert',
      'notify.keep_firing_for: 1m, notify.repeat_interval: 1m',
      "not set: ElastAlert's default of 1 minute; event time, ElastAlert uses the wall clock",
    );
    return;
  }
  if (ms === undefined) {
    notes.approximated(
      'realert',
      mapping.point
        ? "not set: ElastAlert's default is 1 minute; here matches of a key within 15 minutes fold into one alert (npswatch's default for moment rules)"
        : "not set: ElastAlert's default is 1 minute; here a firing alert is notified once and repeated every 4h (npswatch's default repeat_interval)",
    );
    return;
  }
  const option = given === undefined ? 'aggregation' : 'realert';
  if (ms === 0) {
    if (mapping.point) {
      setPoint(notify, '1m', '1m');
      notes.approximated(
        option,
        'realert 0 sends every match; npswatch folds the matches of a key into one open alert; the closest is a notification per key every minute while matches go on',
        'notify.keep_firing_for: 1m, notify.repeat_interval: 1m',
      );
    } else {
      notify.repeat_interval = durationText(mapping.windowMs ?? 60_000);
      notes.approximated(
        option,
        'realert 0: a firing alert is notified again at every window it still holds (npswatch notifies on state, not on each matching event)',
        `notify.repeat_interval: ${notify.repeat_interval}`,
      );
    }
    return;
  }
  const text = durationText(ms);
  if (mapping.point) {
    setPoint(notify, text, text);
    notes.mapped(
      'realert',
      `notify.keep_firing_for: ${text}, notify.repeat_interval: ${text}`,
      'a notification per key at most this often while matches go on; event time, ElastAlert uses the wall clock',
    );
  } else {
    notify.repeat_interval = text;
    notes.mapped(
      'realert',
      `notify.repeat_interval: ${text}`,
      'per key, on event time; ElastAlert uses the wall clock',
    );
  }
}

/**
 * Moment rules (any, new_value) close their alerts after `keep_firing_for` and send no resolved notification.
 * A `notify:` block replaces those defaults as a whole, so they are written out explicitly.
 */
function setPoint(notify: Mutable<NotifyOptionsInput>, keep: string, repeat?: string): void {
  notify.keep_firing_for = keep;
  if (repeat !== undefined) notify.repeat_interval = repeat;
  notify.resolve = false;
}

/** Returns whether matches are batched. */
function aggregation(
  src: RuleSource,
  notes: Notes,
  notify: Mutable<NotifyOptionsInput>,
  groupBy: readonly string[],
): boolean {
  const value = src.take('aggregation');
  const keyOption = src.has('aggregation_key') ? 'aggregation_key' : 'compound_aggregation_key';
  const keys = src.names(keyOption);
  if (value === undefined) {
    if (keys !== undefined) notes.ignored(keyOption, 'only has a meaning with aggregation');
    return false;
  }
  if (isRecord(value) && 'schedule' in value) {
    notes.ignored('aggregation', 'cron schedules for batching are not supported: notifications are batched by time');
    if (keys !== undefined) notes.ignored(keyOption, 'only has a meaning with aggregation');
    return false;
  }
  const ms = eaMillis(value, 'aggregation');
  if (ms === 0) {
    if (keys !== undefined) notes.ignored(keyOption, 'only has a meaning with aggregation');
    notes.ignored('aggregation', 'an aggregation of 0 sends every match');
    return false;
  }
  const text = durationText(ms);
  notify.group_wait = text;
  notify.group_interval = text;
  // notify.group_by names detection key fields, which are the canonical paths of the rule's group_by.
  const keyPaths = new Set(groupBy.map((f) => resolveField(f) ?? f));
  let paths: string[] = [];
  if (keys !== undefined) {
    const wanted = keys.map((k, i) => ruleField(k, keys.length === 1 ? keyOption : `${keyOption}[${i}]`, notes));
    const asPaths = wanted.map((f) => resolveField(f) ?? f);
    if (asPaths.every((p) => keyPaths.has(p))) {
      paths = asPaths;
      notes.mapped(keyOption, `notify.group_by: [${paths.join(', ')}]`);
    } else {
      notes.approximated(
        keyOption,
        `${wanted.join(', ')} is not part of the rule's query_key, so alerts carry no such key field: they are batched for the whole rule`,
        'notify.group_by: []',
      );
    }
  }
  notify.group_by = paths;
  notes.mapped(
    'aggregation',
    `notify.group_wait: ${text}, notify.group_interval: ${text}, notify.group_by: [${paths.join(', ')}]`,
    'alerts starting within this time are sent as one notification; event time, ElastAlert uses the wall clock',
  );
  return true;
}
