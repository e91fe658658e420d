import assert from 'node:assert/strict';
import type { ElasticConnection } from '@npswatch/elastic-plugin';
import { main } from 'npswatch';
import { capture, connect, esEnv, SAMPLE_DAY } from './server.js';

describe('npswatch elastic (CLI) on a real server', () => {
  let admin: ElasticConnection;
  const keyIds: string[] = [];
  before(async () => {
    admin = await connect(esEnv());
  });
  after(async () => {
    if (!admin) return;
    if (keyIds.length > 0) await admin.client.security.invalidateApiKey({ ids: keyIds });
    await admin.close();
  });

  it('setup with the password from the environment, twice: the second run changes nothing', async () => {
    const env = esEnv();
    for (let i = 0; i < 2; i++) {
      const c = capture({ ELASTIC_URL: env.url, NPSWATCH_ES_PW: env.password });
      const code = await main(
        ['elastic', 'setup', '--username', env.username, '--password-env', 'NPSWATCH_ES_PW'],
        c.io,
      );
      assert.equal(code, 0, c.err());
      if (i === 1) assert.match(c.out(), /0 created, 0 updated, \d+ unchanged/);
      assert.ok(!c.out().includes(env.password) && !c.err().includes(env.password));
    }
  });

  it('index a sample day with alerts, with an API key: every document once', async () => {
    // The node keeps its data between runs: start from no events index, so the count below is this run's.
    await admin.client.indices.delete({ index: 'npswatch-events-2024.09.20' }, { ignore: [404] });
    const key = await admin.client.security.createApiKey({ name: 'npswatch-cli-test' });
    keyIds.push(key.id);
    const env = esEnv();
    for (let i = 0; i < 2; i++) {
      const c = capture({ ELASTIC_API_KEY: key.encoded });
      const code = await main(['elastic', 'index', SAMPLE_DAY, '--alerts', '--url', env.url], c.io);
      assert.equal(code, 0, c.err());
      const m = /(\d+) events, (\d+) alerts: (\d+) indexed, (\d+) already there, 0 dead-lettered, 0 spooled/.exec(
        c.err(),
      );
      assert.ok(m, c.err());
      assert.equal(Number(m[3]) + Number(m[4]), Number(m[1]) + Number(m[2]));
      if (i === 1) assert.equal(Number(m[3]), 0);
      assert.ok(!c.err().includes(key.api_key) && !c.err().includes(key.encoded));
    }
    await admin.client.indices.refresh({ index: 'npswatch-events-2024.09.20' });
    const { count } = await admin.client.count({ index: 'npswatch-events-2024.09.20' });
    assert.equal(count, 747);
  });

  it('replay --sink elastic:INDEX: every alert it prints lands once, also when replayed again', async () => {
    const env = esEnv();
    const index = `npswatch-alerts-replay-${Date.now()}`;
    const printed: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const c = capture({ ELASTIC_URL: env.url, ELASTIC_PASSWORD: env.password });
      const code = await main(['replay', SAMPLE_DAY, '--sink', `elastic:${index}`], c.io);
      assert.equal(code, 0, c.err());
      const ids = c
        .out()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as { npswatch: { alert: { id: string } } }).npswatch.alert.id);
      printed.push(ids);
      const m = new RegExp(`(\\d+) alerts indexed into ${index}, (\\d+) already there, 0 dead-lettered`).exec(c.err());
      assert.ok(m, c.err());
      assert.deepEqual([Number(m[1]), Number(m[2])], i === 0 ? [ids.length, 0] : [0, ids.length]);
      assert.ok(!c.err().includes(env.password) && !c.out().includes(env.password));
    }
    assert.ok(printed[0]!.length > 0);
    assert.deepEqual(printed[1], printed[0], 'the same alerts, with the same ids');
    await admin.client.indices.refresh({ index });
    const res = await admin.client.search({ index, size: 10_000, _source: false });
    assert.deepEqual(res.hits.hits.map((h) => h._id).sort(), [...printed[0]!].sort());
    await admin.client.indices.delete({ index });
  });

  it('wrong credentials: exit 1, a clear message and hint, never the secret', async () => {
    const env = esEnv();
    const wrong = 'N0t-the-Passw0rd!';
    const c = capture({ ELASTIC_URL: env.url, ELASTIC_PASSWORD: wrong });
    const code = await main(['elastic', 'setup'], c.io);
    assert.equal(code, 1);
    assert.match(c.err(), /401.*unable to authenticate/);
    assert.match(c.err(), /hint: check the user and password or the API key/);
    assert.ok(!c.err().includes(wrong) && !c.out().includes(wrong));
    const k = capture({ ELASTIC_URL: env.url });
    assert.equal(
      await main(['elastic', 'setup', '--api-key', Buffer.from('x:very-secret-key').toString('base64')], k.io),
      1,
    );
    assert.ok(
      !k.err().includes('very-secret-key') && !k.err().includes(Buffer.from('x:very-secret-key').toString('base64')),
    );
  });

  it('usage errors: no URL, a password variable that is not set', async () => {
    const a = capture({});
    assert.equal(await main(['elastic', 'setup'], a.io), 2);
    assert.match(a.err(), /no Elasticsearch URL/);
    const b = capture({ ELASTIC_URL: esEnv().url });
    assert.equal(await main(['elastic', 'setup', '--password-env', 'NOT_SET_ANYWHERE'], b.io), 2);
    assert.match(b.err(), /NOT_SET_ANYWHERE is not set/);
  });
});
