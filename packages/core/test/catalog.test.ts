import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CATALOG } from '../src/catalog/entries.js';
import { entriesForCode, entryById, entryFromMessage, explainEntry, lookupEntry } from '../src/catalog/lookup.js';
import { NPS_REASON_CODES } from '../src/catalog/reasons.js';
import type { CatalogCategory, CatalogEntry } from '../src/catalog/types.js';

const seed = readFileSync(new URL('./fixtures/seed-english.md', import.meta.url), 'utf8');

/** Undo the machine translation: glued "too" → "to ", "hello" → "the" (capitalised at a sentence start). */
function untranslate(text: string): string {
  return text
    .replace(/\btoo(?=[a-z])/g, 'to ')
    .replace(/\bhello\b/g, 'the')
    .replace(/(^|[.!?]\s+)the\b/g, (_m, lead: string) => `${lead}The`)
    .replace(/\s+/g, ' ')
    .trim();
}

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

interface SeedRow {
  readonly section: string;
  readonly category: CatalogCategory;
  readonly codes: readonly string[];
  /** Untranslated message, or '' when the row has none. */
  readonly message: string;
  /** Raw troubleshooting cells. */
  readonly steps: readonly string[];
}

function sectionOf(heading: string): { name: string; category: CatalogCategory } | undefined {
  if (/aren't errors/i.test(heading)) return { name: 'non-errors', category: 'non-error' };
  if (/require support/i.test(heading)) return { name: 'support-required', category: 'support-required' };
  if (/alternate login id/i.test(heading)) return { name: 'alternate-login-id', category: 'error' };
  if (/common errors/i.test(heading)) return { name: 'common-errors', category: 'error' };
  if (/errors your users may encounter/i.test(heading)) return { name: 'user-errors', category: 'error' };
  return undefined;
}

function parseSeed(markdown: string): SeedRow[] {
  const rows: SeedRow[] = [];
  let section: ReturnType<typeof sectionOf>;
  for (const line of markdown.split(/\r?\n/)) {
    if (line.startsWith('#')) {
      section = sectionOf(line);
      continue;
    }
    if (!section || !line.startsWith('|')) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const first = cells[0] ?? '';
    const codes = [...first.matchAll(/\*\*([A-Za-z_]+)\*\*/g)].map((m) => m[1]!);
    if (codes.length === 0) continue;
    const common = section.name === 'common-errors';
    const rawMessage = common ? (first.split(/<br\s*\/?>/i)[1] ?? '') : (cells[1] ?? '');
    rows.push({
      section: section.name,
      category: section.category,
      codes,
      message: untranslate(rawMessage),
      steps: cells.slice(common ? 1 : 2),
    });
  }
  return rows;
}

const ROWS = parseSeed(seed);

const forCode = (code: string): CatalogEntry[] =>
  CATALOG.filter((e) => e.code === code || (e.aliases ?? []).includes(code));

describe('catalog', () => {
  describe('seed page (2017) coverage', () => {
    it('parses every table row of the seed', () => {
      const count = (name: string) => ROWS.filter((r) => r.section === name).length;
      assert.equal(count('common-errors'), 9);
      assert.equal(count('alternate-login-id'), 3);
      assert.equal(count('user-errors'), 12);
      assert.equal(count('non-errors'), 3);
      assert.equal(count('support-required'), 11);
    });

    for (const row of ROWS) {
      const label = `${row.section}: ${row.codes.join(' or ')}${row.message ? ` — ${row.message}` : ''}`;
      it(`has an entry for ${label}`, () => {
        for (const code of row.codes) {
          const inCategory = forCode(code).filter((e) => e.category === row.category);
          assert.ok(inCategory.length > 0, `no ${row.category} entry for ${code}`);
          if (row.message) {
            const found = inCategory.some((e) => e.messages.some((m) => collapse(m) === row.message));
            assert.ok(found, `no ${code} entry lists the message "${row.message}"`);
          }
        }
      });
    }

    it('has OathCodePinIncorrect both as a user error and as support-required', () => {
      const categories = forCode('OathCodePinIncorrect').map((e) => e.category);
      assert.ok(categories.includes('error'));
      assert.ok(categories.includes('support-required'));
    });

    it('copies no 10-word run from the seed troubleshooting cells into remediation or cause', () => {
      const words = (s: string) =>
        untranslate(s.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<br\s*\/?>|\*\*/gi, ' '))
          .toLowerCase()
          .split(/[^a-z0-9@]+/)
          .filter(Boolean);
      const N = 10;
      const seen = new Set<string>();
      for (const row of ROWS) {
        for (const cell of row.steps) {
          const w = words(cell);
          for (let i = 0; i + N <= w.length; i++) seen.add(w.slice(i, i + N).join(' '));
        }
      }
      assert.ok(seen.size > 100, 'troubleshooting text was not parsed');
      for (const entry of CATALOG) {
        for (const text of [...entry.remediation.en, entry.cause.en]) {
          const w = words(text);
          for (let i = 0; i + N <= w.length; i++) {
            const run = w.slice(i, i + N).join(' ');
            assert.ok(!seen.has(run), `${entry.id} copies "${run}"`);
          }
        }
      }
    });
  });

  describe('entries', () => {
    it('have unique ids', () => {
      const ids = CATALOG.map((e) => e.id);
      assert.equal(new Set(ids).size, ids.length);
    });

    it('are frozen', () => {
      assert.ok(Object.isFrozen(CATALOG));
      for (const entry of CATALOG) assert.ok(Object.isFrozen(entry), entry.id);
    });

    for (const entry of CATALOG) {
      it(`${entry.id} has bilingual title, cause and 2–4 remediation steps`, () => {
        const hangul = /[\uAC00-\uD7A3]/;
        for (const field of [entry.title, entry.cause]) {
          assert.ok(field.en.trim().length > 0);
          assert.ok(field.ko.trim().length > 0);
          assert.ok(hangul.test(field.ko), `Korean text without Hangul: ${field.ko}`);
          assert.ok(!hangul.test(field.en));
        }
        const { en, ko } = entry.remediation;
        assert.ok(en.length >= 2 && en.length <= 4, `${en.length} steps`);
        assert.equal(ko.length, en.length);
        for (const step of en) assert.ok(step.trim().length > 0);
        for (const step of ko) assert.ok(hangul.test(step), `Korean step without Hangul: ${step}`);
        assert.match(
          entry.docUrl,
          /^https:\/\/learn\.microsoft\.com\/entra\/identity\/authentication\/howto-mfa-nps-extension/,
        );
        assert.match(entry.since, /^\d{4}-(0[1-9]|1[0-2])$/);
        for (const m of entry.messages) assert.ok(!/\bhello\b/.test(m), `untranslated message: ${m}`);
      });
    }

    it('gives every support-required entry the support-required detection', () => {
      for (const entry of CATALOG.filter((e) => e.category === 'support-required')) {
        assert.deepEqual(entry.detections, ['support-required'], entry.id);
        assert.equal(entry.audience, 'support', entry.id);
      }
    });

    it('explains the two-group codes on all four entries', () => {
      for (const id of [
        'OathCodePinIncorrect.user',
        'OathCodePinIncorrect.support',
        'SMSAuthFailedWrongCodePinEntered.user',
        'SMSAuthFailedWrongCodePinEntered.support',
      ]) {
        const entry = CATALOG.find((e) => e.id === id);
        assert.ok(entry, id);
        assert.match(entry?.note?.en ?? '', /Wrong code and pin entered/);
        assert.match(entry?.note?.ko ?? '', /Wrong code and pin entered/);
      }
    });

    it('give every note in English and Korean', () => {
      const hangul = /[\uAC00-\uD7A3]/;
      const noted = CATALOG.filter((e) => e.note !== undefined);
      assert.ok(noted.length > 0);
      for (const { id, note } of noted) {
        assert.ok(note!.en.trim().length > 0, `${id}: empty English note`);
        assert.ok(!hangul.test(note!.en), `${id}: Hangul in the English note`);
        assert.ok(hangul.test(note!.ko), `${id}: Korean note without Hangul: ${note!.ko}`);
        assert.notEqual(note!.ko, note!.en, id);
      }
    });
  });

  it('explainEntry gives the texts of one language, with the note when there is one', () => {
    const ests = entryById('ESTS_TOKEN_ERROR')!;
    const ko = explainEntry(ests, 'ko');
    assert.equal(ko.title, ests.title.ko);
    assert.deepEqual(ko.remediation, ests.remediation.ko);
    assert.equal(ko.note, ests.note!.ko);
    assert.equal(explainEntry(ests).note, ests.note!.en);
    assert.ok(!('note' in explainEntry(entryById('HTTP_CONNECT_ERROR')!)));
  });

  describe('variants of one code', () => {
    const codes = [...new Set(CATALOG.map((e) => e.code))].filter((c) => forCode(c).length > 1);

    it('exist for the expected codes', () => {
      assert.deepEqual(codes.sort(), [
        'ALTERNATE_LOGIN_ID_ERROR',
        'InvalidParameter',
        'OathCodePinIncorrect',
        'REGISTRY_CONFIG_ERROR',
        'SMSAuthFailedWrongCodePinEntered',
      ]);
    });

    for (const code of codes) {
      it(`${code}: each match accepts its own messages and rejects the others'`, () => {
        const variants = forCode(code);
        assert.ok(variants.filter((e) => e.match === undefined).length <= 1, 'more than one fallback');
        for (const entry of variants) {
          if (!entry.match) continue;
          assert.ok(entry.messages.length > 0, `${entry.id} has a match but no message`);
          for (const m of entry.messages) assert.ok(entry.match.test(m), `${entry.id} rejects its own "${m}"`);
          for (const other of variants) {
            if (other === entry) continue;
            for (const m of other.messages) assert.ok(!entry.match.test(m), `${entry.id} also matches "${m}"`);
          }
        }
        for (const entry of variants) {
          for (const m of entry.messages) {
            assert.equal(lookupEntry(code, `Msg:: ${m}`)?.id, entry.id);
            // As Format-List may print it: every space a line break and an indent.
            assert.equal(lookupEntry(code, `Msg:: ${m}`.replaceAll(' ', '\n       '))?.id, entry.id, 'wrapped');
          }
        }
      });
    }

    it('falls back to the support-required entry without the wrong-code message', () => {
      assert.equal(lookupEntry('OathCodePinIncorrect', '')?.id, 'OathCodePinIncorrect.support');
      assert.equal(lookupEntry('OathCodePinIncorrect', 'Wrong code and pin entered.')?.id, 'OathCodePinIncorrect.user');
      assert.equal(
        lookupEntry('SMSAuthFailedWrongCodePinEntered', 'x')?.id,
        'SMSAuthFailedWrongCodePinEntered.support',
      );
      assert.equal(
        lookupEntry('SMSAuthFailedWrongCodePinEntered', 'Wrong code and pin entered. (OneWaySMS)')?.id,
        'SMSAuthFailedWrongCodePinEntered.user',
      );
    });

    it('tolerates 2017 and 2025 wording for InvalidParameter', () => {
      assert.equal(
        lookupEntry('InvalidParameter', 'The provided TenantId isn’t in correct format')?.id,
        'InvalidParameter.tenantIdFormat',
      );
      assert.equal(
        lookupEntry('InvalidParameter', 'Couldn’t resolve any ProofData from request or Msods.')?.id,
        'InvalidParameter.proofDataUnknown',
      );
    });

    it('resolves the alias StrongAuthenticationServiceInvalidParameter', () => {
      assert.equal(entriesForCode('StrongAuthenticationServiceInvalidParameter')[0]?.id, 'InvalidFormat');
    });
  });

  describe('codes added since 2017 (events.md)', () => {
    const added: Record<string, string> = {
      AuthenticationThrottled: 'Too many attempts by user in a short period of time. Throttling.',
      AuthenticationMethodLimitReached: 'Authentication Method Limit Reached. Throttling.',
    };
    for (const [code, message] of Object.entries(added)) {
      it(`has ${code} as a non-error with its message`, () => {
        const entry = forCode(code)[0];
        assert.ok(entry);
        assert.equal(entry.category, 'non-error');
        assert.ok(entry.messages.includes(message));
        assert.ok(entry.since > '2017-07');
      });
    }

    it('mentions TLS 1.2 and SChannel 36871 for HTTPS_COMMUNICATION_ERROR', () => {
      const entry = forCode('HTTPS_COMMUNICATION_ERROR')[0]!;
      const text = [...entry.remediation.en, entry.cause.en].join(' ');
      assert.match(text, /TLS 1\.2/);
      assert.match(text, /36871/);
    });

    const lines: Record<string, [string, string]> = {
      ACCESS_REJECT_PRIMARY: [
        'NPS Extension for Azure MFA: NPS extension for Azure MFA only performs Secondary Auth for Radius request in AccessAccept State. Request received for User DOMAIN\\User with response state AccessReject, ignoring request.',
        '2018-11',
      ],
      ACCESS_CHALLENGE_IGNORED: [
        'NPS Extension for Azure MFA: NPS Extension for Azure MFA only performs Secondary Auth for Radius requests in AccessAccept State. Request received for User username with response state AccessChallenge, ignoring request.',
        '2023-07',
      ],
      CHALLENGE_REQUESTED: [
        'NPS Extension for Azure MFA: CID: 32e83cbf-484d-49aa-9adb-71528f5eb94d : Challenge requested in Authentication Ext for User ******@domain.com with state 300c9d6c-7734-4165-83d3-212e73aee286',
        '2023-08',
      ],
      IP_WHITE_LIST_WARNING: [
        'NPS Extension for Azure MFA: IP_WHITE_LIST_WARNING::IP Whitelist is being ignored as source IP is missing in RADIUS request in NasIpAddress attribute.',
        '2022-11',
      ],
      NAS_ATTRIBUTES_MISSING: [
        'NPS Extension for Azure MFA: Radius request is missing NAS Identifier and Nas IpAddress attribute.Populating atleast one of these fields is recommended.This is not an error.',
        '2020-01',
      ],
      ACCESS_ACCEPTED: ['NPS Extension for Azure MFA: CID: x : Access Accepted for user alice', '2024-10'],
    };
    for (const [code, [line, since]] of Object.entries(lines)) {
      it(`recognises the ${code} line without a code`, () => {
        const entry = entryFromMessage(line);
        assert.equal(entry?.code, code);
        assert.equal(entry?.since, since);
      });
    }
  });

  describe('NPS reason codes', () => {
    it('has the verified and unverified codes', () => {
      for (const code of [0, 1, 2, 3, 4, 5, 21, 258, 259, 260, 261])
        assert.equal(NPS_REASON_CODES[code]?.verified, true);
      for (const code of [7, 8, 16, 22, 23, 48, 49, 65, 66]) assert.equal(NPS_REASON_CODES[code]?.verified, false);
      for (const r of Object.values(NPS_REASON_CODES)) assert.match(r.ko, /[\uAC00-\uD7A3]/);
      assert.match(NPS_REASON_CODES[21]!.en, /extension/i);
    });
  });
});
