import { renderWinlogbeat } from './render-windows.js';
import { syntheticDay } from './synthetic.js';

/** Path of the synthetic day under the samples directory. */
export const SYNTHETIC_SAMPLE = 'synthetic/nps-day.winlogbeat.ndjson';

/** The bundled synthetic day as Winlogbeat NDJSON (what `npm run docs` writes). */
export function renderSyntheticSample(): string {
  return `${syntheticDay().map(renderWinlogbeat).join('\n')}\n`;
}
