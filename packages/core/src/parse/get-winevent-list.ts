import { normalizeChannel, normalizeLevel } from '../record/channel.js';
import type { FormatDefinition, NpsRecord, ParseContext, ParseSink, RecordParser } from '../record/types.js';
import { parseTimestamp } from '../time/parse.js';
import { isNpsSecurityEvent, securityFieldsFromMessage } from './security-message.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const MAX_RAW = 64 * 1024;
const MAX_RECORD_CHARS = 1024 * 1024;

/** Properties of EventLogRecord as `Format-List` / `Format-List *` print them. */
const KNOWN_KEYS = new Set([
  'Message',
  'Id',
  'Version',
  'Qualifiers',
  'Level',
  'Task',
  'Opcode',
  'Keywords',
  'RecordId',
  'ProviderName',
  'ProviderId',
  'LogName',
  'ProcessId',
  'ThreadId',
  'MachineName',
  'UserId',
  'TimeCreated',
  'ActivityId',
  'RelatedActivityId',
  'ContainerLog',
  'MatchedQueryIds',
  'Bookmark',
  'LevelDisplayName',
  'OpcodeDisplayName',
  'TaskDisplayName',
  'KeywordsDisplayNames',
  'Properties',
]);

/** `Key<padding> : value`, key at column 0; `value` is empty (and the trailing space gone) for empty values. */
const KEY_LINE = /^([A-Za-z][A-Za-z0-9]*) +:(?: (.*))?$/;
/** The group header PowerShell prints when the provider changes: `   ProviderName: X`. */
const GROUP_HEADER = /^ +ProviderName: /;

function integer(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return /^\s*\d{1,15}\s*$/.test(text) ? Number(text) : Number.NaN;
}

function value(text: string | undefined): string | undefined {
  const t = text?.trim();
  return t === undefined || t === '' ? undefined : t;
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (line.charCodeAt(i) !== 32) return false;
  return true;
}

function leadingSpaces(line: string): number {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) === 32) i++;
  return i;
}

interface Pending {
  readonly line: number;
  readonly raw: string[];
  /** Each key's value lines (continuations appended). */
  readonly values: Map<string, string[]>;
  /** The key whose value the next indented line continues. */
  current: string[];
  /** Column where values start (after `Key<pad> : `). */
  valueCol: number;
  /** Blank lines seen since the last content: a message's own blank lines when an indented line follows. */
  blanks: number;
  chars: number;
}

/**
 * Streaming parser for `Get-WinEvent | Format-List [*]` saved to a file: blank-line separated blocks of padded
 * `Key : Value` lines, values continued on lines indented to the value column. `TimeCreated` is local
 * (ctx.timeZone). Known limit: PowerShell wraps long values at the console width when writing the file, and those
 * wraps cannot be told apart from the message's own line breaks, so they come back as newlines.
 */
export function createGetWinEventListParser(ctx: ParseContext, sink: ParseSink): RecordParser {
  const { file, timeZone } = ctx;
  let cur: Pending | undefined;
  let skipping = false;
  /** While skipping an oversized block: a blank line has passed, so the next key line opens a new block. */
  let skippedBlank = false;
  let stray: { line: number; lines: string[]; chars: number } | undefined;

  const reject = (line: number, lines: readonly string[], reason: string, field?: string): void => {
    const raw = lines.join('\n');
    sink.reject({
      file,
      line,
      ...(field === undefined ? {} : { field }),
      reason,
      raw: raw.length > MAX_RAW ? raw.slice(0, MAX_RAW) : raw,
      format: 'get-winevent-list',
    });
  };

  const addStray = (line: string, lineNo: number): void => {
    if (stray === undefined) stray = { line: lineNo, lines: [], chars: 0 };
    if (stray.chars < MAX_RAW) stray.lines.push(line);
    stray.chars += line.length + 1;
  };

  const flushStray = (): void => {
    if (stray === undefined) return;
    reject(stray.line, stray.lines, 'text outside a "Key : Value" block');
    stray = undefined;
  };

  const finish = (p: Pending): void => {
    const get = (key: string): string | undefined => p.values.get(key)?.join('\n');
    const stamp = value(get('TimeCreated'));
    if (stamp === undefined) {
      reject(p.line, p.raw, 'missing TimeCreated', 'TimeCreated');
      return;
    }
    const time = parseTimestamp(stamp, timeZone);
    if (time === undefined) {
      reject(p.line, p.raw, `invalid TimeCreated "${stamp}"`, 'TimeCreated');
      return;
    }
    const eventId = integer(get('Id'));
    if (Number.isNaN(eventId)) {
      reject(p.line, p.raw, `Id "${get('Id')}" is not an integer`, 'Id');
      return;
    }
    const recordId = integer(get('RecordId'));
    if (Number.isNaN(recordId)) {
      reject(p.line, p.raw, `RecordId "${get('RecordId')}" is not an integer`, 'RecordId');
      return;
    }

    const record: Mutable<NpsRecord> = { format: 'get-winevent-list', position: { file, line: p.line }, time };
    const host = value(get('MachineName'));
    if (host !== undefined) record.host = host;
    const channel = normalizeChannel(value(get('LogName')) ?? value(get('ContainerLog')));
    if (channel !== undefined) record.channel = channel;
    const provider = value(get('ProviderName'));
    if (provider !== undefined) record.provider = provider;
    if (eventId !== undefined) record.eventId = eventId;
    if (recordId !== undefined) record.recordId = recordId;
    const level = normalizeLevel(value(get('LevelDisplayName')) ?? value(get('Level')));
    if (level !== undefined) record.level = level;
    const message = get('Message');
    if (message !== undefined && message !== '') record.message = message;
    if (record.message !== undefined && isNpsSecurityEvent(record.eventId, record.channel)) {
      const fields = securityFieldsFromMessage(record.message);
      if (Object.keys(fields).length > 0) record.fields = fields;
    }
    sink.record(record);
  };

  const flush = (): void => {
    if (cur !== undefined) finish(cur);
    cur = undefined;
  };

  return {
    push(line: string, lineNo: number): void {
      if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);

      // PowerShell pads empty lines of a multi-line value with spaces; either way they are blank.
      if (isBlank(line)) {
        if (cur !== undefined) cur.blanks++;
        else if (skipping) skippedBlank = true;
        return;
      }

      const key = line.charCodeAt(0) === 32 ? null : KEY_LINE.exec(line);
      if (key !== null) {
        const name = key[1]!;
        const text = key[2] ?? '';
        if (cur === undefined && skipping && !skippedBlank) return; // rest of an oversized block
        // A known key after a blank line (or repeating one already seen) opens the next record.
        if (KNOWN_KEYS.has(name) && (cur === undefined || cur.blanks > 0 || cur.values.has(name))) {
          flush();
          flushStray();
          skipping = false;
          skippedBlank = false;
          const current = [text];
          cur = {
            line: lineNo,
            raw: [line],
            values: new Map([[name, current]]),
            current,
            valueCol: line.indexOf(':') + 2,
            blanks: 0,
            chars: line.length,
          };
          return;
        }
        if (cur !== undefined && cur.blanks === 0) {
          const current = [text];
          cur.values.set(name, current);
          cur.current = current;
          cur.raw.push(line);
          cur.chars += line.length + 1;
          return;
        }
      }

      const indent = leadingSpaces(line);
      if (cur !== undefined && indent > 0 && !(cur.blanks > 0 && GROUP_HEADER.test(line))) {
        // Continuation of the current value; blank lines before it were the value's own.
        cur.chars += line.length + 1 + cur.blanks;
        if (cur.chars > MAX_RECORD_CHARS) {
          reject(cur.line, cur.raw, 'record larger than 1 MiB; skipped to the next record');
          cur = undefined;
          skipping = true;
          skippedBlank = false;
          return;
        }
        for (; cur.blanks > 0; cur.blanks--) {
          cur.current.push('');
          cur.raw.push('');
        }
        cur.current.push(line.slice(Math.min(indent, cur.valueCol)));
        cur.raw.push(line);
        return;
      }

      if (GROUP_HEADER.test(line)) {
        flush();
        return;
      }
      flush();
      if (!skipping) addStray(line, lineNo);
    },
    end(): void {
      flush();
      flushStray();
    },
  };
}

/**
 * The first non-empty line (after an optional `   ProviderName: X` group header) is a known `Key : Value` line, and
 * the next is another known key at the same colon column, or — `Format-List *` starts with Message — a line
 * indented to the value column.
 */
export function sniffGetWinEventList(head: readonly string[]): boolean {
  const lines = head
    .map((l) => l.replace(/^\uFEFF/, '').replace(/\r$/, ''))
    .filter((l) => l.trim() !== '' && !GROUP_HEADER.test(l));
  const first = lines[0] === undefined ? null : KEY_LINE.exec(lines[0]);
  const second = lines[1];
  if (first === null || second === undefined || !KNOWN_KEYS.has(first[1]!)) return false;
  const col = lines[0]!.indexOf(':');
  if (first[1] === 'Message' && leadingSpaces(second) >= col + 2) return true;
  const m = KEY_LINE.exec(second);
  return m !== null && KNOWN_KEYS.has(m[1]!) && second.indexOf(':') === col;
}

export const GET_WINEVENT_LIST_FORMAT: FormatDefinition = {
  id: 'get-winevent-list',
  description: 'Get-WinEvent | Format-List [*] output (padded "Key : Value" blocks)',
  sniff: sniffGetWinEventList,
  create: createGetWinEventListParser,
};
