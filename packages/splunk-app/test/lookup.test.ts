import assert from 'node:assert/strict';
import { catalogEntries, lookupEntry } from '@npswatch/core';
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
  it('has a header and one row per catalog entry, read back field for field, keyed by entry id', () => {
    const rows = parseCsv(renderCodeLookupCsv());
    assert.deepEqual(rows[0], [...CODE_LOOKUP_FIELDS]);
    const entries = catalogEntries();
    entries.forEach((e, i) => {
      const row = rows[i + 1]!;
      assert.deepEqual(row.slice(0, 5), [e.code, e.id, e.category, e.severity, e.audience]);
      assert.equal(row[7], e.remediation.en.join(' | '));
      assert.equal(row[9], e.id);
    });
  });

  it("after the entries, a row per code or alias that is no entry id: the code's entry when no variant matches", () => {
    const rows = parseCsv(renderCodeLookupCsv()).slice(1);
    const keys = rows.map((r) => r[9]!);
    assert.equal(new Set(keys).size, keys.length, 'lookup keys are unique');
    const codes = new Set(catalogEntries().flatMap((e) => [e.code, ...(e.aliases ?? [])]));
    for (const code of codes) {
      const row = rows.find((r) => r[9] === code);
      assert.ok(row, `a row for ${code}`);
      assert.equal(row[1], lookupEntry(code)!.id, code);
    }
    // The two meanings of OathCodePinIncorrect: the code alone is the support-required one, as npswatch decides.
    assert.equal(rows.find((r) => r[9] === 'OathCodePinIncorrect')![1], 'OathCodePinIncorrect.support');
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
