import assert from 'node:assert/strict';
import { SPLUNK_WINEVENTLOG_FORMAT, sniffSplunkWinEventLog } from '../../src/parse/splunk-wineventlog.js';
import {
  assertSameForCrlf,
  azureMfaRecord,
  EXPECTED_6273_FROM_MESSAGE,
  run,
  sample,
  toCrlf,
  toLines,
  utc,
  winlogbeatDocs,
} from './windows-helpers.js';

describe('splunk-wineventlog parser', () => {
  const text = sample('splunk-wineventlog.txt');
  const text6273 = sample('splunk-wineventlog-6273.txt');

  it('reads the three AzureMfa records with exact values', () => {
    const { records, issues } = run(SPLUNK_WINEVENTLOG_FORMAT, text, { file: 'splunk.txt' });
    assert.equal(issues.length, 0);
    assert.equal(records.length, 3);
    assert.deepEqual(
      records[1],
      azureMfaRecord('splunk-wineventlog', { file: 'splunk.txt', line: 14, time: utc(2024, 9, 20, 10, 37, 47) }, 4712),
    );
    assert.deepEqual(
      records.map((r) => [r.position.line, r.time, r.recordId, r.eventId, r.level, r.channel]),
      [
        [1, utc(2024, 9, 20, 10, 37, 17), 4711, 1, 'information', 'AuthZOptCh'],
        [14, utc(2024, 9, 20, 10, 37, 47), 4712, 1, 'information', 'AuthZOptCh'],
        [27, utc(2019, 10, 17, 20, 48, 29), 118, 3, 'error', 'AuthZAdminCh'],
      ],
    );
  });

  it('keeps multi-line messages and double spaces; drops the separator blank line', () => {
    const { records } = run(SPLUNK_WINEVENTLOG_FORMAT, text);
    assert.ok(records[0]!.message!.endsWith('300c9d6c-7734-4165-83d3-212e73aee286'));
    const admin = records[2]!.message!;
    assert.ok(admin.startsWith('NPS Extension for Azure MFA:  CID: 341b704d-03f1-4ba6-ae92-eb19ae2f2bf3 :Exception'));
    assert.deepEqual(
      admin.split('\n').map((l) => l.slice(0, 14)),
      ['NPS Extension ', 'Trace ID: c537', 'Correlation ID', 'Timestamp: 201'],
    );
  });

  it('reads local time in ctx.timeZone', () => {
    const { records } = run(SPLUNK_WINEVENTLOG_FORMAT, text, { timeZone: 'Europe/Berlin' });
    assert.equal(records[0]!.time, utc(2024, 9, 20, 8, 37, 17));
    assert.equal(records[2]!.time, utc(2019, 10, 17, 18, 48, 29));
    const ny = run(SPLUNK_WINEVENTLOG_FORMAT, text, { timeZone: 'America/New_York' });
    assert.equal(ny.records[0]!.time, utc(2024, 9, 20, 14, 37, 17));
  });

  it('reads Security 6273: message with blank lines, fields from the message', () => {
    const { records, issues } = run(SPLUNK_WINEVENTLOG_FORMAT, text6273);
    assert.equal(issues.length, 0);
    assert.equal(records.length, 1);
    const r = records[0]!;
    assert.equal(r.message, winlogbeatDocs()[4]!.message);
    assert.deepEqual(r.fields, EXPECTED_6273_FROM_MESSAGE);
    assert.equal(r.fields?.ReasonCode, '21');
    // SourceName is the display name; the record carries the registered name, as XML and Winlogbeat do.
    assert.equal(r.provider, 'Microsoft-Windows-Security-Auditing');
    assert.equal(r.channel, 'Security');
    assert.equal(r.eventId, 6273);
    assert.equal(r.recordId, 987654);
    assert.equal(r.level, 'information');
    assert.equal(r.time, utc(2024, 9, 20, 10, 37, 47));
  });

  it('gives the same records for CRLF input', () => {
    assertSameForCrlf(SPLUNK_WINEVENTLOG_FORMAT, `${text}\n${text6273}`);
  });

  it('rejects malformed records with line and field; following records still parse', () => {
    const lines = toLines(text);
    const input = [
      'garbage before the first record',
      'more garbage',
      '13/45/2024 10:37:17 AM',
      'LogName=AuthZOptCh',
      'Message=x',
      '09/20/2024 10:37:17 AM',
      'LogName=AuthZOptCh',
      'EventCode=one',
      'Message=x',
      '09/20/2024 10:37:17 AM',
      'LogName=AuthZOptCh',
      'this line is no key/value',
      'Message=x',
      '09/20/2024 10:37:17 AM',
      'RecordNumber=12x',
      ...lines.slice(0, 13),
    ];
    const { records, issues } = run(SPLUNK_WINEVENTLOG_FORMAT, input, { file: 'bad.txt' });
    assert.deepEqual(
      issues.map((i) => [i.file, i.line, i.field]),
      [
        ['bad.txt', 1, undefined],
        ['bad.txt', 3, 'timestamp'],
        ['bad.txt', 6, 'EventCode'],
        ['bad.txt', 10, undefined],
        ['bad.txt', 14, 'RecordNumber'],
      ],
    );
    assert.equal(issues[0]!.raw, 'garbage before the first record\nmore garbage');
    assert.match(issues[3]!.reason, /line 12 is not Key=Value/);
    assert.equal(
      issues[2]!.raw,
      'LogName=AuthZOptCh\nEventCode=one\nMessage=x'.replace(/^/, '09/20/2024 10:37:17 AM\n'),
    );
    assert.equal(records.length, 1);
    assert.equal(records[0]!.position.line, 16);
    assert.equal(records[0]!.recordId, 4711);
  });

  it('emits a truncated last record with what it has', () => {
    const lines = toLines(text).slice(0, 19);
    const { records, issues } = run(SPLUNK_WINEVENTLOG_FORMAT, lines);
    assert.equal(issues.length, 0);
    assert.equal(records.length, 2);
    assert.equal(records[1]!.recordId, undefined);
    assert.equal(records[1]!.message, undefined);
    assert.equal(records[1]!.host, 'NPS01.contoso.com');
  });

  it('maps Type=Audit Failure to information and falls back to EventType', () => {
    const { records } = run(SPLUNK_WINEVENTLOG_FORMAT, [
      '9/2/2024 1:02:03 PM',
      'LogName=Security',
      'Type=Audit Failure',
      'Message=m',
      '09/20/2024 10:37:17 AM',
      'EventType=3',
      'Message=',
    ]);
    assert.equal(records[0]!.level, 'information');
    assert.equal(records[0]!.time, utc(2024, 9, 2, 13, 2, 3));
    assert.equal(records[1]!.level, 'warning');
    assert.equal(records[1]!.message, undefined);
  });

  it('rejects a record over 1 MiB and resyncs at the next timestamp line', () => {
    const big = 'x'.repeat(64 * 1024);
    const input = [
      '09/20/2024 10:37:17 AM',
      'Message=start',
      ...Array.from({ length: 20 }, () => big),
      ...toLines(text),
    ];
    const { records, issues } = run(SPLUNK_WINEVENTLOG_FORMAT, input);
    assert.equal(issues.length, 1);
    assert.match(issues[0]!.reason, /larger than 1 MiB/);
    assert.equal(issues[0]!.line, 1);
    assert.ok(issues[0]!.raw.length <= 64 * 1024);
    assert.equal(records.length, 3);
    assert.equal(records[0]!.position.line, 23);
  });

  it('sniffs its samples and nothing else', () => {
    assert.equal(sniffSplunkWinEventLog(toLines(text)), true);
    assert.equal(sniffSplunkWinEventLog(toLines(toCrlf(text6273))), true);
    assert.equal(sniffSplunkWinEventLog(['09/20/2024 10:37:17 AM']), false);
    assert.equal(sniffSplunkWinEventLog(toLines(sample('winlogbeat.ndjson'))), false);
    assert.equal(sniffSplunkWinEventLog(toLines(sample('event.xml'))), false);
  });
});
