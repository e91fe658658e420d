import type { ClassifiedEvent } from '../classify/types.js';

/**
 * A total order on events: time, then source position, then content. Rules process final events in this order, so
 * the outcome never depends on arrival order (ties on time are common: many logs have second resolution).
 */
export function compareEvents(a: ClassifiedEvent, b: ClassifiedEvent): number {
  if (a.time !== b.time) return a.time - b.time;
  if (a.position.file !== b.position.file) return a.position.file < b.position.file ? -1 : 1;
  if (a.position.line !== b.position.line) return a.position.line - b.position.line;
  if (a === b) return 0;
  // Rare (identical time and position): fall back to content so even duplicates order the same way every run.
  const ja = JSON.stringify(a);
  const jb = JSON.stringify(b);
  return ja === jb ? 0 : ja < jb ? -1 : 1;
}

/** A copy of a sorted list with `event` inserted in order (after equal events). */
export function insertSorted(events: readonly ClassifiedEvent[], event: ClassifiedEvent): ClassifiedEvent[] {
  let i = events.length;
  while (i > 0 && compareEvents(events[i - 1]!, event) > 0) i--;
  const out = events.slice();
  out.splice(i, 0, event);
  return out;
}
