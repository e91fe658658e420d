import { normalizeChannel, normalizeLevel } from '../record/channel.js';
import type { FormatDefinition, NpsRecord, ParseContext, ParseSink, RecordParser } from '../record/types.js';
import { parseTimestamp } from '../time/parse.js';
import {
  cleanLine,
  headLines,
  integer,
  type LineRecord,
  type LineRejection,
  MAX_RECORD_CHARS,
  notAnInteger,
  present,
  rejection,
  textOutput,
  tooLarge,
  windowsRecord,
} from './text-records.js';

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

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (line.charCodeAt(i) !== 32) return false;
  return true;
}

function leadingSpaces(line: string): number {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) === 32) i++;
  return i;
}

/** `lines`: the raw lines, for the dead-letter copy. */
interface Pending extends LineRecord {
  /** Each key's value lines (continuations appended). */
  readonly values: Map<string, string[]>;
  /** The key whose value the next indented line continues. */
  current: string[];
  /** Column where values start (after `Key<pad> : `). */
  valueCol: number;
  /** Blank lines seen since the last content: a message's own blank lines when an indented line follows. */
  blanks: number;
}

function finish(p: Pending, ctx: ParseContext): NpsRecord | LineRejection {
  const get = (key: string): string | undefined => p.values.get(key)?.join('\n');
  const stamp = present(get('TimeCreated'));
  if (stamp === undefined) return rejection('TimeCreated', 'missing TimeCreated');
  const time = parseTimestamp(stamp, ctx.timeZone);
  if (time === undefined) return rejection('TimeCreated', `invalid TimeCreated "${stamp}"`);
  const eventId = integer(get('Id'));
  if (Number.isNaN(eventId)) return rejection('Id', notAnInteger('Id', get('Id')));
  const recordId = integer(get('RecordId'));
  if (Number.isNaN(recordId)) return rejection('RecordId', notAnInteger('RecordId', get('RecordId')));
  return windowsRecord('get-winevent-list', { file: ctx.file, line: p.line }, time, {
    host: present(get('MachineName')),
    channel: normalizeChannel(present(get('LogName')) ?? present(get('ContainerLog'))),
    provider: present(get('ProviderName')),
    eventId,
    recordId,
    level: normalizeLevel(present(get('LevelDisplayName')) ?? present(get('Level'))),
    message: get('Message'),
  });
}

/**
 * Streaming parser for `Get-WinEvent | Format-List [*]` saved to a file: blank-line separated blocks of padded
 * `Key : Value` lines, values continued on lines indented to the value column. `TimeCreated` is local
 * (ctx.timeZone). Known limit: PowerShell wraps long values at the console width when writing the file, and those
 * wraps cannot be told apart from the message's own line breaks, so they come back as newlines.
 */
export function createGetWinEventListParser(ctx: ParseContext, sink: ParseSink): RecordParser {
  const { file } = ctx;
  let cur: Pending | undefined;
  let skipping = false;
  /** While skipping an oversized block: a blank line has passed, so the next key line opens a new block. */
  let skippedBlank = false;
  const { reject, deliver, stray, flushStray } = textOutput(
    sink,
    file,
    'get-winevent-list',
    'text outside a "Key : Value" block',
  );

  const flush = (): void => {
    if (cur !== undefined) deliver(cur, finish(cur, ctx));
    cur = undefined;
  };

  return {
    push(line: string, lineNo: number): void {
      line = cleanLine(line);

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
            lines: [line],
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
          cur.lines.push(line);
          cur.chars += line.length + 1;
          return;
        }
      }

      const indent = leadingSpaces(line);
      if (cur !== undefined && indent > 0 && !(cur.blanks > 0 && GROUP_HEADER.test(line))) {
        // Continuation of the current value; blank lines before it were the value's own.
        cur.chars += line.length + 1 + cur.blanks;
        if (cur.chars > MAX_RECORD_CHARS) {
          reject(cur, tooLarge('record'));
          cur = undefined;
          skipping = true;
          skippedBlank = false;
          return;
        }
        for (; cur.blanks > 0; cur.blanks--) {
          cur.current.push('');
          cur.lines.push('');
        }
        cur.current.push(line.slice(Math.min(indent, cur.valueCol)));
        cur.lines.push(line);
        return;
      }

      if (GROUP_HEADER.test(line)) {
        flush();
        return;
      }
      flush();
      if (!skipping) stray(line, lineNo);
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
  const lines = headLines(head).filter((l) => !GROUP_HEADER.test(l));
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
