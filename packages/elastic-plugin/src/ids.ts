import { createHash } from 'node:crypto';
import type { ClassifiedEvent } from '@npswatch/core';

/**
 * The `_id` of an event document: a hash of what identifies the source record (format, host, channel, record id,
 * time, message), so a replay, a retry or a resend after a lost response writes the same `_id` and `create`
 * answers 409 instead of indexing a duplicate. Not the file position: a rotated or re-exported log keeps its ids.
 * Two records equal in all six are the same record.
 */
export function eventDocumentId(e: ClassifiedEvent): string {
  const key = JSON.stringify([
    e.format,
    e.host ?? null,
    e.channel ?? null,
    e.recordId ?? null,
    e.time,
    e.message ?? null,
  ]);
  // 24 bytes of SHA-256: collisions are out of reach, ids stay short in every index and request.
  return createHash('sha256').update(key).digest('base64url').slice(0, 32);
}

/** Events go to one index per UTC day of their event time: `_id`s are unique per index, and the day is a
 * property of the record, so a replay months later lands in the same index as the first run. */
export function dailyEventIndex(e: ClassifiedEvent, prefix = 'npswatch-events-'): string {
  const d = new Date(e.time);
  // Outside Date's range (never from the parsers, possible from a custom source): one index, not a throw.
  if (Number.isNaN(d.getTime())) return `${prefix}undated`;
  return `${prefix}${d.toISOString().slice(0, 10).replaceAll('-', '.')}`;
}

/** The data stream events go to when setup made `npswatch-events-*` a data stream template. */
export const EVENTS_DATA_STREAM = 'npswatch-events-default';
export const ALERTS_INDEX = 'npswatch-alerts';
export const DEAD_LETTER_INDEX = 'npswatch-deadletter';
