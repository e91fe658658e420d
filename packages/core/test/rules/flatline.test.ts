import assert from 'node:assert/strict';
import { briefs, ev, final, heartbeat, MIN, run } from './helpers.js';

const silent = {
  id: 'f',
  type: 'flatline',
  window: '10m',
  group_by: ['host'],
  min_count: 1,
  forget_after: '30m',
} as const;

describe('flatline rule', () => {
  it('alerts for a learned key that went silent, every window, and forgets it after forget_after', () => {
    const r = run(silent, [ev(1, { host: 'n1' }), ev(5, { host: 'n1' }), ev(12, { host: 'n1' }), final(70)]);
    // Observation starts at the first whole window (10); [10, 20) has traffic; silent from 20; last seen at 12,
    // so the window ending 50 is more than 30m after it: the key is resolved and no longer expected.
    assert.deepEqual(briefs(r.out), ['f +n1@30=0', 'f +n1@40=0', 'f -n1@50=0']);
    assert.match(r.out[2]!.summary, /no longer expected/);
    assert.equal(r.engine.sizes(r.state).f, 0);
  });

  it('alerts for expected keys that never appeared', () => {
    const r = run({ ...silent, expected_keys: ['n2'] }, [
      ev(1, { host: 'n1' }),
      ev(15, { host: 'n1' }),
      ev(25, { host: 'n1' }),
      final(40),
    ]);
    // n1 was seen and last logged at 25: [30, 40) is silent for it too.
    assert.deepEqual(briefs(r.out), ['f +n2@20=0', 'f +n2@30=0', 'f +n1@40=0', 'f +n2@40=0']);
    assert.deepEqual(r.out[0]?.keyFields, { 'host.name': 'n2' });
  });

  it('keeps expected keys forever, however long they are silent', () => {
    const r = run({ ...silent, expected_keys: ['n2'] }, [heartbeat(0), final(100)]);
    assert.equal(r.out.length, 10);
    assert.ok(r.out.every((d) => d.active && d.key === 'n2'));
  });

  it('accepts expected keys for compound group_by as field maps, by alias or path', () => {
    const rule = {
      ...silent,
      group_by: ['host', 'channel'],
      expected_keys: [{ host: 'n1', 'winlog.channel': 'AuthZOptCh' }],
    };
    const r = run(rule, [heartbeat(0), ev(3, { host: 'n1', channel: 'AuthZOptCh' }), final(20)]);
    // Seen in [0, 10): fine; silent in [10, 20).
    assert.deepEqual(briefs(r.out), ['f +n1|AuthZOptCh@20=0']);
    assert.throws(() => run({ ...silent, group_by: ['host', 'channel'], expected_keys: ['n1'] }, []), /field: value/);
    assert.throws(() => run({ ...silent, group_by: [], expected_keys: ['n1'] }, []), /needs group_by/);
  });

  it('resolves when traffic returns', () => {
    const r = run(silent, [ev(10, { host: 'n1' }), heartbeat(25), ev(35, { host: 'n1' }), final(40)]);
    assert.deepEqual(briefs(r.out), ['f +n1@30=0', 'f -n1@40=1']);
    assert.match(r.out[1]!.summary, /traffic again/);
  });

  it('treats the ungrouped rule as one always-expected key', () => {
    const r = run({ id: 'f', type: 'flatline', window: '10m', min_count: 3 }, [ev(0), ev(1), ev(2), ev(11), final(30)]);
    assert.deepEqual(briefs(r.out), ['f +@20=1', 'f +@30=0']);
  });

  it('does not judge the partial window before the first input', () => {
    // First input at minute 4: [0, 10) was only partly observed and must not count as silent.
    const r = run({ ...silent, expected_keys: ['n2'] }, [ev(4, { host: 'n1' }), final(20)]);
    assert.deepEqual(briefs(r.out), ['f +n1@20=0', 'f +n2@20=0']);
  });

  it('counts events within the allowed lateness and fires on ticks alone', () => {
    const r = run(silent, [ev(10, { host: 'n1' }), ev(21, { host: 'n1' }), ev(19, { host: 'n1' }), heartbeat(45)], {
      allowedLateness: 5 * MIN,
    });
    // Watermark 40: windows [10,20) and [20,30) are closed, both had traffic; nothing yet for [30,40).
    assert.deepEqual(briefs(r.out), []);
    const later = r.engine.step(r.state, heartbeat(46));
    assert.deepEqual(briefs(later.out), ['f +n1@40=0']);
  });
});
