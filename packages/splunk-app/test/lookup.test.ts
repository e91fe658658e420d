import assert from 'node:assert/strict';
import { catalogEntries } from '@npswatch/core';
import fc from 'fast-check';
import { CODE_LOOKUP_FIELDS, csvField, renderCodeLookupCsv } from '../src/lookup.js';

/** A small RFC 4180 reader, independent of the writer, to check what Splunk would read back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  return rows;
}

describe('code lookup CSV', () => {
  it('has a header and one row per catalog entry, read back field for field', () => {
    const rows = parseCsv(renderCodeLookupCsv());
    assert.deepEqual(rows[0], [...CODE_LOOKUP_FIELDS]);
    const entries = catalogEntries();
    assert.equal(rows.length - 1, entries.length);
    entries.forEach((e, i) => {
      const row = rows[i + 1]!;
      assert.deepEqual(row.slice(0, 5), [e.code, e.id, e.category, e.severity, e.audience]);
      assert.equal(row[7], e.remediation.en.join(' | '));
    });
  });

  it('writes Korean text when asked', () => {
    assert.match(renderCodeLookupCsv('ko'), /[가-힣]/);
  });

  it('quotes any value so it reads back unchanged', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), (values) => {
        const text = `${values.map(csvField).join(',')}\n`;
        assert.deepEqual(parseCsv(text)[0], values);
      }),
    );
  });
});
