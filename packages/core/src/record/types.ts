/** Where a record came from: the input name (file path or `-`) and its first 1-based line. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
}

/** Every input format npswatch reads. See docs/formats.md. */
export type FormatId =
  | 'winlogbeat'
  | 'splunk-wineventlog'
  | 'splunk-xmlwineventlog'
  | 'windows-xml'
  | 'wevtutil-text'
  | 'get-winevent-list'
  | 'message'
  | 'ias'
  | 'odbc'
  | 'dts'
  | 'npswatch'
  | 'json';

/**
 * One event as read from any input format, before classification. Parsers fill what the format carries;
 * everything else stays undefined. Field values are kept as written (no lower-casing), except `channel`,
 * which is normalised to the bare channel name (`AuthZOptCh`, `Security`, ...).
 */
export interface NpsRecord {
  readonly format: FormatId;
  readonly position: SourcePosition;
  /** Event time, epoch milliseconds (UTC). */
  readonly time: number;
  /** The NPS server (Windows computer name, FQDN where the format has it). */
  readonly host?: string;
  /** Normalised channel: `AuthNOptCh` | `AuthZOptCh` | `AuthZAdminCh` | `Security` | `System` | as written. */
  readonly channel?: string;
  /** Provider (publisher) name as written, e.g. `Microsoft-AzureMfa-AuthZ`. */
  readonly provider?: string;
  readonly eventId?: number;
  readonly recordId?: number;
  /** Lower-case level name: `information` | `warning` | `error` | `critical` | `verbose`, when known. */
  readonly level?: string;
  /** The rendered message (for extension events: the whole "NPS Extension for ..." text). */
  readonly message?: string;
  /**
   * Named fields. Security 6272/6273: EventData names (`SubjectUserName`, `ClientIPAddress`, `ReasonCode`, ...).
   * Accounting logs (IAS, ODBC, DTS): attribute names as in DTS (`User-Name`, `Packet-Type`, `Reason-Code`,
   * `Client-IP-Address`, `Fully-Qualified-User-Name` with the product's misspelling corrected, ...).
   */
  readonly fields?: Readonly<Record<string, string>>;
}

/** A record that could not be read: named by file, line and field, kept verbatim for the dead-letter file. */
export interface ParseIssue {
  readonly file: string;
  readonly line: number;
  /** The field (or element / column) that was wrong, when one can be named. */
  readonly field?: string;
  readonly reason: string;
  /** The raw text of the record (may be truncated to 64 KiB). */
  readonly raw: string;
  readonly format?: FormatId;
}

/** Where a parser sends what it reads. Callbacks rather than return values: no allocation per line. */
export interface ParseSink {
  record(record: NpsRecord): void;
  reject(issue: ParseIssue): void;
}

export interface ParseContext {
  /** Input name used in positions and errors. */
  readonly file: string;
  /** IANA zone for formats whose timestamps carry no offset (Splunk WinEventLog, IAS, ODBC, DTS). */
  readonly timeZone: string;
  /** Time for records whose format carries none (plain message lines): e.g. the input file's modification time. */
  readonly defaultTime?: number;
  /** Generic JSON input: dotted path of the event time (default `@timestamp`). */
  readonly timestampField?: string;
}

/**
 * A streaming parser for one format: fed one line at a time (without its line ending), it emits records as soon
 * as they are complete. Memory is bounded by the largest record, never by the input.
 */
export interface RecordParser {
  push(text: string, line: number): void;
  /** End of input: emit or reject whatever is pending. */
  end(): void;
}

export interface FormatDefinition {
  readonly id: FormatId;
  readonly description: string;
  /** True when the first non-empty lines of an input look like this format. */
  sniff(head: readonly string[]): boolean;
  create(ctx: ParseContext, sink: ParseSink): RecordParser;
}
