// Regenerates docs generated from code (the catalog). Run with `npm run docs`; a unit test fails when stale.
import { writeFileSync } from 'node:fs';
import { renderCatalogMarkdown } from '../src/docs/catalog-md.js';

writeFileSync(new URL('../../../docs/catalog.md', import.meta.url), renderCatalogMarkdown());
console.log('docs/catalog.md written');
