// Public API of @npswatch/splunk-app.
export { CODE_LOOKUP_FIELDS, csvField, renderCodeLookupCsv } from './lookup.js';
