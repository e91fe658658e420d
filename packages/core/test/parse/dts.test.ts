import assert from 'node:assert/strict';
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { IAS_ATTRIBUTES } from '../../src/parse/accounting-attributes.js';
import { createDtsParser, DTS_FORMAT, sniffDts } from '../../src/parse/dts.js';
import type { NpsRecord } from '../../src/record/types.js';
import { renderDts } from '../../src/testing/render-accounting.js';
import { accountingRecord, accountingSuite, packetTypeArb } from './accounting-helpers.js';

const suite = accountingSuite('dts', createDtsParser);
const { sampleLines, parse, one } = suite;

const utc = Date.UTC;
const TS = '<Event><Timestamp data_type="4">09/20/2024 10:37:47.730</Timestamp>';

describe('DTS-compliant XML accounting format', () => {
  describe('sniff', () => {
    suite.itSniffsItsOwnSample(sniffDts, DTS_FORMAT);
    it('does not claim Windows event XML', () => {
      assert.equal(sniffDts(['<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>']), false);
    });
  });

  describe('golden: samples/reference/dts.log', () => {
    suite.itReadsTheSample('reads all three lines, with CRLF line endings', 3, (r) =>
      assert.equal(r.fields!.Timestamp, undefined, 'the timestamp is `time`, not a field'),
    );

    suite.itReadsGoldenLines([
      {
        title: 'line 1 (verbatim 2014 capture): Access-Reject, Reason-Code 8, misspelled element normalised',
        index: 0,
        time: utc(2014, 4, 19, 15, 21, 44, 8),
        host: 'NPSServer',
        fields: {
          'Computer-Name': 'NPSServer',
          'Event-Source': 'IAS',
          Class: '311 1 10.1.2.42 05/16/2014 02:17:48 1307',
          'Authentication-Type': '5',
          'Fully-Qualified-User-Name': 'DOMAIN\\ComputerName.domain.com',
          'SAM-Account-Name': 'DOMAIN\\ComputerName.domain.com',
          'Provider-Type': '1',
          'Proxy-Policy-Name': 'Secure Wireless Connections',
          'Client-Friendly-Name': 'WLANCON',
          'Client-Vendor': '0',
          'Client-IP-Address': '10.255.100.1',
          'Packet-Type': '3',
          'Reason-Code': '8',
          'Packet-Type-Name': 'Access-Reject',
        },
        check: (r) => assert.ok(!Object.hasOwn(r.fields ?? {}, 'Fully-Qualifed-User-Name')),
      },
      {
        title: 'line 2 (MFA scenario): the Access-Request carries User-Name',
        index: 1,
        time: utc(2024, 8, 20, 10, 37, 17, 412),
        host: 'NPS01',
        some: {
          'User-Name': 'jdoe@contoso.com',
          'NAS-IP-Address': '10.10.1.5',
          'Client-IP-Address': '10.10.1.5',
          'Fully-Qualified-User-Name': 'CONTOSO\\jdoe',
          'Packet-Type': '1',
          'Packet-Type-Name': 'Access-Request',
          'Reason-Code': '0',
        },
      },
      {
        title: 'line 3 (MFA scenario): Access-Reject, Reason-Code 21, no User-Name',
        index: 2,
        time: utc(2024, 8, 20, 10, 37, 47, 730),
        host: 'NPS01',
        some: {
          'User-Name': undefined,
          'SAM-Account-Name': 'CONTOSO\\jdoe',
          'Fully-Qualified-User-Name': 'CONTOSO\\jdoe',
          'Client-IP-Address': '10.10.1.5',
          'Client-Friendly-Name': 'VPN-GW01',
          'NP-Policy-Name': 'VPN Users',
          'Proxy-Policy-Name': 'Use Windows authentication for all users',
          'Packet-Type': '3',
          'Packet-Type-Name': 'Access-Reject',
          'Reason-Code': '21',
        },
      },
    ]);

    it('lines 2-3: the Class links the request to its response', () => {
      const { records } = parse(sampleLines);
      const [request, response] = [records[1]!, records[2]!];
      assert.equal(request.fields!.Class, '311 1 10.10.2.20 09/18/2024 06:12:03 412');
      assert.equal(response.fields!.Class, request.fields!.Class);
      assert.notEqual(records[0]!.fields!.Class, request.fields!.Class);
    });

    suite.itReadsLocalTime('reads the local time in ctx.timeZone (Europe/Berlin, CEST)', 'Europe/Berlin', [
      utc(2014, 4, 19, 13, 21, 44, 8),
      utc(2024, 8, 20, 8, 37, 17, 412),
      utc(2024, 8, 20, 8, 37, 47, 730),
    ]);

    it('agrees with fast-xml-parser on every sample element', () => {
      const xml = new XMLParser({ parseTagValue: false, ignoreAttributes: true });
      for (const text of sampleLines) {
        const event = (xml.parse(text) as { Event: Record<string, string> }).Event;
        const fields = one(text).fields!;
        for (const [name, value] of Object.entries(event)) {
          if (name === 'Timestamp') continue;
          const canonical = name === 'Fully-Qualifed-User-Name' ? 'Fully-Qualified-User-Name' : name;
          assert.equal(fields[canonical], String(value), name);
        }
      }
    });
  });

  describe('line handling', () => {
    suite.itHandlesCrlf(2, 3);

    it('skips blank lines', () => {
      const { records } = parse(['', sampleLines[0]!, '\r', '  ']);
      assert.equal(records.length, 1);
    });

    it('decodes entities and character references', () => {
      const r = one(
        `${TS}<NP-Policy-Name data_type="1">R&amp;D &lt;VPN&gt; &quot;x&quot; &apos;y&apos; &#65;&#x42;&#x1F600;</NP-Policy-Name></Event>`,
      );
      assert.equal(r.fields!['NP-Policy-Name'], 'R&D <VPN> "x" \'y\' AB😀');
    });

    it('keeps non-ASCII text, empty and self-closing elements, whitespace between elements', () => {
      const r = one(
        `${TS} <Client-Friendly-Name data_type="1">Общий</Client-Friendly-Name> <User-Name data_type="1"></User-Name><Session-Timeout data_type="0"/></Event>`,
      );
      assert.equal(r.fields!['Client-Friendly-Name'], 'Общий');
      assert.equal(r.fields!['User-Name'], '');
      assert.equal(r.fields!['Session-Timeout'], '');
      assert.equal(r.host, undefined);
    });

    it('keeps repeated elements as Name#2', () => {
      const r = one(
        `${TS}<Cisco-AV-Pair data_type="1">a=1</Cisco-AV-Pair><Cisco-AV-Pair data_type="1">b=2</Cisco-AV-Pair></Event>`,
      );
      assert.equal(r.fields!['Cisco-AV-Pair'], 'a=1');
      assert.equal(r.fields!['Cisco-AV-Pair#2'], 'b=2');
    });

    it('accepts a timestamp without milliseconds', () => {
      const r = one('<Event><Timestamp data_type="4">09/20/2024 10:37:47</Timestamp></Event>');
      assert.equal(r.time, utc(2024, 8, 20, 10, 37, 47));
    });
  });

  describe('malformed lines', () => {
    const good = sampleLines[2]!;
    const cases: [string, string, string][] = [
      ['a missing </Event>', `${TS}<Reason-Code data_type="0">21</Reason-Code>`, 'Event'],
      ['a line cut inside a value', good.slice(0, good.indexOf('VPN-GW01') + 4), 'Client-Friendly-Name'],
      ['a line cut inside a tag', good.slice(0, good.indexOf('Client-Friendly-Name') + 6), 'Client'],
      ['a mismatched close tag', `${TS}<Reason-Code data_type="0">21</Reason></Event>`, 'Reason-Code'],
      ['a nested element', `${TS}<Class data_type="1"><b>x</b></Class></Event>`, 'Class'],
      ['an unknown entity', `${TS}<Class data_type="1">a &nbsp; b</Class></Event>`, 'Class'],
      ['a bare ampersand', `${TS}<Class data_type="1">R&D</Class></Event>`, 'Class'],
      ['a bad character reference', `${TS}<Class data_type="1">&#xD800;</Class></Event>`, 'Class'],
      ['text between elements', `${TS}junk<Class data_type="1">x</Class></Event>`, 'Timestamp'],
      ['text after </Event>', `${good}x`, 'Event'],
      ['an element name NPS never writes', `${TS}<__proto__>x</__proto__></Event>`, 'Timestamp'],
      ['no Timestamp', '<Event><Computer-Name data_type="1">NPS01</Computer-Name></Event>', 'Timestamp'],
      [
        'an impossible Timestamp',
        '<Event><Timestamp data_type="4">02/30/2024 10:00:00.000</Timestamp></Event>',
        'Timestamp',
      ],
      ['two Timestamps', `${TS}<Timestamp data_type="4">09/20/2024 10:37:47.730</Timestamp></Event>`, 'Timestamp'],
      ['not an Event', '<Events><Event></Event></Events>', 'Event'],
      ['an unterminated start tag', `${TS}<Class data_type="1"`, 'Class'],
    ];
    suite.itRejectsMalformed(good, cases, { first: 3, naming: 'element' });
  });

  describe('properties', () => {
    suite.itNeverThrows(
      fc.constantFrom('', '<Event>', TS, `${TS}<Class data_type="1">`, '<Event><Timestamp data_type='),
      {
        tail: fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc
            .array(fc.constantFrom('<', '>', '/', '&', ';', '#', 'x', 'Event', 'Class', '"', ' ', '1', 'amp'), {
              maxLength: 40,
            })
            .map((a) => a.join('')),
        ),
        numRuns: 1000,
      },
    );

    const safeChar = fc.constantFrom(...'abcXYZ019 .-_@\\/&<>"\',():;=#é漢Ж\t\n😀'.split(''));
    const value = fc.array(safeChar, { maxLength: 24 }).map((cs) => cs.join(''));
    const names = [...IAS_ATTRIBUTES.values(), 'Event-Source', 'Cisco-AV-Pair', 'attr-4133'].filter(
      (n) => n !== 'Packet-Type',
    );
    interface Generated {
      readonly ms: number;
      readonly packetType: string | undefined;
      readonly elements: readonly (readonly [string, string])[];
    }
    const record: fc.Arbitrary<Generated> = fc.record({
      ms: fc.integer({ min: 946_684_800_000, max: 2_051_222_400_000 }),
      packetType: packetTypeArb,
      elements: fc.uniqueArray(fc.tuple(fc.constantFrom(...names), value), { selector: (t) => t[0], maxLength: 16 }),
    });

    function build(g: Generated): NpsRecord {
      const fields: Record<string, string> = {};
      for (const [name, v] of g.elements) fields[name] = v;
      return accountingRecord('dts', g.ms, fields, g.packetType);
    }

    suite.itRoundTrips(record, build, renderDts, {
      what: ', escaping & < > and line breaks',
      check: (text) => {
        assert.ok(!/[\r\n]/.test(text), 'one line');
        assert.ok(sniffDts([text]));
      },
    });

    it('writes the product spelling Fully-Qualifed-User-Name', () => {
      const text = renderDts(one(sampleLines[0]!));
      assert.match(
        text,
        /<Fully-Qualifed-User-Name data_type="1">DOMAIN\\ComputerName\.domain\.com<\/Fully-Qualifed-User-Name>/,
      );
    });

    it('renders the sample lines back verbatim, except element order (Computer-Name first, as NPS does)', () => {
      for (const text of sampleLines) assert.equal(renderDts(one(text)), text);
    });
  });
});
