// Public API of @npswatch/core. Everything exported is named here; modules not listed are internal.

export {
  catalogEntries,
  entriesForCode,
  entryById,
  entryFromMessage,
  explainEntry,
  lookupEntry,
} from './catalog/lookup.js';
export { NPS_REASON_CODES } from './catalog/reasons.js';
// Catalog
export type {
  Audience,
  CatalogCategory,
  CatalogEntry,
  CatalogGroup,
  Category,
  DetectionId,
  Lang,
  LocalizedSteps,
  LocalizedText,
  Severity,
} from './catalog/types.js';
export { classify, recordKind } from './classify/classify.js';
export { type EcsOptions, toEcs } from './classify/ecs.js';
export {
  FIELD_ALIASES,
  FIELD_GETTERS,
  type FieldGetter,
  type FieldValue,
  fieldGetter,
  resolveField,
} from './classify/fields.js';
export { type MessageShape, type ParsedMessage, parseMessage } from './classify/message.js';
// Classification
export type { ClassifiedEvent, Outcome, RadiusContext, RecordKind } from './classify/types.js';
export { FORMAT_IDS, FORMATS, formatById } from './parse/formats.js';
export {
  detectFormat,
  type InputSource,
  parseText,
  type ReadBatch,
  type ReadOptions,
  readBatches,
} from './parse/input.js';
export { securityFieldsFromMessage } from './parse/security-message.js';
export { isExtensionChannel, isExtensionProvider, normalizeChannel, normalizeLevel } from './record/channel.js';
// Records and formats
export type {
  FormatDefinition,
  FormatId,
  NpsRecord,
  ParseContext,
  ParseIssue,
  ParseSink,
  RecordParser,
  SourcePosition,
} from './record/types.js';
export { parseUser, type UserRef, userKey } from './record/user.js';
export { samplesDirectory } from './samples.js';
export { addToSummary, type CodeSummary, codesByImpact, createSummary, type Summary } from './summary.js';

// Time
export { assertTimeZone, formatInZone, formatIso, parseLocalTime, parseTimestamp } from './time/parse.js';
export { VERSION } from './version.js';
