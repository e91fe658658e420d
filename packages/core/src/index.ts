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
export type {
  ClassifiedEvent,
  Correlation,
  CorrelationMatch,
  CorrelationPartner,
  Outcome,
  RadiusContext,
  RecordKind,
} from './classify/types.js';
// Correlation of extension events with Security 6272/6273 and accounting records
export {
  type CorrelationFinding,
  type CorrelationFindingId,
  correlationFindings,
  isUnexplainedNpsReject,
  isUnloggedExtensionReject,
} from './correlate/findings.js';
export { hostKey, type Role as CorrelateRole, roleOf as correlateRole } from './correlate/match.js';
export { type CorrelateOperatorOptions, correlate } from './correlate/operator.js';
export {
  CORRELATE_DEFAULTS,
  type CorrelateCounts,
  type CorrelateOptions,
  type CorrelateState,
  type CorrelateStateJSON,
  type CorrelateStep,
  correlateFlush,
  correlateHoldback,
  correlateSize,
  correlateStateFromJSON,
  correlateStateToJSON,
  correlateStep,
  initCorrelate,
  type ResolvedCorrelateOptions,
  resolveCorrelateOptions,
} from './correlate/step.js';
// Diagnosis (`npswatch doctor`)
export {
  addToDiagnosis,
  createDiagnosis,
  type DiagnosisState,
  type DoctorEvidence,
  type DoctorExample,
  type DoctorFinding,
  type DoctorFindingId,
  type DoctorSeverity,
  diagnose,
  diagnosisFindings,
  worseSeverity,
  worstSeverity,
} from './doctor/diagnose.js';
// ElastAlert 2 import
export {
  ElastAlertImportError,
  isElastAlertImportError,
  type RefusalCode,
} from './elastalert/errors.js';
export {
  type ImportResult as ElastAlertImportResult,
  importElastAlertRule,
  reportLines,
  ruleId,
} from './elastalert/import.js';
export { orderRule, ruleFileText } from './elastalert/render.js';
export { formatImportNote, type ImportNote, type ImportNoteKind } from './elastalert/report.js';
export type { ImportOptions as ElastAlertImportOptions } from './elastalert/ruletypes.js';
export { NotifyEngine } from './notify/engine.js';
export { alertFingerprint } from './notify/match.js';
// Notification policy
export {
  type AlertMatchers,
  compileNotifyPolicies,
  type InhibitRule,
  NotifyConfigError,
  type NotifyGlobalInput,
  NotifyGlobalSchema,
  type NotifyOptions,
  type NotifyOptionsInput,
  NotifyOptionsSchema,
  type NotifyPolicies,
  type RulePolicy,
  type Silence,
} from './notify/options.js';
export {
  type InputCheckpoint,
  loadState,
  type SavedState,
  type SavedStateInput,
  type SaveStateOptions,
  STATE_FILE_VERSION,
  StateFileError,
  type StateFileErrorCode,
  saveState,
} from './notify/persist.js';
export { notifyDrain, notifyStep } from './notify/policy.js';
export { type AlertJsonOptions, alertToJson } from './notify/render.js';
export { emptyNotifyState, type NotifyState } from './notify/state.js';
export { createTelemetry, type Telemetry, type TelemetryOptions } from './notify/telemetry.js';
export type {
  NotifyAlert,
  NotifyInput,
  NotifyStepResult,
  NotifyTick,
  Suppression,
  SuppressReason,
} from './notify/types.js';
export { type FollowOptions, type FollowPosition, follow } from './parse/follow.js';
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
export { winlogbeatRecord } from './parse/winlogbeat.js';
export {
  createDetector,
  type Detector,
  type DetectorOptions,
  type DetectorOutput,
  type DetectorSnapshot,
  detectAlerts,
} from './pipeline.js';
export {
  type ExtensionChannel,
  isExtensionChannel,
  isExtensionProvider,
  normalizeChannel,
  normalizeLevel,
} from './record/channel.js';
export { inPartition, type Partition, parsePartition, partitionOf } from './record/partition.js';
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
export { BUILTIN_RULES_PATH, loadBuiltinRules } from './rules/builtin.js';
export type { CompatOptions } from './rules/compat/options.js';
export { RULE_DEFAULTS } from './rules/defaults.js';
export {
  compileFilter,
  type EventPredicate,
  type FieldCondition,
  FilterSchema,
  type FilterSpec,
} from './rules/filter.js';
export { formatRuleIssue, loadRules, parseRules, RuleFileError, type RuleIssue } from './rules/load.js';
export { RULE_TYPES } from './rules/registry.js';
export { compareDetections, type RuleInput, type RuleRuntime, type RuleStepResult } from './rules/rule.js';
export {
  compileRule,
  type RuleConfig,
  type RuleConfigInput,
  RuleFileSchema,
  RuleSchema,
  ruleFileJsonSchema,
} from './rules/schema.js';
// Detection rules and the engine
export type { Alert, Detection, RuleType } from './rules/types.js';
export { samplesDirectory } from './samples.js';
export {
  createEngine,
  type Engine,
  type EngineCounts,
  type EngineOptions,
  type EngineState,
  type EngineStateJSON,
  type EngineStep,
} from './stream/engine.js';
export { type EngineInput, isTick, type Tick, tick } from './stream/input.js';
export { type DetectOptions, detect } from './stream/operators/detect.js';
export { eventTimeWindows } from './stream/operators/eventTimeWindows.js';
export { idleAdvance } from './stream/operators/idleAdvance.js';
export { type NotifyOperatorOptions, notify } from './stream/operators/notify.js';
export {
  type ClosedWindow,
  initWindows,
  type LateEvent,
  type WindowOptions,
  type WindowOutput,
  type WindowState,
  windowStep,
} from './stream/windows.js';
export {
  addToCodeSummary,
  addToSummary,
  type CodeSetCaps,
  type CodeSummary,
  codesByImpact,
  createSummary,
  type Summary,
} from './summary.js';
export { SYNTHETIC_SAMPLE } from './testing/synthetic-file.js';
export { DurationError, formatDuration, parseDuration } from './time/duration.js';
// Time
export {
  assertTimeZone,
  formatInZone,
  formatIso,
  parseLocalTime,
  parseTimestamp,
  zoneOffset,
} from './time/parse.js';
export { VERSION } from './version.js';
