import assert from 'node:assert/strict';
import fc from 'fast-check';
import { inPartition, parsePartition, partitionOf } from '../src/record/partition.js';

describe('partitions by NPS server', () => {
  it('puts every spelling of one server in the same partition, and keeps assignments stable across versions', () => {
    assert.equal(partitionOf('NPS01', 4), partitionOf('nps01.contoso.com', 4));
    assert.equal(partitionOf(' NPS01.CONTOSO.COM ', 4), partitionOf('nps01', 4));
    // Pinned: a change of hash would move servers between running instances on upgrade.
    assert.deepEqual(
      ['NPS01', 'NPS02.contoso.com', 'NPS03', '10.0.0.5'].map((h) => partitionOf(h, 4)),
      [3, 2, 1, 1],
    );
    assert.equal(partitionOf(undefined, 4), 0, 'records that name no server go to the first partition');
    assert.equal(partitionOf('-', 4), 0);
    assert.equal(partitionOf('NPS01', 1), 0);
  });

  it('gives every server exactly one of the N partitions', () => {
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: undefined }), fc.integer({ min: 1, max: 64 }), (host, count) => {
        const owners = Array.from({ length: count }, (_, i) => inPartition(host, { index: i + 1, count }));
        assert.equal(owners.filter(Boolean).length, 1);
        const p = partitionOf(host, count);
        assert.ok(p >= 0 && p < count);
      }),
    );
  });

  it('reads K/N and says what is wrong with a bad one', () => {
    assert.deepEqual(parsePartition('2/4'), { index: 2, count: 4 });
    assert.deepEqual(parsePartition(' 1 / 1 '), { index: 1, count: 1 });
    assert.throws(() => parsePartition('2of4'), /expected a partition as K\/N \(e\.g\. 2\/4\), got "2of4"/);
    assert.throws(() => parsePartition('5/4'), /the partition must be 1 to 4, got 5/);
    assert.throws(() => parsePartition('0/4'), /the partition must be 1 to 4, got 0/);
    assert.throws(() => parsePartition('1/0'), /the number of partitions must be 1 to 1024, got 0/);
  });
});
