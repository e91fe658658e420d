import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { NotifyEngine } from '../../src/notify/engine.js';
import { loadState, STATE_FILE_VERSION, StateFileError, saveState } from '../../src/notify/persist.js';
import { emptyNotifyState } from '../../src/notify/state.js';
import type { NotifyAlert, NotifyInput, Suppression } from '../../src/notify/types.js';
import { at, brief, d, det, policies, run, settle, tick } from './helpers.js';
import { detectionsOf, MIXED, stepArb } from './scenario.js';

describe('notify state persistence', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'npswatch-notify-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const checkpoint = { inputs: { 'C:/logs/IN2409.log': { offset: 1234, line: 17, inode: 42 } } };

  async function runWithRestart(inputs: readonly NotifyInput[], cut: number, file: string) {
    const out: NotifyAlert[] = [];
    const suppressed: Suppression[] = [];
    const first = new NotifyEngine(MIXED);
    for (const input of inputs.slice(0, cut)) {
      const r = first.apply(input);
      out.push(...r.out);
      suppressed.push(...r.suppressed);
    }
    await saveState(file, { detection: { windows: [1, 2, 3] }, notify: first.state, checkpoint });
    const loaded = await loadState(file);
    assert.ok(loaded !== undefined);
    const second = new NotifyEngine(MIXED, loaded.notify);
    for (const input of inputs.slice(cut)) {
      const r = second.apply(input);
      out.push(...r.out);
      suppressed.push(...r.suppressed);
    }
    return { out, suppressed };
  }

  it('a restart from the saved state neither re-alerts nor forgets', async () => {
    // Pending `for` timers, keep_firing_for, repeats and group buffers are all in flight at the cut.
    const p = policies({
      r: { for: '10m', repeat_interval: '30m' },
      g: { group_by: ['host.name'], group_wait: '5m' },
    });
    const inputs = settle([
      d(det(at(0))),
      d(det(at(5))),
      d(det(at(10))),
      d(det(at(12), { ruleId: 'g', keyFields: { 'host.name': 'h', 'user.name': 'a' } })),
      d(det(at(14), { ruleId: 'g', keyFields: { 'host.name': 'h', 'user.name': 'b' } })),
      d(det(at(15))),
      d(det(at(20))),
      d(det(at(40))),
      d(det(at(50), { active: false })),
      tick(at(60)),
    ]);
    const whole = run(p, inputs);
    assert.deepEqual(brief(whole.out), ['r firing@10', 'g[h] firing@17', 'r firing@40', 'r resolved@50']);
    for (let cut = 0; cut <= inputs.length; cut++) {
      const engine = new NotifyEngine(p);
      const out: NotifyAlert[] = [];
      for (const input of inputs.slice(0, cut)) out.push(...engine.apply(input).out);
      const file = join(dir, `state-${cut}.json`);
      await saveState(file, { detection: null, notify: engine.state, checkpoint: { inputs: {} } });
      const loaded = await loadState(file);
      const resumed = new NotifyEngine(p, loaded?.notify);
      for (const input of inputs.slice(cut)) out.push(...resumed.apply(input).out);
      assert.deepStrictEqual(out, whole.out, `restart after input ${cut}`);
    }
  });

  it('random scenarios: run half, save, load, run the rest = uninterrupted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 2, maxLength: 30 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (s, f) => {
          const { inputs: raw } = detectionsOf(s);
          const inputs = [...settle(raw), tick(at(24 * 60))];
          const cut = Math.floor(f * inputs.length);
          const whole = run(MIXED, inputs);
          const resumed = await runWithRestart(inputs, cut, join(dir, 'state.json'));
          assert.deepStrictEqual(resumed.out, whole.out);
          assert.deepStrictEqual(resumed.suppressed, whole.suppressed);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('writes a versioned document atomically and reads it back', async () => {
    const file = join(dir, 'npswatch.state.json');
    const notify = run(MIXED, [d(det(at(0), { ruleId: 'spray' })), tick(at(5))]).state;
    await saveState(file, { detection: { any: 'thing' }, notify, checkpoint }, { now: () => at(5) });
    assert.deepEqual(await readdir(dir), ['npswatch.state.json'], 'no temporary file left behind');
    const doc = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    assert.equal(doc.version, STATE_FILE_VERSION);
    assert.equal(doc.savedAt, new Date(at(5)).toISOString());
    const loaded = await loadState(file);
    assert.deepStrictEqual(loaded, {
      version: 1,
      savedAt: new Date(at(5)).toISOString(),
      detection: { any: 'thing' },
      notify: JSON.parse(JSON.stringify(notify)),
      checkpoint,
    });
    // Overwrites in place.
    await saveState(file, { detection: null, notify: emptyNotifyState(), checkpoint: { inputs: {} } });
    assert.deepEqual((await loadState(file))?.notify, emptyNotifyState());
  });

  it('treats a missing file as a fresh start', async () => {
    assert.equal(await loadState(join(dir, 'absent.json')), undefined);
  });

  async function loadError(content: string): Promise<StateFileError> {
    const file = join(dir, 'bad.json');
    await writeFile(file, content);
    try {
      await loadState(file);
    } catch (err) {
      assert.ok(err instanceof StateFileError, String(err));
      assert.ok(err.message.includes(file), `message names the file: ${err.message}`);
      assert.equal(err.path, file);
      return err;
    }
    assert.fail('expected loadState to throw');
  }

  const valid = () => ({
    version: 1,
    savedAt: '2024-03-01T08:00:00.000Z',
    detection: null,
    notify: emptyNotifyState(),
    checkpoint: { inputs: {} },
  });

  it('rejects a corrupt file with a clear error', async () => {
    const torn = await loadError('{"version":1,"savedAt":"2024');
    assert.equal(torn.code, 'E_STATE_INVALID');
    assert.match(torn.message, /not valid JSON/);
    assert.equal((await loadError('[1,2]')).code, 'E_STATE_INVALID');
  });

  it('rejects a state written by a newer version', async () => {
    const err = await loadError(JSON.stringify({ ...valid(), version: 2 }));
    assert.equal(err.code, 'E_STATE_VERSION');
    assert.match(err.message, /newer npswatch \(state version 2\); this version reads version 1/);
  });

  it('names the field that is wrong', async () => {
    const bad = valid();
    const notify = run(MIXED, settle([d(det(at(0), { ruleId: 'spray' }))])).state;
    const [fp] = Object.keys(notify.instances);
    assert.ok(fp !== undefined);
    (notify.instances[fp] as { phase: string }).phase = 'exploded';
    const err = await loadError(JSON.stringify({ ...bad, notify }));
    assert.equal(err.code, 'E_STATE_INVALID');
    assert.ok(err.message.includes(`notify.instances.${fp}.phase`), err.message);

    const noVersion = await loadError(JSON.stringify({ ...bad, version: undefined }));
    assert.match(noVersion.message, /version/);
    const badCheckpoint = await loadError(
      JSON.stringify({ ...bad, checkpoint: { inputs: { a: { offset: -1, line: 1 } } } }),
    );
    assert.match(badCheckpoint.message, /checkpoint\.inputs\.a\.offset/);
    const dangling = valid();
    dangling.notify.groups = {
      g: {
        ruleId: 'r',
        ruleType: 'threshold',
        key: '',
        keyFields: {},
        members: ['nope'],
        anchor: 0,
        flushed: false,
        open: false,
      },
    };
    assert.match((await loadError(JSON.stringify(dangling))).message, /unknown instance "nope"/);
  });

  it('keeps the correlator state when there is one; files without it (older ones) still load', async () => {
    const file = join(dir, 'npswatch.state.json');
    const correlation = { version: 1, maxTime: at(3), held: [], offsets: [] };
    await saveState(file, { detection: null, notify: emptyNotifyState(), checkpoint, correlation });
    assert.deepEqual((await loadState(file))?.correlation, correlation);
    await saveState(file, { detection: null, notify: emptyNotifyState(), checkpoint });
    const without = await loadState(file);
    assert.ok(without !== undefined && !('correlation' in without));
    await writeFile(file, JSON.stringify(valid()));
    assert.equal((await loadState(file))?.correlation, undefined);
    // Versioned: the rest of it is checked when the correlator restores it (correlateStateFromJSON).
    const unversioned = await loadError(JSON.stringify({ ...valid(), correlation: { held: [] } }));
    assert.match(unversioned.message, /correlation\.version/);
  });

  it('reports an unreadable path', async () => {
    await assert.rejects(loadState(dir), (err: unknown) => {
      assert.ok(err instanceof StateFileError);
      assert.equal(err.code, 'E_STATE_UNREADABLE');
      return true;
    });
  });

  it('reports a failed write and leaves no temporary file', async () => {
    const file = join(dir, 'missing-dir', 'state.json');
    await assert.rejects(
      saveState(file, { detection: null, notify: emptyNotifyState(), checkpoint: { inputs: {} } }),
      (err: unknown) => err instanceof StateFileError && err.code === 'E_STATE_WRITE',
    );
    assert.deepEqual(await readdir(dir), []);
  });
});
