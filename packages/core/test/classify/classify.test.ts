import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { catalogEntries } from '../../src/catalog/lookup.js';
import { classify, recordKind } from '../../src/classify/classify.js';
import { toEcs } from '../../src/classify/ecs.js';
import { FIELD_GETTERS } from '../../src/classify/fields.js';
import { parseText } from '../../src/parse/input.js';
import type { NpsRecord } from '../../src/record/types.js';

const sample = (name: string) => readFileSync(new URL(`../../samples/reference/${name}`, import.meta.url), 'utf8');
const classifyFile = (name: string) => {
  const { records, issues } = parseText(sample(name), { name, defaultTime: 0 });
  assert.deepEqual(issues, [], name);
  return records.map(classify);
};
const msg = (message: string, extra: Partial<NpsRecord> = {}): NpsRecord => ({
  format: 'message',
  position: { file: 't', line: 1 },
  time: 0,
  message,
  ...extra,
});

describe('classify: golden samples', () => {
  it('raw-messages.txt (R01–R13): code, category and outcome of every capture', () => {
    const got = classifyFile('raw-messages.txt').map((e) => [e.code, e.category, e.outcome]);
    assert.deepEqual(got, [
      ['ESTS_TOKEN_ERROR', 'error', 'failure'],
      ['ESTS_TOKEN_ERROR', 'error', 'failure'],
      ['REGISTRY_CONFIG_ERROR', 'info', 'unknown'],
      ['NAS_ATTRIBUTES_MISSING', 'info', 'unknown'],
      ['IP_WHITE_LIST_WARNING', 'error', 'unknown'],
      ['ACCESS_REJECT_PRIMARY', 'error', 'failure'],
      ['ACCESS_REJECT_PRIMARY', 'error', 'failure'],
      ['ACCESS_CHALLENGE_IGNORED', 'info', 'unknown'],
      ['CHALLENGE_REQUESTED', 'info', 'unknown'],
      ['CHALLENGE_REQUESTED', 'info', 'unknown'],
      ['UserNotFound', 'error', 'failure'],
      ['ACCESS_REJECT_PRIMARY', 'error', 'failure'],
      ['ACCESS_CHALLENGE_IGNORED', 'info', 'unknown'],
    ]);
  });

  it('R02 keeps its malformed CID and flags it', () => {
    const e = classifyFile('raw-messages.txt')[1]!;
    assert.equal(e.correlationId, '1fd39a1a-34b9-47e6-a66a-ed7e47c30e0a');
    assert.equal(e.correlationIdValid, true);
    const bad = classify(
      msg(
        'NPS Extension for Azure MFA: CID: 1fd3456a1a-35f9-47e6 : Access Rejected for user u with Azure MFA response: UserNotFound and message: x',
      ),
    );
    assert.deepEqual([bad.correlationId, bad.correlationIdValid], ['1fd3456a1a-35f9-47e6', false]);
  });

  it('the same event reads the same in every Windows format', () => {
    // Splunk classic has whole seconds only.
    const pick = (e: ReturnType<typeof classify>) => [
      Math.floor(e.time / 1000),
      e.host,
      e.channel,
      e.eventId,
      e.code,
      e.category,
      e.user?.raw,
      e.correlationId,
    ];
    const userNotFound = [
      classifyFile('winlogbeat.ndjson')[2]!,
      classifyFile('splunk-wineventlog.txt')[1]!,
      classifyFile('splunk-xmlwineventlog.xml')[1]!,
      classifyFile('event.xml')[0]!,
    ].map(pick);
    for (const got of userNotFound) assert.deepEqual(got, userNotFound[0]);
    assert.deepEqual(userNotFound[0], [
      Date.UTC(2024, 8, 20, 10, 37, 47) / 1000,
      'NPS01.contoso.com',
      'AuthZOptCh',
      1,
      'UserNotFound',
      'error',
      '<USERNAME>',
      '430ef057-7941-44ff-a0b1-240e7d74cedc',
    ]);
  });

  it('Security 6273 with reason 21 in all four formats carries the RADIUS context', () => {
    const all = [
      classifyFile('winlogbeat.ndjson')[4]!,
      classifyFile('splunk-wineventlog-6273.txt')[0]!,
      classifyFile('splunk-xmlwineventlog-6273.xml')[0]!,
      classifyFile('event.xml')[1]!,
    ];
    for (const e of all) {
      assert.equal(e.kind, 'security');
      assert.equal(e.outcome, 'failure');
      assert.equal(e.user?.raw, 'CONTOSO\\jdoe');
      assert.deepEqual(
        [
          e.radius?.reasonCode,
          e.radius?.clientIp,
          e.radius?.nasIdentifier,
          e.radius?.callingStationId,
          e.radius?.networkPolicy,
          e.radius?.authenticationType,
        ],
        [21, '10.10.1.5', 'VPN-GW01', '203.0.113.77', 'VPN Users', 'PAP'],
        e.format,
      );
    }
  });

  it('accounting records: the MFA reject is Packet-Type 3 with Reason-Code 21', () => {
    const ias = classifyFile('ias.log');
    assert.deepEqual(
      ias.map((e) => [e.kind, e.outcome, e.radius?.packetType, e.radius?.reasonCode]),
      [
        ['accounting', 'unknown', 1, 0],
        ['accounting', 'failure', 3, 16],
        ['accounting', 'success', 2, 0],
        ['accounting', 'unknown', 1, 0],
        ['accounting', 'failure', 3, 21],
      ],
    );
    const dts = classifyFile('dts.log');
    assert.deepEqual(
      [dts[2]!.outcome, dts[2]!.radius?.reasonCode, dts[2]!.user?.raw, dts[2]!.host],
      ['failure', 21, 'CONTOSO\\jdoe', 'NPS01'],
    );
    assert.equal(dts[1]!.radius?.class, dts[2]!.radius?.class);
  });

  it('non-NPS events are kept as kind other, never dropped', () => {
    const e = classifyFile('winlogbeat.ndjson')[0]!;
    assert.deepEqual([e.kind, e.category, e.code], ['other', 'info', undefined]);
  });
});

describe('classify: every catalog row', () => {
  it('classifies a rejected line with each service code and documented message to its entry', () => {
    for (const entry of catalogEntries()) {
      if (entry.group !== 'user-errors' && entry.group !== 'non-errors' && entry.group !== 'support-required') continue;
      const messages = entry.messages.length ? entry.messages : [''];
      for (const text of messages) {
        const e = classify(
          msg(
            `NPS Extension for Azure MFA: CID: 430ef057-7941-44ff-a0b1-240e7d74cedc : Access Rejected for user jdoe@contoso.com with Azure MFA response: ${entry.code} and message: ${text}`,
          ),
        );
        assert.equal(e.entryId, entry.id, `${entry.code}: "${text}"`);
        assert.equal(e.category, entry.category);
      }
    }
  });

  it('classifies an exception line with each admin error code to its entry', () => {
    for (const entry of catalogEntries().filter(
      (x) => x.group === 'common-errors' && /^[A-Z_]+$/.test(x.code) && !x.code.startsWith('ACCESS'),
    )) {
      const e = classify(
        msg(
          `NPS Extension for Azure MFA:  CID: 341b704d-03f1-4ba6-ae92-eb19ae2f2bf3 :Exception in Authentication Ext for User u :: ErrorCode:: CID :341b704d-03f1-4ba6-ae92-eb19ae2f2bf3 ${entry.code} Msg:: ${entry.messages[0] ?? 'x'}`,
        ),
      );
      assert.equal(e.entryId, entry.id, entry.code);
    }
  });

  it('tells the two meanings of OathCodePinIncorrect apart by the message', () => {
    const line = (m: string) =>
      classify(
        msg(
          `NPS Extension for Azure MFA: CID: x : Access Rejected for user u with Azure MFA response: OathCodePinIncorrect and message: ${m}`,
        ),
      );
    assert.equal(line('Wrong code and pin entered.').entryId, 'OathCodePinIncorrect.user');
    assert.equal(line('').entryId, 'OathCodePinIncorrect.support');
    assert.equal(line('').category, 'support-required');
  });

  it('recognises alternate login ID errors from the message alone', () => {
    const e = classify(msg('NPS Extension for Azure MFA: Error: Alternate LoginId lookup failed'));
    assert.deepEqual([e.code, e.entryId], ['ALTERNATE_LOGIN_ID_ERROR', 'ALTERNATE_LOGIN_ID_ERROR.lookupFailed']);
  });

  it('keeps an unknown code as logged, category unknown', () => {
    const e = classify(
      msg(
        'NPS Extension for Azure MFA: CID: x : Access Rejected for user u with Azure MFA response: BrandNewCode and message: hi',
      ),
    );
    assert.deepEqual([e.code, e.category, e.entryId, e.outcome], ['BrandNewCode', 'unknown', undefined, 'failure']);
    assert.equal(toEcs(e).error, undefined);
    assert.equal((toEcs(e).npswatch as Record<string, unknown>).code, 'BrandNewCode');
  });

  it('uses channel and provider spellings from every source', () => {
    for (const channel of ['AuthZOptCh', 'AuthZAdminCh', 'AuthNOptCh'])
      assert.equal(recordKind(msg('x', { channel })), 'extension');
    assert.equal(recordKind(msg('x', { provider: 'Microsoft-AzureMFA-AuthZ' })), 'extension');
  });
});

describe('toEcs', () => {
  it('writes every path FIELD_GETTERS reads, with the same value', () => {
    const events = [
      ...classifyFile('winlogbeat.ndjson'),
      ...classifyFile('raw-messages.txt'),
      ...classifyFile('dts.log'),
    ];
    const get = (doc: Record<string, unknown>, path: string): unknown => {
      if (path in doc) return doc[path];
      return path
        .split('.')
        .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), doc);
    };
    for (const e of events) {
      const doc = toEcs(e, { explain: false });
      for (const [path, getter] of Object.entries(FIELD_GETTERS)) {
        const want = getter(e);
        const have = path === '@timestamp' ? Date.parse(String(doc['@timestamp'])) : get(doc, path);
        assert.deepEqual(have, want, `${path} of ${e.format}:${e.position.line}`);
      }
    }
  });

  it('explains in the requested language and can leave the explanation out', () => {
    const e = classifyFile('winlogbeat.ndjson')[3]!;
    const ko = toEcs(e, { explain: 'ko' }).npswatch as Record<string, unknown>;
    assert.match(String(ko.cause), /[가-힣]/);
    assert.equal((toEcs(e, { explain: false }).npswatch as Record<string, unknown>).cause, undefined);
  });

  it('classify never throws on arbitrary messages and records', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.option(fc.constantFrom('AuthZOptCh', 'Security', 'System')),
        fc.option(fc.integer({ min: 0, max: 7000 })),
        (message, channel, eventId) => {
          const e = classify(msg(message, { channel: channel ?? undefined, eventId: eventId ?? undefined }));
          JSON.stringify(toEcs(e));
        },
      ),
    );
  });
});
