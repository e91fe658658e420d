import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { run } from './helpers.js';

const day = fileURLToPath(new URL('../../core/samples/synthetic/nps-day.winlogbeat.ndjson', import.meta.url));

interface AlertDoc {
  readonly rule: { readonly id: string };
  readonly npswatch: { readonly alert: { readonly id: string; readonly key_fields: Record<string, string> } };
}

async function replay(args: string[]): Promise<{ alerts: AlertDoc[]; events: number; stderr: string }> {
  const { code, stdout, stderr } = await run(['replay', day, ...args]);
  assert.equal(code, 0, stderr);
  const events = Number(/(\d+) events, \d+ alerts/.exec(stderr)?.[1]);
  const alerts = stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AlertDoc);
  return { alerts, events, stderr };
}

/** Alert ids of the rules keyed by NPS server, for one server. */
const perServer = (alerts: readonly AlertDoc[], host: string): string[] =>
  alerts
    .filter((a) => a.npswatch.alert.key_fields['host.name'] === host)
    .map((a) => a.npswatch.alert.id)
    .sort();

describe('npswatch replay --partition', () => {
  it('splits the NPS servers between instances: every record once, per-server alerts as in one run', async () => {
    // The same end for every share: a share's event time only moves with its own servers' records, so without
    // --until a share whose servers fall silent would stop before the silence (watch moves on with the clock).
    const until = ['--until', '2024-09-21T00:00:00Z'];
    const all = await replay(until);
    // The sample day has two servers; with two shares each instance gets one of them.
    const first = await replay([...until, '--partition', '1/2']);
    const second = await replay([...until, '--partition', '2/2']);
    assert.equal(first.events + second.events, all.events);
    assert.ok(first.events > 0 && second.events > 0, 'both shares have a server');
    assert.match(first.stderr, new RegExp(`partition 1/2: ${second.events} records of other NPS servers left out`));
    assert.match(second.stderr, new RegExp(`partition 2/2: ${first.events} records of other NPS servers left out`));
    for (const host of ['NPS01.contoso.com', 'NPS02.contoso.com']) {
      const owner = [first, second].find((r) => perServer(r.alerts, host).length > 0);
      assert.ok(owner, `${host} has alerts in one share`);
      assert.deepEqual(perServer(owner.alerts, host), perServer(all.alerts, host), host);
    }
  });

  it('refuses a bad partition with a hint', async () => {
    const { code, stderr } = await run(['replay', day, '--partition', '3/2']);
    assert.equal(code, 2);
    assert.match(stderr, /--partition: the partition must be 1 to 2, got 3/);
    assert.match(stderr, /hint: give K\/N/);
  });
});
