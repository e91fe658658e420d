import type { FormatDefinition, ParseContext, ParseSink, RecordParser } from '../record/types.js';
import {
  addField,
  canonicalDtsName,
  createLineParser,
  firstHeadLine,
  type LineResult,
  localTimeReader,
  rejection,
} from './accounting-attributes.js';

/**
 * NPS "DTS Compliant" accounting lines: one flat `<Event>` per line, each child `<Name data_type="N">text</Name>`.
 * The shape is fixed and flat, so a scanner reads it without building a document per line; anything outside that
 * shape (nesting, mismatched tags, unknown entities) is rejected rather than guessed at.
 */

const DTS_LINE = /^<Event><Timestamp data_type=/;
// No leading `_` or `:`: keeps prototype keys (`__proto__`) and namespaces out of `fields`.
const ELEMENT_NAME = /^[A-Za-z][A-Za-z0-9.-]*$/;
const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** True when the first non-empty line looks like a DTS-compliant XML event. */
export function sniffDts(head: readonly string[]): boolean {
  const line = firstHeadLine(head);
  return line !== undefined && DTS_LINE.test(line);
}

class DtsError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(reason);
  }
}

/** Decodes the five XML entities and numeric character references; throws DtsError on anything else. */
function decodeXmlText(raw: string, field: string): string {
  let amp = raw.indexOf('&');
  if (amp === -1) return raw;
  let out = '';
  let from = 0;
  while (amp !== -1) {
    const semi = raw.indexOf(';', amp + 1);
    if (semi === -1 || semi - amp > 12) throw new DtsError(field, `bare "&" at offset ${amp}`);
    const ref = raw.slice(amp + 1, semi);
    let ch = NAMED_ENTITIES[ref];
    if (ch === undefined) {
      const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
      const cp = m ? (m[1] === undefined ? Number(m[2]) : Number.parseInt(m[1], 16)) : -1;
      if (cp <= 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        throw new DtsError(field, `unknown entity "&${ref};"`);
      }
      ch = String.fromCodePoint(cp);
    }
    out += raw.slice(from, amp) + ch;
    from = semi + 1;
    amp = raw.indexOf('&', from);
  }
  return out + raw.slice(from);
}

/** XML name characters we accept (ASCII letters, digits, `.`, `-`, `_`, `:`); ELEMENT_NAME narrows further. */
function isNameChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 45 ||
    c === 46 ||
    c === 95 ||
    c === 58
  );
}

function skipSpace(text: string, i: number): number {
  let j = i;
  for (;;) {
    const c = text.charCodeAt(j);
    if (c !== 32 && c !== 9) return j;
    j++;
  }
}

interface DtsEvent {
  readonly timestamp: string | undefined;
  readonly fields: Record<string, string>;
}

/** Reads one `<Event>…</Event>` line into canonical fields; throws DtsError naming the bad element. */
function readEvent(text: string): DtsEvent {
  const fields: Record<string, string> = {};
  let timestamp: string | undefined;
  let i = skipSpace(text, 0);
  if (!text.startsWith('<Event>', i)) throw new DtsError('Event', 'line does not start with <Event>');
  i += 7;
  let previous = 'Event';
  for (;;) {
    i = skipSpace(text, i);
    if (text.startsWith('</Event>', i)) {
      if (skipSpace(text, i + 8) !== text.length) throw new DtsError('Event', 'text after </Event>');
      return { timestamp, fields };
    }
    if (i >= text.length) throw new DtsError('Event', `missing </Event> after <${previous}>`);
    if (text.charCodeAt(i) !== 60 /* < */) throw new DtsError(previous, `text outside an element after <${previous}>`);
    let j = i + 1;
    while (isNameChar(text.charCodeAt(j))) j++;
    const name = text.slice(i + 1, j);
    if (!ELEMENT_NAME.test(name)) throw new DtsError(previous, `bad element name "${name}" after <${previous}>`);
    const gt = text.indexOf('>', j);
    if (gt === -1) throw new DtsError(name, `unterminated <${name}> tag`);
    const attrs = text.slice(j, gt);
    if (attrs !== '' && attrs !== '/' && !/^\s[^<]*$/.test(attrs)) throw new DtsError(name, `malformed <${name}> tag`);
    let value: string;
    if (attrs.endsWith('/')) {
      value = '';
      i = gt + 1;
    } else {
      const lt = text.indexOf('<', gt + 1);
      const close = `</${name}>`;
      if (lt === -1 || !text.startsWith(close, lt)) throw new DtsError(name, `missing ${close}`);
      value = decodeXmlText(text.slice(gt + 1, lt), name);
      i = lt + close.length;
    }
    if (name === 'Timestamp') {
      if (timestamp !== undefined) throw new DtsError(name, 'more than one <Timestamp>');
      timestamp = value;
    } else {
      addField(fields, canonicalDtsName(name), value);
    }
    previous = name;
  }
}

/** Reads one DTS line; `readTime` converts `MM/dd/yyyy HH:mm:ss[.SSS]` local time to epoch ms. */
function readDtsLine(text: string, readTime: (local: string) => number | undefined): LineResult {
  let event: DtsEvent;
  try {
    event = readEvent(text);
  } catch (e) {
    if (e instanceof DtsError) return rejection(e.field, e.message);
    throw e;
  }
  const { timestamp, fields } = event;
  if (timestamp === undefined) return rejection('Timestamp', 'no <Timestamp> element');
  const time = readTime(timestamp.trim());
  if (time === undefined) return rejection('Timestamp', `not an MM/dd/yyyy HH:mm:ss.SSS time: "${timestamp}"`);
  return { time, fields };
}

/** A streaming parser for DTS-compliant XML lines: one record (or rejection) per non-blank line. */
export function createDtsParser(ctx: ParseContext, sink: ParseSink): RecordParser {
  const readTime = localTimeReader(ctx.timeZone);
  return createLineParser('dts', ctx, sink, (text) => readDtsLine(text, readTime));
}

export const DTS_FORMAT: FormatDefinition = {
  id: 'dts',
  description: 'NPS accounting log, DTS-compliant XML: one <Event> element per line',
  sniff: sniffDts,
  create: createDtsParser,
};
