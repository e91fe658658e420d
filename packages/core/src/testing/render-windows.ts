/**
 * Renders NpsRecords in each Windows event format, for round-trip tests, fixtures and benchmarks. The output
 * follows the layouts the parsers in ../parse read (see the sample files); each function returns one record's text
 * with lines joined by `\n`.
 */
import { DateTime } from 'luxon';
import type { NpsRecord } from '../record/types.js';

const EVENTS_NS = 'http://schemas.microsoft.com/win/2004/08/events/event';

const LEVEL_NUMBER: Record<string, number> = { critical: 1, error: 2, warning: 3, information: 4, verbose: 5 };
const LEVEL_NAME: Record<string, string> = {
  critical: 'Critical',
  error: 'Error',
  warning: 'Warning',
  information: 'Information',
  verbose: 'Verbose',
};

function levelName(level: string | undefined): string | undefined {
  return level === undefined ? undefined : (LEVEL_NAME[level] ?? level);
}

function local(ms: number, zone: string, layout: string): string {
  return DateTime.fromMillis(ms, { zone }).setLocale('en-US').toFormat(layout);
}

/** One Winlogbeat 8.x ECS document (one line). */
export function renderWinlogbeat(r: NpsRecord): string {
  const id = r.eventId === undefined ? undefined : String(r.eventId);
  return JSON.stringify({
    '@timestamp': new Date(r.time).toISOString(),
    event: { code: id, kind: 'event', provider: r.provider },
    host: r.host === undefined ? undefined : { name: r.host.toLowerCase() },
    log: r.level === undefined ? undefined : { level: r.level },
    message: r.message,
    winlog: {
      api: 'wineventlog',
      channel: r.channel,
      computer_name: r.host,
      event_data: r.fields,
      event_id: id,
      provider_name: r.provider,
      record_id: r.recordId,
    },
  });
}

/** Splunk classic WinEventLog: timestamp line in `zone`, Key=Value lines, Message= last. */
export function renderSplunkWinEventLog(r: NpsRecord, zone: string): string {
  const lines = [local(r.time, zone, 'MM/dd/yyyy hh:mm:ss a')];
  const add = (key: string, value: string | number | undefined): void => {
    if (value !== undefined) lines.push(`${key}=${value}`);
  };
  add('LogName', r.channel);
  add('EventCode', r.eventId);
  add('EventType', r.level === undefined ? undefined : LEVEL_NUMBER[r.level]);
  add('ComputerName', r.host);
  add('SourceName', r.provider);
  add('Type', levelName(r.level));
  add('RecordNumber', r.recordId);
  add('Keywords', 'None');
  add('TaskCategory', 'None');
  add('OpCode', 'Info');
  add('Message', r.message);
  return lines.join('\n');
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const ATTR_ESCAPES: Record<string, string> = {
  ...TEXT_ESCAPES,
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => TEXT_ESCAPES[c]!);
}

function escapeAttr(s: string): string {
  return s.replace(/[&<>"'\t\n\r]/g, (c) => ATTR_ESCAPES[c]!);
}

/** `2024-09-20T10:37:47.7110000Z`: Windows writes 100-ns precision. */
function systemTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, -1)}0000Z`;
}

/** The XML elements of one event, unindented, in Windows' order. `q` is the attribute quote. */
function xmlElements(
  r: NpsRecord,
  q: string,
  rendering: boolean,
): { system: string[]; data: string[]; info: string[] } {
  const system: string[] = [];
  if (r.provider !== undefined) system.push(`<Provider Name=${q}${escapeAttr(r.provider)}${q}/>`);
  if (r.eventId !== undefined) system.push(`<EventID>${r.eventId}</EventID>`);
  if (r.level !== undefined && LEVEL_NUMBER[r.level] !== undefined)
    system.push(`<Level>${LEVEL_NUMBER[r.level]}</Level>`);
  system.push(`<TimeCreated SystemTime=${q}${systemTime(r.time)}${q}/>`);
  if (r.recordId !== undefined) system.push(`<EventRecordID>${r.recordId}</EventRecordID>`);
  if (r.channel !== undefined) system.push(`<Channel>${escapeText(r.channel)}</Channel>`);
  if (r.host !== undefined) system.push(`<Computer>${escapeText(r.host)}</Computer>`);

  const data: string[] = [];
  if (r.fields !== undefined) {
    for (const [name, value] of Object.entries(r.fields)) {
      data.push(`<Data Name=${q}${escapeAttr(name)}${q}>${escapeText(value)}</Data>`);
    }
  } else if (r.message !== undefined && !rendering) {
    data.push(`<Data>${escapeText(r.message)}</Data>`);
  }

  const info: string[] = [];
  if (rendering) {
    if (r.message !== undefined) info.push(`<Message>${escapeText(r.message)}</Message>`);
    const level = levelName(r.level);
    if (level !== undefined) info.push(`<Level>${escapeText(level)}</Level>`);
    if (r.channel !== undefined) info.push(`<Channel>${escapeText(r.channel)}</Channel>`);
    if (r.provider !== undefined) info.push(`<Provider>${escapeText(r.provider)}</Provider>`);
  }
  return { system, data, info };
}

/**
 * Pretty-printed event XML as `Get-WinEvent | % ToXml()` writes it. Records with only a message carry it as one
 * unnamed `<Data>`; records with fields and a message add `<RenderingInfo>` (as `wevtutil qe /f:RenderedXml`).
 */
export function renderWindowsXml(r: NpsRecord): string {
  const rendering = r.fields !== undefined && r.message !== undefined;
  const { system, data, info } = xmlElements(r, '"', rendering);
  const lines = [`<Event xmlns="${EVENTS_NS}">`, '  <System>', ...system.map((s) => `    ${s}`), '  </System>'];
  if (data.length === 0) lines.push('  <EventData/>');
  else lines.push('  <EventData>', ...data.map((s) => `    ${s}`), '  </EventData>');
  if (rendering) lines.push('  <RenderingInfo Culture="en-US">', ...info.map((s) => `    ${s}`), '  </RenderingInfo>');
  lines.push('</Event>');
  return lines.join('\n');
}

/** Splunk XmlWinEventLog: the event on one line, single-quoted attributes, always with `<RenderingInfo>`. */
export function renderXmlWinEventLog(r: NpsRecord): string {
  const { system, data, info } = xmlElements(r, "'", true);
  // Splunk keeps the unnamed <Data> next to RenderingInfo (see samples/splunk-xmlwineventlog.xml).
  const eventData =
    data.length > 0 ? data.join('') : r.message !== undefined ? `<Data>${escapeText(r.message)}</Data>` : '';
  return (
    `<Event xmlns='${EVENTS_NS}'><System>${system.join('')}</System>` +
    `<EventData>${eventData}</EventData>` +
    `<RenderingInfo Culture='en-US'>${info.join('')}</RenderingInfo></Event>`
  );
}

/** One `wevtutil qe <log> /f:text` block; `Date` in `zone` without offset, as wevtutil prints it. */
export function renderWevtutilText(r: NpsRecord, zone: string, index = 0): string {
  const na = (v: string | number | undefined): string => (v === undefined ? 'N/A' : String(v));
  const lines = [
    `Event[${index}]:`,
    `  Log Name: ${na(r.channel)}`,
    `  Source: ${na(r.provider)}`,
    `  Date: ${local(r.time, zone, "yyyy-MM-dd'T'HH:mm:ss.SSS")}`,
    `  Event ID: ${na(r.eventId)}`,
    '  Task: N/A',
    `  Level: ${na(levelName(r.level))}`,
    '  Opcode: Info',
    '  Keyword: N/A',
    '  User: N/A',
    '  User Name: N/A',
    `  Computer: ${na(r.host)}`,
    '  Description: ',
  ];
  if (r.message !== undefined) lines.push(r.message);
  return lines.join('\n');
}

const LIST_KEY_WIDTH = 'KeywordsDisplayNames'.length;

/** One `Get-WinEvent | Format-List *` block; `TimeCreated` in `zone`, Message continued at the value column. */
export function renderGetWinEventList(r: NpsRecord, zone: string): string {
  const indent = ' '.repeat(LIST_KEY_WIDTH + 3);
  const row = (key: string, v: string | number | undefined): string =>
    v === undefined || v === '' ? `${key.padEnd(LIST_KEY_WIDTH)} :` : `${key.padEnd(LIST_KEY_WIDTH)} : ${v}`;
  const [first, ...rest] = (r.message ?? '').split('\n');
  return [
    row('Message', first),
    ...rest.map((l) => (l === '' ? '' : indent + l)),
    row('Id', r.eventId),
    row('Level', r.level === undefined ? undefined : LEVEL_NUMBER[r.level]),
    row('RecordId', r.recordId),
    row('ProviderName', r.provider),
    row('LogName', r.channel),
    row('MachineName', r.host),
    row('TimeCreated', local(r.time, zone, 'M/d/yyyy h:mm:ss a')),
    row('LevelDisplayName', levelName(r.level)),
  ].join('\n');
}
