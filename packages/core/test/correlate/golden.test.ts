import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { from, lastValueFrom, toArray } from 'rxjs';
import { classify } from '../../src/classify/classify.js';
import { toEcs } from '../../src/classify/ecs.js';
import type { ClassifiedEvent } from '../../src/classify/types.js';
import { correlate } from '../../src/correlate/operator.js';
import { parseText } from '../../src/parse/input.js';
import { isTick } from '../../src/stream/input.js';
import { runCorrelate, where } from './helpers.js';

const sample = (name: string, lines?: readonly number[]): ClassifiedEvent[] => {
  const text = readFileSync(new URL(`../../samples/reference/${name}`, import.meta.url), 'utf8');
  const { records, issues } = parseText(text, { name, defaultTime: 0 });
  assert.deepEqual(issues, []);
  return records.map(classify).filter((e) => lines === undefined || lines.includes(e.position.line));
};
const byTime = (events: readonly ClassifiedEvent[]) => [...events].sort((a, b) => a.time - b.time);

/** What every source of the sample says about the jdoe request that the extension rejected (UserNotFound). */
const JDOE_RADIUS = {
  reasonCode: 21,
  reason:
    'An NPS extension dynamic link library (DLL) that is installed on the NPS server rejected the connection request.',
  clientIp: '10.10.1.5',
  clientName: 'VPN-GW01',
  nasIp: '10.10.1.5',
  nasIdentifier: 'VPN-GW01',
  callingStationId: '203.0.113.77',
  calledStationId: '10.10.1.5',
  networkPolicy: 'VPN Users',
  proxyPolicy: 'Use Windows authentication for all users',
  authenticationType: 'PAP',
};

describe('correlate: golden samples (the jdoe request in every source)', () => {
  it('joins the extension rejection (event.xml) with 6273 and the IAS and DTS request/response lines', () => {
    const input = byTime([...sample('event.xml'), ...sample('ias.log', [4, 5]), ...sample('dts.log', [2, 3])]);
    const { out } = runCorrelate(input);
    assert.deepEqual(out.map(where), [
      'event.xml:1',
      'ias.log:4',
      'dts.log:2',
      'ias.log:5',
      'dts.log:3',
      'event.xml:23',
    ]);
    const ext = out[0]!;
    assert.equal(ext.code, 'UserNotFound');
    assert.equal(ext.user?.raw, '<USERNAME>', "the extension's own user stays as logged");
    assert.deepEqual(ext.radius, {
      ...JDOE_RADIUS,
      packetType: 3,
      class: '311 1 10.10.2.20 09/18/2024 06:12:03 412',
    });
    assert.equal(ext.correlation?.matched, 'both');
    assert.equal(ext.correlation?.role, 'anchor');
    assert.deepEqual(
      ext.correlation?.partners.map((p) => `${p.kind} ${p.file}:${p.line}`),
      [
        'accounting ias.log:4',
        'accounting dts.log:2',
        'accounting ias.log:5',
        'accounting dts.log:3',
        'security event.xml:23',
      ],
    );
    for (const p of out.slice(1)) {
      assert.equal(p.correlation?.matched, 'extension', where(p));
      assert.equal(p.correlation?.role, 'partner', where(p));
      assert.ok(p.correlation?.partners.some((x) => x.file === 'event.xml' && x.line === 1));
    }
    // A response line takes what only its request line has (NAS-IP-Address), keeping its own values.
    const dtsResponse = out.find((e) => where(e) === 'dts.log:3')!;
    assert.equal(dtsResponse.radius?.nasIp, '10.10.1.5');
    assert.equal(dtsResponse.radius?.packetType, 3);
  });

  it('writes the context as ECS fields', () => {
    const input = byTime([...sample('event.xml'), ...sample('ias.log', [4, 5]), ...sample('dts.log', [2, 3])]);
    const doc = toEcs(runCorrelate(input).out[0]!, { explain: false });
    assert.deepEqual(doc.source, { ip: '203.0.113.77' });
    assert.deepEqual(doc.client, { ip: '10.10.1.5' });
    const nps = doc.npswatch as Record<string, Record<string, unknown>>;
    assert.equal(nps.radius!.nas_identifier, 'VPN-GW01');
    assert.equal(nps.radius!.network_policy, 'VPN Users');
    assert.equal(nps.radius!.reason_code, 21);
    assert.deepEqual(nps.correlation, {
      matched: 'both',
      role: 'anchor',
      partners:
        'accounting ias.log:4, accounting dts.log:2, accounting ias.log:5, accounting dts.log:3, security event.xml:23',
    });
  });

  for (const [name, lines] of [
    ['winlogbeat.ndjson', [5]],
    ['splunk-wineventlog-6273.txt', undefined],
    ['splunk-xmlwineventlog-6273.xml', undefined],
  ] as const) {
    it(`takes the 6273 from ${name} (FQDN vs short server name, UPN vs DOMAIN\\user)`, () => {
      const input = byTime([...sample('event.xml', [1]), ...sample(name, lines), ...sample('ias.log', [4, 5])]);
      const { out } = runCorrelate(input);
      const ext = out.find((e) => e.kind === 'extension')!;
      assert.equal(ext.correlation?.matched, 'both');
      assert.deepEqual(ext.radius, { ...JDOE_RADIUS, packetType: 3 });
      assert.equal(out.length, 4);
    });
  }

  it('keeps unrelated sample records, each flagged, and pairs their request and response lines', () => {
    const input = byTime([...sample('event.xml'), ...sample('ias.log'), ...sample('dts.log')]);
    const { out } = runCorrelate(input);
    assert.equal(out.length, input.length);
    const flag = (w: string) => {
      const e = out.find((x) => where(x) === w)!;
      return `${e.correlation?.matched} ${e.correlation?.role}`;
    };
    // 2000-02-09 rajeshp: request (line 1) and Access-Reject reason 16 (line 2) of one request, no extension event.
    assert.equal(flag('ias.log:2'), 'accounting anchor');
    assert.equal(flag('ias.log:1'), 'accounting partner');
    assert.equal(flag('ias.log:3'), 'none anchor');
    assert.equal(flag('dts.log:1'), 'none anchor');
    assert.equal(flag('event.xml:1'), 'both anchor');
  });

  it('the rxjs operator gives the same records as the step', async () => {
    const input = byTime([...sample('event.xml'), ...sample('ias.log'), ...sample('dts.log')]);
    const out = await lastValueFrom(from(input).pipe(correlate(), toArray()));
    assert.deepEqual(
      out.filter((o) => !isTick(o)),
      runCorrelate(input).out,
    );
  });
});
