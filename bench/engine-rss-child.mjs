// Peak RSS of classify + the built-in rule pack with many distinct users, in a plain node process (no TypeScript
// loader), so the figure is the library's own. Each user signs in once: a challenge, then ~20 s later an accept or
// (with probability failRate) a wrong one-time code, spread evenly over `hours` of event time on 16 NPS servers, in
// time order with a few seconds of out-of-order jitter. Records are made one at a time; nothing but the detector
// holds them. Prints "<MB> MB (...)" on the first line, then details.
//
// `maxKeys` overrides every rule's max_keys (default: the pack's own, 10,000 per rule) to see state without eviction.
//
//   node bench/engine-rss-child.mjs [users=1000000] [hours=3] [failRate=0.05] [maxKeys]
import { classify, createDetector, loadBuiltinRules } from '@npswatch/core';
import { syntheticDay } from '@npswatch/core/testing';

const users = Number(process.argv[2] ?? 1_000_000);
const hours = Number(process.argv[3] ?? 3);
const failRate = Number(process.argv[4] ?? 0.05);
const maxKeys = process.argv[5] === undefined ? undefined : Number(process.argv[5]);
const SERVERS = 16;
const RESPONSE_AFTER = 20_000;
const JITTER = 5_000;

function mix(i) {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

// Message shapes from the synthetic day, split around the user's UPN.
const start = Date.UTC(2024, 8, 20);
const day = syntheticDay({ day: start });
const shape = (code) => {
  const record = day.find((r) => classify(r).code === code);
  const m = /[A-Za-z0-9._-]+@contoso\.com/.exec(record.message);
  return { record, pre: record.message.slice(0, m.index), post: record.message.slice(m.index + m[0].length) };
};
const CHALLENGE = shape('CHALLENGE_REQUESTED');
const ACCEPT = shape('ACCESS_ACCEPTED');
const WRONG_CODE = shape('OathCodeIncorrect');
const hosts = Array.from({ length: SERVERS }, (_, i) => `NPS${String(i + 1).padStart(2, '0')}.contoso.com`);

let line = 0;
const record = ({ record: base, pre, post }, user, time) => ({
  format: base.format,
  position: { file: 'bench', line: ++line },
  time,
  host: hosts[user % SERVERS],
  channel: base.channel,
  provider: base.provider,
  eventId: base.eventId,
  recordId: line,
  level: base.level,
  message: `${pre}user${user}@contoso.com${post}`,
  fields: undefined,
});

const rules = await loadBuiltinRules();
const detector = createDetector(maxKeys === undefined ? rules : rules.map((r) => ({ ...r, max_keys: maxKeys })));
const rssBefore = process.memoryUsage().rss;
const dt = (hours * 3_600_000) / users;
const lag = Math.max(1, Math.round(RESPONSE_AFTER / dt));
const timeOf = (user) => start + Math.floor(user * dt) + (mix(user) % JITTER);
const peak = {};
let peakTotal = 0;
let alerts = 0;
let late = 0;
const push = (r) => {
  const out = detector.push(classify(r));
  alerts += out.alerts.length;
  late += out.late.length;
};
const sample = () => {
  const sizes = detector.sizes();
  let total = 0;
  for (const [rule, n] of Object.entries(sizes)) {
    total += n;
    peak[rule] = Math.max(peak[rule] ?? 0, n);
  }
  peakTotal = Math.max(peakTotal, total);
};
// Step k: user k's challenge, and the response of the user challenged `lag` steps (~20 s of event time) earlier.
for (let k = 0; k < users + lag; k++) {
  if (k < users) push(record(CHALLENGE, k, timeOf(k)));
  const u = k - lag;
  if (u >= 0) {
    const fail = mix(u + 0x5bd1e995) / 4294967296 < failRate;
    push(record(fail ? WRONG_CODE : ACCEPT, u, timeOf(u) + RESPONSE_AFTER));
  }
  if (k % 50_000 === 0) sample();
}
sample();
const end = detector.finish();
alerts += end.alerts.length;
const mb = (bytes) => `${(bytes / 1048576).toFixed(0)} MB`;
const { heapUsed } = process.memoryUsage();
console.log(
  `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (${detector.counts().events} events; RSS before the first event ${mb(rssBefore)}, heap used at end ${mb(heapUsed)})`,
);
const list = (o) =>
  Object.entries(o)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k}=${n.toLocaleString('en-US')}`)
    .join(' ') || 'none';
console.log(`live keys, peak of samples every 50k steps: total ${peakTotal.toLocaleString('en-US')}: ${list(peak)}`);
const { evicted } = detector.counts();
console.log(
  `keys evicted by max_keys ${evicted.toLocaleString('en-US')}, alerts ${alerts.toLocaleString('en-US')}, late ${late.toLocaleString('en-US')}`,
);
