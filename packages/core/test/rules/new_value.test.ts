import assert from 'node:assert/strict';
import { briefs, ev, final, heartbeat, MIN, run } from './helpers.js';

const unknown = {
  id: 'nv',
  type: 'new_value',
  fields: ['code'],
  lookback: '60m',
} as const;

describe('new_value rule', () => {
  it('detects a value not seen within lookback, once', () => {
    const r = run(unknown, [
      ev(0, { code: 'A' }),
      ev(10, { code: 'A' }),
      ev(20, { code: 'B' }),
      ev(80, { code: 'A' }),
      ev(85, { code: 'B' }),
      final(100),
    ]);
    // A at 80 was last seen at 10 (70m ago): new again. B at 85 was seen at 20 (65m ago): new again.
    assert.deepEqual(briefs(r.out), ['nv +A@0=1', 'nv +B@20=1', 'nv +A@80=1', 'nv +B@85=1']);
    assert.deepEqual(r.out[0]?.keyFields, { 'npswatch.code': 'A' });
    assert.equal(r.out[0]?.windowStart, r.out[0]?.windowEnd);
    assert.match(r.out[0]!.summary, /new value npswatch\.code=A \(not seen in the last 1h\)/);
  });

  it('is decided in event order once final, whatever the arrival order within lateness', () => {
    const a = ev(5, { code: 'A' });
    const b = ev(3, { code: 'A' });
    const r = run(unknown, [a, b, final(10)], { allowedLateness: 5 * MIN });
    assert.deepEqual(briefs(r.out), ['nv +A@3=1']);
    assert.equal(r.out[0]?.sample[0], b);
  });

  it('keeps values apart per group key', () => {
    const r = run({ ...unknown, group_by: ['host'] }, [
      ev(0, { code: 'A', host: 'n1' }),
      ev(1, { code: 'A', host: 'n2' }),
      ev(2, { code: 'A', host: 'n1' }),
      final(10),
    ]);
    assert.deepEqual(briefs(r.out), ['nv +n1|A@0=1', 'nv +n2|A@1=1']);
  });

  it('learns silently during warmup', () => {
    const r = run({ ...unknown, warmup: '30m' }, [
      ev(0, { code: 'A' }),
      ev(20, { code: 'B' }),
      ev(40, { code: 'C' }),
      ev(50, { code: 'B' }),
      final(60),
    ]);
    assert.deepEqual(briefs(r.out), ['nv +C@40=1']);
  });

  it('expires stored values after lookback (bounded store)', () => {
    const events = Array.from({ length: 50 }, (_, i) => ev(i, { code: `C${i}` }));
    const r = run(unknown, [...events, heartbeat(500)]);
    assert.equal(r.out.length, 50);
    assert.equal(r.engine.sizes(r.state).nv, 0);
  });

  it('caps the store with max_keys, counting evictions', () => {
    const r = run({ ...unknown, max_keys: 10 }, [
      ...Array.from({ length: 30 }, (_, i) => ev(i, { code: `C${i}` })),
      final(40),
    ]);
    assert.ok(r.engine.sizes(r.state).nv! <= 10);
    assert.ok(r.state.totals.evicted > 0);
  });

  it('ignores events without the field', () => {
    assert.deepEqual(briefs(run(unknown, [ev(0), final(10)]).out), []);
  });
});
