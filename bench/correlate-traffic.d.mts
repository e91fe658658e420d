import type { NpsRecord } from '@npswatch/core';

export interface TrafficOptions {
  readonly requests: number;
  readonly perHour?: number;
  readonly users?: number;
  readonly servers?: number;
  readonly failRate?: number;
  readonly seed?: number;
  readonly start?: number;
  readonly chunk?: number;
}

export function trafficChunks(options: TrafficOptions): Generator<NpsRecord[]>;
