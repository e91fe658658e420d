import type { FormatDefinition } from '../record/types.js';
import { DTS_FORMAT } from './dts.js';
import { IAS_FORMAT } from './ias.js';
import { ODBC_FORMAT } from './odbc.js';

/** The NPS accounting log formats. Their sniffers are mutually exclusive, so order does not matter. */
export const ACCOUNTING_FORMATS: readonly FormatDefinition[] = [DTS_FORMAT, ODBC_FORMAT, IAS_FORMAT];
