import type { Mutable } from '../mutable.js';
import { normalizeChannel, normalizeLevel } from '../record/channel.js';
import type {
  FormatDefinition,
  NpsRecord,
  ParseContext,
  ParseSink,
  RecordParser,
  SourcePosition,
} from '../record/types.js';
import { parseTimestamp } from '../time/parse.js';

type Json = Record<string, unknown>;

const MAX_RAW = 64 * 1024;

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Unsigned integer from a JSON string or number; undefined when absent, NaN when present but not an integer.
 * A char loop rather than a regex: this runs twice per line on the benchmark path.
 */
function integer(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : Number.NaN;
  if (typeof value !== 'string' || value.length > 15) return Number.NaN;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return n;
}

/**
 * `winlog.event_data` as string fields. The usual case (all values strings) hands over the object JSON.parse just
 * made, without copying; otherwise numbers are stringified and other values dropped.
 */
function eventDataFields(data: Json | undefined): Record<string, string> | undefined {
  if (data === undefined) return undefined;
  let count = 0;
  let allStrings = true;
  for (const name in data) {
    count++;
    if (typeof data[name] !== 'string') {
      allStrings = false;
      break;
    }
  }
  if (allStrings) return count > 0 ? (data as Record<string, string>) : undefined;
  let fields: Record<string, string> | undefined;
  for (const name in data) {
    const value = data[name];
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
    else continue;
    if (fields === undefined) fields = {};
    // Plain assignment to `__proto__` would set the prototype instead of a field.
    Object.defineProperty(fields, name, { value: text, enumerable: true, writable: true, configurable: true });
  }
  return fields;
}

/** Channel spellings repeat endlessly; remember their normal form (bounded, cleared when full). */
const channelCache = new Map<string, string | undefined>();
function channelOf(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let normal = channelCache.get(raw);
  if (normal === undefined && !channelCache.has(raw)) {
    normal = normalizeChannel(raw);
    if (channelCache.size >= 256) channelCache.clear();
    channelCache.set(raw, normal);
  }
  return normal;
}

/**
 * One Winlogbeat / Elastic Agent document, already parsed from JSON (a line of NDJSON, or a search hit's
 * `_source`), as a record; or `undefined` after telling `reject` what is wrong (and which field).
 */
export function winlogbeatRecord(
  doc: Readonly<Record<string, unknown>>,
  position: SourcePosition,
  reject: (reason: string, field?: string) => void,
): NpsRecord | undefined {
  const stamp = doc['@timestamp'];
  let time: number | undefined;
  if (typeof stamp === 'string') time = parseTimestamp(stamp);
  else if (typeof stamp === 'number' && Number.isFinite(stamp)) time = stamp; // epoch_millis, as Elasticsearch accepts
  if (time === undefined) {
    reject(stamp === undefined ? 'missing @timestamp' : `invalid @timestamp ${JSON.stringify(stamp)}`, '@timestamp');
    return undefined;
  }

  const winlog = asObject(doc.winlog);
  const event = asObject(doc.event);
  const eventData = asObject(winlog?.event_data);

  const idSource = winlog?.event_id !== undefined ? 'winlog.event_id' : 'event.code';
  const eventId = integer(winlog?.event_id ?? event?.code);
  if (Number.isNaN(eventId)) {
    reject('event id is not an integer', idSource);
    return undefined;
  }
  const recordId = integer(winlog?.record_id);
  if (Number.isNaN(recordId)) {
    reject('record id is not an integer', 'winlog.record_id');
    return undefined;
  }

  const record: Mutable<NpsRecord> = { format: 'winlogbeat', position, time };
  const host = text(winlog?.computer_name) ?? text(asObject(doc.host)?.name);
  if (host !== undefined) record.host = host;
  const channel = channelOf(text(winlog?.channel));
  if (channel !== undefined) record.channel = channel;
  const provider = text(winlog?.provider_name) ?? text(event?.provider);
  if (provider !== undefined) record.provider = provider;
  if (eventId !== undefined) record.eventId = eventId;
  if (recordId !== undefined) record.recordId = recordId;
  const level = normalizeLevel(text(asObject(doc.log)?.level));
  if (level !== undefined) record.level = level;
  const message = text(doc.message) ?? text(eventData?.param1);
  if (message !== undefined) record.message = message;
  const fields = eventDataFields(eventData);
  if (fields !== undefined) record.fields = fields;
  return record;
}

/** Streaming parser for Winlogbeat / Elastic Agent NDJSON: one ECS document per line. */
export function createWinlogbeatParser(ctx: ParseContext, sink: ParseSink): RecordParser {
  const file = ctx.file;

  const reject = (line: number, raw: string, reason: string, field?: string): void => {
    sink.reject({
      file,
      line,
      ...(field === undefined ? {} : { field }),
      reason,
      raw: raw.length > MAX_RAW ? raw.slice(0, MAX_RAW) : raw,
      format: 'winlogbeat',
    });
  };

  // The line being read, for rejects from winlogbeatRecord: one callback for all lines, no closure per line.
  let current = '';
  let currentNo = 0;
  const rejectCurrent = (reason: string, field?: string): void => reject(currentNo, current, reason, field);

  return {
    push(line: string, lineNo: number): void {
      if (line.length === 0) return;
      if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      if (line.charCodeAt(0) !== 123 /* { */ && line.trim() === '') return;

      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        reject(lineNo, line, `invalid JSON: ${(error as Error).message}`);
        return;
      }
      const doc = asObject(parsed);
      if (doc === undefined) {
        reject(lineNo, line, 'not a JSON object');
        return;
      }

      current = line;
      currentNo = lineNo;
      const record = winlogbeatRecord(doc, { file, line: lineNo }, rejectCurrent);
      if (record !== undefined) sink.record(record);
    },
    end(): void {
      // One record per line: nothing is ever pending.
    },
  };
}

/**
 * A Winlogbeat/Elastic Agent document: the first non-empty line is a JSON object with `winlog`, or with
 * `@timestamp` and `message`. npswatch's own output (top-level `npswatch` object) is left to its own format.
 */
export function sniffWinlogbeat(head: readonly string[]): boolean {
  const first = head.find((l) => l.trim() !== '');
  if (first === undefined) return false;
  const line = first.replace(/^\uFEFF/, '').trim();
  if (!line.startsWith('{')) return false;
  let doc: Json | undefined;
  try {
    doc = asObject(JSON.parse(line));
  } catch {
    return false;
  }
  if (doc === undefined || asObject(doc.npswatch) !== undefined) return false;
  return asObject(doc.winlog) !== undefined || (doc['@timestamp'] !== undefined && typeof doc.message === 'string');
}

export const WINLOGBEAT_FORMAT: FormatDefinition = {
  id: 'winlogbeat',
  description: 'Winlogbeat / Elastic Agent ECS documents, one JSON object per line',
  sniff: sniffWinlogbeat,
  create: createWinlogbeatParser,
};
