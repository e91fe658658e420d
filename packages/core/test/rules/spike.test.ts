import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import type { ClassifiedEvent } from '../../src/classify/types.js';
import { median, robustSigma } from '../../src/rules/spike.js';
import { makeEvent } from '../../src/testing/events.js';
import { briefs, ev, final, heartbeat, MIN, run } from './helpers.js';

/** `count` events for host `host` spread evenly over [start, start + span) minutes. */
function burst(start: number, count: number, host = 'h', span = 10): ClassifiedEvent[] {
  return Array.from({ length: count }, (_, i) => ev(start + (i * span) / count, { host }));
}

/** Events merged in time order (as they would arrive with no lateness). */
const byTime = (...groups: ClassifiedEvent[][]): ClassifiedEvent[] => groups.flat().sort((a, b) => a.time - b.time);

/** Key `old`: three quiet windows, then a burst at minute 30; key `new` first appears with the same burst. */
const oldAndNewKeyBurst = () => [
  ...byTime(burst(0, 2, 'old'), burst(10, 2, 'old'), burst(20, 2, 'old'), burst(30, 20, 'old'), burst(30, 20, 'new')),
  final(80),
];

const spike = {
  id: 's',
  type: 'spike',
  window: '10m',
  group_by: ['host'],
  min_current: 5,
  ratio: 3,
} as const;

describe('spike rule', () => {
  describe('against the previous window', () => {
    it('alerts when the current window is ratio × the previous one, then resolves', () => {
      const r = run(spike, [...burst(0, 2), ...burst(10, 10), final(60)]);
      assert.deepEqual(briefs(r.out), ['s +h@20=10', 's -h@30=0']);
      assert.equal(r.out[0]?.reference, 2);
      assert.equal(r.out[0]?.threshold, 6);
      assert.match(r.out[0]!.summary, /^spike: 10 events for host\.name=h in 10m vs reference 2/);
    });

    it('does not alert below the ratio', () => {
      assert.deepEqual(briefs(run(spike, [...burst(0, 4), ...burst(10, 10), final(60)]).out), []);
    });

    it('never alerts on 0 vs 0, even without floors and in both directions', () => {
      const noFloors = { ...spike, direction: 'both', min_current: 0, min_reference: 0 } as const;
      const r = run(noFloors, [...burst(0, 3), heartbeat(20), heartbeat(45), final(120)]);
      // 3 → 0 is a drop (no floor); 0 → 0 afterwards is nothing, and the silent key is forgotten.
      assert.deepEqual(briefs(r.out), ['s +h@20=0', 's -h@30=0']);
      assert.equal(r.engine.sizes(r.state).s, 0);
    });

    it('0 → 3 at night below min_current is no page; above it is', () => {
      const overall = { id: 's', type: 'spike', window: '10m', min_current: 5, alert_on_new_keys: true } as const;
      const night = [heartbeat(0), heartbeat(10), heartbeat(20), ...burst(30, 3), final(60)];
      assert.deepEqual(briefs(run(overall, night).out), []);
      const flood = [heartbeat(0), heartbeat(10), heartbeat(20), ...burst(30, 6), final(60)];
      assert.deepEqual(briefs(run(overall, flood).out), ['s +@40=6', 's -@50=0']);
    });

    it('detects drops with direction down only when the reference reaches min_reference', () => {
      const down = { ...spike, direction: 'down', min_reference: 8 } as const;
      const r = run(down, [
        ...burst(0, 10),
        ...burst(10, 10),
        ...burst(20, 2),
        ...burst(30, 6),
        ...burst(40, 1),
        final(60),
      ]);
      // 10 → 2 drops (2 ≤ 10/3); 2 → 6 rises; 6 → 1 is a drop but 6 < min_reference.
      assert.deepEqual(briefs(r.out), ['s +h@30=2', 's -h@40=6']);
      assert.match(r.out[0]!.summary, /^drop: 2 events/);
    });

    it('warms up per key: a new key’s first burst is its baseline', () => {
      const inputs = oldAndNewKeyBurst();
      const r = run(spike, inputs);
      assert.deepEqual(briefs(r.out), ['s +old@40=20', 's -old@50=0']);
      assert.deepEqual(r.late, []);
    });

    it('starts a key over after a silence longer than everything it reads, whatever the arrival order', () => {
      // 2 events in [0, 10), then a burst: after a 10m gap the key is still warm; after 30m it starts over.
      assert.deepEqual(briefs(run(spike, [...burst(0, 2), ...burst(20, 20), final(60)]).out), [
        's +h@30=20',
        's -h@40=0',
      ]);
      assert.deepEqual(briefs(run(spike, [...burst(0, 2), ...burst(40, 20), final(80)]).out), []);
      // The same data with the burst arriving early (within a 40m lateness) decides the same way.
      const early = [ev(40, { host: 'h' }), ...burst(0, 2), ...burst(40, 20).slice(1), final(80)];
      const r = run(spike, early, { allowedLateness: 40 * MIN });
      assert.deepEqual(r.late, []);
      assert.deepEqual(briefs(r.out), []);
    });

    it('with alert_on_new_keys, a key that never had events alerts once the rule itself is warm', () => {
      const inputs = oldAndNewKeyBurst();
      const r = run({ ...spike, alert_on_new_keys: true }, inputs);
      assert.deepEqual(briefs(r.out), ['s +new@40=20', 's +old@40=20', 's -new@50=0', 's -old@50=0']);
      // The rule itself starts cold: nothing can alert before two windows have been observed.
      const cold = run({ ...spike, alert_on_new_keys: true }, [...burst(0, 30, 'x'), ...burst(10, 30, 'y'), final(40)]);
      assert.deepEqual(briefs(cold.out), ['s +y@20=30', 's -y@30=0']);
    });

    it('warms up again after its key was evicted (its history is gone)', () => {
      const capped = { ...spike, alert_on_new_keys: true, max_keys: 1 };
      const inputs = [
        ...burst(0, 2, 'a'),
        ...burst(10, 2, 'a'),
        ...burst(15, 1, 'b', 1),
        ...burst(20, 20, 'a'),
        final(60),
      ];
      // b's arrival evicts a at minute 15; a's burst at 20 has no known history, so no alert.
      const r = run(capped, inputs);
      assert.deepEqual(briefs(r.out), []);
      assert.ok(r.state.totals.evicted >= 1);
    });

    it('counts late events that are within the allowed lateness', () => {
      const inputs = [...burst(0, 2), ...burst(10, 4), ev(20.5, { host: 'h' }), ...burst(19, 2, 'h', 1), final(60)];
      const r = run(spike, inputs, { allowedLateness: 2 * MIN });
      assert.deepEqual(briefs(r.out), ['s +h@20=6', 's -h@30=1']);
      assert.deepEqual(r.late, []);
    });
  });

  describe('robust baseline (median and MAD)', () => {
    const baseline = { ...spike, baseline: { method: 'median_mad', windows: 4, mads: 3 } } as const;
    const history = (): ClassifiedEvent[] => [...burst(0, 10), ...burst(10, 12), ...burst(20, 9), ...burst(30, 11)];

    it('computes median and a floored robust sigma', () => {
      assert.equal(median([11, 9, 12, 10]), 10.5);
      const { median: m, sigma } = robustSigma([11, 9, 12, 10]);
      assert.equal(m, 10.5);
      assert.equal(sigma, Math.sqrt(10.5));
      assert.equal(robustSigma([0, 0, 0]).sigma, 1);
    });

    it('alerts when the current window is more than `mads` robust sigmas above the median', () => {
      const r = run(baseline, [...history(), ...burst(40, 30), final(70)]);
      assert.deepEqual(briefs(r.out), ['s +h@50=30', 's -h@60=0']);
      assert.equal(r.out[0]?.reference, 10.5);
      assert.ok(Math.abs(r.out[0]!.threshold! - (10.5 + 3 * Math.sqrt(10.5))) < 1e-9);
    });

    it('does not alert inside the band', () => {
      assert.deepEqual(briefs(run(baseline, [...history(), ...burst(40, 18), final(50)]).out), []);
    });

    it('needs K reference windows of history before it alerts (per-key warm-up)', () => {
      const short = [...burst(0, 10), ...burst(10, 12), ...burst(20, 9), ...burst(30, 40), final(50)];
      assert.deepEqual(briefs(run(baseline, short).out), []);
    });
  });

  describe('hour_of_week seasonality', () => {
    const seasonal = {
      id: 's',
      type: 'spike',
      window: '1h',
      direction: 'both',
      min_current: 10,
      min_reference: 10,
      baseline: { method: 'median_mad', windows: 3, mads: 3, seasonality: 'hour_of_week', time_zone: 'Europe/Berlin' },
    } as const;

    /** Every day: 2 events at 08:xx and 40 at 09:xx Berlin time; `extra` adds 50 at 11:xx on one day. */
    function berlinDays(first: string, days: number, extra: string): ClassifiedEvent[] {
      const out: ClassifiedEvent[] = [];
      let line = 0;
      const add = (local: DateTime, n: number) => {
        for (let i = 0; i < n; i++)
          out.push(
            makeEvent({
              time: local.plus({ seconds: Math.floor((i * 3600) / n) }).toMillis(),
              position: { file: 'dst', line: ++line },
            }),
          );
      };
      const start = DateTime.fromISO(first, { zone: 'Europe/Berlin' });
      for (let d = 0; d < days; d++) {
        const day = start.plus({ days: d });
        add(day.set({ hour: 8 }), 2);
        add(day.set({ hour: 9 }), 40);
        if (day.toISODate() === extra) add(day.set({ hour: 11 }), 50);
      }
      return out;
    }

    const expectOnlyTheInjectedSpike = (first: string, days: number, spikeDay: string) => {
      const events = berlinDays(first, days, spikeDay);
      const end = DateTime.fromISO(first, { zone: 'Europe/Berlin' }).plus({ days }).toMillis();
      const r = run(seasonal, [...events, { type: 'tick', time: end, final: true }]);
      const local = (ms: number) => DateTime.fromMillis(ms, { zone: 'Europe/Berlin' }).toFormat('yyyy-MM-dd HH:mm');
      assert.deepEqual(
        r.out.map((d) => `${d.active ? '+' : '-'}${local(d.time)}=${d.value} ref ${d.reference}`),
        [`+${spikeDay} 12:00=50 ref 0`, `-${spikeDay} 13:00=0 ref 0`],
      );
    };

    it('stays aligned to local hours across the spring DST change (last Sunday of March)', () => {
      // 2024-03-31 02:00 CET → 03:00 CEST. 09:00 local moves from 08:00 to 07:00 UTC; a UTC hour-of-week
      // baseline would call it a spike (and 10:00 local a drop).
      expectOnlyTheInjectedSpike('2024-03-04', 30, '2024-04-02');
    });

    it('stays aligned to local hours across the autumn DST change (last Sunday of October)', () => {
      expectOnlyTheInjectedSpike('2024-10-07', 23, '2024-10-29');
    });

    it('rejects a window that does not divide an hour', () => {
      assert.throws(() => run({ ...seasonal, window: '90m' }, []), /divides 1h/);
    });
  });
});
