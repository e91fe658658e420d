// Public API of @npswatch/elastic-plugin.
export { eventMappings } from './templates.js';
