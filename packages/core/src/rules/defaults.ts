/**
 * Every default of every rule option, in one place. The zod schemas read them from here and docs/rules.md lists
 * them; durations are written as in rule files.
 */
export const RULE_DEFAULTS = {
  /** Common to all rule types. */
  common: {
    description: '',
    severity: 'medium',
    sample_size: 5,
    enabled: true,
    max_keys: 10_000,
  },
  /** Engine-wide lateness used by rules without `allowed_lateness`. */
  allowed_lateness: '1m',
  spike: {
    direction: 'up',
    ratio: 3,
    min_current: 5,
    min_reference: 5,
    alert_on_new_keys: false,
  },
  baseline: {
    method: 'median_mad',
    windows: 8,
    mads: 3,
    time_zone: 'UTC',
  },
  flatline: {
    min_count: 1,
    forget_after: '7d',
  },
  new_value: {
    lookback: '30d',
    warmup: '0s',
  },
  ratio: {
    min_total: 10,
  },
  sequence: {
    count: 1,
  },
} as const;
