import assert from 'node:assert/strict';
import type { ClassifiedEvent } from '../../src/classify/types.js';
import { alertToJson } from '../../src/notify/render.js';
import { at, brief, d, det, policies, run, settle } from './helpers.js';

const event = (time: number, user: string): ClassifiedEvent => ({
  time,
  kind: 'extension',
  format: 'npswatch',
  position: { file: 'AuthZOptCh.evtx', line: 3 },
  host: 'nps1.contoso.com',
  user: { raw: `CONTOSO\\${user}`, name: user, domain: 'CONTOSO', redacted: false },
  message: 'NPS Extension for Azure MFA: CID: x : Access Rejected for user ... OathCodeIncorrect',
  code: 'OathCodeIncorrect',
  category: 'non-error',
  severity: 'medium',
  outcome: 'failure',
});

describe('alertToJson', () => {
  const sample = [1, 2, 3, 4, 5, 6, 7].map((i) => event(at(0) - i * 1000, 'alice')).reverse();
  const { out } = run(
    policies(),
    settle([
      d(
        det(at(0), {
          ruleId: 'otp',
          keyFields: { 'user.name': 'alice' },
          sample,
          codes: ['OathCodeIncorrect'],
          severity: 'high',
        }),
      ),
      d(det(at(10), { ruleId: 'otp', keyFields: { 'user.name': 'alice' }, active: false })),
    ]),
  );
  assert.deepEqual(brief(out), ['otp[alice] firing@0', 'otp[alice] resolved@10']);
  const [firing, resolved] = out;

  it('renders a firing alert with ECS-style names', () => {
    assert.ok(firing !== undefined);
    const doc = alertToJson(firing, { sampleSize: 2 });
    assert.deepStrictEqual(doc, {
      '@timestamp': '2024-03-01T08:00:00.000Z',
      message: 'otp alice: 10 >= 5',
      event: { kind: 'alert', severity: 2, start: '2024-03-01T08:00:00.000Z' },
      rule: { id: 'otp', type: 'threshold' },
      kibana: { alert: { uuid: firing.id, status: 'active', start: '2024-03-01T08:00:00.000Z', flapping: false } },
      npswatch: {
        alert: {
          id: firing.id,
          fingerprint: firing.fingerprint,
          status: 'firing',
          severity: 'high',
          key: 'alice',
          key_fields: { 'user.name': 'alice' },
          window_start: '2024-03-01T07:50:00.000Z',
          window_end: '2024-03-01T08:00:00.000Z',
          starts_at: '2024-03-01T08:00:00.000Z',
          value: 10,
          threshold: 5,
          count: 1,
          codes: ['OathCodeIncorrect'],
          summary: 'otp alice: 10 >= 5',
          flapping: false,
          sample: [
            {
              time: '2024-03-01T07:59:58.000Z',
              host: 'nps1.contoso.com',
              user: 'CONTOSO\\alice',
              code: 'OathCodeIncorrect',
              message: 'NPS Extension for Azure MFA: CID: x : Access Rejected for user ... OathCodeIncorrect',
            },
            {
              time: '2024-03-01T07:59:59.000Z',
              host: 'nps1.contoso.com',
              user: 'CONTOSO\\alice',
              code: 'OathCodeIncorrect',
              message: 'NPS Extension for Azure MFA: CID: x : Access Rejected for user ... OathCodeIncorrect',
            },
          ],
        },
      },
    });
    assert.deepStrictEqual(JSON.parse(JSON.stringify(doc)), doc, 'plain JSON');
  });

  it('renders a resolution as recovered with its end, and defaults to 5 sample events', () => {
    assert.ok(resolved !== undefined);
    const doc = alertToJson(resolved) as {
      kibana: { alert: { status: string; end?: string } };
      event: { end?: string };
      npswatch: { alert: { ends_at?: string; sample: unknown[]; status: string } };
    };
    assert.equal(doc.kibana.alert.status, 'recovered');
    assert.equal(doc.kibana.alert.end, '2024-03-01T08:10:00.000Z');
    assert.equal(doc.event.end, '2024-03-01T08:10:00.000Z');
    assert.equal(doc.npswatch.alert.ends_at, '2024-03-01T08:10:00.000Z');
    assert.equal(doc.npswatch.alert.status, 'resolved');
    const full = alertToJson(firing!) as { npswatch: { alert: { sample: { time: string }[] } } };
    assert.equal(full.npswatch.alert.sample.length, 5);
    assert.equal(full.npswatch.alert.sample.at(-1)?.time, '2024-03-01T07:59:59.000Z', 'newest kept');
    assert.deepEqual((alertToJson(firing!, { sampleSize: 0 }) as typeof full).npswatch.alert.sample, []);
  });
});
