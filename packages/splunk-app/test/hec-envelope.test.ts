import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  type ClassifiedEvent,
  classify,
  createDetector,
  loadBuiltinRules,
  parseText,
  samplesDirectory,
} from '@npswatch/core';
import fc from 'fast-check';
import {
  ALERT_SOURCETYPE,
  alertEnvelope,
  EVENT_SOURCETYPE,
  eventEnvelope,
  hecTime,
  serializeEnvelope,
  serializeRaw,
} from '../src/hec/envelope.js';

function sampleEvents(): ClassifiedEvent[] {
  const text = readFileSync(new URL('synthetic/nps-day.winlogbeat.ndjson', samplesDirectory()), 'utf8');
  return parseText(text, { name: 'nps-day.winlogbeat.ndjson' }).records.map(classify);
}

describe('HEC envelopes', () => {
  it('writes time as seconds with exactly three decimals', () => {
    assert.equal(hecTime(1433188255500), '1433188255.500');
    assert.equal(hecTime(1433188255007.9), '1433188255.007');
    assert.equal(hecTime(0), '0.000');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        const t = hecTime(ms);
        return /^\d+\.\d{3}$/.test(t) && Math.round(Number(t) * 1000) === ms;
      }),
    );
  });

  it('serializes one JSON object per line whatever the event contains', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string(),
        fc.dictionary(fc.string(), fc.string()),
        (msg, host, fields) => {
          const line = serializeEnvelope({ time: 1, host, event: { message: msg }, fields });
          assert.ok(line.endsWith('}\n'));
          assert.equal(line.indexOf('\n'), line.length - 1, 'one line');
          const parsed = JSON.parse(line) as Record<string, unknown>;
          assert.deepEqual(parsed.event, { message: msg });
          if (host !== '') assert.equal(parsed.host, host);
          const nonEmpty = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== ''));
          assert.deepEqual(parsed.fields ?? {}, nonEmpty);
        },
      ),
    );
  });

  it('fills metadata from defaults, leaves empty values out and refuses an empty event', () => {
    const line = serializeEnvelope({ event: 'x', sourcetype: 'st' }, { host: 'h', source: 's', index: 'i' });
    assert.equal(line, '{"host":"h","source":"s","sourcetype":"st","index":"i","event":"x"}\n');
    assert.throws(() => serializeEnvelope({ event: '' }), TypeError);
    assert.equal(serializeRaw({ event: 'a\r\nb' }), 'a b\n');
    assert.equal(serializeRaw({ event: { a: 1 } }), '{"a":1}\n');
  });

  it('turns a classified event into its ECS document with indexed code, category and severity', () => {
    const events = sampleEvents();
    const e = events.find((x) => x.code === 'UserNotFound') ?? events.find((x) => x.code !== undefined)!;
    const env = eventEnvelope(e);
    assert.equal(env.sourcetype, EVENT_SOURCETYPE);
    assert.equal(env.time, e.time);
    assert.equal(env.host, e.host);
    assert.equal(env.source, `npswatch:${e.channel}`);
    assert.deepEqual(env.fields, {
      npswatch_code: e.code,
      npswatch_category: e.category,
      npswatch_severity: e.severity,
      npswatch_outcome: e.outcome,
    });
    const doc = JSON.parse(serializeEnvelope(env)).event as Record<string, unknown>;
    assert.equal((doc.npswatch as Record<string, unknown>).code, e.code);
    assert.equal(typeof (doc.npswatch as Record<string, unknown>).remediation, 'object');
    const bare = eventEnvelope(e, { explain: false, indexedFields: false, index: 'nps' });
    assert.equal(bare.index, 'nps');
    assert.deepEqual(bare.fields, {});
    assert.equal(((bare.event as Record<string, unknown>).npswatch as Record<string, unknown>).cause, undefined);
  });

  it('turns an alert into its JSON document with the rule as source', async () => {
    const detector = createDetector(await loadBuiltinRules());
    const alerts = sampleEvents().flatMap((e) => detector.push(e).alerts);
    alerts.push(...detector.finish().alerts);
    assert.ok(alerts.length > 0, 'the synthetic day raises alerts');
    const a = alerts[0]!;
    const env = alertEnvelope(a);
    assert.equal(env.sourcetype, ALERT_SOURCETYPE);
    assert.equal(env.source, `npswatch:rule:${a.ruleId}`);
    assert.deepEqual(env.fields, {
      npswatch_rule_id: a.ruleId,
      npswatch_alert_status: a.status,
      npswatch_severity: a.severity,
    });
    const doc = env.event as Record<string, unknown>;
    assert.equal((doc.rule as Record<string, unknown>).id, a.ruleId);
  });
});
