import { z } from 'zod';
import { parseDuration } from '../../time/duration.js';
import { RULE_DEFAULTS } from '../defaults.js';
import { positiveDuration } from '../duration.js';
import type { RuleType } from '../types.js';

/**
 * The `compat` rule option: `compat: elastalert` evaluates the rule with ElastAlert 2's window semantics instead of
 * npswatch's (docs/rules.md, "Compatibility mode"). The long form sets what ElastAlert takes from its global
 * config or from options npswatch rules do not have.
 */

/** Defaults of the long form; `run_every` is the 1 minute of ElastAlert's example config. */
const COMPAT_DEFAULTS = { run_every: '1m', forget_keys: false } as const;

const DEFAULT_RUN_EVERY = parseDuration(COMPAT_DEFAULTS.run_every);

const EXPECTED = 'expected "elastalert", or {mode: elastalert, run_every, forget_keys}';

const CompatObject = z
  .object({
    mode: z.literal('elastalert', { error: EXPECTED }),
    /** How often ElastAlert runs the rule: the placeholders, checks and queries of each run happen at its end. */
    run_every: positiveDuration.optional(),
    /** flatline only: forget a key at its first alert until it is seen again (ElastAlert's `forget_keys`). */
    forget_keys: z.boolean().optional(),
  })
  .strict();

export const CompatSchema = z
  .union([z.literal('elastalert', { error: EXPECTED }), CompatObject], { error: EXPECTED })
  .transform(
    (value): CompatOptions =>
      typeof value === 'string'
        ? { mode: 'elastalert', run_every: DEFAULT_RUN_EVERY, forget_keys: COMPAT_DEFAULTS.forget_keys }
        : {
            mode: 'elastalert',
            run_every: value.run_every ?? DEFAULT_RUN_EVERY,
            forget_keys: value.forget_keys ?? COMPAT_DEFAULTS.forget_keys,
          },
  );

/** The option as the runtimes read it (durations in ms). */
export interface CompatOptions {
  readonly mode: 'elastalert';
  readonly run_every: number;
  readonly forget_keys: boolean;
}

/** npswatch type → the ElastAlert 2 type its compat mode reproduces. */
const COMPAT_TYPES: Readonly<Partial<Record<RuleType, string>>> = {
  threshold: 'frequency',
  spike: 'spike',
  flatline: 'flatline',
  cardinality: 'cardinality',
  new_value: 'new_term',
  ratio: 'percentage_match',
  any: 'any',
};

const supported = Object.entries(COMPAT_TYPES)
  .map(([type, ea]) => (type === ea ? type : `${type} (${ea})`))
  .join(', ');

/** The parts of a validated rule the checks read (every type's options, loosely). */
interface CompatCandidate {
  readonly type: RuleType;
  readonly compat?: CompatOptions | undefined;
  readonly step?: number | undefined;
  readonly window?: number;
  readonly baseline?: unknown;
  readonly expected_keys?: readonly unknown[];
  readonly forget_after?: number;
  readonly group_by?: readonly unknown[];
  readonly lookback?: number;
}

type Issue = { readonly path: (string | number)[]; readonly message: string; readonly input: unknown };

const DEFAULT_FORGET_AFTER = parseDuration(RULE_DEFAULTS.flatline.forget_after);
const DEFAULT_LOOKBACK = parseDuration(RULE_DEFAULTS.new_value.lookback);

/** Options whose npswatch meaning ElastAlert has no counterpart for, per type (checked only in compat mode). */
const CONFLICTS: Readonly<Partial<Record<RuleType, (cfg: CompatCandidate, compat: CompatOptions) => Issue[]>>> = {
  threshold: (cfg) => noStep(cfg),
  cardinality: (cfg) => noStep(cfg),
  spike: (cfg) => [
    ...noStep(cfg),
    ...(cfg.baseline === undefined
      ? []
      : [issue(['baseline'], cfg.baseline, 'ElastAlert compares with the previous window only: remove baseline')]),
  ],
  flatline: (cfg) => [
    ...noStep(cfg),
    ...((cfg.expected_keys?.length ?? 0) === 0
      ? []
      : [
          issue(
            ['expected_keys'],
            cfg.expected_keys,
            'ElastAlert only knows keys it has seen: remove expected_keys (or drop compat)',
          ),
        ]),
    ...(cfg.forget_after === DEFAULT_FORGET_AFTER
      ? []
      : [
          issue(
            ['forget_after'],
            cfg.forget_after,
            'ElastAlert never forgets a key after a silence: remove forget_after (compat.forget_keys forgets a key at its first alert)',
          ),
        ]),
  ],
  new_value: (cfg) => [
    ...((cfg.group_by?.length ?? 0) === 0
      ? []
      : [
          issue(
            ['group_by'],
            cfg.group_by,
            "ElastAlert's new_term tracks values across the whole rule: remove group_by (or drop compat)",
          ),
        ]),
    ...(cfg.lookback === DEFAULT_LOOKBACK
      ? []
      : [
          issue(
            ['lookback'],
            cfg.lookback,
            "ElastAlert's new_term remembers a value for as long as it runs: remove lookback (warmup learns values silently)",
          ),
        ]),
  ],
  ratio: (cfg, compat) => [
    ...noStep(cfg),
    ...(typeof cfg.window === 'number' && cfg.window % compat.run_every !== 0
      ? [
          issue(
            ['window'],
            cfg.window,
            'expected a window that is a whole number of compat.run_every (ElastAlert queries the last window at every run)',
          ),
        ]
      : []),
  ],
};

function issue(path: (string | number)[], input: unknown, message: string): Issue {
  return { path, message, input };
}

function noStep(cfg: CompatCandidate): Issue[] {
  return cfg.step === undefined
    ? []
    : [issue(['step'], cfg.step, 'in compat: elastalert windows are measured back from each event: remove step')];
}

/** The problems of a rule's `compat` option: unsupported type, or options ElastAlert has no counterpart for. */
function compatIssues(cfg: CompatCandidate): Issue[] {
  const compat = cfg.compat;
  // Not set, or not valid itself (then zod has reported it, and the rest would only repeat it).
  if (typeof compat !== 'object' || compat === null) return [];
  if (COMPAT_TYPES[cfg.type] === undefined)
    return [
      issue(
        ['compat'],
        'elastalert',
        `ElastAlert 2 has no ${cfg.type} rule type: compat: elastalert is supported for ${supported}`,
      ),
    ];
  const issues = CONFLICTS[cfg.type]?.(cfg, compat) ?? [];
  if (compat.forget_keys && cfg.type !== 'flatline')
    issues.push(issue(['compat', 'forget_keys'], true, 'forget_keys only applies to flatline rules'));
  return issues;
}

/** superRefine for the rule schema: reports `compatIssues` at their option paths. */
export function checkCompat(cfg: CompatCandidate, ctx: z.RefinementCtx): void {
  for (const i of compatIssues(cfg)) ctx.addIssue({ code: 'custom', path: i.path, message: i.message, input: i.input });
}
