// @npswatch/core/testing: helpers for users' own tests and benchmarks (renderers, synthetic traffic, factories).

export { makeEvent } from './events.js';
export { renderDts, renderIas, renderOdbc } from './render-accounting.js';
export {
  renderGetWinEventList,
  renderSplunkWinEventLog,
  renderWevtutilText,
  renderWindowsXml,
  renderWinlogbeat,
  renderXmlWinEventLog,
} from './render-windows.js';
export { type SyntheticOptions, syntheticDay } from './synthetic.js';
export { renderSyntheticSample, SYNTHETIC_SAMPLE } from './synthetic-file.js';
