import { hostKey } from '../correlate/match.js';

/**
 * One npswatch instance's share of the NPS servers, written `K/N` (the K-th of N, from 1). Instances that split a
 * deployment this way each run the whole rule pack on their servers' records; an NPS server's extension events,
 * Security events and accounting records all land in the same instance, so per-server rules and correlation stay
 * exact (docs/rules.md, "Scaling out").
 */
export interface Partition {
  /** 1 … count. */
  readonly index: number;
  readonly count: number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * The partition (0-based) of an NPS server out of `count`: FNV-1a (32 bit) of its host key, so every spelling of
 * one server (`NPS01`, `nps01.contoso.com`) lands in the same one, on every machine and in every version. Records
 * that name no server go to the first partition.
 */
export function partitionOf(host: string | undefined, count: number): number {
  const key = hostKey(host);
  if (key === '' || count <= 1) return 0;
  let h = FNV_OFFSET;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return (h >>> 0) % count;
}

/** Whether a record of `host` belongs to `partition`. */
export function inPartition(host: string | undefined, partition: Partition): boolean {
  return partitionOf(host, partition.count) === partition.index - 1;
}

/** `K/N` → a partition; throws a RangeError that says what is wrong. */
export function parsePartition(text: string): Partition {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (m === null) throw new RangeError(`expected a partition as K/N (e.g. 2/4), got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 1024) throw new RangeError(`the number of partitions must be 1 to 1024, got ${count}`);
  if (index < 1 || index > count) throw new RangeError(`the partition must be 1 to ${count}, got ${index}`);
  return { index, count };
}
