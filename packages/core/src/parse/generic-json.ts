import { normalizeChannel, normalizeLevel } from '../record/channel.js';
import type { FormatDefinition, NpsRecord, ParseContext, ParseSink, RecordParser } from '../record/types.js';
import { parseTimestamp } from '../time/parse.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
const int = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
};

/** A dotted path (`event.created`), or a top-level key that itself contains dots (`@timestamp`, `log.time`). */
export function getPath(doc: Json, path: string): unknown {
  if (path in doc) return doc[path];
  let node: unknown = doc;
  for (const key of path.split('.')) node = obj(node)?.[key];
  return node;
}

/** Epoch seconds or milliseconds (by magnitude), or a timestamp string in the context's zone. */
function timeOf(value: unknown, zone: string): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e11 ? value * 1000 : value;
  return typeof value === 'string' ? parseTimestamp(value, zone) : undefined;
}

/** First defined value among paths. */
const first = (doc: Json, paths: readonly string[]) => {
  for (const p of paths) {
    const v = str(getPath(doc, p));
    if (v !== undefined) return v;
  }
  return undefined;
};

function createParser(ctx: ParseContext, sink: ParseSink): RecordParser {
  const field = ctx.timestampField ?? '@timestamp';
  return {
    push(text, line) {
      if (text.trim() === '') return;
      const reject = (reason: string, f?: string) =>
        sink.reject({ file: ctx.file, line, field: f, reason, raw: text.slice(0, 65536), format: 'json' });
      let doc: Json | undefined;
      try {
        doc = obj(JSON.parse(text));
      } catch (err) {
        return reject(`invalid JSON: ${(err as Error).message}`);
      }
      if (doc === undefined) return reject('not a JSON object');
      const time = timeOf(getPath(doc, field), ctx.timeZone);
      if (time === undefined) return reject(`missing or invalid timestamp at "${field}"`, field);
      const fields: Record<string, string> = {};
      for (const [k, v] of Object.entries(obj(getPath(doc, 'winlog.event_data')) ?? doc)) {
        if (typeof v === 'string' || typeof v === 'number') fields[k] = String(v);
      }
      const record: NpsRecord = {
        format: 'json',
        position: { file: ctx.file, line },
        time,
        host: first(doc, ['host.name', 'winlog.computer_name', 'computer_name', 'ComputerName', 'host', 'hostname']),
        channel: normalizeChannel(first(doc, ['winlog.channel', 'channel', 'LogName'])),
        provider: first(doc, ['winlog.provider_name', 'event.provider', 'provider', 'SourceName']),
        eventId: int(getPath(doc, 'winlog.event_id') ?? getPath(doc, 'event.code') ?? doc.event_id ?? doc.EventCode),
        recordId: int(getPath(doc, 'winlog.record_id') ?? doc.record_id ?? doc.RecordNumber),
        level: normalizeLevel(first(doc, ['log.level', 'level', 'Type'])),
        message: first(doc, ['message', 'Message', 'msg']),
        fields,
      };
      sink.record(record);
    },
    end() {},
  };
}

/**
 * Generic JSON events, one object per line, with the time at `--timestamp-field` (default `@timestamp`). Never
 * detected automatically (any JSON would match): name it with `--format json` or `--timestamp-field`.
 */
export const GENERIC_JSON_FORMAT: FormatDefinition = {
  id: 'json',
  description: 'generic JSON events, one object per line; time at --timestamp-field (default @timestamp)',
  sniff: () => false,
  create: createParser,
};
