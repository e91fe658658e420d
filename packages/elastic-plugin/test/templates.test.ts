import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  alertToJson,
  classify,
  createDetector,
  FIELD_GETTERS,
  loadBuiltinRules,
  parseText,
  samplesDirectory,
  toEcs,
} from '@npswatch/core';
import { adaptMappings, alertMappings, deadLetterMappings, eventMappings } from '../src/templates.js';

type Node = { type?: string; properties?: Record<string, Node> };
const lookup = (props: Record<string, Node>, path: string): Node | undefined =>
  path.split('.').reduce<Node | undefined>((n, k) => n?.properties?.[k], { properties: props });

describe('event mappings', () => {
  it('type every field rules can read', () => {
    const { properties } = eventMappings();
    for (const path of Object.keys(FIELD_GETTERS))
      assert.ok(lookup(properties as Record<string, Node>, path)?.type, path);
    assert.equal(lookup(properties as Record<string, Node>, '@timestamp')?.type, 'date');
    assert.equal(lookup(properties as Record<string, Node>, 'source.ip')?.type, 'ip');
  });

  it('cover every leaf of the documents npswatch writes for the samples', () => {
    const { properties } = eventMappings();
    const leaves = (obj: Record<string, unknown>, prefix = ''): string[] =>
      Object.entries(obj).flatMap(([k, v]) =>
        v && typeof v === 'object' && !Array.isArray(v)
          ? leaves(v as Record<string, unknown>, `${prefix}${k}.`)
          : [`${prefix}${k}`],
      );
    for (const name of ['winlogbeat.ndjson', 'raw-messages.txt', 'dts.log', 'splunk-wineventlog-6273.txt']) {
      const text = readFileSync(new URL(`reference/${name}`, samplesDirectory()), 'utf8');
      for (const record of parseText(text, { defaultTime: 0 }).records) {
        for (const path of leaves(toEcs(classify(record)))) {
          assert.ok(
            lookup(properties as Record<string, Node>, path) !== undefined || path === '@timestamp',
            `${name}: ${path}`,
          );
        }
      }
    }
  });
});

describe('alert and dead-letter mappings', () => {
  const leaves = (obj: Record<string, unknown>, prefix = ''): string[] =>
    Object.entries(obj).flatMap(([k, v]) => {
      if (Array.isArray(v)) {
        // An empty list has no field to map; a list of objects maps like one object.
        if (v.length === 0) return [];
        return v[0] && typeof v[0] === 'object'
          ? leaves(v[0] as Record<string, unknown>, `${prefix}${k}.`)
          : [`${prefix}${k}`];
      }
      return v && typeof v === 'object' ? leaves(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`];
    });

  it('map every field of the alerts the built-in pack raises on the sample day', async () => {
    const { properties } = alertMappings();
    const text = readFileSync(new URL('synthetic/nps-day.winlogbeat.ndjson', samplesDirectory()), 'utf8');
    const detector = createDetector(await loadBuiltinRules());
    const alerts = parseText(text, { defaultTime: 0 }).records.flatMap((r) => [...detector.push(classify(r)).alerts]);
    alerts.push(...detector.finish().alerts);
    assert.ok(alerts.length > 0);
    for (const alert of alerts) {
      for (const path of leaves(alertToJson(alert))) {
        // key_fields is one flattened field: its keys are the rule's group fields.
        const mapped = path.startsWith('npswatch.alert.key_fields.') ? 'npswatch.alert.key_fields' : path;
        assert.ok(lookup(properties as Record<string, Node>, mapped)?.type, path);
      }
    }
    assert.equal(lookup(properties as Record<string, Node>, 'npswatch.alert.window_start')?.type, 'date');
    assert.equal(lookup(properties as Record<string, Node>, 'npswatch.alert.value')?.type, 'double');
    assert.equal(lookup(properties as Record<string, Node>, 'npswatch.alert.count')?.type, 'long');
  });

  it('adapt to what the server has', () => {
    const adapted = adaptMappings(alertMappings(), { matchOnlyText: false, flattened: false });
    const props = adapted.properties as Record<string, Node>;
    assert.equal(lookup(props, 'message')?.type, 'text');
    assert.equal(lookup(props, 'npswatch.alert.key_fields')?.type, 'object');
    const kept = adaptMappings(eventMappings(), { matchOnlyText: true, flattened: true });
    assert.equal(lookup(kept.properties as Record<string, Node>, 'message')?.type, 'match_only_text');
    assert.equal(
      lookup(deadLetterMappings().properties as Record<string, Node>, 'npswatch.dead_letter.reason')?.type,
      'text',
    );
  });
});
