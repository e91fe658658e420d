import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseMessage } from '../../src/classify/message.js';

const raw = readFileSync(new URL('../../samples/reference/raw-messages.txt', import.meta.url), 'utf8')
  .split(/\r?\n\r?\n/)
  .map((m) => m.trim());

describe('parseMessage on the verbatim captures (R01–R13)', () => {
  it('reads all 13 records of raw-messages.txt', () => assert.equal(raw.length, 13));

  it('R01: eSTS exception with code, user, CID, trace and correlation ids', () => {
    const m = parseMessage(raw[0]!);
    assert.equal(m.shape, 'exception');
    assert.equal(m.code, 'ESTS_TOKEN_ERROR');
    assert.equal(m.user, 'myusername');
    assert.equal(m.correlationId, '341b704d-03f1-4ba6-ae92-eb19ae2f2bf3');
    assert.equal(m.traceId, 'c5379bf7-9e15-49d0-9541-547b68c95d00');
    assert.equal(m.stsCorrelationId, 'e3dfe056-fbdd-4b4b-8852-2d55991e97be');
    assert.match(m.detail!, /^Verify the client certificate/);
  });

  it('R02: keeps a malformed inner CID as written', () => {
    const m = parseMessage(raw[1]!);
    assert.equal(m.code, 'ESTS_TOKEN_ERROR');
    assert.equal(m.correlationId, '1fd39a1a-34b9-47e6-a66a-ed7e47c30e0a');
    assert.equal(m.innerCorrelationId, '1fd3456a1a-35f9-47e6-a66a-43sdlfjasla');
  });

  it('R03: context :: ErrorCode:: CODE Msg:: text', () => {
    const m = parseMessage(raw[2]!);
    assert.deepEqual(
      [m.shape, m.code, m.detail],
      ['error-code', 'REGISTRY_CONFIG_ERROR', 'Neither registry entry not default value found for key: IP_WHITELIST'],
    );
  });

  it('R04: the "This is not an error" NAS attribute note', () =>
    assert.equal(parseMessage(raw[3]!).shape, 'not-an-error'));

  it('R05: a warning token', () => {
    const m = parseMessage(raw[4]!);
    assert.deepEqual([m.shape, m.code], ['warning-token', 'IP_WHITE_LIST_WARNING']);
  });

  it('R06–R08, R12, R13: "ignoring request" lines with every product name and both states', () => {
    const expected = [
      [5, 'DOMAIN\\User', 'AccessReject'],
      [6, 'username', 'AccessReject'],
      [7, 'username', 'AccessChallenge'],
      [11, 'username', 'AccessReject'],
      [12, 'username', 'AccessChallenge'],
    ] as const;
    for (const [i, user, state] of expected) {
      const m = parseMessage(raw[i]!);
      assert.deepEqual([m.shape, m.user, m.radiusState, m.prefixed], ['ignored-state', user, state, true], `R${i + 1}`);
    }
  });

  it('R09, R10: challenge lines with and without CID and state', () => {
    const a = parseMessage(raw[8]!);
    assert.deepEqual(
      [a.shape, a.user, a.challengeState],
      ['challenge', '******@domain.com', '300c9d6c-7734-4165-83d3-212e73aee286'],
    );
    const b = parseMessage(raw[9]!);
    assert.deepEqual([b.shape, b.user, b.correlationId], ['challenge', 'npstesting_ap', undefined]);
  });

  it('R11: service response code and message with brackets and an unbalanced quote', () => {
    const m = parseMessage(raw[10]!);
    assert.deepEqual([m.shape, m.user, m.code], ['rejected', '<USERNAME>', 'UserNotFound']);
    assert.match(m.detail!, /\[Code:Request_ResourceNotFound\] \[Message:Resource <USERNAME>' does not exist/);
  });
});

describe('parseMessage tolerance', () => {
  it('accepts the prefix with the state in parentheses, as the current docs print it', () => {
    const m = parseMessage(
      'NPS Extension for Microsoft Entra multifactor authentication (AccessReject): NPS Extension for Microsoft Entra multifactor authentication only performs Secondary Auth for Radius requests in AccessAccept State. Request received for User jdoe with response state AccessReject, ignoring request.',
    );
    assert.deepEqual([m.shape, m.radiusState], ['ignored-state', 'AccessReject']);
  });

  it('accepts "CID: x :Exception" and "CID: x : Access" spacing and a double space after the prefix', () => {
    assert.equal(
      parseMessage(
        'NPS Extension for Azure MFA:  CID: abc :Access Rejected for user u with Azure MFA response: InvalidSession and message: x',
      ).code,
      'InvalidSession',
    );
  });

  it('reads an accepted line (wording inferred) with or without a response', () => {
    assert.deepEqual(
      [
        parseMessage('NPS Extension for Azure MFA: CID: 1 : Access Accepted for user jdoe@contoso.com').shape,
        parseMessage('NPS Extension for Azure MFA: CID: 1 : Access Accepted for user jdoe@contoso.com').user,
      ],
      ['accepted', 'jdoe@contoso.com'],
    );
  });

  it('finds a code in text it does not otherwise understand', () => {
    const m = parseMessage(
      'NPS Extension for Azure MFA: something new happened ErrorCode:: SOME_NEW_ERROR while doing it',
    );
    assert.deepEqual([m.shape, m.code], ['free-text', 'SOME_NEW_ERROR']);
  });

  it('never throws, on any text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => void parseMessage(s)));
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            'NPS Extension for Azure MFA:',
            ' CID: ',
            ' :',
            '::',
            'ErrorCode::',
            'Msg::',
            'Access Rejected for user',
            ' with Azure MFA response: ',
            'x',
            '\n',
            ' ',
          ),
          { maxLength: 30 },
        ),
        (parts) => {
          parseMessage(parts.join(''));
        },
      ),
    );
  });

  it('round-trips the parts of a rejected line', () => {
    const user = fc.stringMatching(/^[A-Za-z0-9._\\@*<>-]{1,30}$/).filter((u) => !/\s/.test(u));
    const code = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,40}$/);
    const detail = fc.string({ maxLength: 200 }).map((s) => s.trim());
    fc.assert(
      fc.property(fc.uuid(), user, code, detail, (cid, u, c, d) => {
        const m = parseMessage(
          `NPS Extension for Azure MFA: CID: ${cid} : Access Rejected for user ${u} with Azure MFA response: ${c} and message: ${d}`,
        );
        assert.deepEqual([m.shape, m.correlationId, m.user, m.code, m.detail ?? ''], ['rejected', cid, u, c, d]);
      }),
    );
  });

  it('round-trips the parts of an exception line', () => {
    const code = fc.stringMatching(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+){1,4}$/);
    fc.assert(
      fc.property(fc.uuid(), fc.stringMatching(/^[a-z][a-z0-9.]{0,20}$/), code, (cid, u, c) => {
        const m = parseMessage(
          `NPS Extension for Azure MFA:  CID: ${cid} :Exception in Authentication Ext for User ${u} :: ErrorCode:: CID :${cid} ${c} Msg:: text here`,
        );
        assert.deepEqual(
          [m.shape, m.user, m.code, m.innerCorrelationId, m.detail],
          ['exception', u, c, cid, 'text here'],
        );
      }),
    );
  });
});

describe('parseMessage on wrapped text (Get-WinEvent | Format-List)', () => {
  // What a wrap may change: nothing but whitespace inside the detail text.
  const essentials = (m: ReturnType<typeof parseMessage>) => ({
    ...m,
    detail: m.detail?.replace(/\s+/g, ' '),
  });
  const spaces = (text: string) => [...text.matchAll(/ /g)].map((m) => m.index);

  it('reads every capture alike when any of its spaces became a line break and an indent', () => {
    for (const [i, text] of raw.entries()) {
      const at = spaces(text);
      fc.assert(
        fc.property(fc.subarray(at), fc.integer({ min: 1, max: 40 }), (wraps, indent) => {
          const set = new Set(wraps);
          const wrapped = [...text].map((c, j) => (set.has(j) ? `\n${' '.repeat(indent)}` : c)).join('');
          assert.deepEqual(essentials(parseMessage(wrapped)), essentials(parseMessage(text)), `R${i + 1}: ${wrapped}`);
        }),
        { numRuns: 60 },
      );
    }
  });
});

describe('parseMessage fast paths', () => {
  // A user ending in "." is ambiguous before an optional final ".", so generated names do not.
  const user = fc.stringMatching(/^[A-Za-z0-9._\\@*<>-]{0,29}[A-Za-z0-9_\\@*<>-]$/);
  it('reads challenge lines in every spacing the captures show', () => {
    fc.assert(
      fc.property(
        fc.option(fc.uuid()),
        user,
        fc.option(fc.uuid()),
        fc.boolean(),
        fc.constantFrom(' ', '  '),
        (cid, u, state, dot, gap) => {
          const text = `NPS Extension for Azure MFA:${gap}${cid ? `CID: ${cid} : ` : ''}Challenge requested in Authentication Ext for User ${u}${state ? ` with state ${state}` : ''}${dot ? '.' : ''}`;
          const m = parseMessage(text);
          assert.deepEqual(
            [m.shape, m.correlationId, m.user, m.challengeState],
            ['challenge', cid ?? undefined, u, state ?? undefined],
          );
        },
      ),
    );
  });

  it('reads accept lines, and hands ones with a service response to the full grammar', () => {
    const a = parseMessage('NPS Extension for Azure MFA: CID: 1 : Access Accepted for user jdoe@contoso.com.');
    assert.deepEqual([a.shape, a.user, a.code], ['accepted', 'jdoe@contoso.com', undefined]);
    const b = parseMessage(
      'NPS Extension for Azure MFA: CID: 1 : Access Accepted for user jdoe with Azure MFA response: Success and message: ok',
    );
    assert.deepEqual([b.shape, b.user, b.code, b.detail], ['accepted', 'jdoe', 'Success', 'ok']);
  });

  it('falls back to the CID regex for unusual spacing', () => {
    assert.equal(
      parseMessage(
        'NPS Extension for Azure MFA: CID:abc: Access Rejected for user u with Azure MFA response: X and message: y',
      ).correlationId,
      'abc',
    );
  });
});
