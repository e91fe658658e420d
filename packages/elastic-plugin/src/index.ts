// Public API of @npswatch/elastic-plugin.
export { type Artifact, type ArtifactOptions, elasticArtifacts } from './artifacts/index.js';
export { ALERTS_VIEW, EVENTS_VIEW, type SavedObject, savedObjects, savedObjectsNdjson } from './artifacts/kibana.js';
export {
  classifyScript,
  codeLookup,
  type EntryFacts,
  GROK_DEFINITIONS,
  GROK_PATTERNS,
  ingestPipeline,
  PIPELINE_ID,
  painlessRegex,
} from './artifacts/pipeline.js';
export { fieldPath, filterQuery, queryFields, regexpQuery } from './artifacts/query.js';
export { type Equivalence, type KibanaRule, kibanaDuration, kibanaRules } from './artifacts/rules.js';
export {
  connectElastic,
  type ElasticConnection,
  type ElasticConnectionOptions,
  parseElasticUrl,
  type ServerInfo,
  serverInfo,
} from './client.js';
export { checkpointFromJSON, checkpointKey, checkpointToJSON, type ElasticCheckpoint } from './cursor.js';
export {
  type ElasticAuth,
  ElasticError,
  type ElasticErrorCode,
  type ElasticErrorDetails,
  isElasticError,
  scrub,
  secretsOf,
} from './errors.js';
export { ALERTS_INDEX, DEAD_LETTER_INDEX, dailyEventIndex, EVENTS_DATA_STREAM, eventDocumentId } from './ids.js';
export { type IndexIntoOptions, indexInto } from './rx.js';
export {
  capabilitiesOf,
  type EventsAs,
  RESOURCES,
  type Resource,
  type ResourceKind,
  type SetupAction,
  type SetupOptions,
  type SetupResult,
  setup,
  setupResources,
} from './setup.js';
export {
  backoffDelay,
  createElasticSink,
  type DeadLetter,
  type DeadLetterTarget,
  type ElasticSink,
  type ElasticSinkOptions,
  type ElasticSinkStats,
  isAlert,
  parseRetryAfter,
  type SinkClock,
  type SinkInput,
  type SinkTimers,
} from './sink.js';
export { type ElasticSourceOptions, type ElasticSourcePage, readElastic } from './source.js';
export { alertMappings, deadLetterMappings, eventMappings, type MappingCapabilities } from './templates.js';
