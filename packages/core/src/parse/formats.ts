import type { FormatDefinition, FormatId } from '../record/types.js';
import { ACCOUNTING_FORMATS } from './formats-accounting.js';
import { WINDOWS_FORMATS } from './formats-windows.js';
import { GENERIC_JSON_FORMAT } from './generic-json.js';
import { MESSAGE_FORMAT } from './message.js';
import { NPSWATCH_FORMAT } from './npswatch-json.js';

/** Every built-in format in detection order: npswatch's own output, structured formats, plain message text last. */
export const FORMATS: readonly FormatDefinition[] = [
  NPSWATCH_FORMAT,
  ...WINDOWS_FORMATS,
  ...ACCOUNTING_FORMATS,
  MESSAGE_FORMAT,
  GENERIC_JSON_FORMAT,
];

export function formatById(id: FormatId): FormatDefinition {
  const found = FORMATS.find((f) => f.id === id);
  if (!found) throw new RangeError(`unknown format "${id}"; known: ${FORMATS.map((f) => f.id).join(', ')}`);
  return found;
}

/** Ids of every built-in format, for CLI choices. */
export const FORMAT_IDS: readonly FormatId[] = FORMATS.map((f) => f.id);
