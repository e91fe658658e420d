import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  connectElastic,
  createElasticSink,
  dailyEventIndex,
  type ElasticConnection,
  isElasticError,
  setup,
} from '@npswatch/elastic-plugin';
import { cleanup, connect, esEnv, runId, sampleEvents } from './server.js';

/** Every way an error can be shown or logged. */
function renderings(err: unknown): string[] {
  const e = err as Error & { hint?: string };
  return [String(e.message), String(e.stack), JSON.stringify(e), inspect(e, { depth: 20 }), String(e.hint), String(e)];
}

function assertNoSecret(err: unknown, secrets: readonly string[]): void {
  for (const text of renderings(err)) for (const s of secrets) assert.ok(!text.includes(s), `secret in: ${text}`);
}

describe('elastic authentication on a real server', () => {
  let admin: ElasticConnection;
  const run = runId();
  const keyIds: string[] = [];
  before(async () => {
    admin = await connect(esEnv());
    await setup(admin);
  });
  after(async () => {
    if (!admin) return;
    if (keyIds.length > 0) await admin.client.security.invalidateApiKey({ ids: keyIds });
    await cleanup(admin.client, run);
    await admin.close();
  });

  async function indexWith(conn: ElasticConnection, n: number, tag: string): Promise<number> {
    const events = (await sampleEvents()).slice(0, n);
    const prefix = `npswatch-events-${run}-${tag}-`;
    const sink = createElasticSink(conn, { eventIndex: (e) => dailyEventIndex(e, prefix) });
    await sink.consume(events);
    await sink.close();
    await admin.client.indices.refresh({ index: `${prefix}*` });
    return (await admin.client.count({ index: `${prefix}*` })).count;
  }

  /** An API key with what npswatch needs to index (and nothing to read other indices or change the cluster). */
  async function writerKey() {
    const key = await admin.client.security.createApiKey({
      name: `npswatch-writer-${run}`,
      role_descriptors: {
        npswatch_writer: {
          cluster: ['monitor'],
          indices: [{ names: ['npswatch-*'], privileges: ['create_doc', 'create_index', 'auto_configure'] }],
        },
      },
    });
    keyIds.push(key.id);
    return key;
  }

  it('basic auth (user and password)', async () => {
    const env = esEnv();
    const conn = await connectElastic({ url: env.url, auth: { username: env.username, password: env.password } });
    try {
      assert.equal(await indexWith(conn, 20, 'basic'), 20);
    } finally {
      await conn.close();
    }
  });

  it('API key, encoded and as id + key, with least privilege', async () => {
    const key = await writerKey();
    for (const [tag, apiKey] of [
      ['encoded', key.encoded],
      ['pair', { id: key.id, api_key: key.api_key }],
    ] as const) {
      const conn = await connectElastic({ url: esEnv().url, auth: { apiKey } });
      try {
        assert.equal(await indexWith(conn, 15, tag), 15);
      } finally {
        await conn.close();
      }
    }
  });

  it('setup with a least-privilege API key', async () => {
    const key = await admin.client.security.createApiKey({
      name: `npswatch-setup-${run}`,
      role_descriptors: {
        npswatch_setup: {
          cluster: ['monitor', 'manage_index_templates'],
          indices: [{ names: ['npswatch-*'], privileges: ['create_index', 'view_index_metadata'] }],
        },
      },
    });
    keyIds.push(key.id);
    const conn = await connectElastic({ url: esEnv().url, auth: { apiKey: key.encoded } });
    try {
      const result = await setup(conn);
      assert.ok(result.actions.every((a) => a.action === 'unchanged'));
    } finally {
      await conn.close();
    }
  });

  it('credentials in the URL are taken as basic auth and never shown', async () => {
    const env = esEnv();
    const url = new URL(env.url);
    url.username = env.username;
    url.password = 'Wr0ng-url-Passw0rd';
    const err = await connectElastic({ url: url.toString() }).then(
      () => assert.fail('connected with a wrong password'),
      (e: unknown) => e,
    );
    assert.ok(isElasticError(err));
    assert.equal(err.code, 'NPSWATCH_ES_AUTH');
    assertNoSecret(err, ['Wr0ng-url-Passw0rd', Buffer.from(`${env.username}:Wr0ng-url-Passw0rd`).toString('base64')]);
  });

  it('a wrong password: a clear error that does not contain it', async () => {
    const env = esEnv();
    const wrong = `${env.password}-but-wrong`;
    const err = await connectElastic({ url: env.url, auth: { username: env.username, password: wrong } }).then(
      () => assert.fail('connected with a wrong password'),
      (e: unknown) => e,
    );
    assert.ok(isElasticError(err));
    assert.equal(err.code, 'NPSWATCH_ES_AUTH');
    assert.equal(err.status, 401);
    assert.match(err.message, /401.*security_exception.*unable to authenticate/);
    assert.match(String(err.hint), /password or the API key/);
    assertNoSecret(err, [wrong, env.password, Buffer.from(`${env.username}:${wrong}`).toString('base64')]);
  });

  it('a wrong API key: a clear error that does not contain it', async () => {
    const key = await writerKey();
    const wrongKey = 'ZZ_wrong_api_key_secret_ZZ';
    const encoded = Buffer.from(`${key.id}:${wrongKey}`).toString('base64');
    for (const apiKey of [encoded, { id: key.id, api_key: wrongKey }]) {
      const err = await connectElastic({ url: esEnv().url, auth: { apiKey } }).then(
        () => assert.fail('connected with a wrong API key'),
        (e: unknown) => e,
      );
      assert.ok(isElasticError(err));
      assert.equal(err.code, 'NPSWATCH_ES_AUTH');
      assertNoSecret(err, [wrongKey, encoded, key.api_key, key.encoded]);
    }
  });

  it('a key without the privilege to write: the sink stops with an auth error, nothing dead-lettered', async () => {
    const key = await admin.client.security.createApiKey({
      name: `npswatch-reader-${run}`,
      role_descriptors: {
        reader: { cluster: ['monitor'], indices: [{ names: ['npswatch-*'], privileges: ['read'] }] },
      },
    });
    keyIds.push(key.id);
    const conn = await connectElastic({ url: esEnv().url, auth: { apiKey: key.encoded } });
    try {
      const sink = createElasticSink(conn, {
        eventIndex: (e) => dailyEventIndex(e, `npswatch-events-${run}-ro-`),
        deadLetter: { index: `npswatch-deadletter-${run}` },
      });
      await sink.consume((await sampleEvents()).slice(0, 5));
      const err = await sink.close().then(
        () => assert.fail('wrote without privileges'),
        (e: unknown) => e,
      );
      assert.ok(isElasticError(err));
      assert.equal(err.code, 'NPSWATCH_ES_AUTH');
      assert.equal(err.status, 403);
      assert.equal(err.unsent, 5);
      assertNoSecret(err, [key.api_key, key.encoded]);
    } finally {
      await conn.close();
    }
  });
});
