import assert from 'node:assert/strict';
import fc from 'fast-check';
import { WINDOWS_FORMATS } from '../../src/parse/formats-windows.js';
import { isNpsSecurityEvent, securityFieldsFromMessage } from '../../src/parse/security-message.js';
import type { FormatDefinition, FormatId, NpsRecord } from '../../src/record/types.js';
import {
  renderGetWinEventList,
  renderSplunkWinEventLog,
  renderWevtutilText,
  renderWindowsXml,
  renderWinlogbeat,
  renderXmlWinEventLog,
} from '../../src/testing/render-windows.js';
import { fragmentLine, type RecordArbOptions, recordArb, run, sample, toCrlf, toLines } from './windows-helpers.js';

const byId = (id: FormatId): FormatDefinition => {
  const format = WINDOWS_FORMATS.find((f) => f.id === id);
  if (format === undefined) throw new Error(`no format ${id}`);
  return format;
};

/** Zones without DST in 2000–2037, so local wall times round-trip exactly. */
const ZONES = ['UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'Asia/Tokyo', 'Pacific/Honolulu'] as const;

interface Case {
  id: FormatId;
  arb: RecordArbOptions;
  render: (r: NpsRecord, zone: string, index: number) => string;
  /** Lines between two records. */
  separator: string[];
  /** What the parser gives back for a rendered record (before position). */
  expect: (r: NpsRecord) => NpsRecord;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Text formats carry no EventData; for NPS audit events the parser reads it back from the message. */
const messageFields = (r: NpsRecord): NpsRecord => {
  const out: Mutable<NpsRecord> = { ...r };
  delete out.fields;
  if (r.message !== undefined && isNpsSecurityEvent(r.eventId, r.channel)) {
    const fields = securityFieldsFromMessage(r.message);
    if (Object.keys(fields).length > 0) out.fields = fields;
  }
  return out;
};

/** XML carries a message-only record as one unnamed <Data>, which also comes back as `param1`. */
const xmlFields = (r: NpsRecord): NpsRecord =>
  r.fields === undefined && r.message !== undefined ? { ...r, fields: { param1: r.message } } : r;

const CASES: readonly Case[] = [
  {
    id: 'winlogbeat',
    arb: { fields: true, multiLine: true },
    render: (r) => renderWinlogbeat(r),
    separator: [],
    expect: (r) => r,
  },
  {
    id: 'splunk-wineventlog',
    arb: { seconds: true, multiLine: true },
    render: (r, zone) => renderSplunkWinEventLog(r, zone),
    separator: [''],
    expect: messageFields,
  },
  {
    id: 'windows-xml',
    arb: { fields: true, multiLine: true },
    render: (r) => renderWindowsXml(r),
    separator: [''],
    expect: xmlFields,
  },
  {
    id: 'splunk-xmlwineventlog',
    arb: { fields: true, multiLine: true },
    render: (r) => renderXmlWinEventLog(r),
    separator: [''],
    expect: xmlFields,
  },
  {
    id: 'wevtutil-text',
    arb: { multiLine: true, recordId: false },
    render: (r, zone, index) => renderWevtutilText(r, zone, index),
    separator: [''],
    expect: messageFields,
  },
  {
    id: 'get-winevent-list',
    arb: { seconds: true, multiLine: true },
    render: (r, zone) => renderGetWinEventList(r, zone),
    separator: ['', ''],
    expect: messageFields,
  },
];

/** Renders records one after another; returns the lines and the expected records with their first lines. */
function renderAll(c: Case, records: readonly NpsRecord[], zone: string): { lines: string[]; expected: NpsRecord[] } {
  const lines: string[] = [];
  const expected: NpsRecord[] = [];
  records.forEach((r, i) => {
    if (i > 0) lines.push(...c.separator);
    expected.push({ ...c.expect(r), format: c.id, position: { file: 'test.log', line: lines.length + 1 } });
    lines.push(...c.render(r, zone, i).split('\n'));
  });
  return { lines, expected };
}

const strip = (line: string): string => line.replace(/\r$/, '').replace(/^\uFEFF/, '');
const XML_WRAPPER = /<\?xml[^>]*\?>|<\/?Events(?:\s[^>]*)?>|<!--[\s\S]*?-->/g;

/** Lines that must produce at least one record or reject, per format. */
const significant: Record<FormatId, (line: string) => boolean> = {
  winlogbeat: (l) => strip(l).trim() !== '',
  'splunk-wineventlog': (l) => strip(l).trim() !== '',
  'wevtutil-text': (l) => strip(l).trim() !== '',
  'get-winevent-list': (l) => strip(l).trim() !== '' && !/^ +ProviderName: /.test(strip(l)),
  'windows-xml': (l) => strip(l).replace(XML_WRAPPER, '').trim() !== '',
  'splunk-xmlwineventlog': (l) => strip(l).replace(XML_WRAPPER, '').trim() !== '',
  message: () => false,
  ias: () => false,
  odbc: () => false,
  dts: () => false,
  npswatch: () => false,
  json: () => false,
};

describe('WINDOWS_FORMATS', () => {
  it('lists the six formats once each', () => {
    assert.deepEqual(
      WINDOWS_FORMATS.map((f) => f.id),
      [
        'winlogbeat',
        'splunk-xmlwineventlog',
        'windows-xml',
        'splunk-wineventlog',
        'wevtutil-text',
        'get-winevent-list',
      ],
    );
  });

  describe('sniffing in priority order', () => {
    const first = (text: string): FormatId | undefined =>
      WINDOWS_FORMATS.find((f) => f.sniff(toLines(text).slice(0, 20)))?.id;
    const one: NpsRecord = {
      format: 'winlogbeat',
      position: { file: 'x', line: 1 },
      time: Date.UTC(2024, 8, 20, 10, 37, 17, 730),
      host: 'NPS01.contoso.com',
      channel: 'AuthZOptCh',
      provider: 'Microsoft-AzureMfa-AuthZ',
      eventId: 1,
      recordId: 4711,
      level: 'information',
      message: 'NPS Extension for Azure MFA: CID: x : Challenge requested',
    };
    const cases: [string, string, FormatId | undefined][] = [
      ['winlogbeat.ndjson', sample('winlogbeat.ndjson'), 'winlogbeat'],
      ['splunk-xmlwineventlog.xml', sample('splunk-xmlwineventlog.xml'), 'splunk-xmlwineventlog'],
      ['splunk-xmlwineventlog-6273.xml', sample('splunk-xmlwineventlog-6273.xml'), 'splunk-xmlwineventlog'],
      ['event.xml', sample('event.xml'), 'windows-xml'],
      ['splunk-wineventlog.txt', sample('splunk-wineventlog.txt'), 'splunk-wineventlog'],
      ['splunk-wineventlog-6273.txt', toCrlf(sample('splunk-wineventlog-6273.txt')), 'splunk-wineventlog'],
      ['wevtutil render', renderWevtutilText(one, 'UTC'), 'wevtutil-text'],
      ['Format-List render', renderGetWinEventList(one, 'UTC'), 'get-winevent-list'],
      ['ias.log', sample('ias.log'), undefined],
      ['odbc.log', sample('odbc.log'), undefined],
      ['dts.log', sample('dts.log'), undefined],
      ['raw-messages.txt', sample('raw-messages.txt'), undefined],
      ['related-messages.txt', sample('related-messages.txt'), undefined],
      ['raw-messages.meta.ndjson', sample('raw-messages.meta.ndjson'), undefined],
    ];
    for (const [name, text, expected] of cases) {
      it(`${name} → ${expected ?? 'none'}`, () => {
        assert.equal(first(text), expected);
      });
    }
  });

  describe('properties', () => {
    for (const c of CASES) {
      describe(c.id, () => {
        const format = byId(c.id);

        it('never throws; every output is a well-formed record or reject', () => {
          fc.assert(
            fc.property(fc.array(fragmentLine, { maxLength: 40 }), (lines) => {
              const { records, issues } = run(format, lines);
              for (const i of issues) {
                assert.ok(i.line >= 1 && i.line <= lines.length);
                assert.ok(i.reason.length > 0);
                assert.ok(i.raw.length <= 64 * 1024);
                assert.equal(i.format, c.id);
              }
              for (const r of records) {
                assert.ok(r.position.line >= 1 && r.position.line <= lines.length);
                assert.ok(Number.isFinite(r.time));
                assert.equal(r.format, c.id);
              }
              const wanted = lines.filter(significant[c.id]).length;
              if (c.id === 'winlogbeat') assert.equal(records.length + issues.length, wanted);
              else if (wanted > 0) assert.ok(records.length + issues.length > 0, 'input silently dropped');
            }),
            { numRuns: 300 },
          );
        });

        it('never throws on arbitrary text split into lines', () => {
          fc.assert(
            fc.property(
              fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 400 })),
              (text) => {
                run(format, text.split(/\r?\n/));
              },
            ),
            { numRuns: 200 },
          );
        });

        it('round-trips rendered records, with each record at its first line', () => {
          fc.assert(
            fc.property(
              fc.array(recordArb(c.id, c.arb), { minLength: 1, maxLength: 4 }),
              fc.constantFrom(...ZONES),
              (records, zone) => {
                const { lines, expected } = renderAll(c, records, zone);
                const out = run(format, lines, { timeZone: zone });
                assert.deepEqual(out.issues, []);
                assert.deepEqual(out.records, expected);
              },
            ),
            { numRuns: 200 },
          );
        });

        it('gives the same records for CRLF line endings', () => {
          fc.assert(
            fc.property(fc.array(recordArb(c.id, c.arb), { minLength: 1, maxLength: 3 }), (records) => {
              const { lines } = renderAll(c, records, 'UTC');
              assert.deepEqual(
                run(
                  format,
                  lines.map((l) => `${l}\r`),
                ),
                run(format, lines),
              );
            }),
            { numRuns: 100 },
          );
        });
      });
    }

    it('XML: records do not depend on where lines break between elements', () => {
      const xml = byId('splunk-xmlwineventlog');
      const arb = recordArb('splunk-xmlwineventlog', { fields: true, multiLine: true });
      fc.assert(
        fc.property(
          fc.array(arb, { minLength: 1, maxLength: 3 }),
          fc.array(fc.nat(), { maxLength: 12 }),
          (records, cuts) => {
            const text = records.map(renderXmlWinEventLog).join('');
            // Break only between a closing/empty tag and the next tag, or before an opening tag: never inside text.
            const allowed: number[] = [];
            for (let i = 1; i < text.length; i++) {
              if (text[i] !== '<' || text[i - 1] !== '>') continue;
              const prevTag = text.slice(text.lastIndexOf('<', i - 1), i);
              if (prevTag.startsWith('</') || prevTag.endsWith('/>') || text[i + 1] !== '/') allowed.push(i);
            }
            const at = [...new Set(cuts.map((n) => allowed[n % Math.max(1, allowed.length)]))]
              .filter((n): n is number => n !== undefined)
              .sort((a, b) => a - b);
            const lines: string[] = [];
            let from = 0;
            for (const cut of at) {
              lines.push(text.slice(from, cut));
              from = cut;
            }
            lines.push(text.slice(from));
            const unsplit = run(xml, [text]).records.map((r) => ({ ...r, position: undefined }));
            const split = run(
              xml,
              lines.flatMap((l) => l.split('\n')),
            ).records.map((r) => ({ ...r, position: undefined }));
            assert.equal(unsplit.length, records.length);
            assert.deepEqual(split, unsplit);
          },
        ),
        { numRuns: 200 },
      );
    });
  });
});
