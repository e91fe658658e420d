import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTimestamp } from '../../src/time/parse.js';

describe('parseTimestamp', () => {
  it('reads Windows 7-digit UTC times exactly as Date.parse reads them at millisecond precision', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date(0), max: new Date(Date.UTC(2099, 0, 1)), noInvalidDate: true }),
        fc.integer({ min: 0, max: 9999999 }),
        fc.integer({ min: 0, max: 7 }),
        (d, frac, digits) => {
          const base = d.toISOString().slice(0, 19);
          const f = digits ? `.${String(frac).padStart(7, '0').slice(0, digits)}` : '';
          const s = `${base}${f}Z`;
          const want = Date.parse(`${base}${f ? `.${(`${f.slice(1)}000`).slice(0, 3)}` : ''}Z`);
          assert.equal(parseTimestamp(s), want, s);
        },
      ),
      { numRuns: 5000 },
    );
    assert.equal(parseTimestamp('2024-02-29T23:59:59.9999999Z'), Date.UTC(2024, 1, 29, 23, 59, 59, 999));
  });
});
