import assert from 'node:assert/strict';
import { toEcs } from '@npswatch/core';
import { eventEnvelope, HecSink } from '@npswatch/splunk-app';
import { Logger } from 'splunk-logging';
import { multiset, type PeerEnv, PeerOutput, peerEnv, type Received, sampleEvents, testIndex } from './peer.js';

/** Sends with Splunk's own client, one request per event (its default), and resolves when every reply is in. */
async function sendWithSplunkLogging(
  env: PeerEnv,
  items: readonly { time: number; host?: string; source?: string; sourcetype: string; index: string; event: unknown }[],
): Promise<void> {
  const logger = new Logger({ token: env.token, url: env.url, maxRetries: 0 });
  // The event as is, not splunk-logging's default {message, severity} wrapper.
  logger.eventFormatter = (message) => message;
  const failures: Error[] = [];
  logger.error = (err) => failures.push(err);
  await Promise.all(
    items.map(
      (item) =>
        new Promise<void>((resolve, reject) =>
          logger.send(
            {
              message: item.event,
              metadata: {
                time: item.time,
                ...(item.host === undefined ? {} : { host: item.host }),
                ...(item.source === undefined ? {} : { source: item.source }),
                sourcetype: item.sourcetype,
                index: item.index,
              },
            },
            (err) => (err ? reject(err) : resolve()),
          ),
        ),
    ),
  );
  assert.deepEqual(failures, []);
}

/** What the peer made of an event, without the index (each client sent to its own). */
const seen = (r: Received) => [r.time, r.host, r.source, r.sourcetype, r.token, r.event];

describe('HEC wire format cross-checked with splunk-logging on the same peer', () => {
  let env: PeerEnv;
  let output: PeerOutput;
  before(() => {
    env = peerEnv();
    output = new PeerOutput(env.output);
  });

  it('the peer records the same events, metadata and times from both clients', async () => {
    const events = sampleEvents().slice(0, 120);
    const ours = testIndex('wire_ours');
    const theirs = testIndex('wire_splunklogging');
    // splunk-logging cannot send indexed fields: compare envelopes without them.
    const envelopes = events.map((e) => eventEnvelope(e, { indexedFields: false }));
    const sink = new HecSink({ transport: { url: env.url, token: env.token }, index: ours, host: 'unused-default' });
    for (const x of envelopes) await sink.write(x);
    await sink.close();
    await sendWithSplunkLogging(
      env,
      envelopes.map((x) => ({
        time: x.time!,
        ...(x.host === undefined ? {} : { host: x.host }),
        ...(x.source === undefined ? {} : { source: x.source }),
        sourcetype: x.sourcetype!,
        index: theirs,
        event: x.event,
      })),
    );
    await output.until(() => output.of(ours).length >= events.length && output.of(theirs).length >= events.length);
    const a = output.of(ours);
    const b = output.of(theirs);
    assert.equal(a.length, events.length);
    assert.equal(b.length, events.length);
    assert.deepEqual(multiset(a.map(seen)), multiset(b.map(seen)));
    // And both are the documents npswatch produced.
    assert.deepEqual(multiset(a.map((r) => r.event)), multiset(events.map((e) => toEcs(e))));
  });
});
