import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  type ClassifiedEvent,
  catalogEntries,
  classify,
  entryById,
  lookupEntry,
  parseText,
  samplesDirectory,
} from '@npswatch/core';
import {
  CODE_FIELDS,
  EXTRACTIONS,
  OUTCOME_PATTERNS,
  PSEUDO_CODES,
  supportRequiredKeys,
  variantTests,
} from '../src/app/extract.js';

/** A PCRE pattern of the shared subset as a JavaScript RegExp (a leading `(?i)` becomes the `i` flag). */
function js(pattern: string): RegExp {
  return pattern.startsWith('(?i)') ? new RegExp(pattern.slice(4), 'i') : new RegExp(pattern);
}

/** What Splunk's EXTRACTs and EVALs of the app yield for one event's _raw. */
function splunkFields(raw: string): Record<string, string | undefined> {
  const f: Record<string, string | undefined> = {};
  for (const re of Object.values(EXTRACTIONS)) Object.assign(f, js(re).exec(raw)?.groups ?? {});
  const pseudo = PSEUDO_CODES.find(([re]) => js(re).test(raw))?.[1];
  f.code = pseudo ?? CODE_FIELDS.map((k) => f[k]).find((v) => v !== undefined);
  f.outcome = OUTCOME_PATTERNS.find(([re]) => js(re).test(raw))?.[1] ?? 'unknown';
  f.npswatch_key =
    variantTests().find(([code, re]) => new RegExp(`\\b${code}\\b`).test(raw) && js(re).test(raw))?.[2] ?? f.code;
  // CIM action, as actionExpression() decides it.
  const support = f.npswatch_key !== undefined && supportRequiredKeys().includes(f.npswatch_key);
  f.action = f.outcome === 'success' ? 'success' : support ? 'error' : f.outcome === 'failure' ? 'failure' : 'unknown';
  // The lookup's row for that key (lookup.ts: entry ids, then each code's fallback entry).
  f.entry_id =
    f.npswatch_key === undefined ? undefined : (entryById(f.npswatch_key) ?? lookupEntry(f.npswatch_key))?.id;
  return f;
}

const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The event as the Splunk Add-on for Windows renders it: classic text (WinEventLog) and XML (XmlWinEventLog). */
function renderings(e: ClassifiedEvent): { classic: string; xml: string } {
  const computer = e.host ?? 'NPS01.contoso.com';
  const channel = e.channel ?? 'AuthZOptCh';
  const message = e.message ?? '';
  const classic = [
    '09/20/2024 10:37:17 AM',
    `LogName=${channel}`,
    `EventCode=${e.eventId ?? 1}`,
    'EventType=4',
    `ComputerName=${computer}`,
    `SourceName=${e.provider ?? 'Microsoft-AzureMfa-AuthZ'}`,
    'Type=Information',
    `RecordNumber=${e.recordId ?? 1}`,
    `Message=${message}`,
  ].join('\n');
  const xml =
    `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-AzureMfa-AuthZ'/>` +
    `<EventID>${e.eventId ?? 1}</EventID><Channel>${channel}</Channel><Computer>${computer}</Computer></System>` +
    `<EventData><Data>${xmlText(message)}</Data></EventData></Event>`;
  return { classic, xml };
}

function extensionEvents(): ClassifiedEvent[] {
  const dir = samplesDirectory();
  const day = parseText(readFileSync(new URL('synthetic/nps-day.winlogbeat.ndjson', dir), 'utf8'), {
    name: 'nps-day',
  }).records.map(classify);
  // Every distinct message of the reference samples, as bare extension messages.
  const raw = readFileSync(new URL('reference/raw-messages.txt', dir), 'utf8')
    .split(/\r?\n\r?\n/)
    .filter((m) => m.trim() !== '');
  const reference = raw.map((message, i) =>
    classify({
      ...day[0]!,
      message: message.trim(),
      position: { file: 'raw-messages.txt', line: i + 1 },
    } as Parameters<typeof classify>[0]),
  );
  // Every documented message of a code with message variants, in both line shapes that carry a code.
  const variantIds = new Set(variantTests().map(([, , id]) => id));
  const variants = catalogEntries()
    .filter((e) => variantIds.has(e.id))
    .flatMap((e) =>
      e.messages.flatMap((m) => [
        `NPS Extension for Azure MFA: CID: 6d8a1d63-0bd6-4ba1-a1d6-8a9c2b1e0f11 :Exception in Authentication Ext for User jdoe@contoso.com :: ErrorCode:: CID :6d8a1d63-0bd6-4ba1-a1d6-8a9c2b1e0f11 ${e.code} Msg:: ${m}`,
        `NPS Extension for Azure MFA: CID: 6d8a1d63-0bd6-4ba1-a1d6-8a9c2b1e0f11 : Access Rejected for user jdoe@contoso.com with Azure MFA response: ${e.code} and message: ${m}`,
      ]),
    )
    .map((message, i) =>
      classify({ ...day[0]!, message, position: { file: 'variants', line: i + 1 } } as Parameters<typeof classify>[0]),
    );
  return [...day, ...reference, ...variants].filter((e) => e.kind === 'extension');
}

describe('Splunk app extractions for WinEventLog / XmlWinEventLog', () => {
  const events = extensionEvents();

  it('has extension events to compare', () => {
    assert.ok(events.length > 50);
    assert.ok(new Set(events.map((e) => e.code)).size > 5);
  });

  for (const form of ['classic', 'xml'] as const) {
    it(`gives the classifier's code, outcome, user and correlation id (${form})`, () => {
      const mismatches: string[] = [];
      for (const e of events) {
        const f = splunkFields(renderings(e)[form]);
        const want = {
          // CIM Authentication: support-required failures are errors.
          action:
            e.outcome === 'success'
              ? 'success'
              : e.category === 'support-required'
                ? 'error'
                : e.outcome === 'failure'
                  ? 'failure'
                  : 'unknown',
          entry_id: e.entryId,
          code: e.code,
          outcome: e.outcome,
          user: e.user?.raw,
          correlation_id: e.correlationId,
          channel: e.channel,
        };
        const got = {
          action: f.action,
          entry_id: f.entry_id,
          code: f.code,
          outcome: f.outcome,
          user: f.user,
          correlation_id: f.correlation_id,
          channel: f.channel,
        };
        // XML escapes what the user column holds; compare the text Splunk shows.
        if (form === 'xml' && got.user !== undefined) got.user = got.user.replace(/&lt;/g, '<').replace(/&gt;/g, '>');
        for (const k of Object.keys(want) as (keyof typeof want)[])
          if (want[k] !== got[k]) mismatches.push(`${k}: want ${want[k]} got ${got[k]} in ${e.message?.slice(0, 120)}`);
        assert.equal(f.npswatch_computer?.toLowerCase(), (e.host ?? 'NPS01.contoso.com').toLowerCase());
      }
      assert.deepEqual([...new Set(mismatches)], []);
    });
  }
});
