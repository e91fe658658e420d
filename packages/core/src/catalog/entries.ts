import { ADMIN_ENTRIES } from './entries-admin.js';
import { LOG_ENTRIES } from './entries-log.js';
import { SUPPORT_ENTRIES } from './entries-support.js';
import { USER_ENTRIES } from './entries-user.js';
import type { CatalogEntry } from './types.js';

/** Every error code the classifier knows: the single source of truth, in the order of Microsoft's page. */
export const CATALOG: readonly CatalogEntry[] = Object.freeze(
  [...ADMIN_ENTRIES, ...USER_ENTRIES, ...SUPPORT_ENTRIES, ...LOG_ENTRIES].map((entry) => Object.freeze(entry)),
);
