import assert from 'node:assert/strict';
import type { ClassifiedEvent } from '../../src/classify/types.js';
import { isElastAlertImportError } from '../../src/elastalert/errors.js';
import { translateFilter } from '../../src/elastalert/query-dsl.js';
import { Notes } from '../../src/elastalert/report.js';
import { compileFilter, FilterSchema, type FilterSpec } from '../../src/rules/filter.js';
import { makeEvent } from '../../src/testing/events.js';

/** An ElastAlert filter (a list of query DSL clauses) as an npswatch filter, and the notes it produced. */
function translate(filter: unknown): { spec: FilterSpec; notes: Notes } {
  const notes = new Notes();
  const spec = translateFilter(filter, 'filter', notes);
  // Every translation must be a valid npswatch filter.
  FilterSchema.parse(spec);
  return { spec, notes };
}

const spec = (filter: unknown): FilterSpec => translate(filter).spec;

/** A query_string query as an npswatch filter. */
const qs = (query: string, options: Record<string, unknown> = {}): FilterSpec =>
  spec([{ query: { query_string: { query, ...options } } }]);

/** The refusal code of a filter that cannot be translated. */
function refusal(filter: unknown): string {
  try {
    translateFilter(filter, 'filter', new Notes());
  } catch (err) {
    if (isElastAlertImportError(err)) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'not refused';
}

const user = (name: string) => ({ raw: name, name, redacted: false });

const event = (fields: Partial<ClassifiedEvent>): ClassifiedEvent => makeEvent({ time: 0, ...fields });

const reject = event({
  host: 'NPS01',
  channel: 'Security',
  eventId: 6273,
  user: user('alice'),
  message: 'Network Policy Server denied access to a user. Authentication failed: timeout',
  outcome: 'failure',
  radius: { reasonCode: 21, nasIdentifier: 'vpn-gw-01', clientIp: '10.1.1.1' },
});
const accept = event({
  host: 'nps02',
  channel: 'Security',
  eventId: 6272,
  user: user('svc-backup'),
  message: 'Network Policy Server granted access to a user.',
  outcome: 'success',
  radius: { reasonCode: 0, nasIdentifier: 'wifi-ctrl', clientIp: '10.2.2.2' },
});
const bare = event({ host: 'NPS03', message: 'AuthZ: REGISTRY_CONFIG_ERROR while reading the registry' });
const EVENTS = { reject, accept, bare } as const;

/** Which of the sample events a filter selects. */
function selects(filter: FilterSpec): string[] {
  const test = compileFilter(filter);
  return Object.entries(EVENTS)
    .filter(([, e]) => test(e))
    .map(([name]) => name);
}

describe('ElastAlert filters: query DSL', () => {
  it('term and terms compare keyword values whole and case-sensitively', () => {
    assert.deepEqual(spec([{ term: { 'host.name': 'NPS01' } }]), { 'host.name': 'NPS01' });
    assert.deepEqual(selects(spec([{ term: { 'host.name': 'NPS01' } }])), ['reject']);
    assert.deepEqual(selects(spec([{ term: { 'host.name': 'nps01' } }])), []);
    assert.deepEqual(spec([{ term: { 'host.name': { value: 'nps01', case_insensitive: true } } }]), {
      'host.name': { matches: '/^nps01$/i' },
    });
    assert.deepEqual(selects(spec([{ term: { 'host.name': { value: 'nps01', case_insensitive: true } } }])), [
      'reject',
    ]);
    assert.deepEqual(spec([{ terms: { 'winlog.event_id': [6272, 6273], boost: 1 } }]), {
      'winlog.event_id': [6272, 6273],
    });
    assert.deepEqual(selects(spec([{ terms: { 'winlog.event_id': ['6272', '6273'] } }])), ['reject', 'accept']);
  });

  it('filter list items must all hold', () => {
    const s = spec([{ term: { 'winlog.channel': 'Security' } }, { term: { 'event.outcome': 'failure' } }]);
    assert.deepEqual(s, { 'winlog.channel': 'Security', 'event.outcome': 'failure' });
    assert.deepEqual(selects(s), ['reject']);
  });

  it('match and match_phrase on message match words case-insensitively, as analysed text', () => {
    const anyWord = spec([{ match: { message: 'GRANTED registry' } }]);
    assert.deepEqual(anyWord, { message: { matches: '/\\b(?:GRANTED|registry)\\b/i' } });
    assert.deepEqual(selects(anyWord), ['accept', 'bare']);
    const allWords = spec([{ match: { message: { query: 'denied timeout', operator: 'and' } } }]);
    assert.deepEqual(selects(allWords), ['reject']);
    const phrase = spec([{ match_phrase: { message: 'denied access' } }]);
    assert.deepEqual(phrase, { message: { matches: '/\\bdenied\\W+access\\b/i' } });
    assert.deepEqual(selects(phrase), ['reject']);
    assert.deepEqual(selects(spec([{ match_phrase: { message: 'access denied' } }])), []);
    // A term on a full-text field matches the word, and the approximation is reported.
    const t = translate([{ term: { message: 'registry_config_error' } }]);
    assert.deepEqual(selects(t.spec), ['bare']);
    assert.match(t.notes.list[0]!.message!, /full text/);
  });

  it('match on a keyword field compares the whole value', () => {
    assert.deepEqual(spec([{ match: { 'user.name': 'svc-backup' } }]), { 'user.name': 'svc-backup' });
  });

  it('wildcard, prefix and regexp', () => {
    assert.deepEqual(spec([{ wildcard: { 'npswatch.radius.nas_identifier': 'vpn-*' } }]), {
      'npswatch.radius.nas_identifier': { matches: '^vpn-' },
    });
    assert.deepEqual(spec([{ wildcard: { 'host.name': { value: '*0?', case_insensitive: true } } }]), {
      'host.name': { matches: '/0.$/i' },
    });
    assert.deepEqual(selects(spec([{ wildcard: { 'host.name': { value: 'nps0?', case_insensitive: true } } }])), [
      'reject',
      'accept',
      'bare',
    ]);
    assert.deepEqual(spec([{ wildcard: { 'host.name': 'a\\*b' } }]), { 'host.name': 'a*b' });
    assert.deepEqual(spec([{ wildcard: { 'host.name': '*' } }]), { 'host.name': { exists: true } });
    assert.deepEqual(spec([{ prefix: { 'user.name': 'svc-' } }]), { 'user.name': { matches: '^svc-' } });
    assert.deepEqual(selects(spec([{ prefix: { 'user.name': 'svc-' } }])), ['accept']);
    assert.deepEqual(spec([{ regexp: { 'host.name': 'NPS0[13]' } }]), { 'host.name': { matches: '^(?:NPS0[13])$' } });
    assert.deepEqual(selects(spec([{ regexp: { 'host.name': 'NPS0[13]' } }])), ['reject', 'bare']);
  });

  it('numeric ranges, in the current and the pre-5.0 form', () => {
    assert.deepEqual(spec([{ range: { 'npswatch.radius.reason_code': { gte: 16, lte: 23 } } }]), {
      'npswatch.radius.reason_code': { gte: 16, lte: 23 },
    });
    assert.deepEqual(spec([{ range: { 'npswatch.radius.reason_code': { from: 16, to: 23, include_upper: false } } }]), {
      'npswatch.radius.reason_code': { gte: 16, lt: 23 },
    });
    assert.deepEqual(selects(spec([{ range: { 'npswatch.radius.reason_code': { gt: 0 } } }])), ['reject']);
    assert.match(refusal([{ range: { '@timestamp': { gte: 'now-1h' } } }]), /E_EA_FILTER: .*date ranges/);
  });

  it('exists', () => {
    assert.deepEqual(spec([{ exists: { field: 'source.ip' } }]), { 'source.ip': { exists: true } });
    assert.deepEqual(selects(spec([{ exists: { field: 'user.name' } }])), ['reject', 'accept']);
  });

  it('bool: must and filter hold, must_not do not, should needs one when alone', () => {
    const s = spec([
      {
        bool: {
          filter: { term: { 'winlog.channel': 'Security' } },
          must_not: [{ term: { 'user.name': 'alice' } }],
        },
      },
    ]);
    assert.deepEqual(s, { 'winlog.channel': 'Security', 'user.name': { not: 'alice' } });
    assert.deepEqual(selects(s), ['accept']);
    const should = spec([
      { bool: { should: [{ term: { 'host.name': 'NPS01' } }, { term: { 'host.name': 'NPS03' } }] } },
    ]);
    assert.deepEqual(should, { 'host.name': ['NPS01', 'NPS03'] });
    assert.deepEqual(selects(should), ['reject', 'bare']);
  });

  it('bool: should next to must only scores (reported), unless minimum_should_match says otherwise', () => {
    const clauses = {
      must: [{ term: { 'winlog.channel': 'Security' } }],
      should: [{ term: { 'host.name': 'NPS01' } }, { term: { 'event.outcome': 'failure' } }],
    };
    const scored = translate([{ bool: clauses }]);
    assert.deepEqual(scored.spec, { 'winlog.channel': 'Security' });
    assert.match(scored.notes.list[0]!.message!, /only score/);
    assert.deepEqual(spec([{ bool: { ...clauses, minimum_should_match: 1 } }]), {
      'winlog.channel': 'Security',
      any: [{ 'host.name': 'NPS01' }, { 'event.outcome': 'failure' }],
    });
    assert.deepEqual(spec([{ bool: { ...clauses, minimum_should_match: '100%' } }]), {
      'winlog.channel': 'Security',
      'host.name': 'NPS01',
      'event.outcome': 'failure',
    });
    const three = { should: [...clauses.should, { term: { 'user.name': 'x' } }], minimum_should_match: 2 };
    assert.match(refusal([{ bool: three }]), /E_EA_FILTER: minimum_should_match 2 of 3/);
  });

  it('document types and index names select storage and are reported, not translated', () => {
    const t = translate([
      { term: { _type: 'login_event' } },
      { type: { value: 'doc' } },
      { term: { 'user.name': 'admin' } },
    ]);
    assert.deepEqual(t.spec, { 'user.name': 'admin' });
    assert.deepEqual(
      t.notes.list.map((n) => `${n.kind} ${n.option}`),
      ['ignored filter[0].term', 'ignored filter[1].type'],
    );
  });

  it('keeps fields as written, drops .keyword, reports aliases, refuses unknown fields', () => {
    assert.deepEqual(spec([{ term: { 'host.name.keyword': 'NPS01' } }]), { 'host.name': 'NPS01' });
    const alias = translate([{ term: { event_id: 6273 } }]);
    assert.deepEqual(alias.spec, { event_id: 6273 });
    assert.match(alias.notes.list[0]!.message!, /alias for winlog\.event_id/);
    assert.match(refusal([{ term: { 'winlog.event_data.TargetUserName': 'alice' } }]), /^E_EA_FIELD: .*event_data/);
    assert.match(refusal([{ term: { Hostname: 'x' } }]), /^E_EA_FIELD: field "Hostname"/);
  });

  it('refuses query types outside the subset, naming the path', () => {
    assert.match(
      refusal([{ term: { 'host.name': 'a' } }, { geo_distance: {} }]),
      /E_EA_FILTER: unsupported query type "geo_distance"/,
    );
    assert.match(refusal([{ term: { 'host.name': 'a' }, terms: { 'host.name': ['b'] } }]), /one query type per clause/);
    assert.match(refusal([{ terms: { 'host.name': { index: 'x', id: '1', path: 'p' } } }]), /terms lookups/);
    assert.match(
      refusal([{ match: { message: { query: 'a b c', minimum_should_match: 2 } } }]),
      /minimum_should_match/,
    );
  });
});

describe('ElastAlert filters: query_string (Lucene)', () => {
  it('field:value with AND, OR and NOT', () => {
    assert.deepEqual(qs('winlog.channel:Security AND winlog.event_id:6273'), {
      'winlog.channel': 'Security',
      'winlog.event_id': 6273,
    });
    assert.deepEqual(qs('host.name:NPS01 OR host.name:NPS03'), { 'host.name': ['NPS01', 'NPS03'] });
    assert.deepEqual(qs('winlog.channel:Security AND NOT user.name:alice'), {
      'winlog.channel': 'Security',
      'user.name': { not: 'alice' },
    });
    assert.deepEqual(selects(qs('winlog.channel:Security AND NOT user.name:alice')), ['accept']);
  });

  it('combines clauses as Lucene does: a AND b OR c requires a and b only, and says so', () => {
    const notes = new Notes();
    const s = translateFilter(
      [{ query: { query_string: { query: 'host.name:NPS01 AND event.outcome:failure OR host.name:NPS03' } } }],
      'filter',
      notes,
    );
    assert.deepEqual(s, { 'host.name': 'NPS01', 'event.outcome': 'failure' });
    assert.match(notes.list[0]!.message!, /optional in Lucene/);
    // Parentheses say what was meant.
    assert.deepEqual(selects(qs('(host.name:NPS01 AND event.outcome:failure) OR host.name:NPS03')), ['reject', 'bare']);
  });

  it('terms without an operator are alternatives, or all required with default_operator AND', () => {
    assert.deepEqual(qs('host.name:NPS01 host.name:NPS03'), { 'host.name': ['NPS01', 'NPS03'] });
    assert.deepEqual(qs('winlog.channel:Security event.outcome:failure', { default_operator: 'AND' }), {
      'winlog.channel': 'Security',
      'event.outcome': 'failure',
    });
  });

  it('+, -, !, && and ||', () => {
    assert.deepEqual(qs('+winlog.channel:Security -user.name:alice'), {
      'winlog.channel': 'Security',
      'user.name': { not: 'alice' },
    });
    assert.deepEqual(qs('winlog.channel:Security && !user.name:alice'), {
      'winlog.channel': 'Security',
      'user.name': { not: 'alice' },
    });
    assert.deepEqual(qs('host.name:NPS01 || host.name:NPS03'), { 'host.name': ['NPS01', 'NPS03'] });
  });

  it('a negation alone selects every other event (Elasticsearch adds match_all)', () => {
    assert.deepEqual(qs('NOT host.name:NPS01'), { 'host.name': { not: 'NPS01' } });
    assert.deepEqual(selects(qs('NOT host.name:NPS01')), ['accept', 'bare']);
  });

  it('groups, field groups, phrases and wildcards', () => {
    assert.deepEqual(qs('winlog.event_id:(6272 OR 6273) AND user.name:svc-*'), {
      'winlog.event_id': [6272, 6273],
      'user.name': { matches: '^svc-' },
    });
    assert.deepEqual(selects(qs('winlog.event_id:(6272 OR 6273) AND user.name:svc-*')), ['accept']);
    assert.deepEqual(qs('message:"granted access"'), { message: { matches: '/\\bgranted\\W+access\\b/i' } });
    assert.deepEqual(qs('message:regis*'), { message: { matches: '/\\bregis\\w*\\b/i' } });
    assert.deepEqual(selects(qs('message:regis*')), ['bare']);
    assert.deepEqual(qs('host.name:"NPS 01"'), { 'host.name': 'NPS 01' });
    assert.deepEqual(qs('user.name:svc\\-backup'), { 'user.name': 'svc-backup' });
  });

  it('ranges, comparisons and _exists_', () => {
    assert.deepEqual(qs('npswatch.radius.reason_code:[16 TO 23]'), {
      'npswatch.radius.reason_code': { gte: 16, lte: 23 },
    });
    assert.deepEqual(qs('npswatch.radius.reason_code:{16 TO *]'), { 'npswatch.radius.reason_code': { gt: 16 } });
    assert.deepEqual(qs('npswatch.radius.reason_code:>=21'), { 'npswatch.radius.reason_code': { gte: 21 } });
    assert.deepEqual(selects(qs('npswatch.radius.reason_code:>=21')), ['reject']);
    assert.deepEqual(qs('_exists_:user.name'), { 'user.name': { exists: true } });
    assert.deepEqual(qs('NOT _exists_:user.name'), { 'user.name': { not: { exists: true } } });
    assert.deepEqual(selects(qs('NOT _exists_:user.name')), ['bare']);
    assert.deepEqual(qs('winlog.event_id:*'), { 'winlog.event_id': { exists: true } });
    assert.match(refusal([{ query_string: { query: '@timestamp:[now-1d TO now]' } }]), /E_EA_FILTER: .*not a number/);
  });

  it('regular expressions are anchored to the whole value', () => {
    assert.deepEqual(qs('host.name:/NPS0[12]/'), { 'host.name': { matches: '^(?:NPS0[12])$' } });
    assert.deepEqual(selects(qs('host.name:/NPS0[12]/')), ['reject']);
  });

  it('terms without a field search message (default_field or fields when given)', () => {
    const notes = new Notes();
    const s = translateFilter([{ query_string: { query: 'REGISTRY_CONFIG_ERROR' } }], 'filter', notes);
    assert.deepEqual(s, { message: { matches: '/\\bREGISTRY_CONFIG_ERROR\\b/i' } });
    assert.ok(notes.list.some((n) => /search message/.test(n.message ?? '')));
    assert.deepEqual(qs('NPS01', { default_field: 'host.name' }), { 'host.name': 'NPS01' });
    assert.deepEqual(qs('NPS01', { fields: ['host.name', 'winlog.computer_name'] }), {
      any: [{ 'host.name': 'NPS01' }, { 'winlog.computer_name': 'NPS01' }],
    });
  });

  it('boosts are dropped with a note; fuzzy and proximity searches refuse', () => {
    const notes = new Notes();
    assert.deepEqual(translateFilter([{ query_string: { query: 'host.name:NPS01^2' } }], 'filter', notes), {
      'host.name': 'NPS01',
    });
    assert.ok(notes.list.some((n) => /boosts/.test(n.message ?? '')));
    assert.match(refusal([{ query_string: { query: 'user.name:alcie~' } }]), /E_EA_FILTER: fuzzy/);
    assert.match(refusal([{ query_string: { query: 'message:"denied access"~3' } }]), /E_EA_FILTER: fuzzy/);
  });

  it('refuses queries it cannot read, with the position', () => {
    assert.match(refusal([{ query_string: { query: '(host.name:a' } }]), /E_EA_FILTER: .*missing "\)"/);
    assert.match(refusal([{ query_string: { query: 'host.name:a)' } }]), /unbalanced/);
    assert.match(refusal([{ query_string: { query: 'host.name:"a' } }]), /unterminated/);
    assert.match(refusal([{ query_string: { query: 'host.name:a AND' } }]), /operator without a clause/);
    assert.match(
      refusal([{ query_string: { query: 'event.type:authentication_failure' } }]),
      /E_EA_FIELD: field "event.type"/,
    );
  });
});
