/**
 * Data tables for the NPS accounting log formats (IAS, database-compatible/ODBC, DTS-compliant XML), and the
 * plumbing their three line parsers share (field naming, time reading, record building).
 *
 * Canonical field names are the DTS element names, with the product's misspelling `Fully-Qualifed-User-Name`
 * corrected to `Fully-Qualified-User-Name`.
 *
 * Sources checked (2024/25 copies):
 * - Attribute numbers: the `ATTRIBUTEID` enum of sdoias.h (learn.microsoft.com "ATTRIBUTEID enumeration
 *   (sdoias.h)"; the same values as the windows-sys constants on docs.rs, e.g. IAS_ATTRIBUTE_PACKET_TYPE = 4136,
 *   IAS_ATTRIBUTE_REASON_CODE = 4142, IAS_ATTRIBUTE_CLIENT_IP_ADDRESS = 4108). RADIUS 1-100 are the RFC types.
 * - Names for IAS numbers: Microsoft "Iasparse Examples" (cc781314: 4108, 4116, 4128, 4129, 4136, 4142, 4147,
 *   4148, 5, 6, 7, 31, 61, 64, 65, 66) and "Interpret IAS Format Log Files" (dd197432: the 6-field header,
 *   RADIUS 1-12; "string attributes that contain ... delimiters are printed in hexadecimal", so IAS values never
 *   contain commas).
 * - DTS element spellings seen in public captured logs: Timestamp, Computer-Name, Event-Source, User-Name,
 *   NAS-IP-Address, NAS-Port, NAS-Port-Type, NAS-Identifier, NAS-Port-Id, Called-Station-Id, Calling-Station-Id,
 *   Service-Type, Framed-MTU, Framed-IP-Address, Tunnel-Type, Tunnel-Medium-Type, Tunnel-Pvt-Group-ID,
 *   Vendor-Specific, Class, Session-Timeout, Acct-Session-Id, Acct-Status-Type, Acct-Delay-Time, Acct-Input-Octets,
 *   Acct-Output-Octets, Acct-Input-Packets, Acct-Output-Packets, Event-Timestamp, Client-IP-Address, Client-Vendor,
 *   Client-Friendly-Name, Proxy-Policy-Name, NP-Policy-Name, Provider-Type, SAM-Account-Name,
 *   Fully-Qualifed-User-Name, Authentication-Type, MS-Quarantine-State, MS-Extended-Quarantine-State,
 *   Quarantine-Update-Non-Compliant, Cisco-AV-Pair, Packet-Type, Reason-Code.
 * - ODBC column order: Microsoft "Troubleshoot Always On VPN" (MicrosoftDocs/windowsserverdocs,
 *   always-on-vpn-deploy-troubleshooting.md, 66-column heading row). It agrees with the value positions in the
 *   Microsoft "Interpreting database-import log files" samples (cc738876) and the ospatrol sample (MS-RAS-Version
 *   in column 55, MS-RAS-Vendor 56, MS-CHAP-Error 57). Trellix's list has the same start but drops
 *   Acct-Session-Time, which contradicts those samples. Older servers write only the first 60 columns.
 * - Packet types: RADIUS codes (RFC 2865/2866). 1 and 3 appear in Iasparse Examples, 2 in the cc738876 samples.
 *
 * Unmarked names not in the DTS list above use NPS's own spelling from the ODBC heading row or Iasparse output.
 * UNVERIFIED (marked `?` below): names NPS was never seen writing (RFC spelling used); numbers matched to an
 * ODBC column name only through the sdoias.h constant name (4156 Provider-Name, 4157 Remote-Server-Address,
 * 4294967206/7 MS-MPPE-Encryption-Types/-Policy); ODBC `Fully-Qualified-Distinguished-Name` read as 4130 (same
 * value shapes as DTS Fully-Qualifed-User-Name) and ODBC `Policy-Name` read as NP-Policy-Name (4149).
 */

import type { FormatId, NpsRecord, ParseContext, ParseIssue, ParseSink, RecordParser } from '../record/types.js';
import { parseLocalTime } from '../time/parse.js';
import { cleanLine, type LineRejection, truncateRaw } from './text-records.js';

// Shared with the Windows text parsers; re-exported for the accounting ones.
export { type LineRejection, rejection } from './text-records.js';

/** IAS attribute number → canonical (DTS) name. Numbers not listed parse as `attr-<n>`. */
export const IAS_ATTRIBUTES: ReadonlyMap<number, string> = new Map<number, string>([
  [1, 'User-Name'],
  [2, 'User-Password'], // ?
  [3, 'CHAP-Password'], // ?
  [4, 'NAS-IP-Address'],
  [5, 'NAS-Port'],
  [6, 'Service-Type'],
  [7, 'Framed-Protocol'],
  [8, 'Framed-IP-Address'],
  [9, 'Framed-IP-Netmask'], // ?
  [10, 'Framed-Routing'], // ?
  [11, 'Filter-Id'], // ?
  [12, 'Framed-MTU'],
  [13, 'Framed-Compression'], // ?
  [14, 'Login-IP-Host'], // ?
  [15, 'Login-Service'], // ?
  [16, 'Login-TCP-Port'], // ?
  [18, 'Reply-Message'], // ?
  [19, 'Callback-Number'],
  [20, 'Callback-Id'], // ?
  [22, 'Framed-Route'], // ?
  [23, 'Framed-IPX-Network'], // ?
  [24, 'State'], // ?
  [25, 'Class'],
  [26, 'Vendor-Specific'],
  [27, 'Session-Timeout'],
  [28, 'Idle-Timeout'],
  [29, 'Termination-Action'],
  [30, 'Called-Station-Id'],
  [31, 'Calling-Station-Id'],
  [32, 'NAS-Identifier'],
  [33, 'Proxy-State'], // ?
  [34, 'Login-LAT-Service'], // ?
  [35, 'Login-LAT-Node'], // ?
  [36, 'Login-LAT-Group'], // ?
  [37, 'Framed-AppleTalk-Link'], // ?
  [38, 'Framed-AppleTalk-Network'], // ?
  [39, 'Framed-AppleTalk-Zone'], // ?
  [40, 'Acct-Status-Type'],
  [41, 'Acct-Delay-Time'],
  [42, 'Acct-Input-Octets'],
  [43, 'Acct-Output-Octets'],
  [44, 'Acct-Session-Id'],
  [45, 'Acct-Authentic'],
  [46, 'Acct-Session-Time'],
  [47, 'Acct-Input-Packets'],
  [48, 'Acct-Output-Packets'],
  [49, 'Acct-Terminate-Cause'],
  [50, 'Acct-Multi-Ssn-ID'],
  [51, 'Acct-Link-Count'],
  [55, 'Event-Timestamp'],
  [60, 'CHAP-Challenge'], // ?
  [61, 'NAS-Port-Type'],
  [62, 'Port-Limit'],
  [63, 'Login-LAT-Port'], // ?
  [64, 'Tunnel-Type'],
  [65, 'Tunnel-Medium-Type'],
  [66, 'Tunnel-Client-Endpt'],
  [67, 'Tunnel-Server-Endpt'],
  [68, 'Acct-Tunnel-Conn'],
  [69, 'Tunnel-Password'], // ?
  [77, 'Connect-Info'],
  [79, 'EAP-Message'], // ?
  [80, 'Message-Authenticator'], // ?
  [81, 'Tunnel-Pvt-Group-ID'],
  [82, 'Tunnel-Assignment-ID'],
  [83, 'Tunnel-Preference'],
  [85, 'Acct-Interim-Interval'],
  [87, 'NAS-Port-Id'],
  [95, 'NAS-IPv6-Address'], // ?
  [96, 'Framed-Interface-Id'], // ?
  [97, 'Framed-IPv6-Prefix'], // ?
  [98, 'Login-IPv6-Host'], // ?
  [99, 'Framed-IPv6-Route'], // ?
  [100, 'Framed-IPv6-Pool'], // ?
  [4108, 'Client-IP-Address'],
  [4116, 'Client-Vendor'],
  [4120, 'MS-CHAP-Domain'],
  [4121, 'MS-CHAP-Error'],
  [4127, 'Authentication-Type'],
  [4128, 'Client-Friendly-Name'],
  [4129, 'SAM-Account-Name'],
  [4130, 'Fully-Qualified-User-Name'],
  [4132, 'EAP-Friendly-Name'],
  [4134, 'MS-Acct-Auth-Type'],
  [4135, 'MS-Acct-EAP-Type'],
  [4136, 'Packet-Type'],
  [4142, 'Reason-Code'],
  [4147, 'MS-RAS-Vendor'],
  [4148, 'MS-RAS-Version'],
  [4149, 'NP-Policy-Name'],
  [4154, 'Proxy-Policy-Name'],
  [4155, 'Provider-Type'],
  [4156, 'Provider-Name'], // ?
  [4157, 'Remote-Server-Address'], // ?
  [4159, 'MS-RAS-Client-Name'],
  [4160, 'MS-RAS-Client-Version'],
  [8111, 'MS-Quarantine-State'],
  [8136, 'Quarantine-Update-Non-Compliant'],
  [8153, 'MS-Extended-Quarantine-State'],
  [4294967206, 'MS-MPPE-Encryption-Types'], // ?
  [4294967207, 'MS-MPPE-Encryption-Policy'], // ?
]);

/** Canonical name → IAS attribute number (the inverse of {@link IAS_ATTRIBUTES}). */
export const IAS_ATTRIBUTE_NUMBERS: ReadonlyMap<string, number> = new Map(
  [...IAS_ATTRIBUTES].map(([n, name]) => [name, n] as const),
);

/** The six fixed leading fields of an IAS line. Record-Date/-Time become `time`, not fields. */
export const IAS_HEADER = [
  'NAS-IP-Address',
  'User-Name',
  'Record-Date',
  'Record-Time',
  'Service-Name',
  'Computer-Name',
] as const;

/**
 * ODBC (database-compatible) columns in file order, as canonical names. Microsoft's column name is noted where it
 * differs. Record-Date/-Time become `time`, not fields. Columns past the table parse as `col-<n>` (1-based).
 */
export const ODBC_COLUMNS: readonly string[] = [
  'Computer-Name', // ComputerName
  'Service-Name', // ServiceName
  'Record-Date',
  'Record-Time',
  'Packet-Type',
  'User-Name',
  'Fully-Qualified-User-Name', // Fully-Qualified-Distinguished-Name (?)
  'Called-Station-Id', // Called-Station-ID
  'Calling-Station-Id', // Calling-Station-ID
  'Callback-Number',
  'Framed-IP-Address',
  'NAS-Identifier',
  'NAS-IP-Address',
  'NAS-Port',
  'Client-Vendor',
  'Client-IP-Address',
  'Client-Friendly-Name',
  'Event-Timestamp',
  'Port-Limit',
  'NAS-Port-Type',
  'Connect-Info',
  'Framed-Protocol',
  'Service-Type',
  'Authentication-Type',
  'NP-Policy-Name', // Policy-Name (?)
  'Reason-Code',
  'Class',
  'Session-Timeout',
  'Idle-Timeout',
  'Termination-Action',
  'EAP-Friendly-Name',
  'Acct-Status-Type',
  'Acct-Delay-Time',
  'Acct-Input-Octets',
  'Acct-Output-Octets',
  'Acct-Session-Id',
  'Acct-Authentic',
  'Acct-Session-Time',
  'Acct-Input-Packets',
  'Acct-Output-Packets',
  'Acct-Terminate-Cause',
  'Acct-Multi-Ssn-ID',
  'Acct-Link-Count',
  'Acct-Interim-Interval',
  'Tunnel-Type',
  'Tunnel-Medium-Type',
  'Tunnel-Client-Endpt',
  'Tunnel-Server-Endpt',
  'Acct-Tunnel-Conn',
  'Tunnel-Pvt-Group-ID',
  'Tunnel-Assignment-ID',
  'Tunnel-Preference',
  'MS-Acct-Auth-Type',
  'MS-Acct-EAP-Type',
  'MS-RAS-Version',
  'MS-RAS-Vendor',
  'MS-CHAP-Error',
  'MS-CHAP-Domain',
  'MS-MPPE-Encryption-Types',
  'MS-MPPE-Encryption-Policy',
  'Proxy-Policy-Name',
  'Provider-Type',
  'Provider-Name',
  'Remote-Server-Address',
  'MS-RAS-Client-Name',
  'MS-RAS-Client-Version',
];

/** RADIUS packet codes as NPS logs them in Packet-Type (4136). */
export const PACKET_TYPE_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [1, 'Access-Request'],
  [2, 'Access-Accept'],
  [3, 'Access-Reject'],
  [4, 'Accounting-Request'], // RFC 2866; NPS logging it is unverified
  [5, 'Accounting-Response'], // RFC 2866; unverified in NPS logs
  [11, 'Access-Challenge'], // RFC 2865; third-party NPS write-ups only
]);

/** DTS element names that differ from the canonical name. */
const DTS_ALIASES: ReadonlyMap<string, string> = new Map([['Fully-Qualifed-User-Name', 'Fully-Qualified-User-Name']]);

/** Canonical name → the element name NPS writes in DTS lines. */
const DTS_SPELLINGS: ReadonlyMap<string, string> = new Map([...DTS_ALIASES].map(([dts, name]) => [name, dts] as const));

/** Canonical name for an element name as written in a DTS line. */
export function canonicalDtsName(element: string): string {
  return DTS_ALIASES.get(element) ?? element;
}

/** The element name NPS writes for a canonical name (restores the product's misspelling). */
export function dtsElementName(name: string): string {
  return DTS_SPELLINGS.get(name) ?? name;
}

/** Canonical name for an IAS attribute number. */
export function iasAttributeName(n: number): string {
  return IAS_ATTRIBUTES.get(n) ?? `attr-${n}`;
}

/** IAS attribute number for a canonical name or `attr-<n>`; undefined when the name has none. */
export function iasAttributeNumber(name: string): number | undefined {
  const known = IAS_ATTRIBUTE_NUMBERS.get(name);
  if (known !== undefined) return known;
  const m = /^attr-(\d{1,15})$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Name of a Packet-Type value (decimal string), when known. */
export function packetTypeName(value: string | undefined): string | undefined {
  if (value === undefined || !/^\d{1,3}$/.test(value)) return undefined;
  return PACKET_TYPE_NAMES.get(Number(value));
}

/** The field NpsRecord.fields carries the Packet-Type name in; derived, never written back to a log line. */
export const PACKET_TYPE_NAME_FIELD = 'Packet-Type-Name';

/**
 * Adds a field, keeping repeats: the second `Class` becomes `Class#2`, the third `Class#3`. Accounting lines
 * repeat multi-valued attributes (Class, Cisco-AV-Pair, Vendor-Specific) and a record must not lose them.
 */
export function addField(fields: Record<string, string>, name: string, value: string): void {
  if (!Object.hasOwn(fields, name)) {
    fields[name] = value;
    return;
  }
  let k = 2;
  while (Object.hasOwn(fields, `${name}#${k}`)) k++;
  fields[`${name}#${k}`] = value;
}

/** The attribute name behind a field name: `Class#2` → `Class`. */
export function baseFieldName(field: string): string {
  const hash = field.lastIndexOf('#');
  return hash > 0 && /^\d+$/.test(field.slice(hash + 1)) ? field.slice(0, hash) : field;
}

/** Sets the derived Packet-Type-Name field when Packet-Type is a known code. */
export function addPacketTypeName(fields: Record<string, string>): void {
  const name = packetTypeName(fields['Packet-Type']);
  if (name !== undefined) fields[PACKET_TYPE_NAME_FIELD] = name;
}

/** The first non-empty head line without its CR/BOM, for sniffing. */
export function firstHeadLine(head: readonly string[]): string | undefined {
  for (const raw of head) {
    const line = cleanLine(raw);
    if (line.trim() !== '') return line;
  }
  return undefined;
}

// Hour 00-23 only: luxon reads `24:00:00` as the next day's midnight, which NPS never writes.
const LOCAL_TIME = /^(\d\d\/\d\d\/\d{4} (?:[01]\d|2[0-3])):(\d\d):(\d\d)(?:\.(\d{3}))?$/;
const LAYOUT = 'MM/dd/yyyy HH:mm:ss';

/**
 * Reads `MM/dd/yyyy HH:mm:ss[.SSS]` local times in one zone. luxon's fromFormat costs microseconds, more than the
 * rest of a line, so it runs twice per local hour: when the hour's first and last second are exactly 3599 s apart
 * the offset is constant within it and minutes/seconds are added; otherwise (a DST change inside the hour) each
 * line goes through luxon.
 */
export function localTimeReader(zone: string): (text: string) => number | undefined {
  let hourKey = '';
  let hourStart: number | undefined;
  let uniform = false;
  return (text) => {
    const m = LOCAL_TIME.exec(text);
    if (!m) return undefined;
    const hour = m[1]!;
    if (hour !== hourKey) {
      hourKey = hour;
      hourStart = parseLocalTime(`${hour}:00:00`, LAYOUT, zone);
      const hourEnd = parseLocalTime(`${hour}:59:59`, LAYOUT, zone);
      uniform = hourStart !== undefined && hourEnd !== undefined && hourEnd - hourStart === 3_599_000;
    }
    if (hourStart === undefined) return undefined;
    const minutes = Number(m[2]);
    const seconds = Number(m[3]);
    if (minutes > 59 || seconds > 59) return undefined;
    const base = uniform
      ? hourStart + minutes * 60_000 + seconds * 1000
      : parseLocalTime(`${hour}:${m[2]}:${m[3]}`, LAYOUT, zone);
    return base === undefined ? undefined : base + (m[4] === undefined ? 0 : Number(m[4]));
  };
}

/** What a format reads from one line: its time and canonical fields, or a rejection. */
export type LineResult = { readonly time: number; readonly fields: Record<string, string> } | LineRejection;

/**
 * The RecordParser shared by the three accounting formats, which are all one record per line: cleans and skips
 * blank lines, then turns `read`'s result into a record (host from Computer-Name, Packet-Type-Name added) or a
 * ParseIssue. Nothing is ever pending, so `end` has nothing to flush.
 */
export function createLineParser(
  format: FormatId,
  ctx: ParseContext,
  sink: ParseSink,
  read: (text: string) => LineResult,
): RecordParser {
  return {
    push(text: string, line: number): void {
      const clean = cleanLine(text);
      if (clean.trim() === '') return;
      const result = read(clean);
      if ('reason' in result) {
        const issue: ParseIssue = { file: ctx.file, line, reason: result.reason, raw: truncateRaw(clean), format };
        sink.reject(result.field === undefined ? issue : { ...issue, field: result.field });
        return;
      }
      const { time, fields } = result;
      addPacketTypeName(fields);
      const host = fields['Computer-Name'];
      const position = { file: ctx.file, line };
      const record: NpsRecord =
        host === undefined ? { format, position, time, fields } : { format, position, time, host, fields };
      sink.record(record);
    },
    end(): void {},
  };
}
