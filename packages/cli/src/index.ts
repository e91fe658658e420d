export { main } from './main.js';
export { EXIT, UsageError } from './errors.js';
export type { Io } from './io.js';
