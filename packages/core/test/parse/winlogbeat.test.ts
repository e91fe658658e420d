import assert from 'node:assert/strict';
import { sniffWinlogbeat, WINLOGBEAT_FORMAT } from '../../src/parse/winlogbeat.js';
import { assertSameForCrlf, azureMfaRecord, run, sample, toLines, utc } from './windows-helpers.js';

describe('winlogbeat parser', () => {
  const text = sample('winlogbeat.ndjson');

  it('reads the verbatim Elastic golden document (line 1)', () => {
    const { records, issues } = run(WINLOGBEAT_FORMAT, text, { file: 'winlogbeat.ndjson' });
    assert.equal(issues.length, 0);
    assert.equal(records.length, 5);
    assert.deepEqual(records[0], {
      format: 'winlogbeat',
      position: { file: 'winlogbeat.ndjson', line: 1 },
      time: utc(2019, 11, 7, 10, 37, 4, 226),
      host: 'WIN-41OB2LO92CR.wlbeat.local',
      channel: 'Security',
      provider: 'Microsoft-Windows-Eventlog',
      eventId: 1100,
      recordId: 14257,
      level: 'information',
      message: 'The event logging service has shut down.',
    });
  });

  it('reads the AzureMfa documents (lines 2–4): computer_name over host.name, param1 as a field', () => {
    const { records } = run(WINLOGBEAT_FORMAT, text, { file: 'winlogbeat.ndjson' });
    assert.deepEqual(
      records[1],
      azureMfaRecord(
        'winlogbeat',
        { file: 'winlogbeat.ndjson', line: 2, time: utc(2024, 9, 20, 10, 37, 17, 730) },
        4711,
        { param1: true },
      ),
    );
    const reject = records[2]!;
    assert.equal(reject.time, utc(2024, 9, 20, 10, 37, 47, 711));
    assert.equal(reject.recordId, 4712);
    assert.match(
      reject.message!,
      /^NPS Extension for Azure MFA: CID: 430ef057-.* Access Rejected for user <USERNAME> with/,
    );
    const admin = records[3]!;
    assert.equal(admin.channel, 'AuthZAdminCh');
    assert.equal(admin.eventId, 3);
    assert.equal(admin.recordId, 118);
    assert.equal(admin.level, 'error');
    assert.equal(admin.time, utc(2019, 10, 17, 20, 48, 29, 512));
    assert.ok(admin.message!.startsWith('NPS Extension for Azure MFA:  CID: 341b704d'), 'double space kept');
    assert.equal(admin.message!.split('\n').length, 4);
    assert.ok(admin.message!.includes('\nTrace ID: c5379bf7-9e15-49d0-9541-547b68c95d00\n'));
  });

  it('reads the Security 6273 document (line 5) with its EventData', () => {
    const r = run(WINLOGBEAT_FORMAT, text).records[4]!;
    assert.equal(r.eventId, 6273);
    assert.equal(r.channel, 'Security');
    assert.equal(r.provider, 'Microsoft-Windows-Security-Auditing');
    assert.equal(r.recordId, 987654);
    assert.equal(r.level, 'information');
    assert.equal(r.time, utc(2024, 9, 20, 10, 37, 47, 745));
    assert.equal(r.fields?.ReasonCode, '21');
    assert.equal(r.fields?.ClientIPAddress, '10.10.1.5');
    assert.equal(r.fields?.CallingStationID, '203.0.113.77');
    assert.equal(r.fields?.NASIdentifier, 'VPN-GW01');
    assert.equal(r.fields?.SubjectUserName, 'jdoe@contoso.com');
    assert.equal(r.fields?.FullyQualifiedSubjectUserName, 'CONTOSO\\jdoe');
    assert.equal(Object.keys(r.fields!).length, 26);
    assert.ok(r.message!.startsWith('Network Policy Server denied access to a user.\n\n'));
  });

  it('gives the same records for CRLF input', () => {
    assertSameForCrlf(WINLOGBEAT_FORMAT, text);
  });

  it('rejects invalid JSON with the JSON error, file and line; later lines still parse', () => {
    const lines = toLines(text);
    const input = [lines[1]!, '', '{"@timestamp": "2024-09-20T10:37:17Z", "winlog": {', lines[2]!];
    const { records, issues } = run(WINLOGBEAT_FORMAT, input, { file: 'x.ndjson' });
    assert.deepEqual(
      records.map((r) => r.position),
      [
        { file: 'x.ndjson', line: 1 },
        { file: 'x.ndjson', line: 4 },
      ],
    );
    assert.equal(issues.length, 1);
    const issue = issues[0]!;
    assert.equal(issue.file, 'x.ndjson');
    assert.equal(issue.line, 3);
    assert.equal(issue.field, undefined);
    assert.equal(issue.format, 'winlogbeat');
    assert.match(issue.reason, /^invalid JSON: .+/);
    assert.equal(issue.raw, input[2]);
  });

  it('rejects a missing or invalid @timestamp naming the field', () => {
    const { records, issues } = run(WINLOGBEAT_FORMAT, [
      '{"message":"x","winlog":{"channel":"AuthZOptCh"}}',
      '{"@timestamp":"yesterday","message":"x","winlog":{}}',
      '{"@timestamp":{"a":1},"winlog":{}}',
      '{"@timestamp":"2024-09-20T10:37:17.730Z","message":"ok","winlog":{}}',
    ]);
    assert.equal(records.length, 1);
    assert.equal(records[0]!.position.line, 4);
    assert.deepEqual(
      issues.map((i) => [i.line, i.field]),
      [
        [1, '@timestamp'],
        [2, '@timestamp'],
        [3, '@timestamp'],
      ],
    );
    assert.match(issues[0]!.reason, /missing @timestamp/);
    assert.match(issues[1]!.reason, /invalid @timestamp "yesterday"/);
  });

  it('rejects JSON that is not an object, and non-integer ids naming the field', () => {
    const { issues } = run(WINLOGBEAT_FORMAT, [
      '[1,2]',
      'null',
      '{"@timestamp":"2024-09-20T10:37:17Z","winlog":{"event_id":"abc"}}',
      '{"@timestamp":"2024-09-20T10:37:17Z","event":{"code":"1.5"}}',
      '{"@timestamp":"2024-09-20T10:37:17Z","winlog":{"record_id":-3}}',
    ]);
    assert.deepEqual(
      issues.map((i) => [i.line, i.field]),
      [
        [1, undefined],
        [2, undefined],
        [3, 'winlog.event_id'],
        [4, 'event.code'],
        [5, 'winlog.record_id'],
      ],
    );
    assert.equal(issues[0]!.reason, 'not a JSON object');
  });

  it('accepts ids as numbers or strings and falls back to event.*, host.name and param1', () => {
    const { records, issues } = run(WINLOGBEAT_FORMAT, [
      JSON.stringify({
        '@timestamp': '2024-09-20T12:37:17.730+02:00',
        event: { code: 6272, provider: 'Microsoft-Windows-Security-Auditing' },
        host: { name: 'nps02' },
        winlog: {
          channel: 'Microsoft-AzureMfa-AuthZ/AuthZOptCh',
          record_id: '77',
          event_data: { param1: 'from param1', Count: 3, Flag: true, Nested: { a: 'b' }, Empty: '' },
        },
      }),
    ]);
    assert.equal(issues.length, 0);
    assert.deepEqual(records[0], {
      format: 'winlogbeat',
      position: { file: 'test.log', line: 1 },
      time: utc(2024, 9, 20, 10, 37, 17, 730),
      host: 'nps02',
      channel: 'AuthZOptCh',
      provider: 'Microsoft-Windows-Security-Auditing',
      eventId: 6272,
      recordId: 77,
      message: 'from param1',
      fields: { param1: 'from param1', Count: '3', Empty: '' },
    });
  });

  it('skips blank lines but keeps line numbers; tolerates a BOM on the first line', () => {
    const line = toLines(text)[1]!;
    const { records } = run(WINLOGBEAT_FORMAT, [`\uFEFF${line}`, '', '   ', line]);
    assert.deepEqual(
      records.map((r) => r.position.line),
      [1, 4],
    );
  });

  describe('sniff', () => {
    it('accepts the sample and ECS documents with @timestamp + message', () => {
      assert.equal(sniffWinlogbeat(toLines(text)), true);
      assert.equal(sniffWinlogbeat(['', '{"@timestamp":"2024-01-01T00:00:00Z","message":"m"}']), true);
    });
    it("rejects npswatch's own output, other JSON and other formats", () => {
      assert.equal(sniffWinlogbeat(['{"@timestamp":"x","message":"m","npswatch":{"kind":"x"},"winlog":{}}']), false);
      assert.equal(sniffWinlogbeat(['{"a":1}']), false);
      assert.equal(sniffWinlogbeat(['{not json']), false);
      assert.equal(sniffWinlogbeat(toLines(sample('splunk-xmlwineventlog.xml'))), false);
      assert.equal(sniffWinlogbeat(toLines(sample('splunk-wineventlog.txt'))), false);
      assert.equal(sniffWinlogbeat([]), false);
    });
  });
});
