// Runs every benchmark in turn; each prints its own figures and ratios against a same-process baseline.
import { benchClassify } from './classify.js';
import { benchEngine, engineOptions } from './engine.js';

const arg = process.argv.indexOf('--lines');
const lines = arg >= 0 ? Number(process.argv[arg + 1]) : 1_000_000;
await benchClassify(lines);
// --events, --part, --rounds, ... as for bench/engine.ts.
await benchEngine(engineOptions(process.argv.slice(2)));
