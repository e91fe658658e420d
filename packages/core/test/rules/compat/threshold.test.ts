import assert from 'node:assert/strict';
import { at, briefs, ev, final, MIN, OTP_RULE, run, userEv } from '../helpers.js';

/**
 * ElastAlert's frequency rule (FrequencyRule over an EventWindow): the window is the last `timeframe` measured back
 * from the newest event, half-open on the left; reaching `num_events` is a match at that event, and the key's
 * window is then emptied. npswatch's threshold counts aligned windows once they are closed.
 */
const compat = { ...OTP_RULE, compat: 'elastalert' } as const;
const sliding = { ...OTP_RULE, step: '1m' } as const;

describe('threshold with compat: elastalert (frequency)', () => {
  it('matches at the third event within 10 minutes of it; the default waits for the closed window', () => {
    const inputs = [userEv(7, 'alice'), userEv(8, 'alice'), userEv(12, 'alice'), final(30)];
    const c = run(compat, inputs);
    assert.deepEqual(briefs(c.out), ['otp +alice@12=3']);
    const d = c.out[0]!;
    // The match is the newest event; the window is the timeframe before it.
    assert.equal(d.windowStart, at(2));
    assert.equal(d.windowEnd, at(12));
    assert.equal(d.threshold, 3);
    assert.equal(d.sample.length, 3);
    assert.match(d.summary, /3 matching events for npswatch\.user\.key=alice in the 10m up to .*counting starts over/);
    // Default, tumbling: the burst straddles 00:10 and no aligned window holds three events.
    assert.deepEqual(briefs(run(OTP_RULE, inputs).out), []);
    // Default, sliding by 1m: found at the first window end after the third event, and active while it holds.
    assert.deepEqual(briefs(run(sliding, inputs).out), [
      'otp +alice@13=3',
      'otp +alice@14=3',
      'otp +alice@15=3',
      'otp +alice@16=3',
      'otp +alice@17=3',
      'otp -alice@18=2',
    ]);
  });

  it('drops an event exactly one timeframe older than the newest (the window is half-open)', () => {
    assert.deepEqual(briefs(run(compat, [userEv(0, 'a'), userEv(5, 'a'), userEv(10, 'a'), final(30)]).out), []);
    assert.deepEqual(briefs(run(compat, [userEv(0, 'a'), userEv(5, 'a'), userEv(9.5, 'a'), final(30)]).out), [
      'otp +a@9.5=3',
    ]);
  });

  it('empties the window after a match: one match per three events, where the default stays active', () => {
    const inputs = [...Array.from({ length: 9 }, (_, i) => userEv(i, 'alice')), final(40)];
    assert.deepEqual(briefs(run(compat, inputs).out), ['otp +alice@2=3', 'otp +alice@5=3', 'otp +alice@8=3']);
    assert.deepEqual(briefs(run(OTP_RULE, inputs).out), ['otp +alice@10=9', 'otp -alice@20=0']);
  });

  it('agrees with the default on a burst inside one window: one alert, same key and count', () => {
    const inputs = [userEv(1, 'bob'), userEv(2, 'bob'), userEv(3, 'bob'), userEv(4, 'carol'), final(30)];
    const c = run(compat, inputs).out;
    const d = run(OTP_RULE, inputs).out.filter((x) => x.active);
    assert.deepEqual(
      c.map((x) => [x.key, x.value]),
      d.map((x) => [x.key, x.value]),
    );
    // Compat decides at the event, the default at the window end.
    assert.deepEqual([c[0]!.time, d[0]!.time], [at(3), at(10)]);
  });

  it('counts events without the query_key field together under "_missing" (the default skips them)', () => {
    const inputs = [ev(0), ev(1), ev(2), final(30)];
    const c = run(compat, inputs).out;
    assert.deepEqual(briefs(c), ['otp +_missing@2=3']);
    assert.deepEqual(c[0]!.keyFields, { 'npswatch.user.key': '_missing' });
    assert.deepEqual(briefs(run(OTP_RULE, inputs).out), []);
  });

  it('applies an event that arrives late within the lateness where it belongs in time', () => {
    const inputs = [userEv(1, 'a'), userEv(4, 'a'), userEv(3, 'a'), userEv(6, 'b'), final(30)];
    const r = run(compat, inputs, { allowedLateness: 2 * MIN });
    assert.deepEqual(r.late, []);
    // Decided in event order once final: the third event is the one at 4, as if every event had been indexed on time.
    assert.deepEqual(briefs(r.out), ['otp +a@4=3']);
  });
});
