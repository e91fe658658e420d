import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderCatalogMarkdown } from '../src/docs/catalog-md.js';

describe('generated docs', () => {
  it('docs/catalog.md is current (run `npm run docs` after changing the catalog)', () => {
    const committed = readFileSync(new URL('../../../docs/catalog.md', import.meta.url), 'utf8');
    assert.equal(committed, renderCatalogMarkdown());
  });
});
