import assert from 'node:assert/strict';
import {
  openElementPath,
  SPLUNK_XMLWINEVENTLOG_FORMAT,
  sniffSplunkXmlWinEventLog,
  sniffWindowsXml,
  WINDOWS_XML_FORMAT,
} from '../../src/parse/xml-event.js';
import {
  assertSameForCrlf,
  azureMfaRecord,
  run,
  sample,
  toCrlf,
  toLines,
  utc,
  winlogbeatDocs,
} from './windows-helpers.js';

const winlogbeat6273 = () => winlogbeatDocs()[4]!;

/** A minimal well-formed event for hand-written cases. */
const ev = (inner: string, system = "<TimeCreated SystemTime='2024-09-20T10:37:47.7110000Z'/>"): string =>
  `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>${system}</System>${inner}</Event>`;

describe('windows event XML parser', () => {
  const eventXml = sample('event.xml');

  describe('windows-xml (event.xml)', () => {
    it('reads the pretty-printed AzureMfa event with exact values', () => {
      const { records, issues } = run(WINDOWS_XML_FORMAT, eventXml, { file: 'event.xml' });
      assert.equal(issues.length, 0);
      assert.equal(records.length, 2);
      assert.deepEqual(
        records[0],
        azureMfaRecord('windows-xml', { file: 'event.xml', line: 1, time: utc(2024, 9, 20, 10, 37, 47, 711) }, 4712, {
          param1: true,
        }),
      );
    });

    it('reads the Security 6273 event: named Data as fields, Level 0 as information', () => {
      const r = run(WINDOWS_XML_FORMAT, eventXml, { file: 'event.xml' }).records[1]!;
      assert.equal(r.position.line, 23);
      assert.equal(r.time, utc(2024, 9, 20, 10, 37, 47, 745));
      assert.equal(r.eventId, 6273);
      assert.equal(r.recordId, 987654);
      assert.equal(r.channel, 'Security');
      assert.equal(r.provider, 'Microsoft-Windows-Security-Auditing');
      assert.equal(r.level, 'information');
      assert.equal(r.message, undefined);
      assert.deepEqual(r.fields, winlogbeat6273().winlog.event_data);
      assert.equal(r.fields?.ReasonCode, '21');
      assert.equal(r.fields?.ClientIPAddress, '10.10.1.5');
      assert.equal(r.fields?.CallingStationID, '203.0.113.77');
      assert.equal(r.fields?.NASIdentifier, 'VPN-GW01');
    });

    it('gives the same records for CRLF input', () => {
      assertSameForCrlf(WINDOWS_XML_FORMAT, eventXml);
    });

    it('reads records inside <Events> after an XML declaration, ending and starting on one line', () => {
      const lines = toLines(eventXml);
      const input = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<Events>',
        ...lines.slice(0, 20),
        `</Event>${lines[22]}`,
        ...lines.slice(23),
        '</Events>',
      ];
      const { records, issues } = run(WINDOWS_XML_FORMAT, input);
      assert.equal(issues.length, 0);
      assert.deepEqual(
        records.map((r) => [r.position.line, r.recordId]),
        [
          [3, 4712],
          [23, 987654],
        ],
      );
    });

    it('reads several records concatenated on one line', () => {
      const one = toLines(sample('splunk-xmlwineventlog.xml')).filter((l) => l !== '');
      const { records } = run(WINDOWS_XML_FORMAT, [`<Events>${one.join('')}</Events>`]);
      assert.deepEqual(
        records.map((r) => [r.position.line, r.recordId]),
        [
          [1, 4711],
          [1, 4712],
        ],
      );
    });

    it('rejects a record truncated mid-way naming the element; the earlier record is intact', () => {
      const lines = toLines(eventXml);
      const cut = [...lines.slice(0, 31), '    <TimeCreated SystemTi'];
      const { records, issues } = run(WINDOWS_XML_FORMAT, cut, { file: 'cut.xml' });
      assert.equal(records.length, 1);
      assert.equal(records[0]!.recordId, 4712);
      assert.equal(issues.length, 1);
      assert.equal(issues[0]!.file, 'cut.xml');
      assert.equal(issues[0]!.line, 23);
      assert.equal(issues[0]!.field, 'System/TimeCreated');
      assert.match(issues[0]!.reason, /truncated record: input ended before <\/Event>/);
      assert.ok(issues[0]!.raw.startsWith('<Event xmlns='));
    });

    it('resyncs at the next <Event when a record never closes', () => {
      const lines = toLines(eventXml);
      const input = [...lines.slice(0, 12), ...lines.slice(22)];
      const { records, issues } = run(WINDOWS_XML_FORMAT, input);
      assert.equal(issues.length, 1);
      assert.equal(issues[0]!.line, 1);
      assert.equal(issues[0]!.field, 'System');
      assert.match(issues[0]!.reason, /a new <Event> starts at line 13/);
      assert.deepEqual(
        records.map((r) => [r.position.line, r.recordId]),
        [[13, 987654]],
      );
    });
  });

  describe('splunk-xmlwineventlog', () => {
    it('reads the two AzureMfa records: RenderingInfo message and level', () => {
      const { records, issues } = run(SPLUNK_XMLWINEVENTLOG_FORMAT, sample('splunk-xmlwineventlog.xml'), {
        file: 'x.xml',
      });
      assert.equal(issues.length, 0);
      assert.deepEqual(records, [
        azureMfaRecord(
          'splunk-xmlwineventlog',
          { file: 'x.xml', line: 1, time: utc(2024, 9, 20, 10, 37, 17, 730) },
          4711,
          { param1: true },
        ),
        azureMfaRecord(
          'splunk-xmlwineventlog',
          { file: 'x.xml', line: 3, time: utc(2024, 9, 20, 10, 37, 47, 711) },
          4712,
          { param1: true },
        ),
      ]);
    });

    it('reads the 6273 record whose RenderingInfo message spans many lines', () => {
      const text = sample('splunk-xmlwineventlog-6273.xml');
      const { records, issues } = run(SPLUNK_XMLWINEVENTLOG_FORMAT, text);
      assert.equal(issues.length, 0);
      assert.equal(records.length, 1);
      const r = records[0]!;
      const wb = winlogbeat6273();
      assert.equal(r.message, wb.message);
      assert.deepEqual(r.fields, wb.winlog.event_data);
      assert.equal(r.fields?.ReasonCode, '21');
      assert.equal(r.fields?.SubjectUserSid, 'S-1-5-21-3124921703-1242075836-1035668124-1120');
      assert.equal(r.eventId, 6273);
      assert.equal(r.level, 'information');
      assert.equal(r.time, utc(2024, 9, 20, 10, 37, 47, 745));
      assert.deepEqual(run(SPLUNK_XMLWINEVENTLOG_FORMAT, toCrlf(text)), { records, issues });
    });

    it('rejects malformed records naming the element; following records parse', () => {
      const good = toLines(sample('splunk-xmlwineventlog.xml'))[0]!;
      const input = [
        ev('', "<TimeCreated SystemTime='2024-09-20T10:37:47.7110000Z'><EventID>1</EventID>"),
        ev('<EventData/>', '<EventID>1</EventID>'),
        ev('', "<TimeCreated SystemTime='not a time'/>"),
        ev('', "<TimeCreated SystemTime='2024-09-20T10:37:47Z'/><EventID>one</EventID>"),
        ev('', "<TimeCreated SystemTime='2024-09-20T10:37:47Z'/><EventRecordID>-1</EventRecordID>"),
        "<Event xmlns='x'><EventData><Data>a</Data></EventData></Event>",
        ev('<EventData><Data>a < b</Data></EventData>', "<TimeCreated SystemTime='2024-09-20T10:37:47Z'/>"),
        good,
      ];
      const { records, issues } = run(SPLUNK_XMLWINEVENTLOG_FORMAT, input, { file: 'bad.xml' });
      assert.deepEqual(
        issues.map((i) => [i.file, i.line, i.field]),
        [
          ['bad.xml', 1, 'System/TimeCreated'],
          ['bad.xml', 2, 'System/TimeCreated/@SystemTime'],
          ['bad.xml', 3, 'System/TimeCreated/@SystemTime'],
          ['bad.xml', 4, 'System/EventID'],
          ['bad.xml', 5, 'System/EventRecordID'],
          ['bad.xml', 6, 'System'],
          ['bad.xml', 7, 'EventData/Data'],
        ],
      );
      assert.match(issues[0]!.reason, /^malformed XML at line 1: Expected closing tag 'TimeCreated'/);
      assert.match(issues[2]!.reason, /invalid TimeCreated SystemTime "not a time"/);
      assert.equal(issues[0]!.raw, input[0]);
      assert.equal(issues[0]!.format, 'splunk-xmlwineventlog');
      assert.deepEqual(
        records.map((r) => [r.position.line, r.recordId]),
        [[8, 4711]],
      );
    });

    it('rejects text outside records, grouped, and ignores wrappers and blank lines', () => {
      const good = toLines(sample('splunk-xmlwineventlog.xml'))[0]!;
      const { records, issues } = run(SPLUNK_XMLWINEVENTLOG_FORMAT, [
        'stray 1',
        'stray 2',
        '',
        good,
        '<!-- comment -->',
        '   ',
        `${good} trailing`,
      ]);
      assert.equal(records.length, 2);
      assert.deepEqual(
        issues.map((i) => [i.line, i.raw]),
        [
          [1, 'stray 1\nstray 2'],
          [7, ' trailing'],
        ],
      );
    });
  });

  describe('record content', () => {
    it('decodes the five entities and numeric references once, in text and attributes', () => {
      const xml = ev(
        "<EventData><Data Name='a'>&lt;b&gt; &amp; &quot;q&quot; &apos;s&apos; &amp;lt; &#65;&#x42;&#10;x &unknown;</Data></EventData>",
        '<Provider Name=\'P &amp; &quot;Q&quot; &apos;R&apos;\'/><TimeCreated SystemTime="2024-09-20T10:37:47.7110000Z"/><Computer>h&lt;1&gt;</Computer>',
      );
      const r = run(WINDOWS_XML_FORMAT, [xml]).records[0]!;
      assert.equal(r.fields?.a, '<b> & "q" \'s\' &lt; AB\nx &unknown;');
      assert.equal(r.provider, 'P & "Q" \'R\'');
      assert.equal(r.host, 'h<1>');
    });

    it('reads EventID with Qualifiers, several unnamed Data, empty Data, and flattens UserData', () => {
      const xml = ev(
        "<EventData><Data>first</Data><Data>second</Data><Data Name='Empty'/><Binary>00</Binary></EventData>" +
          "<UserData><EventXML xmlns='urn:x'><Param1>v1</Param1><Sub><Param2>v2</Param2><Param1>dup</Param1></Sub></EventXML></UserData>",
        "<EventID Qualifiers='16384'>7036</EventID><Level>2</Level><TimeCreated SystemTime='2024-09-20T10:37:47.7110000Z'/><Channel>Microsoft-AzureMfa-AuthZ/AuthZAdminCh</Channel>",
      );
      const r = run(WINDOWS_XML_FORMAT, [xml]).records[0]!;
      assert.equal(r.eventId, 7036);
      assert.equal(r.level, 'error');
      assert.equal(r.channel, 'AuthZAdminCh');
      assert.equal(r.message, 'first\nsecond');
      assert.deepEqual(r.fields, {
        Empty: '',
        param1: 'first',
        param2: 'second',
        Param1: 'v1',
        Param2: 'v2',
        'EventXML.Sub.Param1': 'dup',
      });
    });

    it('keeps whitespace and double spaces inside messages', () => {
      const xml = ev("<RenderingInfo Culture='en-US'><Message>  two  spaces\n\n\tand tab  </Message></RenderingInfo>");
      assert.equal(run(WINDOWS_XML_FORMAT, toLines(xml)).records[0]!.message, '  two  spaces\n\n\tand tab  ');
    });

    it('rejects a record over 1 MiB and resyncs at the next <Event', () => {
      const good = toLines(sample('splunk-xmlwineventlog.xml'))[0]!;
      const big = 'x'.repeat(100_000);
      const input = [
        `<Event xmlns='x'><System><TimeCreated SystemTime='2024-09-20T10:37:47Z'/></System><EventData><Data>`,
        ...Array.from({ length: 12 }, () => big),
        '</Data></EventData></Event>',
        good,
        ev(`<EventData><Data>${'y'.repeat(1_100_000)}</Data></EventData>`),
        good,
      ];
      const { records, issues } = run(WINDOWS_XML_FORMAT, input);
      assert.deepEqual(
        issues.map((i) => i.line),
        [1, 16],
      );
      assert.ok(issues.every((i) => /larger than 1 MiB/.test(i.reason) && i.raw.length <= 64 * 1024));
      assert.deepEqual(
        records.map((r) => r.position.line),
        [15, 17],
      );
    });
  });

  describe('openElementPath', () => {
    it('names the element open at a point, without the root', () => {
      assert.equal(openElementPath('<Event><System><TimeCreated Sys'), 'System/TimeCreated');
      assert.equal(openElementPath('<Event><System><Provider Name="a>b"/><EventID>1'), 'System/EventID');
      assert.equal(openElementPath('<Event><System></System><EventData><Data Name="x">ab'), 'EventData/Data');
      assert.equal(openElementPath('<Event>'), 'Event');
      assert.equal(openElementPath(''), 'Event');
    });
  });

  describe('sniff', () => {
    const heads = {
      eventXml: toLines(eventXml),
      splunk: toLines(sample('splunk-xmlwineventlog.xml')),
      splunk6273: toLines(sample('splunk-xmlwineventlog-6273.xml')),
      winlogbeat: toLines(sample('winlogbeat.ndjson')),
      classic: toLines(sample('splunk-wineventlog.txt')),
      dts: toLines(sample('dts.log')),
    };
    it('windows-xml: namespace on <Event or an <Events> wrapper', () => {
      assert.equal(sniffWindowsXml(heads.eventXml), true);
      assert.equal(sniffWindowsXml(['<?xml version="1.0"?>', '<Events>']), true);
      assert.equal(sniffWindowsXml(heads.winlogbeat), false);
      assert.equal(sniffWindowsXml(heads.classic), false);
      assert.equal(sniffWindowsXml(heads.dts), false);
    });
    it('splunk-xmlwineventlog: one-line records only', () => {
      assert.equal(sniffSplunkXmlWinEventLog(heads.splunk), true);
      assert.equal(sniffSplunkXmlWinEventLog(heads.splunk6273), true);
      assert.equal(sniffSplunkXmlWinEventLog(heads.eventXml), false);
      assert.equal(sniffSplunkXmlWinEventLog(heads.dts), false);
    });
  });
});
