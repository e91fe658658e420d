/**
 * What happened to each ElastAlert option: `mapped` (same meaning), `approximated` (close, with the difference
 * stated), `ignored` (no meaning here: alerters, index names, connection settings) or `refused` (the rule could
 * not be imported, and why).
 */
export type ImportNoteKind = 'mapped' | 'approximated' | 'ignored' | 'refused';

export interface ImportNote {
  readonly kind: ImportNoteKind;
  /** The ElastAlert option (or filter path) concerned: `timeframe`, `filter[0].query.query_string`. */
  readonly option: string;
  /** The npswatch option and value it became, when there is one: `window: 1h`. */
  readonly to?: string;
  /** Why, or what differs. */
  readonly message?: string;
}

/** `mapped: num_events → count: 20`, `ignored: index: ...`, `approximated: timeframe → window: 1h (...)` */
export function formatImportNote(note: ImportNote): string {
  const head = `${note.kind}: ${note.option}`;
  if (note.to === undefined) return note.message === undefined ? head : `${head}: ${note.message}`;
  return note.message === undefined ? `${head} → ${note.to}` : `${head} → ${note.to} (${note.message})`;
}

/** Collects notes in the order options are handled. */
export class Notes {
  readonly list: ImportNote[] = [];

  mapped(option: string, to: string, message?: string): void {
    this.add({ kind: 'mapped', option, to, ...(message === undefined ? {} : { message }) });
  }

  approximated(option: string, message: string, to?: string): void {
    this.add({ kind: 'approximated', option, message, ...(to === undefined ? {} : { to }) });
  }

  ignored(option: string, message: string): void {
    this.add({ kind: 'ignored', option, message });
  }

  refused(option: string, message: string): void {
    this.add({ kind: 'refused', option, message });
  }

  /** A note that belongs on top (what the rule became), whenever it is known. */
  first(note: ImportNote): void {
    this.list.unshift(note);
  }

  private add(note: ImportNote): void {
    // The same remark about the same option (a field named twice in a filter) is worth reading once.
    if (
      this.list.some(
        (n) => n.kind === note.kind && n.option === note.option && n.message === note.message && n.to === note.to,
      )
    )
      return;
    this.list.push(note);
  }
}
