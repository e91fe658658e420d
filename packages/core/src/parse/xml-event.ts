import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Mutable } from '../mutable.js';
import { normalizeChannel, normalizeLevel } from '../record/channel.js';
import type { FormatDefinition, FormatId, NpsRecord, ParseContext, ParseSink, RecordParser } from '../record/types.js';
import { parseTimestamp } from '../time/parse.js';

type XmlNode = Record<string, unknown>;

const MAX_RAW = 64 * 1024;
/** Larger records are rejected and skipped: memory stays bounded whatever the input. Counted in UTF-16 units. */
export const MAX_XML_RECORD_CHARS = 1024 * 1024;
const END_TAG = '</Event>';
const EVENTS_NS = 'http://schemas.microsoft.com/win/2004/08/events/event';

// Entities are decoded by us, in one pass, so `&amp;lt;` stays `&lt;` and numeric references (`&#10;`) work;
// the library would do neither. It also keeps DOCTYPE entity expansion out of the picture.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  alwaysCreateTextNode: true,
  processEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && name === 'Data',
});

const ENTITY = /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos));/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED[name]!;
    const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex!, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function asNode(value: unknown): XmlNode | undefined {
  if (Array.isArray(value)) return asNode(value[0]);
  return typeof value === 'object' && value !== null ? (value as XmlNode) : undefined;
}

/** Decoded text content of an element (first one when repeated); undefined when the element is absent. */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return decode(value);
  const node = asNode(value);
  if (node === undefined) return undefined;
  const t = node['#text'];
  return typeof t === 'string' ? decode(t) : '';
}

function attrOf(value: unknown, name: string): string | undefined {
  const a = asNode(value)?.[`@_${name}`];
  return typeof a === 'string' ? decode(a) : undefined;
}

function nonEmpty(text: string | undefined): string | undefined {
  const t = text?.trim();
  return t === undefined || t === '' ? undefined : t;
}

/** Start of an `<Event` element (not `<EventData`, `<EventID`, `<Events>`) at or after `from`; -1 when none. */
function findEventStart(s: string, from: number): number {
  let i = s.indexOf('<Event', from);
  while (i >= 0) {
    const c = s.charCodeAt(i + 6);
    if (Number.isNaN(c) || c === 32 || c === 9 || c === 10 || c === 13 || c === 62 /* > */ || c === 47 /* / */) {
      return i;
    }
    i = s.indexOf('<Event', i + 6);
  }
  return -1;
}

const TAG = /<(\/?)([A-Za-z_][\w.:-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>|<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g;
const OPEN_AT_END = /<([A-Za-z_][\w.:-]*)[^>]*$/;

/**
 * The element path open at `offset` (`System/TimeCreated`), without the root `Event`: names the field a
 * malformed or truncated record broke in. A tag cut off before its `>` counts as open.
 */
export function openElementPath(xml: string, offset = xml.length): string {
  const head = xml.slice(0, offset);
  const stack: string[] = [];
  let lastEnd = 0;
  TAG.lastIndex = 0;
  for (let m = TAG.exec(head); m !== null; m = TAG.exec(head)) {
    lastEnd = TAG.lastIndex;
    const name = m[2];
    if (name === undefined || m[4] === '/') continue;
    if (m[1] === '/') {
      const at = stack.lastIndexOf(name);
      if (at >= 0) stack.length = at;
    } else stack.push(name);
  }
  const partial = OPEN_AT_END.exec(head.slice(lastEnd));
  if (partial?.[1] !== undefined) stack.push(partial[1]);
  if (stack[0] === 'Event') stack.shift();
  return stack.length > 0 ? stack.join('/') : 'Event';
}

function offsetOf(xml: string, line: number, col: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = xml.indexOf('\n', at);
    if (nl < 0) return xml.length;
    at = nl + 1;
  }
  return Math.min(xml.length, at + Math.max(0, col - 1));
}

/** Leaves of `<UserData>` as fields, keyed by element name (dotted path when a name repeats). */
function flattenUserData(node: XmlNode, path: string, fields: Record<string, string>): void {
  for (const [name, child] of Object.entries(node)) {
    if (name.startsWith('@_') || name === '#text') continue;
    for (const item of Array.isArray(child) ? child : [child]) {
      const itemNode = asNode(item);
      const childPath = path === '' ? name : `${path}.${name}`;
      const hasChildren =
        itemNode !== undefined && Object.keys(itemNode).some((k) => !k.startsWith('@_') && k !== '#text');
      if (hasChildren) flattenUserData(itemNode, childPath, fields);
      else {
        const key = fields[name] === undefined ? name : childPath;
        fields[key] = textOf(item) ?? '';
      }
    }
  }
}

type Outcome = { record: Mutable<NpsRecord> } | { field: string; reason: string };

/** Reads one complete `<Event>…</Event>` text. `firstLine` turns XML line numbers into input line numbers. */
function readEvent(xml: string, format: FormatId, file: string, firstLine: number): Outcome {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    return {
      field: openElementPath(xml, offsetOf(xml, line, col)),
      reason: `malformed XML at line ${firstLine + line - 1}: ${msg}`,
    };
  }
  const doc = parser.parse(xml) as XmlNode;
  const event = asNode(doc.Event);
  const system = asNode(event?.System);
  if (event === undefined || system === undefined) return { field: 'System', reason: 'no <System> element' };

  const stamp = attrOf(system.TimeCreated, 'SystemTime');
  if (stamp === undefined) return { field: 'System/TimeCreated/@SystemTime', reason: 'missing TimeCreated SystemTime' };
  const time = parseTimestamp(stamp);
  if (time === undefined) {
    return { field: 'System/TimeCreated/@SystemTime', reason: `invalid TimeCreated SystemTime "${stamp}"` };
  }
  const eventIdText = nonEmpty(textOf(system.EventID));
  if (eventIdText !== undefined && !/^\d{1,10}$/.test(eventIdText)) {
    return { field: 'System/EventID', reason: `EventID "${eventIdText}" is not an integer` };
  }
  const recordIdText = nonEmpty(textOf(system.EventRecordID));
  if (recordIdText !== undefined && !/^\d{1,15}$/.test(recordIdText)) {
    return { field: 'System/EventRecordID', reason: `EventRecordID "${recordIdText}" is not an integer` };
  }

  const record: Mutable<NpsRecord> = { format, position: { file, line: firstLine }, time };
  const host = nonEmpty(textOf(system.Computer));
  if (host !== undefined) record.host = host;
  const channel = normalizeChannel(textOf(system.Channel));
  if (channel !== undefined) record.channel = channel;
  const provider = nonEmpty(attrOf(system.Provider, 'Name'));
  if (provider !== undefined) record.provider = provider;
  if (eventIdText !== undefined) record.eventId = Number(eventIdText);
  if (recordIdText !== undefined) record.recordId = Number(recordIdText);

  const rendering = asNode(event.RenderingInfo);
  const level = normalizeLevel(nonEmpty(textOf(rendering?.Level)) ?? nonEmpty(textOf(system.Level)));
  if (level !== undefined) record.level = level;

  const fields: Record<string, string> = {};
  const unnamed: string[] = [];
  const data = asNode(event.EventData)?.Data;
  if (Array.isArray(data)) {
    for (const item of data) {
      const name = attrOf(item, 'Name');
      const value = textOf(item) ?? '';
      if (name === undefined) unnamed.push(value);
      else fields[name] = value;
    }
  }
  // Winlogbeat's convention for unnamed <Data>: param1..paramN.
  unnamed.forEach((value, i) => {
    fields[`param${i + 1}`] = value;
  });
  const userData = asNode(event.UserData);
  if (userData !== undefined) flattenUserData(userData, '', fields);
  if (Object.keys(fields).length > 0) record.fields = fields;

  const rendered = textOf(rendering?.Message);
  const message = rendered !== undefined && rendered !== '' ? rendered : unnamed.join('\n');
  if (message !== '') record.message = message;
  return { record };
}

/** Outside records only whitespace, the XML declaration, comments and an `<Events>` wrapper are expected. */
const WRAPPER = /<\?xml[^>]*\?>|<\/?Events(?:\s[^>]*)?>|<!--[\s\S]*?-->/g;

/**
 * Streaming assembler for Windows event XML: collects lines from `<Event` to `</Event>` (several records may share
 * a line, one record may span many), then reads each record with fast-xml-parser.
 */
export function createXmlEventParser(ctx: ParseContext, sink: ParseSink, format: FormatId): RecordParser {
  const file = ctx.file;
  let parts: string[] = [];
  let chars = 0;
  let startLine = 0;
  let inRecord = false;
  let skipping = false;
  let stray: { line: number; text: string } | undefined;

  const reject = (line: number, raw: string, reason: string, field?: string): void => {
    sink.reject({
      file,
      line,
      ...(field === undefined ? {} : { field }),
      reason,
      raw: raw.length > MAX_RAW ? raw.slice(0, MAX_RAW) : raw,
      format,
    });
  };

  const flushStray = (): void => {
    if (stray === undefined) return;
    reject(stray.line, stray.text, 'text outside an <Event> element');
    stray = undefined;
  };

  const outside = (text: string, line: number): void => {
    if (skipping || text.trim() === '' || text.replace(WRAPPER, '').trim() === '') return;
    if (stray === undefined) stray = { line, text };
    else if (stray.text.length < MAX_RAW) stray.text += `\n${text}`;
  };

  const complete = (): void => {
    const xml = parts.length === 1 ? parts[0]! : parts.join('\n');
    parts = [];
    inRecord = false;
    if (xml.length > MAX_XML_RECORD_CHARS) {
      reject(startLine, xml, 'record larger than 1 MiB');
      return;
    }
    const outcome = readEvent(xml, format, file, startLine);
    if ('record' in outcome) sink.record(outcome.record);
    else reject(startLine, xml, outcome.reason, outcome.field);
  };

  const truncated = (why: string): void => {
    const xml = parts.join('\n');
    parts = [];
    inRecord = false;
    const field = openElementPath(xml);
    reject(startLine, xml, `truncated record: ${why} (cut inside ${field})`, field);
  };

  return {
    push(line: string, lineNo: number): void {
      if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      let pos = 0;
      while (pos <= line.length) {
        let searchFrom = pos;
        if (!inRecord) {
          const start = findEventStart(line, pos);
          if (start < 0) {
            if (pos < line.length) outside(line.slice(pos), lineNo);
            return;
          }
          if (start > pos) outside(line.slice(pos, start), lineNo);
          flushStray();
          skipping = false;
          inRecord = true;
          startLine = lineNo;
          chars = 0;
          pos = start;
          searchFrom = start + 6;
        }
        const end = line.indexOf(END_TAG, searchFrom);
        const next = findEventStart(line, searchFrom);
        if (next >= 0 && (end < 0 || next < end)) {
          // A new record opens before this one closed: the earlier one was cut off; resync on the new one.
          if (next > pos) parts.push(line.slice(pos, next));
          truncated(`a new <Event> starts at line ${lineNo}`);
          pos = next;
          continue;
        }
        if (end < 0) {
          const rest = pos === 0 ? line : line.slice(pos);
          chars += rest.length + 1;
          if (chars > MAX_XML_RECORD_CHARS) {
            parts.push(rest);
            const raw = parts.join('\n');
            parts = [];
            inRecord = false;
            skipping = true;
            reject(startLine, raw, 'record larger than 1 MiB; skipped to the next <Event>');
            return;
          }
          parts.push(rest);
          return;
        }
        parts.push(pos === 0 && end + END_TAG.length === line.length ? line : line.slice(pos, end + END_TAG.length));
        complete();
        pos = end + END_TAG.length;
      }
    },
    end(): void {
      if (inRecord) truncated('input ended before </Event>');
      flushStray();
    },
  };
}

/** Raw event XML: the events namespace on an `<Event` element, or an `<Events>` wrapper. */
export function sniffWindowsXml(head: readonly string[]): boolean {
  const text = head.join('\n');
  return /<Events[\s>]/.test(text) || (findEventStart(text, 0) >= 0 && text.includes(EVENTS_NS));
}

/** Splunk XmlWinEventLog: the first record line opens `<Event xmlns=` and closes `</System>` on the same line. */
export function sniffSplunkXmlWinEventLog(head: readonly string[]): boolean {
  const first = head.map((l) => l.replace(/^\uFEFF/, '').trim()).find((l) => l.startsWith('<Event'));
  return first?.startsWith('<Event xmlns=') === true && first.includes('</System>');
}

export const SPLUNK_XMLWINEVENTLOG_FORMAT: FormatDefinition = {
  id: 'splunk-xmlwineventlog',
  description: 'Splunk XmlWinEventLog: one <Event> with RenderingInfo per line',
  sniff: sniffSplunkXmlWinEventLog,
  create: (ctx, sink) => createXmlEventParser(ctx, sink, 'splunk-xmlwineventlog'),
};

export const WINDOWS_XML_FORMAT: FormatDefinition = {
  id: 'windows-xml',
  description: 'Windows event XML (Get-WinEvent ToXml(), wevtutil qe /f:xml), pretty-printed or concatenated',
  sniff: sniffWindowsXml,
  create: (ctx, sink) => createXmlEventParser(ctx, sink, 'windows-xml'),
};
