import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderCatalogMarkdown } from '../src/docs/catalog-md.js';
import { renderSyntheticSample, SYNTHETIC_SAMPLE } from '../src/testing/synthetic-file.js';

describe('generated files (run `npm run docs` after changing their sources)', () => {
  it('docs/catalog.md is current', () => {
    const committed = readFileSync(new URL('../../../docs/catalog.md', import.meta.url), 'utf8');
    assert.equal(committed, renderCatalogMarkdown());
  });

  it(`samples/${SYNTHETIC_SAMPLE} is current`, () => {
    const committed = readFileSync(new URL(`../samples/${SYNTHETIC_SAMPLE}`, import.meta.url), 'utf8');
    assert.equal(committed, renderSyntheticSample());
  });
});
