import assert from 'node:assert/strict';
import { classify } from '../../src/classify/classify.js';
import { GET_WINEVENT_LIST_FORMAT, sniffGetWinEventList } from '../../src/parse/get-winevent-list.js';
import {
  assertSameForCrlf,
  EXPECTED_6273_FROM_MESSAGE,
  MESSAGE_6273,
  R01,
  R09,
  run,
  sample,
  toCrlf,
  toLines,
  utc,
} from './windows-helpers.js';

/** Continuation lines as PowerShell writes them: indented to the value column; empty ones padded or not. */
const continued = (message: string, col: number, padBlank: boolean): string[] => {
  const [first, ...rest] = message.split('\n');
  return [first!, ...rest.map((l) => (l === '' ? (padBlank ? ' '.repeat(col) : '') : ' '.repeat(col) + l))];
};

/**
 * A value as Format-List prints it in a console `width` columns wide with values from column `col`: words that do not
 * fit move to the next line, a word longer than a line is cut (`GraphErr` / `or`), continuation lines indented.
 */
function wrapAt(value: string, col: number, width: number): string {
  const room = width - col - 1;
  const out: string[] = [];
  for (const line of value.split('\n')) {
    let current = '';
    for (let word of line.split(' ')) {
      if (current !== '' && current.length + 1 + word.length > room) {
        out.push(current);
        current = '';
      }
      while (word.length > room) {
        out.push(word.slice(0, room));
        word = word.slice(room);
      }
      current = current === '' ? word : `${current} ${word}`;
    }
    out.push(current);
  }
  return out.join('\n');
}

// RECONSTRUCTED: `Get-WinEvent -LogName AuthZOptCh,AuthZAdminCh | Format-List > events.txt` (default list view:
// TimeCreated, ProviderName, Id, Message; keys padded to the longest; blank lines around blocks).
const DEFAULT_VIEW = [
  '',
  '',
  'TimeCreated  : 9/20/2024 10:37:17 AM',
  'ProviderName : Microsoft-AzureMfa-AuthZ',
  'Id           : 1',
  `Message      : ${R09}`,
  '',
  'TimeCreated  : 10/17/2019 8:48:29 PM',
  'ProviderName : Microsoft-AzureMfa-AuthZ',
  'Id           : 3',
  ...continued(`Message      : ${R01}`, 15, true),
  '',
  '',
].join('\n');

// RECONSTRUCTED: `Get-WinEvent -FilterHashtable @{LogName='Security';Id=6273} | Format-List *` (all properties,
// keys padded to KeywordsDisplayNames; the message's blank lines written as bare newlines here).
const FULL_VIEW = [
  '',
  '',
  ...continued(`Message              : ${MESSAGE_6273}`, 23, false),
  'Id                   : 6273',
  'Version              : 1',
  'Qualifiers           : ',
  'Level                : 0',
  'Task                 : 12552',
  'Opcode               : 0',
  'Keywords             : -9214364837600034816',
  'RecordId             : 987654',
  'ProviderName         : Microsoft-Windows-Security-Auditing',
  'ProviderId           : 54849625-5478-4994-a5ba-3e3b0328c30d',
  'LogName              : Security',
  'ProcessId            : 668',
  'ThreadId             : 2956',
  'MachineName          : NPS01.contoso.com',
  'UserId               : ',
  'TimeCreated          : 9/20/2024 10:37:47 AM',
  'ActivityId           : ',
  'RelatedActivityId    : ',
  'ContainerLog         : Security',
  'MatchedQueryIds      : {}',
  'Bookmark             : System.Diagnostics.Eventing.Reader.EventBookmark',
  'LevelDisplayName     : Information',
  'OpcodeDisplayName    : Info',
  'TaskDisplayName      : Network Policy Server',
  'KeywordsDisplayNames : {Audit Failure}',
  'Properties           : {System.Diagnostics.Eventing.Reader.EventProperty, System.Diagnostics.Eventing.Reader.EventProperty,',
  '                       System.Diagnostics.Eventing.Reader.EventProperty...}',
  '',
  '',
].join('\n');

// RECONSTRUCTED from the verbatim shapes (R01, R09, R11 and the seed's messages): one message of each body shape.
const WRAPPED_MESSAGES = [
  'NPS Extension for Azure MFA: CID: 430ef057-7941-44ff-a0b1-240e7d74cedc : Access Rejected for user jdoe@contoso.com with Azure MFA response: UserNotFound and message: MSODS Graph call returned user not found error. GraphError,SAS.Shared.GraphProvider.Exceptions.GraphUserNotFoundException: [Code:Request_ResourceNotFound]',
  'NPS Extension for Azure MFA: CID: 430ef057-7941-44ff-a0b1-240e7d74cedc : Access Rejected for user alice.smith@contoso.com with Azure MFA response: OathCodeIncorrect and message: Wrong code entered\\OATH Code Incorrect',
  'NPS Extension for Azure MFA: CID: 32e83cbf-484d-49aa-9adb-71528f5eb94d : Challenge requested in Authentication Ext for User jdoe@contoso.com with state 300c9d6c-7734-4165-83d3-212e73aee286',
  'NPS Extension for Azure MFA: NPS Extension for Azure MFA only performs Secondary Auth for Radius requests in AccessAccept State. Request received for User jdoe with response state AccessReject, ignoring request.',
  'NPS Extension for Azure MFA: CID: 1fd39a1a-34b9-47e6-a66a-ed7e47c30e0a :Exception in Authentication Ext for User jdoe@contoso.com :: ErrorCode:: CID :1fd39a1a-34b9-47e6-a66a-ed7e47c30e0a ALTERNATE_LOGIN_ID_ERROR Msg:: Error: Alternate LoginId lookup failed',
  R01,
];

describe('get-winevent-list parser and a console-width wrap', () => {
  const view = (messages: readonly string[], width: number) =>
    messages
      .flatMap((m) => [
        '',
        'TimeCreated  : 9/20/2024 10:38:47 AM',
        'ProviderName : Microsoft-AzureMfa-AuthZ',
        'Id           : 1',
        ...continued(`Message      : ${wrapAt(m, 15, width)}`, 15, true),
      ])
      .join('\n');
  const meaning = (text: string) =>
    run(GET_WINEVENT_LIST_FORMAT, text).records.map((r) => {
      const e = classify(r);
      return [e.code, e.entryId, e.category, e.user?.raw, e.correlationId];
    });

  it('classifies each message alike at every console width (a wrap is whitespace, not structure)', () => {
    const wide = meaning(view(WRAPPED_MESSAGES, 100_000));
    assert.equal(wide.length, WRAPPED_MESSAGES.length);
    assert.deepEqual(
      wide.slice(0, 5).map((m) => m[1]),
      [
        'UserNotFound',
        'OathCodeIncorrect',
        'CHALLENGE_REQUESTED',
        'ACCESS_REJECT_PRIMARY',
        'ALTERNATE_LOGIN_ID_ERROR.lookupFailed',
      ],
    );
    for (const width of [60, 80, 100, 120, 150, 200]) {
      const text = view(WRAPPED_MESSAGES, width);
      assert.ok(
        text.split('\n').every((l) => l.length < width),
        `${width} columns`,
      );
      assert.deepEqual(meaning(text), wide, `${width} columns`);
    }
  });
});

describe('get-winevent-list parser', () => {
  it('reads the default list view with exact values (local time in ctx.timeZone)', () => {
    const { records, issues } = run(GET_WINEVENT_LIST_FORMAT, DEFAULT_VIEW, {
      file: 'events.txt',
      timeZone: 'America/New_York',
    });
    assert.equal(issues.length, 0);
    assert.equal(records.length, 2);
    assert.deepEqual(records[0], {
      format: 'get-winevent-list',
      position: { file: 'events.txt', line: 3 },
      time: utc(2024, 9, 20, 14, 37, 17),
      provider: 'Microsoft-AzureMfa-AuthZ',
      eventId: 1,
      message: R09,
    });
    assert.equal(records[1]!.position.line, 8);
    assert.equal(records[1]!.time, utc(2019, 10, 18, 0, 48, 29));
    assert.equal(records[1]!.message, R01);
    assert.ok(records[1]!.message!.includes('Azure MFA:  CID'), 'double space kept');
  });

  it('reads Format-List * for Security 6273: blank lines inside Message, fields from the message', () => {
    const { records, issues } = run(GET_WINEVENT_LIST_FORMAT, FULL_VIEW, { file: 'sec.txt' });
    assert.equal(issues.length, 0);
    assert.equal(records.length, 1);
    const r = records[0]!;
    assert.deepEqual(
      { ...r, message: undefined, fields: undefined },
      {
        format: 'get-winevent-list',
        position: { file: 'sec.txt', line: 3 },
        time: utc(2024, 9, 20, 10, 37, 47),
        host: 'NPS01.contoso.com',
        channel: 'Security',
        provider: 'Microsoft-Windows-Security-Auditing',
        eventId: 6273,
        recordId: 987654,
        level: 'information',
        message: undefined,
        fields: undefined,
      },
    );
    assert.equal(r.message, MESSAGE_6273);
    assert.deepEqual(r.fields, EXPECTED_6273_FROM_MESSAGE);
    assert.equal(r.fields?.ReasonCode, '21');
    assert.equal(r.fields?.CallingStationID, '203.0.113.77');
  });

  it('treats space-padded and bare blank lines in a message alike, and CRLF like LF', () => {
    const padded = FULL_VIEW.replace(/\n(?=\n {23}\S)/g, `\n${' '.repeat(23)}`);
    assert.notEqual(padded, FULL_VIEW);
    const base = run(GET_WINEVENT_LIST_FORMAT, FULL_VIEW);
    assert.deepEqual(run(GET_WINEVENT_LIST_FORMAT, padded), base);
    assert.deepEqual(run(GET_WINEVENT_LIST_FORMAT, toCrlf(FULL_VIEW)), base);
    assertSameForCrlf(GET_WINEVENT_LIST_FORMAT, DEFAULT_VIEW);
  });

  it('reads consecutive blocks and ignores ProviderName group headers', () => {
    const text = `   ProviderName: Microsoft-AzureMfa-AuthZ\n${DEFAULT_VIEW}\n   ProviderName: Microsoft-Windows-Security-Auditing\n${FULL_VIEW}`;
    const { records, issues } = run(GET_WINEVENT_LIST_FORMAT, text);
    assert.equal(issues.length, 0);
    assert.deepEqual(
      records.map((r) => [r.position.line, r.eventId]),
      [
        [4, 1],
        [9, 3],
        [21, 6273],
      ],
    );
  });

  it('starts a new record when a key repeats without a blank line', () => {
    const lines = toLines(DEFAULT_VIEW).filter((l) => l !== '');
    const { records } = run(GET_WINEVENT_LIST_FORMAT, lines);
    assert.deepEqual(
      records.map((r) => [r.position.line, r.eventId]),
      [
        [1, 1],
        [5, 3],
      ],
    );
  });

  it('rejects malformed blocks with line and field; following blocks still parse', () => {
    const input = [
      'junk at column zero',
      '',
      'TimeCreated  : 20.09.2024 10:37:17',
      'Id           : 1',
      '',
      'ProviderName : x',
      'Id           : 2',
      '',
      'TimeCreated  : 9/20/2024 10:37:17 AM',
      'Id           : one',
      '',
      'TimeCreated  : 9/20/2024 10:37:17 AM',
      'RecordId     : -5',
      '',
      ...toLines(DEFAULT_VIEW),
    ];
    const { records, issues } = run(GET_WINEVENT_LIST_FORMAT, input, { file: 'l.txt' });
    assert.deepEqual(
      issues.map((i) => [i.file, i.line, i.field]),
      [
        ['l.txt', 1, undefined],
        ['l.txt', 3, 'TimeCreated'],
        ['l.txt', 6, 'TimeCreated'],
        ['l.txt', 9, 'Id'],
        ['l.txt', 12, 'RecordId'],
      ],
    );
    assert.match(issues[1]!.reason, /invalid TimeCreated "20.09.2024 10:37:17"/);
    assert.match(issues[2]!.reason, /missing TimeCreated/);
    assert.deepEqual(
      records.map((r) => r.position.line),
      [17, 22],
    );
  });

  it('emits a truncated last block with what it has', () => {
    const lines = toLines(DEFAULT_VIEW).slice(0, 12);
    const { records } = run(GET_WINEVENT_LIST_FORMAT, lines);
    assert.equal(records.length, 2);
    assert.equal(records[1]!.message, R01.split('\n').slice(0, 2).join('\n'));
  });

  it('rejects a block over 1 MiB and resyncs at the next block', () => {
    const big = ' '.repeat(15) + 'x'.repeat(64 * 1024);
    const input = [
      'Message      : start',
      ...Array.from({ length: 20 }, () => big),
      'Id           : 1',
      '',
      ...toLines(DEFAULT_VIEW),
    ];
    const { records, issues } = run(GET_WINEVENT_LIST_FORMAT, input);
    assert.deepEqual(
      issues.map((i) => [i.line, /larger than 1 MiB/.test(i.reason), i.raw.length <= 64 * 1024]),
      [[1, true, true]],
    );
    assert.deepEqual(
      records.map((r) => r.position.line),
      [26, 31],
    );
  });

  it('sniffs both list views only', () => {
    assert.equal(sniffGetWinEventList(toLines(DEFAULT_VIEW)), true);
    assert.equal(sniffGetWinEventList(toLines(FULL_VIEW)), true);
    assert.equal(sniffGetWinEventList(toLines(toCrlf(FULL_VIEW))), true);
    assert.equal(sniffGetWinEventList(['TimeCreated : x']), false);
    assert.equal(sniffGetWinEventList(toLines(sample('splunk-wineventlog.txt'))), false);
    assert.equal(sniffGetWinEventList(toLines(sample('winlogbeat.ndjson'))), false);
    assert.equal(sniffGetWinEventList(toLines(sample('ias.log'))), false);
  });
});
