import { createEngine } from '../src/stream/engine.js';
import { parseRules } from '../src/rules/load.js';
import { makeEvent } from '../src/testing/events.js';
const rules = parseRules(`
rules:
  - id: t
    type: threshold
    window: 10m
    count: 3
    group_by: [user]
  - id: s
    type: spike
    window: 10m
    min_current: 3
  - id: f
    type: flatline
    window: 10m
    group_by: [host]
    expected_keys: [nps9]
  - id: a
    type: any
    filter: { code: X }
`, 'x.yaml');
const eng = createEngine(rules, { allowedLateness: 0 });
let s = eng.init();
const M = 60000;
const u = (name: string) => ({ raw: name, name, redacted: false });
const evs = [0, 1, 2, 25, 26, 27, 28, 29].map((m, i) => makeEvent({ time: m * M, user: u('bob'), host: 'nps1', code: i === 3 ? 'X' : 'Y' }));
for (const e of evs) { const r = eng.step(s, e); s = r.state; for (const d of r.out) console.log(d.ruleId, d.active, d.key, new Date(d.time).toISOString().slice(11,16), d.value, d.summary); }
const r = eng.step(s, { type: 'tick', time: 90 * M, final: true });
for (const d of r.out) console.log(d.ruleId, d.active, d.key, new Date(d.time).toISOString().slice(11,16), d.value, d.summary);
console.log(JSON.stringify(eng.toJSON(r.state)).length, eng.sizes(r.state));
