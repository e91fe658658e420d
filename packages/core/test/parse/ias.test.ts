import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IAS_ATTRIBUTES, IAS_HEADER, localTimeReader } from '../../src/parse/accounting-attributes.js';
import { ACCOUNTING_FORMATS } from '../../src/parse/formats-accounting.js';
import { createIasParser, IAS_FORMAT, sniffIas } from '../../src/parse/ias.js';
import type { NpsRecord } from '../../src/record/types.js';
import { renderIas } from '../../src/testing/render-accounting.js';
import { parseLocalTime } from '../../src/time/parse.js';
import { accountingRecord, accountingSuite, packetTypeArb, sampleLog } from './accounting-helpers.js';

const suite = accountingSuite('ias', createIasParser);
const { sampleLines, parse, one } = suite;

const utc = Date.UTC;

describe('ACCOUNTING_FORMATS', () => {
  it('lists ias, odbc and dts, each sniffing only its own sample', () => {
    assert.deepEqual(ACCOUNTING_FORMATS.map((f) => f.id).sort(), ['dts', 'ias', 'odbc']);
    for (const id of ['ias', 'odbc', 'dts'] as const) {
      const head = sampleLog(id).split('\n');
      assert.deepEqual(
        ACCOUNTING_FORMATS.filter((f) => f.sniff(head)).map((f) => f.id),
        [id],
      );
    }
  });
});

describe('IAS accounting format', () => {
  describe('sniff', () => {
    it('recognises the sample', () => assert.equal(sniffIas(sampleLines), true));
    it('is the format definition for id ias', () => assert.equal(IAS_FORMAT.sniff(sampleLines), true));
    it('skips blank lines and a CR before deciding', () =>
      assert.equal(sniffIas(['', `\r`, `${sampleLines[0]}\r`]), true));
    it('does not claim database-compatible (ODBC) lines, which share the comma shape', () => {
      assert.equal(sniffIas(sampleLog('odbc').split(/\r?\n/)), false);
    });
    it('does not claim DTS XML lines', () => {
      assert.equal(sniffIas(sampleLog('dts').split(/\r?\n/)), false);
    });
    it('is false on empty input', () => assert.equal(sniffIas(['', '  ']), false));
  });

  describe('golden: samples/reference/ias.log', () => {
    suite.itReadsTheSample('reads all five lines, with CRLF line endings', 5);

    suite.itReadsGoldenLines([
      {
        title: 'line 1 (Microsoft Iasparse example): Access-Request, header fields, RADIUS attributes',
        index: 0,
        time: utc(2000, 1, 9, 23, 18, 0),
        host: 'RAJESHP2',
        fields: {
          'NAS-IP-Address': '172.31.230.187',
          'User-Name': 'rajeshp',
          'Service-Name': 'IAS',
          'Computer-Name': 'RAJESHP2',
          'Service-Type': '2',
          'Framed-Protocol': '1',
          'NAS-Port': '11',
          'NAS-Port-Type': '5',
          'Tunnel-Type': '1',
          'Tunnel-Medium-Type': '1',
          'Calling-Station-Id': '172.31.225.108',
          'Tunnel-Client-Endpt': '172.31.225.108',
          'Client-IP-Address': '172.31.230.187',
          'Client-Vendor': '9',
          'Client-Friendly-Name': 'rajeshp3',
          'MS-RAS-Vendor': '311',
          'MS-RAS-Version': 'MSRASV5.00',
          'SAM-Account-Name': 'RAJESHP2\\rajeshp',
          'Packet-Type': '1',
          'Reason-Code': '0',
          'Packet-Type-Name': 'Access-Request',
        },
      },
      {
        title: 'line 2 (Microsoft Iasparse example): Access-Reject, Reason-Code 16',
        index: 1,
        time: utc(2000, 1, 9, 23, 18, 0),
        host: 'RAJESHP2',
        fields: {
          'NAS-IP-Address': '172.31.230.187',
          'User-Name': 'rajeshp',
          'Service-Name': 'IAS',
          'Computer-Name': 'RAJESHP2',
          'Fully-Qualified-User-Name': 'RAJESHP2\\rajeshp',
          'SAM-Account-Name': 'RAJESHP2\\rajeshp',
          'Client-Friendly-Name': 'rajeshp3',
          'Client-Vendor': '9',
          'Client-IP-Address': '172.31.230.187',
          'Packet-Type': '3',
          'Reason-Code': '16',
          'Packet-Type-Name': 'Access-Reject',
        },
      },
      {
        title: 'line 3 (Trellix sample): trims the odd spacing, maps Microsoft and RAS attributes',
        index: 2,
        time: utc(2012, 0, 1, 0, 0, 0),
        host: 'CLIENTCOMP',
        some: {
          'User-Name': 'client',
          'Service-Name': 'UAS',
          'Acct-Session-Id': '2666',
          Class: '311 1 172.1.1.1 01/00/2012 00:00:00 2665',
          'MS-Extended-Quarantine-State': '0',
          'MS-Quarantine-State': '0',
          'Fully-Qualified-User-Name': 'server.example.com/Domain Users/service/folder/client',
          'MS-MPPE-Encryption-Types': '14',
          // The sample's value is " 2": trimmed.
          'MS-MPPE-Encryption-Policy': '2',
          'Idle-Timeout': '14400',
          'NP-Policy-Name': 'VPN_Allow_user',
          'MS-CHAP-Domain': '0x0049532D48455243554C4553',
          'Authentication-Type': '4',
          'Proxy-Policy-Name': 'Microsoft Routing and Remote Access Service Policy',
          'Provider-Type': '1',
          'SAM-Account-Name': 'Domain\\user.name',
          'Packet-Type': '2',
          'Packet-Type-Name': 'Access-Accept',
          'Reason-Code': '0',
        },
      },
      {
        title: 'line 4 (MFA scenario): the Access-Request',
        index: 3,
        time: utc(2024, 8, 20, 10, 37, 17),
        host: 'NPS01',
        some: {
          'User-Name': 'jdoe@contoso.com',
          'Client-IP-Address': '10.10.1.5',
          'NP-Policy-Name': 'VPN Users',
          'Proxy-Policy-Name': 'Use Windows authentication for all users',
          'Packet-Type': '1',
          'Packet-Type-Name': 'Access-Request',
          'Reason-Code': '0',
        },
      },
      {
        title: 'line 5 (MFA scenario): Access-Reject with Reason-Code 21 (extension rejected)',
        index: 4,
        time: utc(2024, 8, 20, 10, 37, 47),
        host: 'NPS01',
        some: {
          'User-Name': 'jdoe@contoso.com',
          'SAM-Account-Name': 'CONTOSO\\jdoe',
          'Fully-Qualified-User-Name': 'CONTOSO\\jdoe',
          'Client-IP-Address': '10.10.1.5',
          'Client-Friendly-Name': 'VPN-GW01',
          'NP-Policy-Name': 'VPN Users',
          'Packet-Type': '3',
          'Packet-Type-Name': 'Access-Reject',
          'Reason-Code': '21',
        },
      },
    ]);

    suite.itReadsLocalTime(
      'reads the local time in ctx.timeZone (Europe/Berlin: CET in February, CEST in September)',
      'Europe/Berlin',
      [
        utc(2000, 1, 9, 22, 18, 0),
        utc(2000, 1, 9, 22, 18, 0),
        utc(2011, 11, 31, 23, 0, 0),
        utc(2024, 8, 20, 8, 37, 17),
        utc(2024, 8, 20, 8, 37, 47),
      ],
    );
  });

  describe('line handling', () => {
    suite.itHandlesCrlf(4, 5, (records) => assert.equal(records[4]!.fields!['Reason-Code'], '21'));

    it('skips blank lines and strips a BOM', () => {
      const { records, issues } = parse(['', '   ', '\r', `\uFEFF${sampleLines[0]}`]);
      assert.deepEqual(issues, []);
      assert.equal(records.length, 1);
      assert.equal(records[0]!.fields!['NAS-IP-Address'], '172.31.230.187');
      assert.equal(records[0]!.position.line, 4);
    });

    it('keeps unknown attribute numbers as attr-<n>', () => {
      const r = one('10.0.0.1,u,01/02/2024,03:04:05,IAS,NPS01,9999,x,4136,2');
      assert.equal(r.fields!['attr-9999'], 'x');
      assert.equal(r.fields!['Packet-Type-Name'], 'Access-Accept');
    });

    it('keeps repeated attributes as Name#2, Name#3', () => {
      const r = one('10.0.0.1,u,01/02/2024,03:04:05,IAS,NPS01,25,a,25,b,25,c');
      assert.equal(r.fields!.Class, 'a');
      assert.equal(r.fields!['Class#2'], 'b');
      assert.equal(r.fields!['Class#3'], 'c');
    });

    it('leaves out empty header fields and host', () => {
      const r = one(',,01/02/2024,03:04:05,,,4136,5');
      assert.equal(r.host, undefined);
      assert.ok(!('host' in r));
      assert.deepEqual(r.fields, { 'Packet-Type': '5', 'Packet-Type-Name': 'Accounting-Response' });
    });

    it('sets no Packet-Type-Name for an unknown packet type', () => {
      const r = one('10.0.0.1,u,01/02/2024,03:04:05,IAS,NPS01,4136,99');
      assert.equal(r.fields!['Packet-Type'], '99');
      assert.equal(r.fields!['Packet-Type-Name'], undefined);
    });
  });

  describe('malformed lines', () => {
    const good = sampleLines[3]!;
    const cases: [string, string, string][] = [
      ['odd pair count (dangling Reason-Code)', `${good},4142`, 'Reason-Code'],
      ['odd pair count (dangling non-number)', `${good},zz`, 'field 33'],
      ['impossible date', '10.0.0.1,u,02/30/2024,10:00:00,IAS,NPS01', 'Record-Date'],
      ['date in another layout', '10.0.0.1,u,2024-02-03,10:00:00,IAS,NPS01', 'Record-Date'],
      ['impossible time', '10.0.0.1,u,02/03/2024,25:00:00,IAS,NPS01', 'Record-Time'],
      ['time in another layout', '10.0.0.1,u,02/03/2024,10:00,IAS,NPS01', 'Record-Time'],
      ['attribute number not numeric', '10.0.0.1,u,02/03/2024,10:00:00,IAS,NPS01,abc,1', 'field 7'],
      ['too few header fields', '10.0.0.1,u,02/03/2024', 'Record-Time'],
    ];
    suite.itRejectsMalformed(good, cases, { first: 10, naming: 'field' });

    it('names the dangling attribute in the reason', () => {
      const { issues } = parse([`${good},4142`]);
      assert.match(issues[0]!.reason, /4142/);
    });

    it('truncates the raw text of a huge rejected line to 64 KiB', () => {
      const { issues } = parse([`${good},4142${' '.repeat(100_000)}`]);
      assert.equal(issues[0]!.raw.length, 65536);
    });
  });

  describe('local time reader (shared by the three accounting parsers)', () => {
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    // Days with a DST change: whole-hour shifts, Lord Howe's 30-minute shift, St. John's 00:01 changes (until 2011).
    const days: [string, number, number, number][] = [
      ['Europe/Berlin', 2024, 3, 31],
      ['Europe/Berlin', 2024, 10, 27],
      ['America/New_York', 2024, 3, 10],
      ['America/New_York', 2024, 11, 3],
      ['Australia/Lord_Howe', 2024, 4, 7],
      ['Australia/Lord_Howe', 2024, 10, 6],
      ['America/St_Johns', 2005, 4, 3],
      ['America/St_Johns', 2005, 10, 30],
      ['Asia/Kolkata', 2024, 9, 20],
    ];
    it('agrees with parseLocalTime second by second around DST changes', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...days),
          fc.integer({ min: 0, max: 4 }),
          fc.integer({ min: 0, max: 59 }),
          fc.integer({ min: 0, max: 59 }),
          ([zone, y, mo, d], h, mi, sec) => {
            const text = `${pad(mo)}/${pad(d)}/${y} ${pad(h)}:${pad(mi)}:${pad(sec)}`;
            const read = localTimeReader(zone);
            read(`${pad(mo)}/${pad(d)}/${y} ${pad(h)}:00:01`); // prime the hour cache
            assert.equal(read(text), parseLocalTime(text, 'MM/dd/yyyy HH:mm:ss', zone), `${zone} ${text}`);
            assert.equal(read(`${text}.250`), parseLocalTime(text, 'MM/dd/yyyy HH:mm:ss', zone)! + 250);
          },
        ),
        { numRuns: 2000 },
      );
    });
    it('rejects impossible dates and times', () => {
      const read = localTimeReader('UTC');
      assert.equal(read('02/30/2024 10:00:00'), undefined);
      assert.equal(read('02/03/2024 10:60:00'), undefined);
      assert.equal(read('02/03/2024 10:00:60'), undefined);
      assert.equal(read('02/03/2024 24:00:00'), undefined);
      assert.equal(read('2/3/2024 10:00:00'), undefined);
      assert.equal(read('02/03/2024 10:00:00.5'), undefined);
      assert.equal(read('02/03/2024 10:00:00'), utc(2024, 1, 3, 10, 0, 0));
    });
  });

  describe('properties', () => {
    suite.itNeverThrows(fc.constantFrom('', '10.0.0.1,u,01/02/2024,03:04:05,IAS,NPS01', '1,2,02/30/2024,99:99:99,'));

    const safeChar = fc.constantFrom(...'abcXYZ019 .-_@\\/&<>"\'():;=#é漢Ж'.split(''));
    const text = (minLength: number) =>
      fc.array(safeChar, { minLength, maxLength: 24 }).map((cs) => cs.join('').trim());
    const headerValue = text(1).filter((s) => s !== '');
    const names = [...IAS_ATTRIBUTES.values()].filter(
      (n) => !(IAS_HEADER as readonly string[]).includes(n) && n !== 'Packet-Type',
    );
    const attrName = fc.oneof(
      fc.constantFrom(...names),
      fc
        .integer({ min: 101, max: 99999 })
        .filter((n) => !IAS_ATTRIBUTES.has(n))
        .map((n) => `attr-${n}`),
    );
    interface Generated {
      readonly seconds: number;
      readonly header: readonly [string, string, string, string];
      readonly packetType: string | undefined;
      readonly attrs: readonly (readonly [string, string])[];
    }
    const record: fc.Arbitrary<Generated> = fc.record({
      seconds: fc.integer({ min: 946_684_800, max: 2_051_222_400 }),
      header: fc.tuple(fc.ipV4(), headerValue, headerValue, headerValue),
      packetType: packetTypeArb,
      attrs: fc.uniqueArray(fc.tuple(attrName, text(0)), { selector: (t) => t[0], maxLength: 12 }),
    });

    function build(g: Generated): NpsRecord {
      const [nas, user, service, computer] = g.header;
      const fields: Record<string, string> = {
        'NAS-IP-Address': nas,
        'User-Name': user,
        'Service-Name': service,
        'Computer-Name': computer,
      };
      for (const [name, value] of g.attrs) fields[name] = value;
      // The host is the Computer-Name header field.
      return accountingRecord('ias', g.seconds * 1000, fields, g.packetType);
    }

    suite.itRoundTrips(record, build, renderIas, { check: (line) => assert.ok(sniffIas([line]), line) });

    it('refuses values IAS cannot carry (commas, line breaks)', () => {
      const r = one(sampleLines[4]!);
      assert.throws(() => renderIas({ ...r, fields: { ...r.fields, Class: 'a,b' } }), /Class/);
      assert.throws(() => renderIas({ ...r, fields: { ...r.fields, 'User-Name': 'a\nb' } }), /User-Name/);
    });

    it('renders the sample lines back verbatim (modulo the Trellix spacing)', () => {
      for (const line of sampleLines) {
        assert.equal(renderIas(one(line)), line.replace(/, /g, ','));
      }
    });
  });
});
