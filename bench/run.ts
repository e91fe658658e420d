// Runs every benchmark in turn; each prints its own figures and ratios against a same-process baseline.
import { benchClassify } from './classify.js';

const lines = Number(process.env.NPSWATCH_BENCH_LINES ?? 1_000_000);
await benchClassify(lines);
