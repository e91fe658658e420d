import { DateTime } from 'luxon';
import {
  baseFieldName,
  dtsElementName,
  IAS_HEADER,
  iasAttributeNumber,
  ODBC_COLUMNS,
  PACKET_TYPE_NAME_FIELD,
} from '../parse/accounting-attributes.js';
import type { NpsRecord } from '../record/types.js';

/**
 * Renders NpsRecords as NPS accounting log lines (no line ending): the inverse of the ias/odbc/dts parsers, for
 * round-trip tests and benchmark corpora. Time is written as local time in `timeZone`; parse with the same zone.
 * Fields a format cannot carry are left out: the derived Packet-Type-Name everywhere, names without an IAS number
 * in IAS, names outside the column table (and repeats such as `Class#2`) in ODBC.
 */

function localTime(ms: number, zone: string, layout: string): string {
  const dt = DateTime.fromMillis(ms, { zone });
  if (!dt.isValid) throw new RangeError(`cannot render time ${ms} in zone "${zone}"`);
  return dt.toFormat(layout);
}

function fieldsOf(r: NpsRecord): Readonly<Record<string, string>> {
  return r.fields ?? {};
}

/** The NPS server name: the Computer-Name field, else `host`. */
function computerName(r: NpsRecord): string | undefined {
  return fieldsOf(r)['Computer-Name'] ?? r.host;
}

function assertOneLine(format: string, name: string, value: string): void {
  if (/[\r\n]/.test(value)) throw new RangeError(`${format}: field "${name}" contains a line break`);
}

const IAS_HEADER_NAMES: ReadonlySet<string> = new Set(IAS_HEADER);

function iasValue(name: string, value: string): string {
  if (/[,\r\n]/.test(value)) throw new RangeError(`renderIas: field "${name}" contains a comma or line break`);
  return value;
}

/** One IAS-format line. Values may not contain `,` or line breaks (NPS would hex-encode them). */
export function renderIas(r: NpsRecord, timeZone = 'UTC'): string {
  const f = fieldsOf(r);
  const parts = [
    iasValue('NAS-IP-Address', f['NAS-IP-Address'] ?? ''),
    iasValue('User-Name', f['User-Name'] ?? ''),
    localTime(r.time, timeZone, 'MM/dd/yyyy'),
    localTime(r.time, timeZone, 'HH:mm:ss'),
    iasValue('Service-Name', f['Service-Name'] ?? ''),
    iasValue('Computer-Name', computerName(r) ?? ''),
  ];
  for (const [name, value] of Object.entries(f)) {
    if (name === PACKET_TYPE_NAME_FIELD || IAS_HEADER_NAMES.has(name)) continue;
    const n = iasAttributeNumber(baseFieldName(name));
    if (n !== undefined) parts.push(String(n), iasValue(name, value));
  }
  return parts.join(',');
}

const UNQUOTED = /^\d+$/;

function odbcValue(value: string | undefined): string {
  if (value === undefined) return '';
  // NPS leaves numbers bare and quotes text; `""` is how a present-but-empty text value reads back.
  return UNQUOTED.test(value) ? value : `"${value.replaceAll('"', '""')}"`;
}

/** One database-compatible (ODBC) line: the column table, then any `col-<n>` fields. */
export function renderOdbc(r: NpsRecord, timeZone = 'UTC'): string {
  const f = fieldsOf(r);
  const columns: string[] = [];
  let extra = 0;
  for (const name of Object.keys(f)) {
    const m = /^col-(\d{1,4})$/.exec(name);
    if (m) extra = Math.max(extra, Number(m[1]));
  }
  const count = Math.max(ODBC_COLUMNS.length, extra);
  for (let i = 0; i < count; i++) {
    const name = ODBC_COLUMNS[i] ?? `col-${i + 1}`;
    let value: string | undefined;
    if (name === 'Record-Date') value = localTime(r.time, timeZone, 'MM/dd/yyyy');
    else if (name === 'Record-Time') value = localTime(r.time, timeZone, 'HH:mm:ss');
    else value = name === 'Computer-Name' ? computerName(r) : f[name];
    if (value !== undefined) assertOneLine('renderOdbc', name, value);
    columns.push(name === 'Record-Date' || name === 'Record-Time' ? (value ?? '') : odbcValue(value));
  }
  return columns.join(',');
}

const XML_NAME = /^[A-Za-z][A-Za-z0-9.-]*$/;
const IP_ATTRIBUTES: ReadonlySet<string> = new Set([
  'NAS-IP-Address',
  'Client-IP-Address',
  'Framed-IP-Address',
  'Framed-IP-Netmask',
]);

function escapeXml(value: string): string {
  return value.replace(/[&<>\r\n]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '\r' ? '&#13;' : '&#10;',
  );
}

/** data_type as NPS writes it: 0 integer, 1 string, 3 IPv4 address (2 octets and 4 time not produced here). */
function dataType(name: string, value: string): number {
  if (IP_ATTRIBUTES.has(name)) return 3;
  return UNQUOTED.test(value) ? 0 : 1;
}

function element(name: string, value: string): string {
  const tag = dtsElementName(name);
  return `<${tag} data_type="${dataType(name, value)}">${escapeXml(value)}</${tag}>`;
}

/** One DTS-compliant XML line: Timestamp, Computer-Name, then the other fields in order. */
export function renderDts(r: NpsRecord, timeZone = 'UTC'): string {
  const f = fieldsOf(r);
  let out = `<Event><Timestamp data_type="4">${localTime(r.time, timeZone, 'MM/dd/yyyy HH:mm:ss.SSS')}</Timestamp>`;
  const host = computerName(r);
  if (host !== undefined) out += element('Computer-Name', host);
  for (const [field, value] of Object.entries(f)) {
    const name = baseFieldName(field);
    if (field === 'Computer-Name' || field === PACKET_TYPE_NAME_FIELD || name === 'Timestamp') continue;
    if (!XML_NAME.test(name)) continue;
    out += element(name, value);
  }
  return `${out}</Event>`;
}
