import { setTimeout as delay } from 'node:timers/promises';
import type { Client, estypes } from '@elastic/elasticsearch';
import { type NpsRecord, type ParseIssue, winlogbeatRecord } from '@npswatch/core';
import type { ElasticConnection } from './client.js';
import { Cursor, type ElasticCheckpoint, hitKey } from './cursor.js';
import { ElasticError, isElasticError, toElasticError } from './errors.js';

export interface ElasticSourceOptions {
  /** Index, alias, data stream or pattern (`winlogbeat-*`, `logs-windows.*-*`, comma-separated lists). */
  readonly index: string;
  /** Hits per search request (default 1000, at most 10 000). */
  readonly pageSize?: number;
  /** Keep polling for new documents after the end (default true); false ends at the end of current data. */
  readonly follow?: boolean;
  /** Pause between polls once the end is reached, ms (default 5000). */
  readonly pollInterval?: number;
  /** Each new read starts this far (ms) behind the newest document read, to find late arrivals (default 60 000). */
  readonly lookback?: number;
  /** Most document ids remembered to skip re-read ones (default 50 000); past it the lookback shrinks. */
  readonly maxSeen?: number;
  /** How long a point in time is kept between two pages (default `2m`). */
  readonly keepAlive?: string;
  /** Resume from here: no document read before is handed out again. */
  readonly checkpoint?: ElasticCheckpoint;
  /** Without a checkpoint: start at this time (epoch ms) instead of the oldest document. */
  readonly from?: number;
  /** Stops reading: the generator ends after closing its point in time. */
  readonly signal?: AbortSignal;
  /** Told of transient trouble while following (the server unreachable, a point in time lost), without secrets. */
  readonly onWarning?: (message: string) => void;
}

/** One page of new documents, and where reading stands once it is processed. */
export interface ElasticSourcePage {
  readonly records: readonly NpsRecord[];
  /** Hits whose `_source` is no Winlogbeat / Elastic Agent event: named `index/_id`, for the dead-letter path. */
  readonly issues: readonly ParseIssue[];
  /** Save this once the page is processed: a reader started from it goes on right after this page. */
  readonly checkpoint: ElasticCheckpoint;
  /** Hits of this page read before (lookback overlap, or a restart), skipped. */
  readonly skipped: number;
}

const DEFAULTS = {
  pageSize: 1000,
  follow: true,
  pollInterval: 5000,
  lookback: 60_000,
  maxSeen: 50_000,
  keepAlive: '2m',
} as const;

// As the file parsers: a dead letter keeps at most this much of the original.
const MAX_RAW = 64 * 1024;
// A point in time lost this often in a row, with no page read in between, is a configuration problem.
const MAX_REOPENS = 3;

/** Ascending event time; `_shard_doc` breaks ties inside one point in time (search_after needs a total order). */
const SORT: estypes.Sort = [
  // Milliseconds as numbers for `date` and `date_nanos` alike (nanoseconds overflow JSON numbers); an index of the
  // pattern without the field sorts nothing instead of failing.
  { '@timestamp': { order: 'asc', numeric_type: 'date', unmapped_type: 'date' } },
  { _shard_doc: 'asc' },
];

/** Documents from `floor` on; without a floor, every document that has a time (others cannot be placed). */
export function cursorQuery(floor: number | undefined): estypes.QueryDslQueryContainer {
  return floor === undefined
    ? { exists: { field: '@timestamp' } }
    : { range: { '@timestamp': { gte: floor, format: 'epoch_millis' } } };
}

function checkOptions(o: ElasticSourceOptions): void {
  const bad = (what: string, hint?: string) => {
    throw new ElasticError('NPSWATCH_ES_CONFIG', what, {}, hint);
  };
  if (o.index.trim() === '') bad('the index pattern is empty');
  // `#` is not allowed in index names: such a pattern is a typo, and would match nothing.
  if (o.index.includes('#')) bad(`index pattern "${o.index}" contains "#", which index names cannot contain`);
  const size = o.pageSize ?? DEFAULTS.pageSize;
  if (!Number.isInteger(size) || size < 1 || size > 10_000) bad(`page size must be 1 to 10000, got ${size}`);
  for (const [name, value] of [
    ['poll interval', o.pollInterval],
    ['lookback', o.lookback],
    ['maxSeen', o.maxSeen],
  ] as const)
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) bad(`${name} must be 0 or more, got ${value}`);
}

/** A client error that waiting may cure: the server unreachable, overloaded or restarting. */
function isTransient(err: ElasticError): boolean {
  if (err.code === 'NPSWATCH_ES_CONNECTION') return true;
  return err.code === 'NPSWATCH_ES_RESPONSE' && err.status !== undefined && (err.status === 429 || err.status >= 500);
}

/** The point in time is gone (expired, or closed by a restarting node): reopen from the cursor. */
function isPitLost(err: unknown): boolean {
  const body = (err as { meta?: { body?: unknown } } | undefined)?.meta?.body as
    | { error?: { type?: unknown; root_cause?: readonly { type?: unknown }[] } }
    | undefined;
  const types = [body?.error?.type, ...(body?.error?.root_cause ?? []).map((c) => c.type)];
  return types.includes('search_context_missing_exception');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Hits → records and dead letters; marks every new hit read in the cursor, counts the ones read before. */
function readHits(hits: readonly estypes.SearchHit<unknown>[], cursor: Cursor): Omit<ElasticSourcePage, 'checkpoint'> {
  const records: NpsRecord[] = [];
  const issues: ParseIssue[] = [];
  let skipped = 0;
  for (const hit of hits) {
    const key = hitKey(hit._index, hit._id ?? '');
    const time = hit.sort?.[0];
    if (typeof time !== 'number')
      throw new ElasticError(
        'NPSWATCH_ES_RESPONSE',
        `${key}: @timestamp did not sort as a date (sort value ${JSON.stringify(time)})`,
        {},
        'map @timestamp as date or date_nanos in every index of the pattern',
      );
    if (cursor.has(key)) {
      skipped++;
      continue;
    }
    cursor.mark(key, time);
    const source = hit._source;
    const position = { file: key, line: 1 };
    const reject = (reason: string, field?: string) => {
      const raw = source === undefined ? '' : JSON.stringify(source);
      issues.push({
        ...position,
        ...(field === undefined ? {} : { field }),
        reason,
        raw: raw.length > MAX_RAW ? raw.slice(0, MAX_RAW) : raw,
        format: 'winlogbeat',
      });
    };
    if (!isObject(source)) {
      reject(source === undefined ? 'the hit has no _source (disabled in the mapping?)' : '_source is not an object');
      continue;
    }
    const record = winlogbeatRecord(source, position, reject);
    if (record !== undefined) records.push(record);
  }
  return { records, issues, skipped };
}

/**
 * New documents of an index pattern as Winlogbeat / Elastic Agent records, oldest first, one page per search.
 *
 * Each read opens a point in time and pages through it with `search_after` on (`@timestamp`, `_shard_doc`), from
 * the cursor's floor, skipping ids read before; at the end it closes the point in time and, when following,
 * polls again every `pollInterval` with a new one (a point in time never sees documents indexed after it was
 * opened). Each page carries the checkpoint to save once it is processed; a reader started from that checkpoint
 * hands out exactly the documents not yet handed out, in any later process.
 *
 * Late documents (indexed after newer ones were read) are found when their time is within `lookback` of the
 * newest read; older ones are not read. Hits that are not events go to `issues`, named `index/_id`. Errors are
 * ElasticErrors without secrets; while following, an unreachable or overloaded server is retried at each poll
 * (told to `onWarning`), and a lost point in time is reopened from the cursor.
 */
export async function* readElastic(
  target: Client | ElasticConnection,
  options: ElasticSourceOptions,
): AsyncGenerator<ElasticSourcePage, void, undefined> {
  checkOptions(options);
  const client = 'client' in target ? target.client : target;
  const secrets = 'client' in target ? target.secrets : [];
  const index = options.index;
  const size = options.pageSize ?? DEFAULTS.pageSize;
  const follow = options.follow ?? DEFAULTS.follow;
  const poll = options.pollInterval ?? DEFAULTS.pollInterval;
  const keepAlive = options.keepAlive ?? DEFAULTS.keepAlive;
  const signal = options.signal;
  const warn = options.onWarning ?? (() => undefined);
  const cursor = new Cursor(
    { lookback: options.lookback ?? DEFAULTS.lookback, maxSeen: options.maxSeen ?? DEFAULTS.maxSeen },
    options.checkpoint ?? (options.from === undefined ? undefined : { floor: Math.max(0, options.from), seen: [] }),
  );

  const fail = (err: unknown, action: string): ElasticError => {
    const e = toElasticError(err, action, secrets);
    if (e.code === 'NPSWATCH_ES_AUTH' && e.status === 403)
      return new ElasticError(
        e.code,
        e.message,
        { status: 403, ...(e.type === undefined ? {} : { type: e.type }) },
        `reading needs the read privilege on ${index} (it covers opening a point in time)`,
      );
    if (e.type === 'index_not_found_exception')
      return new ElasticError(
        e.code,
        e.message,
        { ...(e.status === undefined ? {} : { status: e.status }), type: e.type },
        'check the name; a pattern with * also matches indices created later',
      );
    return e;
  };

  // Pages with new documents so far: a lost point in time after progress is no sign of a too short keep-alive.
  let fresh = 0;

  /** One point in time from the cursor's floor to the end of what it sees; 'lost' if it vanished on the way. */
  async function* pass(): AsyncGenerator<ElasticSourcePage, 'end' | 'lost', undefined> {
    const query = cursorQuery(cursor.floor);
    let pit: string;
    try {
      // index_filter: indices whose times all lie before the floor (old daily indices) stay out of the PIT.
      const opened = await client.openPointInTime(
        { index, keep_alive: keepAlive, index_filter: query },
        signal === undefined ? {} : { signal },
      );
      pit = opened.id;
    } catch (err) {
      throw fail(err, `open point in time on ${index}`);
    }
    try {
      let after: estypes.SortResults | undefined;
      for (;;) {
        let res: estypes.SearchResponse<unknown>;
        try {
          res = await client.search<unknown>(
            {
              pit: { id: pit, keep_alive: keepAlive },
              size,
              sort: SORT,
              query,
              track_total_hits: false,
              // A failed shard would let the cursor run past its documents: fail the page instead.
              allow_partial_search_results: false,
              ...(after === undefined ? {} : { search_after: after }),
            },
            signal === undefined ? {} : { signal },
          );
        } catch (err) {
          if (isPitLost(err)) return 'lost';
          throw fail(err, `search ${index}`);
        }
        if (res.pit_id) pit = res.pit_id;
        const hits = res.hits.hits;
        if (hits.length === 0) return 'end';
        after = hits[hits.length - 1]!.sort;
        const page = readHits(hits, cursor);
        cursor.settle();
        if (page.records.length > 0 || page.issues.length > 0) fresh++;
        // Pages of re-read hits only are handed out too, so a caller can count them; their checkpoint is unchanged.
        yield { ...page, checkpoint: cursor.checkpoint() };
        if (hits.length < size) return 'end';
      }
    } finally {
      // Best effort: an unclosed point in time expires by itself after keepAlive.
      await client.closePointInTime({ id: pit }).catch(() => undefined);
    }
  }

  const sleep = () => delay(poll, undefined, { signal }).catch(() => undefined);
  // Point in time losses in a row without a page read in between; and whether a transient error is being waited out.
  let lost = 0;
  let troubled = false;
  while (!signal?.aborted) {
    const before = fresh;
    let outcome: 'end' | 'lost';
    try {
      outcome = yield* pass();
    } catch (err) {
      if (signal?.aborted) return;
      const e = isElasticError(err) ? err : fail(err, `read ${index}`);
      if (!follow || !isTransient(e)) throw e;
      // Once per outage; the cursor stays where the last page left it.
      if (!troubled) warn(`${e.message}; retrying every ${poll} ms`);
      troubled = true;
      await sleep();
      continue;
    }
    if (troubled) warn(`${index}: reading again`);
    troubled = false;
    if (outcome === 'lost') {
      lost = fresh > before ? 1 : lost + 1;
      if (lost > MAX_REOPENS)
        throw new ElasticError(
          'NPSWATCH_ES_RESPONSE',
          `${index}: the point in time was lost ${lost} times in a row`,
          {},
          'raise the keep-alive above the time one page takes to process',
        );
      warn(`${index}: the point in time expired or was closed; reopened at the checkpoint`);
      continue;
    }
    lost = 0;
    if (!follow) return;
    await sleep();
  }
}
