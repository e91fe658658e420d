// Public API of @npswatch/splunk-app.

export { APP_ID, type AppOptions, appFiles, CHANNELS, packageApp } from './app/build.js';

export {
  ALERT_SOURCETYPE,
  type AlertEnvelopeOptions,
  alertDocumentEnvelope,
  alertEnvelope,
  documentEnvelope,
  type EnvelopeDefaults,
  EVENT_SOURCETYPE,
  type EventEnvelopeOptions,
  ecsDocumentEnvelope,
  eventEnvelope,
  type HecEnvelope,
  type HecFields,
  hecTime,
  serializeEnvelope,
  serializeRaw,
} from './hec/envelope.js';
export { HecError, type HecErrorCode, type HecErrorDetails, isHecError } from './hec/errors.js';
export {
  type HecAckOptions,
  type HecBatchOptions,
  HecSink,
  type HecSinkOptions,
  type HecSinkState,
  type HecSinkStats,
  type HecTimers,
} from './hec/sink.js';
export {
  backoffDelay,
  collectorBase,
  type HecHealth,
  type HecPost,
  type HecReply,
  type HecRetryOptions,
  type HecTlsOptions,
  HecTransport,
  type HecTransportOptions,
  type HecTransportStats,
  parseRetryAfter,
} from './hec/transport.js';
export { CODE_LOOKUP_FIELDS, csvField, renderCodeLookupCsv } from './lookup.js';
