import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ODBC_COLUMNS } from '../../src/parse/accounting-attributes.js';
import { createOdbcParser, ODBC_FORMAT, odbcColumnName, sniffOdbc } from '../../src/parse/odbc.js';
import type { NpsRecord } from '../../src/record/types.js';
import { renderOdbc } from '../../src/testing/render-accounting.js';
import { accountingRecord, accountingSuite, packetTypeArb } from './accounting-helpers.js';

const suite = accountingSuite('odbc', createOdbcParser);
const { sampleLines, parse, one } = suite;

const utc = Date.UTC;

/** A line in column order from name → raw column text (already quoted where wanted). */
function line(columns: Readonly<Record<string, string>>, count = 66): string {
  return Array.from({ length: count }, (_, i) => columns[odbcColumnName(i)] ?? '').join(',');
}

const BASE = {
  'Computer-Name': '"NPS01"',
  'Service-Name': '"IAS"',
  'Record-Date': '09/20/2024',
  'Record-Time': '10:37:47',
};

describe('ODBC (database-compatible) accounting format', () => {
  describe('column table', () => {
    it('has the 66 columns of the Microsoft heading row, in order', () => {
      assert.equal(ODBC_COLUMNS.length, 66);
      assert.deepEqual(ODBC_COLUMNS.slice(0, 6), [
        'Computer-Name',
        'Service-Name',
        'Record-Date',
        'Record-Time',
        'Packet-Type',
        'User-Name',
      ]);
      assert.equal(ODBC_COLUMNS[25], 'Reason-Code');
      assert.equal(ODBC_COLUMNS[26], 'Class');
      assert.equal(ODBC_COLUMNS[65], 'MS-RAS-Client-Version');
      assert.equal(new Set(ODBC_COLUMNS).size, 66);
    });
    it('names columns past the table col-<n>, 1-based', () => assert.equal(odbcColumnName(66), 'col-67'));
  });

  describe('sniff', () => {
    suite.itSniffsItsOwnSample(sniffOdbc, ODBC_FORMAT);
  });

  describe('golden: samples/reference/odbc.log', () => {
    suite.itReadsTheSample('reads both lines, with CRLF line endings', 2);

    suite.itReadsGoldenLines([
      {
        title: 'line 1: Access-Request, every present column named',
        index: 0,
        time: utc(2006, 9, 22, 9, 13, 9),
        host: 'RasBox',
        fields: {
          'Computer-Name': 'RasBox',
          'Service-Name': 'RAS',
          'Packet-Type': '1',
          'User-Name': 'ACME\\slimjim',
          'Fully-Qualified-User-Name': 'ACME\\slimjim',
          'NAS-IP-Address': '192.168.132.45',
          'NAS-Port': '12',
          'Client-IP-Address': '192.168.132.45',
          'NAS-Port-Type': '0',
          'Connect-Info': 'CONNECT 24000',
          'Framed-Protocol': '1',
          'Service-Type': '2',
          'Authentication-Type': '4',
          'Reason-Code': '0',
          Class: '311 1 192.168.132.45 07/31/2006 21:35:14 749',
          'MS-RAS-Version': 'MSRASV5.00',
          'MS-RAS-Vendor': '311',
          'Packet-Type-Name': 'Access-Request',
        },
      },
      {
        title: 'line 2: Access-Reject, Reason-Code 36, MS-CHAP-Error in its column',
        index: 1,
        time: utc(2006, 9, 22, 9, 13, 9),
        host: 'RasBox',
        fields: {
          'Computer-Name': 'RasBox',
          'Service-Name': 'RAS',
          'Packet-Type': '3',
          'Fully-Qualified-User-Name': 'ACME\\slimjim',
          'Authentication-Type': '4',
          'Reason-Code': '36',
          Class: '311 1 192.168.132.45 07/31/2006 21:35:14 749',
          'MS-CHAP-Error': '0x00453D36393120523D3020563D33',
          'Packet-Type-Name': 'Access-Reject',
        },
      },
    ]);

    it('request and response share the Class', () => {
      const { records } = parse(sampleLines);
      assert.equal(records[0]!.fields!.Class, records[1]!.fields!.Class);
    });

    suite.itReadsLocalTime('reads the local time in ctx.timeZone (Europe/Berlin, CEST)', 'Europe/Berlin', [
      utc(2006, 9, 22, 7, 13, 9),
      utc(2006, 9, 22, 7, 13, 9),
    ]);

    it('reads the Microsoft database-import examples (Access-Request and Access-Accept)', () => {
      const { records, issues } = parse([
        '"CLIENTCOMP","IAS",06/17/1999,13:04:33,1,"client",,,,,,,,,9,"10.10.10.10","iasclient",,,,,,,1,,0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,',
        '"CLIENTCOMP","IAS",06/17/1999,13:04:33,2,,"iasclientdc/Users/client",,,,,,,,9,"10.10.10.10","iasclient",,,,,,2,1,"Allow access if dial-in permission is enabled",0,"311 1 10.10.10.11 06/17/1999 20:04:30 1",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,',
      ]);
      assert.deepEqual(issues, []);
      assert.equal(records[0]!.fields!['User-Name'], 'client');
      assert.equal(records[0]!.fields!['Client-Vendor'], '9');
      assert.equal(records[0]!.fields!['Client-IP-Address'], '10.10.10.10');
      assert.equal(records[0]!.fields!['Client-Friendly-Name'], 'iasclient');
      assert.equal(records[1]!.fields!['Packet-Type-Name'], 'Access-Accept');
      assert.equal(records[1]!.fields!['NP-Policy-Name'], 'Allow access if dial-in permission is enabled');
      assert.equal(records[1]!.fields!['Fully-Qualified-User-Name'], 'iasclientdc/Users/client');
    });
  });

  describe('CSV handling', () => {
    suite.itHandlesCrlf(1, 2);

    it('skips blank lines', () => {
      const { records, issues } = parse(['', sampleLines[0]!, ' \r', sampleLines[1]!]);
      assert.deepEqual(issues, []);
      assert.deepEqual(
        records.map((r) => r.position.line),
        [2, 4],
      );
    });

    it('handles "" escapes, commas inside quotes, and a present-but-empty quoted value', () => {
      const r = one(
        line({
          ...BASE,
          'User-Name': '"say ""hi"", ok"',
          'NP-Policy-Name': '"VPN, MFA users"',
          'Called-Station-Id': '""',
          'Packet-Type': '3',
          'Reason-Code': '21',
        }),
      );
      assert.equal(r.fields!['User-Name'], 'say "hi", ok');
      assert.equal(r.fields!['NP-Policy-Name'], 'VPN, MFA users');
      assert.equal(r.fields!['Called-Station-Id'], '');
      assert.equal(r.fields!['Reason-Code'], '21');
      assert.equal(r.fields!['Packet-Type-Name'], 'Access-Reject');
      assert.equal(r.fields!['Calling-Station-Id'], undefined, 'empty unquoted column = absent');
      assert.equal(r.time, utc(2024, 8, 20, 10, 37, 47));
    });

    it('keeps columns past the table as col-<n>', () => {
      const r = one(`${line(BASE)},"extra",7`);
      assert.equal(r.fields!['col-67'], 'extra');
      assert.equal(r.fields!['col-68'], '7');
    });

    it('accepts short (older, 60-column) and very short lines', () => {
      const r = one('"NPS01","IAS",09/20/2024,10:37:47,2');
      assert.deepEqual(r.fields, {
        'Computer-Name': 'NPS01',
        'Service-Name': 'IAS',
        'Packet-Type': '2',
        'Packet-Type-Name': 'Access-Accept',
      });
    });
  });

  describe('malformed lines', () => {
    const good = sampleLines[0]!;
    const cases: [string, string, string][] = [
      ['an unterminated quote', '"NPS01","IAS",09/20/2024,10:37:47,1,"jdoe', 'User-Name'],
      ['text after a closing quote', '"NPS01"x,"IAS",09/20/2024,10:37:47,1', 'Computer-Name'],
      ['a quote inside an unquoted value', '"NPS01","IAS",09/20/2024,10:37:47,1,jd"oe', 'User-Name'],
      ['an impossible date', '"NPS01","IAS",02/30/2024,10:37:47,1', 'Record-Date'],
      ['a missing date', '"NPS01","IAS",,10:37:47,1', 'Record-Date'],
      ['an impossible time', '"NPS01","IAS",02/03/2024,24:00:00,1', 'Record-Time'],
      ['a line with too few columns', '"NPS01","IAS",02/03/2024', 'Record-Time'],
    ];
    suite.itRejectsMalformed(good, cases, { first: 7, naming: 'column' });
  });

  describe('properties', () => {
    suite.itNeverThrows(fc.constantFrom('', '"NPS01","IAS",09/20/2024,10:37:47,', '"a""b",', '"'));

    const safeChar = fc.constantFrom(...'abcXYZ019 .-_@\\/&<>"\',():;=#é漢Ж'.split(''));
    const value = fc.array(safeChar, { maxLength: 24 }).map((cs) => cs.join(''));
    const names = ODBC_COLUMNS.filter((n) => n !== 'Record-Date' && n !== 'Record-Time' && n !== 'Packet-Type');
    const columnName = fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...names) },
      { weight: 1, arbitrary: fc.integer({ min: 67, max: 80 }).map((n) => `col-${n}`) },
    );
    interface Generated {
      readonly seconds: number;
      readonly packetType: string | undefined;
      readonly columns: readonly (readonly [string, string])[];
    }
    const record: fc.Arbitrary<Generated> = fc.record({
      seconds: fc.integer({ min: 946_684_800, max: 2_051_222_400 }),
      packetType: packetTypeArb,
      columns: fc.uniqueArray(fc.tuple(columnName, value), { selector: (t) => t[0], maxLength: 16 }),
    });

    function build(g: Generated): NpsRecord {
      const fields: Record<string, string> = {};
      for (const [name, v] of g.columns) fields[name] = v;
      return accountingRecord('odbc', g.seconds * 1000, fields, g.packetType);
    }

    suite.itRoundTrips(record, build, renderOdbc);

    it('refuses line breaks and writes repeats it cannot carry as nothing', () => {
      const r = one(sampleLines[0]!);
      assert.throws(() => renderOdbc({ ...r, fields: { ...r.fields, Class: 'a\nb' } }), /Class/);
      const text = renderOdbc({ ...r, fields: { ...r.fields, 'Class#2': 'second', 'SAM-Account-Name': 'x' } });
      assert.equal(text, renderOdbc(r));
    });

    it('renders the sample lines back (as 66 columns)', () => {
      for (const text of sampleLines) {
        const rendered = renderOdbc(one(text));
        assert.equal(rendered, text + ','.repeat(66 - text.split(',').length));
      }
    });
  });
});
