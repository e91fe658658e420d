import assert from 'node:assert/strict';
import { briefs, ev, final, MIN, run } from './helpers.js';

const config = {
  id: 'cfg',
  type: 'any',
  filter: { code: ['REGISTRY_CONFIG_ERROR', 'CLIENT_CERT_INSTALL_ERROR'] },
  group_by: ['host'],
} as const;

describe('any rule', () => {
  it('emits every matching event at its own time, once the watermark passed it', () => {
    const r = run(config, [
      ev(0, { host: 'n1', code: 'REGISTRY_CONFIG_ERROR' }),
      ev(1, { host: 'n1', code: 'X' }),
      ev(2, { host: 'n2', code: 'CLIENT_CERT_INSTALL_ERROR' }),
      final(2),
    ]);
    assert.deepEqual(briefs(r.out), ['cfg +n1@0=1', 'cfg +n2@2=1']);
    assert.equal(r.out[0]?.summary, 'REGISTRY_CONFIG_ERROR for host.name=n1');
    assert.deepEqual(r.out[0]?.codes, ['REGISTRY_CONFIG_ERROR']);
  });

  it('holds an event until no earlier one can arrive, so arrival order never changes the output', () => {
    const a = ev(3, { host: 'n1', code: 'REGISTRY_CONFIG_ERROR' });
    const b = ev(2, { host: 'n1', code: 'REGISTRY_CONFIG_ERROR' });
    const one = run(config, [a, b, final(10)], { allowedLateness: 5 * MIN });
    const two = run(config, [b, a, final(10)], { allowedLateness: 5 * MIN });
    assert.deepEqual(briefs(one.out), ['cfg +n1@2=1', 'cfg +n1@3=1']);
    assert.deepEqual(one.out, two.out);
  });

  it('reports events beyond the lateness as late instead of dropping them', () => {
    const old = ev(0, { host: 'n1', code: 'REGISTRY_CONFIG_ERROR' });
    const r = run(config, [ev(10, { host: 'n1', code: 'X' }), old, final(20)]);
    assert.deepEqual(r.out, []);
    assert.deepEqual(r.late, [old]);
  });
});
