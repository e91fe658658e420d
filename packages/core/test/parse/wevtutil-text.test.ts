import assert from 'node:assert/strict';
import { sniffWevtutilText, WEVTUTIL_TEXT_FORMAT } from '../../src/parse/wevtutil-text.js';
import {
  assertSameForCrlf,
  azureMfaRecord,
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

// RECONSTRUCTED: `wevtutil qe AuthZOptCh /f:text` layout (Event[N]:, two-space labels, Description then the
// message on the following lines, blank line between events); messages VERBATIM R09 / R01, 6273 as in the samples.
const FIXTURE = [
  'Event[0]:',
  '  Log Name: AuthZOptCh',
  '  Source: Microsoft-AzureMfa-AuthZ',
  '  Date: 2024-09-20T10:37:17.730',
  '  Event ID: 1',
  '  Task: N/A',
  '  Level: Information',
  '  Opcode: Info',
  '  Keyword: N/A',
  '  User: N/A',
  '  User Name: N/A',
  '  Computer: NPS01.contoso.com',
  '  Description: ',
  R09,
  '',
  'Event[1]:',
  '  Log Name: AuthZAdminCh',
  '  Source: Microsoft-AzureMfa-AuthZ',
  '  Date: 2019-10-17T20:48:29.512',
  '  Event ID: 3',
  '  Task: N/A',
  '  Level: Error',
  '  Opcode: Info',
  '  Keyword: N/A',
  '  User: S-1-5-20',
  '  User Name: NT AUTHORITY\\NETWORK SERVICE',
  '  Computer: NPS01.contoso.com',
  '  Description: ',
  R01,
  '',
  'Event[2]:',
  '  Log Name: Security',
  '  Source: Microsoft-Windows-Security-Auditing',
  '  Date: 2024-09-20T10:37:47.7450000Z',
  '  Event ID: 6273',
  '  Task: Network Policy Server',
  '  Level: Information',
  '  Opcode: Info',
  '  Keyword: Audit Failure',
  '  User: N/A',
  '  User Name: N/A',
  '  Computer: NPS01.contoso.com',
  '  Description: ',
  MESSAGE_6273,
  '',
].join('\n');

describe('wevtutil-text parser', () => {
  it('reads the reconstructed AzureMfa events with exact values (local time in ctx.timeZone)', () => {
    const { records, issues } = run(WEVTUTIL_TEXT_FORMAT, FIXTURE, { file: 'q.txt', timeZone: 'Europe/Berlin' });
    assert.equal(issues.length, 0);
    assert.equal(records.length, 3);
    assert.deepEqual(
      records[0],
      azureMfaRecord('wevtutil-text', { file: 'q.txt', line: 1, time: utc(2024, 9, 20, 8, 37, 17, 730) }, 4711, {
        withRecordId: false,
      }),
    );
    const admin = records[1]!;
    assert.equal(admin.position.line, 16);
    assert.equal(admin.time, utc(2019, 10, 17, 18, 48, 29, 512));
    assert.equal(admin.level, 'error');
    assert.equal(admin.channel, 'AuthZAdminCh');
    assert.equal(admin.message, R01);
    assert.ok(admin.message!.includes('Azure MFA:  CID'), 'double space kept');
    assert.equal(admin.recordId, undefined);
  });

  it('reads Security 6273: offset kept, message with blank lines, fields from the message', () => {
    const r = run(WEVTUTIL_TEXT_FORMAT, FIXTURE, { timeZone: 'Europe/Berlin' }).records[2]!;
    assert.equal(r.position.line, 34); // R01 spans four lines
    assert.equal(r.time, utc(2024, 9, 20, 10, 37, 47, 745));
    assert.equal(r.message, MESSAGE_6273);
    assert.deepEqual(r.fields, EXPECTED_6273_FROM_MESSAGE);
    assert.equal(r.fields?.ReasonCode, '21');
    assert.equal(r.fields?.ClientIPAddress, '10.10.1.5');
  });

  it('gives the same records for CRLF input', () => {
    assertSameForCrlf(WEVTUTIL_TEXT_FORMAT, FIXTURE);
  });

  it('reads a message written on the Description line itself', () => {
    const { records } = run(WEVTUTIL_TEXT_FORMAT, [
      'Event[0]:',
      '  Date: 2024-09-20T10:37:17.730',
      '  Description: first line',
      'second line',
    ]);
    assert.equal(records[0]!.message, 'first line\nsecond line');
  });

  it('rejects malformed blocks with line and field; following blocks still parse', () => {
    const lines = toLines(FIXTURE);
    const input = [
      'leading junk',
      'Event[7]:',
      '  Log Name: AuthZOptCh',
      '  Description: ',
      'no date',
      'Event[8]:',
      '  Date: sometime',
      'Event[9]:',
      '  Date: 2024-09-20T10:37:17.730',
      '  Event ID: x1',
      'Event[10]:',
      '  Date: 2024-09-20T10:37:17.730',
      'not indented',
      ...lines.slice(0, 15),
    ];
    const { records, issues } = run(WEVTUTIL_TEXT_FORMAT, input, { file: 'w.txt' });
    assert.deepEqual(
      issues.map((i) => [i.file, i.line, i.field]),
      [
        ['w.txt', 1, undefined],
        ['w.txt', 2, 'Date'],
        ['w.txt', 6, 'Date'],
        ['w.txt', 8, 'Event ID'],
        ['w.txt', 11, undefined],
      ],
    );
    assert.match(issues[2]!.reason, /invalid Date "sometime"/);
    assert.match(issues[4]!.reason, /line 13 is not an indented/);
    assert.deepEqual(
      records.map((r) => [r.position.line, r.message]),
      [[14, R09]],
    );
  });

  it('emits a block cut off inside its header or message with what it has', () => {
    const lines = toLines(FIXTURE);
    const { records, issues } = run(WEVTUTIL_TEXT_FORMAT, [...lines.slice(0, 20)]);
    assert.equal(issues.length, 0);
    assert.equal(records.length, 2);
    assert.equal(records[1]!.eventId, 3);
    assert.equal(records[1]!.message, undefined);
  });

  it('rejects a block over 1 MiB and resyncs at the next Event[N]:', () => {
    const big = 'x'.repeat(64 * 1024);
    const input = [
      'Event[0]:',
      '  Date: 2024-09-20T10:37:17.730',
      '  Description: ',
      ...Array.from({ length: 20 }, () => big),
      ...toLines(FIXTURE),
    ];
    const { records, issues } = run(WEVTUTIL_TEXT_FORMAT, input);
    assert.deepEqual(
      issues.map((i) => [i.line, /larger than 1 MiB/.test(i.reason), i.raw.length <= 64 * 1024]),
      [[1, true, true]],
    );
    assert.deepEqual(
      records.map((r) => r.position.line),
      [24, 39, 57],
    );
  });

  it('sniffs wevtutil text only', () => {
    assert.equal(sniffWevtutilText(toLines(FIXTURE)), true);
    assert.equal(sniffWevtutilText(toLines(toCrlf(FIXTURE))), true);
    assert.equal(sniffWevtutilText(['Event[0]:']), false);
    assert.equal(sniffWevtutilText(toLines(sample('splunk-wineventlog.txt'))), false);
    assert.equal(sniffWevtutilText(toLines(sample('event.xml'))), false);
  });
});
