import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRules, parseRules, RuleFileError } from '../../src/rules/load.js';

const errorsOf = (text: string, file = 'rules/pack.yaml'): RuleFileError => {
  try {
    parseRules(text, file);
  } catch (err) {
    if (err instanceof RuleFileError) return err;
    throw err;
  }
  assert.fail('expected a RuleFileError');
};

describe('rule files', () => {
  it('parses rules with defaults applied and durations in ms', () => {
    const [r] = parseRules('rules:\n  - id: otp\n    type: threshold\n    window: 10m\n    count: 5\n', 'a.yaml');
    assert.equal(r?.type, 'threshold');
    assert.equal(r?.type === 'threshold' && r.window, 600_000);
    assert.equal(r?.severity, 'medium');
    assert.equal(r?.sample_size, 5);
    assert.equal(r?.enabled, true);
    assert.deepEqual(r?.group_by, []);
  });

  it('names file, rule and option, and says what was expected', () => {
    const err = errorsOf(
      'rules:\n  - id: otp-brute-force\n    type: threshold\n    window: ten minutes\n    count: 5\n',
    );
    assert.equal(
      err.message,
      'rules/pack.yaml: rule "otp-brute-force": option "window": expected a duration like "10m", got "ten minutes"',
    );
    assert.equal(err.code, 'E_RULE_FILE');
    assert.equal(err.issues[0]?.line, 4);
  });

  it('reports every problem, naming rules by index when they have no id', () => {
    const err = errorsOf(
      [
        'rules:',
        '  - type: threshold',
        '    window: 10m',
        '    count: 0',
        '  - id: b',
        '    type: frequency',
        '  - id: c',
        '    type: spike',
        '    window: 10m',
        '    ratio: 3',
        '    colour: red',
        '    filter: { code: { in: 3 } }',
        '  - id: d',
        '    type: any',
        '    filter: { cde: 1 }',
      ].join('\n'),
    );
    const lines = err.message.split('\n');
    assert.ok(lines.includes('rules/pack.yaml: rule #1: option "id": required'), lines.join('\n'));
    assert.ok(lines.includes('rules/pack.yaml: rule #1: option "count": expected at least 1, got 0'), lines.join('\n'));
    assert.ok(
      lines.some((l) => l.startsWith('rules/pack.yaml: rule "b": option "type": expected one of threshold, spike')),
      lines.join('\n'),
    );
    assert.ok(lines.includes('rules/pack.yaml: rule "c": option "colour": unknown option'), lines.join('\n'));
    assert.ok(
      lines.some((l) => l.startsWith('rules/pack.yaml: rule "d": option "filter.cde": unknown field "cde"')),
      lines.join('\n'),
    );
    assert.ok(
      lines.includes('rules/pack.yaml: rule "c": option "filter.code.in": expected array, got 3'),
      lines.join('\n'),
    );
  });

  it('checks cross-option constraints and duplicate ids', () => {
    assert.match(
      errorsOf('rules:\n  - { id: a, type: threshold, window: 10m, step: 3m, count: 1 }\n').message,
      /option "step": expected a step that divides window/,
    );
    assert.match(
      errorsOf('rules:\n  - { id: a, type: any }\n  - { id: a, type: any }\n').message,
      /rule "a": option "id": duplicate id/,
    );
    assert.match(
      errorsOf('rules:\n  - { id: a, type: spike, window: 10m, baseline: { time_zone: Mars/Olympus } }\n').message,
      /option "baseline.time_zone": expected an IANA time zone/,
    );
    assert.match(
      errorsOf('rules:\n  - { id: a, type: sequence, within: 5m, steps: [{ filter: {} }] }\n').message,
      /option "steps": expected at least 2 steps/,
    );
  });

  it('reports YAML syntax errors with the line', () => {
    const err = errorsOf('rules:\n  - id: a\n   type: any\n');
    assert.match(err.message, /^rules\/pack\.yaml: invalid YAML: /);
    assert.equal(typeof err.issues[0]?.line, 'number');
  });

  it('accepts the notify policy block', () => {
    const [r] = parseRules(
      'rules:\n  - id: a\n    type: any\n    notify: { for: 5m, repeat_interval: 1h, group_by: [host.name], group_wait: 30s, resolve: false }\n',
      'a.yaml',
    );
    assert.equal(r?.notify?.repeat_interval, '1h');
    assert.match(
      errorsOf('rules:\n  - id: a\n    type: any\n    notify: { realert: 5m }\n').message,
      /option "notify.realert": unknown option/,
    );
  });

  it('loads several files, collecting problems from all and rejecting ids repeated across files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npswatch-rules-'));
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    writeFileSync(a, 'rules:\n  - { id: x, type: any }\n');
    writeFileSync(b, 'rules:\n  - { id: x, type: any }\n  - { id: y, type: any, severity: urgent }\n');
    await assert.rejects(loadRules([a, b, join(dir, 'missing.yaml')]), (err: unknown) => {
      assert.ok(err instanceof RuleFileError);
      const text = err.message;
      assert.match(
        text,
        /b\.yaml: rule "y": option "severity": expected one of critical, high, medium, low, info, got "urgent"/,
      );
      assert.match(text, /b\.yaml: rule "x": option "id": duplicate id \(also in .*a\.yaml\)/);
      assert.match(text, /missing\.yaml: cannot read/);
      return true;
    });
    const rules = await loadRules([a]);
    assert.deepEqual(
      rules.map((r) => r.id),
      ['x'],
    );
  });
});
