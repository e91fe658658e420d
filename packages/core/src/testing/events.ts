import type { ClassifiedEvent } from '../classify/types.js';

/**
 * A classified event for tests, with sensible defaults: an extension event read from winlogbeat, category
 * `error`, severity `medium`, outcome `failure`, at position test:1. Only `time` is required; fields left out stay
 * absent (never present-but-undefined), so events survive a JSON round trip unchanged.
 */
export function makeEvent(partial: Partial<ClassifiedEvent> & { readonly time: number }): ClassifiedEvent {
  const event: Record<string, unknown> = {
    kind: 'extension',
    format: 'winlogbeat',
    position: { file: 'test', line: 1 },
    category: 'error',
    severity: 'medium',
    outcome: 'failure',
  };
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) event[k] = v;
  return event as unknown as ClassifiedEvent;
}
