import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { type HecError, isHecError, replyError, transportError } from '../src/hec/errors.js';
import { backoffDelay, collectorBase, HecTransport, parseRetryAfter } from '../src/hec/transport.js';
import { ScriptedHec } from './helpers/scripted-hec.js';

const TOKEN = 'b7f1c0de-5ec2-4e7a-9d3b-0123456789ab';
const noWait = async () => undefined;

/** Everything an error exposes when logged or serialized. */
function exposed(err: unknown): string {
  const e = err as Error & Record<string, unknown>;
  return [String(e), e.message, e.stack, JSON.stringify(e), JSON.stringify(Object.entries(e))].join('\n');
}

async function rejection(p: Promise<unknown>): Promise<HecError> {
  try {
    await p;
  } catch (err) {
    assert.ok(isHecError(err), `expected a HecError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('HEC transport: configuration', () => {
  it('takes the collector base from URLs with or without the collector path', () => {
    assert.equal(collectorBase('https://splunk:8088').href, 'https://splunk:8088/');
    assert.equal(collectorBase('https://splunk:8088/services/collector/event').href, 'https://splunk:8088/');
    assert.equal(collectorBase('https://splunk:8088/services/collector/raw/1.0/').href, 'https://splunk:8088/');
    assert.equal(collectorBase('https://lb/splunk/services/collector').href, 'https://lb/splunk');
  });

  it('refuses URLs with credentials, a query string or another scheme, without echoing them', () => {
    for (const url of [`https://x:${TOKEN}@splunk:8088`, `https://splunk:8088/?token=${TOKEN}`, 'ftp://splunk']) {
      assert.throws(
        () => collectorBase(url),
        (err: unknown) => isHecError(err) && err.code === 'HEC_CONFIG' && !exposed(err).includes(TOKEN),
      );
    }
    assert.throws(() => collectorBase('not a url'), { code: 'HEC_CONFIG' });
  });

  it('refuses a token with spaces or control characters without echoing it', () => {
    for (const token of ['', `${TOKEN}\r\nX-Evil: 1`, ` ${TOKEN}`]) {
      assert.throws(
        () => new HecTransport({ url: 'http://127.0.0.1:1', token }),
        (err: unknown) => isHecError(err) && err.code === 'HEC_CONFIG' && !exposed(err).includes(TOKEN),
      );
    }
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(undefined), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now), 5000);
  });

  it('backs off exponentially within [step/2, step], capped', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const step = Math.min(30_000, 250 * 2 ** (n - 1));
          const d = backoffDelay(n, 250, 30_000, () => r);
          return d >= step / 2 && d <= step;
        },
      ),
    );
  });
});

describe('HEC transport: errors never contain the token', () => {
  it('maps every HEC reply code and status to a stable code whose message has no secret', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 8, maxLength: 40 }).filter((s) => /^[\x21-\x7e]+$/.test(s)),
        fc.integer({ min: 0, max: 25 }),
        fc.constantFrom(400, 401, 403, 404, 429, 500, 502, 503),
        (token, code, status) => {
          const err = replyError('https://splunk:8088/services/collector/event', status, { code });
          return err.code.startsWith('HEC_') && !exposed(err).includes(token);
        },
      ),
    );
  });

  it('maps HEC codes to their meaning', () => {
    const where = 'https://s:8088/services/collector/event';
    assert.equal(replyError(where, 403, { code: 4 }).code, 'HEC_INVALID_TOKEN');
    assert.equal(replyError(where, 403, { code: 1 }).code, 'HEC_TOKEN_DISABLED');
    assert.equal(replyError(where, 400, { code: 7 }).code, 'HEC_INCORRECT_INDEX');
    assert.equal(replyError(where, 503, { code: 9 }).retryable, true);
    assert.equal(replyError(where, 429, {}).code, 'HEC_TOO_MANY_REQUESTS');
    assert.equal(replyError(where, 400, { code: 6, invalidEventNumber: 2 }).invalidEventNumber, 2);
    assert.equal(replyError(where, 400, { code: 4 }).retryable, false);
  });

  it('keeps only the error code of a connection failure', () => {
    const cause = Object.assign(new Error(`connect ECONNREFUSED (Authorization: Splunk ${TOKEN})`), {
      code: 'ECONNREFUSED',
    });
    const err = transportError('http://127.0.0.1:1/services/collector/event', cause);
    assert.equal(err.code, 'HEC_CONNECTION');
    assert.ok(!exposed(err).includes(TOKEN));
    assert.equal(
      transportError('x', Object.assign(new Error('t'), { code: 'UND_ERR_HEADERS_TIMEOUT' })).code,
      'HEC_TIMEOUT',
    );
  });
});

describe('HEC transport against a scripted server', () => {
  let hec: ScriptedHec;
  beforeEach(async () => {
    hec = await new ScriptedHec().start();
  });
  afterEach(() => hec.stop());

  it('posts gzipped bodies with the token in the Authorization header and the channel', async () => {
    const t = new HecTransport({ url: hec.url, token: TOKEN });
    try {
      const body = '{"event":"a"}\n{"event":"b"}\n'.repeat(100);
      const reply = await t.post({ path: '/services/collector/event', body, channel: 'C1' });
      assert.equal(reply.code, 0);
      const seen = hec.seen[0]!;
      assert.equal(seen.headers.authorization, `Splunk ${TOKEN}`);
      assert.equal(seen.headers['content-encoding'], 'gzip');
      assert.equal(seen.headers['x-splunk-request-channel'], 'C1');
      assert.equal(seen.body, body);
      assert.ok(seen.wireBytes < body.length / 10, 'gzip shrinks repetitive NDJSON');
      assert.equal(reply.wireBytes, seen.wireBytes);
    } finally {
      await t.close();
    }
  });

  it('sends plain bodies when gzip is off, and keeps a base path', async () => {
    const t = new HecTransport({ url: `${hec.url}/prefix`, token: TOKEN, gzip: false });
    try {
      await t.post({ path: '/services/collector/raw', body: 'x\n', query: { sourcetype: 'a b', host: undefined } });
      assert.equal(hec.seen[0]!.headers['content-encoding'], undefined);
      assert.equal(hec.seen[0]!.path, '/prefix/services/collector/raw');
      assert.equal(hec.seen[0]!.query.get('sourcetype'), 'a b');
      assert.equal(hec.seen[0]!.query.has('host'), false);
    } finally {
      await t.close();
    }
  });

  it('retries 503 and 429, waiting what Retry-After asks, then succeeds', async () => {
    const waits: number[] = [];
    let n = 0;
    hec.handler = () => {
      n++;
      if (n === 1) return { status: 503, body: { text: 'Server is busy', code: 9 }, headers: { 'retry-after': '2' } };
      if (n === 2) return { status: 429, body: 'Too many' };
      return undefined;
    };
    const retried: string[] = [];
    const t = new HecTransport({
      url: hec.url,
      token: TOKEN,
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 0.5,
    });
    try {
      const reply = await t.post({
        path: '/services/collector/event',
        body: '{"event":1}',
        onRetry: (e) => retried.push(e.code),
      });
      assert.equal(reply.retries, 2);
      assert.equal(hec.seen.length, 3);
      assert.deepEqual(retried, ['HEC_SERVER_BUSY', 'HEC_TOO_MANY_REQUESTS']);
      // First wait: Retry-After (2 s); second: backoff step 2 (500 ms) with jitter 0.5 → 375 ms.
      assert.deepEqual(waits, [2000, 375]);
    } finally {
      await t.close();
    }
  });

  it('gives up after the configured retries with a retryable error', async () => {
    hec.handler = () => ({ status: 503, body: { text: 'Server is busy', code: 9 } });
    const t = new HecTransport({ url: hec.url, token: TOKEN, sleep: noWait, retry: { retries: 2 } });
    try {
      const err = await rejection(t.post({ path: '/services/collector/event', body: '{"event":1}' }));
      assert.equal(err.code, 'HEC_SERVER_BUSY');
      assert.equal(err.retryable, true);
      assert.equal(hec.seen.length, 3);
    } finally {
      await t.close();
    }
  });

  it('does not retry a refused token, and the error says so without the token', async () => {
    hec.handler = () => ({ status: 403, body: { text: 'Invalid token', code: 4 } });
    const t = new HecTransport({ url: hec.url, token: TOKEN, sleep: noWait });
    try {
      const err = await rejection(t.post({ path: '/services/collector/event', body: '{"event":1}' }));
      assert.equal(err.code, 'HEC_INVALID_TOKEN');
      assert.equal(err.status, 403);
      assert.equal(hec.seen.length, 1);
      assert.match(err.message, /invalid token/);
      assert.ok(!exposed(err).includes(TOKEN));
    } finally {
      await t.close();
    }
  });

  it('reports a refused connection as HEC_CONNECTION after retrying', async () => {
    await hec.stop();
    const t = new HecTransport({ url: hec.url, token: TOKEN, sleep: noWait, retry: { retries: 1 } });
    try {
      const err = await rejection(t.post({ path: '/services/collector/event', body: '{"event":1}' }));
      assert.equal(err.code, 'HEC_CONNECTION');
      assert.match(err.message, /ECONNREFUSED/);
      assert.equal(t.stats.retries, 1);
    } finally {
      await t.close();
    }
  });

  it('reads health and ack replies', async () => {
    hec.handler = (r) =>
      r.path.endsWith('/ack')
        ? { status: 200, body: { acks: { '1': true, '2': false } } }
        : r.path.endsWith('/health')
          ? { status: 503, body: { text: 'HEC is unhealthy, queues are full', code: 18 } }
          : undefined;
    const t = new HecTransport({ url: hec.url, token: TOKEN });
    try {
      const acks = await t.ack('C1', [1, 2]);
      assert.deepEqual(
        [...acks],
        [
          [1, true],
          [2, false],
        ],
      );
      assert.deepEqual(JSON.parse(hec.seen[0]!.body), { acks: [1, 2] });
      assert.equal(hec.seen[0]!.query.get('channel'), 'C1');
      const health = await t.health();
      assert.equal(health.healthy, false);
      assert.equal(health.code, 18);
    } finally {
      await t.close();
    }
  });
});

describe('HEC transport over TLS', () => {
  let dir: string;
  let hec: ScriptedHec;
  let cert: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'npswatch-tls-'));
    // A self-signed certificate for 127.0.0.1, made with the system's openssl.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    hec = await new ScriptedHec({ key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert }).start();
  });
  after(async () => {
    await hec.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies certificates by default and refuses an unknown CA without retrying', async () => {
    const t = new HecTransport({ url: hec.url, token: TOKEN, sleep: noWait });
    try {
      const err = await rejection(t.post({ path: '/services/collector/event', body: '{"event":1}' }));
      assert.equal(err.code, 'HEC_TLS');
      assert.equal(err.retryable, false);
      assert.equal(hec.seen.length, 0);
    } finally {
      await t.close();
    }
  });

  it('trusts a given CA', async () => {
    const t = new HecTransport({ url: hec.url, token: TOKEN, tls: { ca: cert } });
    try {
      assert.equal((await t.post({ path: '/services/collector/event', body: '{"event":1}' })).code, 0);
    } finally {
      await t.close();
    }
  });

  it('skips verification only when asked to', async () => {
    const t = new HecTransport({ url: hec.url, token: TOKEN, tls: { rejectUnauthorized: false } });
    try {
      assert.equal((await t.health()).healthy, true);
    } finally {
      await t.close();
    }
  });
});
