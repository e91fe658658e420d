import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { classify, FIELD_GETTERS, parseText, samplesDirectory, toEcs } from '@npswatch/core';
import { eventMappings } from '../src/templates.js';

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
