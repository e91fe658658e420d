/** Shared helpers for the Windows-format parser tests. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { FormatDefinition, NpsRecord, ParseIssue } from '../../src/record/types.js';

export interface Collected {
  records: NpsRecord[];
  issues: ParseIssue[];
}

/** The lines of a text as the lead hands them over: split on `\n` (a `\r` before it left in place). */
export function toLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Feeds `input` (text or lines) line by line to a fresh parser of `format` and collects what it emits. */
export function run(
  format: FormatDefinition,
  input: string | readonly string[],
  options: { file?: string; timeZone?: string } = {},
): Collected {
  const records: NpsRecord[] = [];
  const issues: ParseIssue[] = [];
  const parser = format.create(
    { file: options.file ?? 'test.log', timeZone: options.timeZone ?? 'UTC' },
    { record: (r) => records.push(r), reject: (i) => issues.push(i) },
  );
  const lines = typeof input === 'string' ? toLines(input) : input;
  lines.forEach((line, i) => {
    parser.push(line, i + 1);
  });
  parser.end();
  return { records, issues };
}

/** A reference sample (packages/core/samples/reference). */
export function sample(name: string): string {
  return readFileSync(new URL(`../../samples/reference/${name}`, import.meta.url), 'utf8');
}

export const toCrlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');

/** `Date.UTC` shorthand for expected times. */
export const utc = (y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0): number =>
  Date.UTC(y, mo - 1, d, h, mi, s, ms);

/** The AzureMfa messages of the samples: the challenge (record 4711) and the rejection (record 4712). */
export const R09 =
  'NPS Extension for Azure MFA: CID: 32e83cbf-484d-49aa-9adb-71528f5eb94d : Challenge requested in Authentication Ext for User ******@domain.com with state 300c9d6c-7734-4165-83d3-212e73aee286';
export const R11 =
  "NPS Extension for Azure MFA: CID: 430ef057-7941-44ff-a0b1-240e7d74cedc : Access Rejected for user <USERNAME> with Azure MFA response: UserNotFound and message: MSODS Graph call returned user not found error. GraphError,SAS.Shared.GraphProvider.Exceptions.GraphUserNotFoundException: [Code:Request_ResourceNotFound] [Message:Resource <USERNAME>' does not exist or one of its queried reference-property objects are not present.]";

/** A winlogbeat.ndjson sample document, as far as the tests compare against it. */
export interface WinlogbeatDoc {
  message: string;
  winlog: { event_data: Record<string, string> };
}

/** The winlogbeat.ndjson documents: line 4 is the AzureMfa admin error (R01), line 5 the Security 6273 event. */
export const winlogbeatDocs = (): WinlogbeatDoc[] =>
  toLines(sample('winlogbeat.ndjson')).map((l) => JSON.parse(l) as WinlogbeatDoc);

/** The AzureMfa admin error message (four lines) and the Security 6273 message, as the winlogbeat sample has them. */
export const R01 = winlogbeatDocs()[3]!.message;
export const MESSAGE_6273 = winlogbeatDocs()[4]!.message;

/**
 * The AzureMfa AuthZOptCh record of the samples (4711: challenge R09, 4712: rejection R11) as a format reads it at
 * `file:line`; `param1` for formats that carry the message as EventData too, `withRecordId: false` for formats that
 * print no record id.
 */
export function azureMfaRecord(
  format: NpsRecord['format'],
  at: { file: string; line: number; time: number },
  recordId: 4711 | 4712,
  options: { param1?: boolean; withRecordId?: boolean } = {},
): NpsRecord {
  const message = recordId === 4711 ? R09 : R11;
  const r: NpsRecord = {
    format,
    position: { file: at.file, line: at.line },
    time: at.time,
    host: 'NPS01.contoso.com',
    channel: 'AuthZOptCh',
    provider: 'Microsoft-AzureMfa-AuthZ',
    eventId: 1,
    ...(options.withRecordId === false ? {} : { recordId }),
    level: 'information',
    message,
  };
  return options.param1 ? { ...r, fields: { param1: message } } : r;
}

/** CRLF line endings must not change what a format reads. */
export function assertSameForCrlf(format: FormatDefinition, text: string): void {
  assert.deepEqual(run(format, toCrlf(text)), run(format, text));
}

/** Fields securityFieldsFromMessage must read from the 6273 reason-21 sample message. */
export const EXPECTED_6273_FROM_MESSAGE: Readonly<Record<string, string>> = {
  SubjectUserSid: 'CONTOSO\\jdoe',
  SubjectUserName: 'jdoe@contoso.com',
  SubjectDomainName: 'CONTOSO',
  FullyQualifiedSubjectUserName: 'CONTOSO\\jdoe',
  SubjectMachineSID: 'NULL SID',
  SubjectMachineName: '-',
  FullyQualifiedSubjectMachineName: '-',
  CalledStationID: '10.10.1.5',
  CallingStationID: '203.0.113.77',
  NASIPv4Address: '10.10.1.5',
  NASIPv6Address: '-',
  NASIdentifier: 'VPN-GW01',
  NASPortType: 'Virtual',
  NASPort: '-',
  ClientName: 'VPN-GW01',
  ClientIPAddress: '10.10.1.5',
  ProxyPolicyName: 'Use Windows authentication for all users',
  NetworkPolicyName: 'VPN Users',
  AuthenticationProvider: 'Windows',
  AuthenticationServer: 'NPS01.contoso.com',
  AuthenticationType: 'PAP',
  EAPType: '-',
  AccountSessionIdentifier: '-',
  LoggingResult: 'Accounting information was written to the local log file.',
  ReasonCode: '21',
  Reason:
    'An NPS extension dynamic link library (DLL) that is installed on the NPS server rejected the connection request.',
};

// ---------------------------------------------------------------------------------------------------------------
// Generators for property tests.

const MIN_TIME = Date.UTC(2000, 0, 1);
const MAX_TIME = Date.UTC(2037, 11, 31, 23, 59, 59, 999);

/** Characters that break naive parsers: markup, quotes, backslashes, separators, non-ASCII. */
const SPECIAL = ['<', '>', '&', '"', "'", '\\', '=', ':', ';', '[', ']', '{', '}', '/', '%', '#', 'é', 'ü', '한', '😀'];
const WORD = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_@*'.split('');

const tokenChar = fc.constantFrom(...WORD, ...WORD, ...SPECIAL);
/** A one-line value with no leading/trailing whitespace (host, provider, channel names). */
const token = fc
  .tuple(tokenChar, fc.string({ unit: fc.constantFrom(...WORD, ...SPECIAL, ' '), maxLength: 24 }), tokenChar)
  .map(([a, mid, b]) => `${a}${mid}${b}`)
  .filter((s) => s !== 'N/A');

/** A message line: words, specials, tabs and runs of spaces (double spaces must survive). */
const lineText = fc.string({ unit: fc.constantFrom(...WORD, ...WORD, ...SPECIAL, ' ', ' ', '\t'), maxLength: 60 });
/** A line with at least one visible character. */
const solidLine = fc.tuple(lineText, tokenChar, lineText).map(([a, c, b]) => `${a}${c}${b}`);

/** Messages: one line, or several with blank lines inside (never blank first/last lines: those are trimmed). */
export function messageArb(multiLine: boolean): fc.Arbitrary<string> {
  if (!multiLine) return solidLine;
  return fc.oneof(
    solidLine,
    fc
      .tuple(solidLine, fc.array(fc.oneof(solidLine, fc.constant('')), { maxLength: 5 }), solidLine)
      .map(([first, middle, last]) => [first, ...middle, last].join('\n')),
  );
}

const channelArb = fc.oneof(
  fc.constantFrom('AuthNOptCh', 'AuthZOptCh', 'AuthZAdminCh', 'Security', 'System'),
  token.filter((s) => !/[/\\]/.test(s) && !/^auth(?:n|z)optch$|^authzadminch$/i.test(s)),
);
const providerArb = fc.oneof(
  fc.constantFrom('Microsoft-AzureMfa-AuthZ', 'Microsoft-Windows-Security-Auditing', 'NPS'),
  token,
);
const fieldsArb = fc.dictionary(
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,15}$/),
  fc.oneof(lineText, messageArb(true)),
  { minKeys: 1, maxKeys: 6 },
);

export interface RecordArbOptions {
  /** Round times down to whole seconds (formats that print no milliseconds). */
  seconds?: boolean;
  multiLine?: boolean;
  fields?: boolean;
  recordId?: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Arbitrary records carrying what a format can carry; `position` is set to line 1 of `test.log`. */
export function recordArb(format: NpsRecord['format'], o: RecordArbOptions = {}): fc.Arbitrary<NpsRecord> {
  return fc
    .record(
      {
        time: fc.integer({ min: MIN_TIME, max: MAX_TIME }),
        host: token,
        channel: channelArb,
        provider: providerArb,
        eventId: fc.integer({ min: 0, max: 65535 }),
        recordId: fc.oneof(fc.nat(), fc.integer({ min: 0, max: 999_999_999_999_999 })),
        level: fc.constantFrom('information', 'warning', 'error', 'critical', 'verbose'),
        message: messageArb(o.multiLine ?? false),
        fields: fieldsArb,
      },
      { requiredKeys: ['time'] },
    )
    .map((g) => {
      const r: Mutable<NpsRecord> = {
        format,
        position: { file: 'test.log', line: 1 },
        time: o.seconds ? Math.floor(g.time / 1000) * 1000 : g.time,
      };
      if (g.host !== undefined) r.host = g.host;
      if (g.channel !== undefined) r.channel = g.channel;
      if (g.provider !== undefined) r.provider = g.provider;
      if (g.eventId !== undefined) r.eventId = g.eventId;
      if (g.recordId !== undefined && (o.recordId ?? true)) r.recordId = g.recordId;
      if (g.level !== undefined) r.level = g.level;
      if (g.message !== undefined) r.message = g.message;
      if (g.fields !== undefined && o.fields) r.fields = { ...g.fields };
      return r;
    });
}

/** Lines mixing fragments of every Windows format with noise, for the "never throws" properties. */
export const fragmentLine: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '{',
    '}',
    '{"@timestamp":"2024-09-20T10:37:17.730Z","winlog":{"event_id":"x"}}',
    '{"@timestamp":12,"winlog":{"record_id":-1,"event_data":{"a":1,"b":null}}}',
    '{"winlog":{}}',
    'null',
    '09/20/2024 10:37:17 AM',
    '13/45/2024 10:37:17 PM',
    'LogName=AuthZOptCh',
    'EventCode=abc',
    'Message=',
    'Message=Network Policy Server denied access to a user.',
    '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">',
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>",
    '<System><TimeCreated SystemTime="2024-09-20T10:37:47.7110000Z"/>',
    '<TimeCreated SystemTime="bad"/>',
    '<EventID>1</EventID><EventRecordID>x</EventRecordID>',
    '</System><EventData><Data Name="a">&amp;&#10;&#xFFFFFF;&bogus;</Data>',
    '<Data>x</Data></EventData>',
    '</Event>',
    '</Event><Event>',
    '<Events>',
    '</Events>',
    '<?xml version="1.0"?>',
    '<![CDATA[',
    'Event[0]:',
    '  Log Name: AuthZOptCh',
    '  Date: 2024-09-20T10:37:17.730',
    '  Date: yesterday',
    '  Event ID: 1',
    '  Description: ',
    'TimeCreated  : 9/20/2024 10:37:17 AM',
    'TimeCreated  : not a date',
    'Id           : 1',
    'Message      : hello',
    '               continued',
    '   ProviderName: Microsoft-AzureMfa-AuthZ',
    '',
    '   ',
    '\t',
    'User:',
    '\tSecurity ID:\t\t\tCONTOSO\\jdoe',
  ),
);
