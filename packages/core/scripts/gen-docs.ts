// Regenerates files generated from code: docs/catalog.md (from the catalog) and the synthetic sample day.
// Run with `npm run docs`; unit tests fail when either is stale.
import { writeFileSync } from 'node:fs';
import { renderCatalogMarkdown } from '../src/docs/catalog-md.js';
import { renderSyntheticSample, SYNTHETIC_SAMPLE } from '../src/testing/synthetic-file.js';

writeFileSync(new URL('../../../docs/catalog.md', import.meta.url), renderCatalogMarkdown());
writeFileSync(new URL(`../samples/${SYNTHETIC_SAMPLE}`, import.meta.url), renderSyntheticSample());
console.log(`docs/catalog.md and samples/${SYNTHETIC_SAMPLE} written`);
