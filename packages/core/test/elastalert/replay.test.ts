import assert from 'node:assert/strict';
import type { ClassifiedEvent } from '../../src/classify/types.js';
import { importElastAlertRule } from '../../src/elastalert/import.js';
import { ruleFileText } from '../../src/elastalert/render.js';
import type { NotifyAlert } from '../../src/notify/types.js';
import { createDetector } from '../../src/pipeline.js';
import { parseRules } from '../../src/rules/load.js';
import type { RuleConfig } from '../../src/rules/schema.js';
import { makeEvent } from '../../src/testing/events.js';
import { fixtureText } from './helpers.js';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);

/** Rules of an imported ElastAlert file, loaded as `npswatch replay --rules` loads them. */
function imported(yaml: string, file = 'rule.yaml'): RuleConfig[] {
  const result = importElastAlertRule(yaml, file);
  assert.ok(result.rule, JSON.stringify(result.report));
  return parseRules(ruleFileText([result.rule]), file);
}

/** A small deterministic generator (mulberry32), so the generated day is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let line = 0;
function nps(minute: number, host: string, eventId: number, fields: Partial<ClassifiedEvent> = {}): ClassifiedEvent {
  line += 1;
  return makeEvent({
    time: T0 + Math.round(minute * MIN),
    host,
    channel: 'Security',
    eventId,
    outcome: eventId === 6272 ? 'success' : 'failure',
    position: { file: 'generated', line },
    ...fields,
  });
}

/**
 * Six hours of NPS traffic on three servers: accepts and rejects at random, a reject burst on NPS01 in the
 * second hour and a slower one on NPS02 in the fifth, plus non-Security noise the filter must drop.
 */
function generatedDay(): ClassifiedEvent[] {
  const rnd = random(42);
  const events: ClassifiedEvent[] = [];
  for (let minute = 0; minute < 360; minute += 0.5) {
    for (const host of ['NPS01', 'NPS02', 'NPS03']) {
      const r = rnd();
      if (r < 0.3) events.push(nps(minute + rnd() * 0.5, host, 6272));
      else if (r < 0.36) events.push(nps(minute + rnd() * 0.5, host, 6273));
      else if (r < 0.4) events.push(nps(minute + rnd() * 0.5, host, 6273, { channel: 'System' }));
    }
  }
  for (let i = 0; i < 40; i++) events.push(nps(70 + i * 0.5, 'NPS01', 6273));
  for (let i = 0; i < 25; i++) events.push(nps(250 + i * 2, 'NPS02', 6273));
  return events.sort((a, b) => a.time - b.time);
}

/** Alerts of a replay; `until` closes the windows still open then (as `npswatch replay --until`). */
function replay(rules: readonly RuleConfig[], events: readonly ClassifiedEvent[], until?: number): NotifyAlert[] {
  const detector = createDetector(rules);
  const alerts: NotifyAlert[] = [];
  for (const e of events) alerts.push(...detector.push(e).alerts);
  alerts.push(...detector.finish(until).alerts);
  return alerts;
}

const brief = (a: NotifyAlert): string => `${a.status} ${a.ruleId} ${a.key} @${(a.time - T0) / MIN}m value=${a.value}`;

describe('ElastAlert import: replay', () => {
  it('an imported frequency rule and its hand-written npswatch equivalent give the same alerts', () => {
    const events = generatedDay();
    const fromElastAlert = imported(fixtureText('frequency-nps-rejects.yaml'));
    // Written from docs/rules.md, with aliases where the import kept the ECS paths as written.
    const handWritten = parseRules(
      `rules:
  - id: nps-rejects-per-server
    description: NPS rejects per server
    type: threshold
    filter: { channel: Security, event_id: 6273 }
    group_by: [host]
    window: 1h
    step: 5m
    count: 20
    notify: { repeat_interval: 30m }
`,
      'hand.yaml',
    );
    const a = replay(fromElastAlert, events);
    const b = replay(handWritten, events);
    assert.deepEqual(a, b);
    // The bursts fire; the background rate (about 7 rejects an hour per server) does not.
    const firing = a.filter((x) => x.status === 'firing');
    assert.ok(firing.length > 0);
    assert.deepEqual([...new Set(firing.map((x) => x.key))].sort(), ['NPS01', 'NPS02']);
    assert.ok(a.some((x) => x.status === 'resolved' && x.key === 'NPS01'));
  });

  it('the imported filter drops what the ElastAlert query would not have returned', () => {
    const rules = imported(
      'name: rejects\ntype: frequency\nnum_events: 1\ntimeframe: {minutes: 10}\nfilter:\n- query:\n    query_string:\n      query: "winlog.channel:Security AND winlog.event_id:6273"\n',
    );
    const events = [nps(1, 'NPS01', 6273, { channel: 'System' }), nps(2, 'NPS01', 6272), nps(3, 'NPS01', 6273)];
    const alerts = replay(rules, events, T0 + 30 * MIN).filter((a) => a.status === 'firing');
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.value, 1);
  });

  it('realert on an any rule: one notification per key and realert period while matches go on', () => {
    const rules = imported(fixtureText('bool-filter.yaml'));
    const minutes = [0, 1, 2, 3, 4, 6, 8, 11, 12, 30];
    const reject = (m: number, host: string, name: string) =>
      nps(m, host, 6273, { user: { raw: name, name, redacted: false }, radius: { reasonCode: 21 } });
    const events = minutes.map((m) => reject(m, 'NPS03', 'dave'));
    assert.deepEqual(replay(rules, events).map(brief), [
      'firing rejected-outside-the-usual  @0m value=1',
      'firing rejected-outside-the-usual  @5m value=1',
      'firing rejected-outside-the-usual  @10m value=1',
      'firing rejected-outside-the-usual  @15m value=1',
      'firing rejected-outside-the-usual  @30m value=1',
    ]);
    // bob on NPS02 is excluded by the must_not clause: nothing fires.
    const bob = minutes.map((m) => reject(m, 'NPS02', 'bob'));
    assert.deepEqual(replay(rules, bob), []);
  });

  it('forget_keys: a silent server alerts once, then is forgotten (without it, it stays expected)', () => {
    const yaml = fixtureText('flatline-server-silent.yaml');
    const events: ClassifiedEvent[] = [];
    for (let m = 0; m < 120; m += 5) events.push(nps(m, 'NPS01', 6272, { host: 'NPS01' }));
    for (let m = 0; m < 480; m += 5) events.push(nps(m, 'NPS02', 6272, { host: 'NPS02' }));
    events.sort((a, b) => a.time - b.time);
    const withForget = replay(imported(yaml), events).map(brief);
    assert.deepEqual(withForget, [
      'firing nps-server-silent NPS01 @180m value=0',
      'resolved nps-server-silent NPS01 @240m value=0',
    ]);
    const keep = replay(imported(yaml.replace('forget_keys: true', 'forget_keys: false')), events).map(brief);
    assert.equal(keep[0], 'firing nps-server-silent NPS01 @180m value=0');
    assert.ok(!keep.some((l) => l.startsWith('resolved')));
  });
});
