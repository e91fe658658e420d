import assert from 'node:assert/strict';
import { compileFilter, FilterSchema, type FilterSpec } from '../../src/rules/filter.js';
import { makeEvent } from '../../src/testing/events.js';
import { userRef } from './helpers.js';

const event = makeEvent({
  time: 0,
  code: 'OathCodeIncorrect',
  host: 'NPS01',
  user: userRef('Admin.Jo'),
  radius: { reasonCode: 21, clientIp: '10.0.0.5' },
  category: 'non-error',
});

const test = (spec: unknown): boolean => compileFilter(FilterSchema.parse(spec) as FilterSpec)(event);

describe('rule filters', () => {
  it('matches equality on paths and aliases (numbers and strings compare by text)', () => {
    assert.equal(test({ code: 'OathCodeIncorrect' }), true);
    assert.equal(test({ 'npswatch.code': 'OathCodeIncorrect' }), true);
    assert.equal(test({ code: 'oathcodeincorrect' }), false);
    assert.equal(test({ reason_code: 21 }), true);
    assert.equal(test({ reason_code: '21' }), true);
  });

  it('ANDs fields and supports in-lists, not, regexes, exists and numeric bounds', () => {
    assert.equal(test({ code: ['X', 'OathCodeIncorrect'], host: 'NPS01' }), true);
    assert.equal(test({ code: { in: ['X', 'Y'] } }), false);
    assert.equal(test({ category: { not: 'error' } }), true);
    assert.equal(test({ category: { not: ['error', 'non-error'] } }), false);
    assert.equal(test({ user: { matches: '^admin' } }), true);
    assert.equal(test({ user: { matches: '/^ADMIN/i' } }), true);
    assert.equal(test({ user: { matches: '^ADMIN' } }), false);
    assert.equal(test({ 'npswatch.detail': { exists: false } }), true);
    assert.equal(test({ client_ip: { exists: true } }), true);
    assert.equal(test({ reason_code: { gte: 16, lte: 23 } }), true);
    assert.equal(test({ reason_code: { gt: 21 } }), false);
    assert.equal(test({ reason_code: { lt: 22, eq: 21 } }), true);
  });

  it('treats a missing field as unequal and not-matching', () => {
    assert.equal(test({ 'npswatch.detail': 'x' }), false);
    assert.equal(test({ 'npswatch.detail': { not: 'x' } }), true);
    assert.equal(test({ 'npswatch.detail': { gte: 0 } }), false);
    assert.equal(test({ 'npswatch.detail': { matches: '.*' } }), false);
  });

  it('combines filters with all, any and not', () => {
    assert.equal(test({ any: [{ code: 'X' }, { host: 'NPS01' }] }), true);
    assert.equal(test({ all: [{ code: 'OathCodeIncorrect' }, { host: 'NPS02' }] }), false);
    assert.equal(test({ not: { host: 'NPS02' } }), true);
    assert.equal(test({ not: { any: [{ host: 'NPS01' }] }, code: 'OathCodeIncorrect' }), false);
    assert.equal(test({}), true);
  });

  it('rejects unknown fields, bad regexes and empty operator objects at parse time', () => {
    assert.throws(() => FilterSchema.parse({ cde: 'x' }), /unknown field \\"cde\\"/);
    assert.throws(() => FilterSchema.parse({ code: { matches: '(' } }), /invalid regular expression/);
    assert.throws(() => FilterSchema.parse({ code: {} }), /at least one of/);
    assert.throws(() => FilterSchema.parse({ code: { within: 3 } }));
  });
});
