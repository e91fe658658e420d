import type { Audience, Category, Severity } from '../catalog/types.js';
import type { FormatId, SourcePosition } from '../record/types.js';
import type { UserRef } from '../record/user.js';

/** What kind of source event this is. Only `extension` events carry catalog codes. */
export type RecordKind = 'extension' | 'security' | 'accounting' | 'system' | 'other';
/** ECS `event.outcome`. */
export type Outcome = 'success' | 'failure' | 'unknown';

/** RADIUS context from Security 6272/6273 events and accounting records (and the extension's response state). */
export interface RadiusContext {
  /** `AccessAccept` | `AccessReject` | `AccessChallenge` as the extension saw it. */
  readonly state?: string;
  /** NPS reason code (6273 `ReasonCode`, accounting `Reason-Code`). 21 = an extension DLL rejected the request. */
  readonly reasonCode?: number;
  readonly reason?: string;
  /** Accounting Packet-Type: 1 Access-Request, 2 Access-Accept, 3 Access-Reject, 4 Accounting-Request. */
  readonly packetType?: number;
  readonly clientIp?: string;
  readonly clientName?: string;
  readonly nasIp?: string;
  readonly nasIdentifier?: string;
  readonly callingStationId?: string;
  readonly calledStationId?: string;
  readonly networkPolicy?: string;
  readonly proxyPolicy?: string;
  readonly authenticationType?: string;
  /** The accounting `Class` attribute that links request and response lines. */
  readonly class?: string;
  /** 6273 `AccountSessionIdentifier` / accounting `Acct-Session-Id`, when the NAS sends one. */
  readonly accountSessionId?: string;
}

/**
 * What `correlate` found for a record. Extension events: which NPS logs recorded the same request (`security`,
 * `accounting`, `both`, `none`). Security and accounting records: `extension` when the extension's event of the
 * request was found, else the kinds of their NPS partners (`security`, `accounting`, `both`) or `none`. `late`: the
 * record arrived after its possible partners were decided, so it was not matched at all.
 */
export type CorrelationMatch = 'security' | 'accounting' | 'both' | 'extension' | 'none' | 'late';

/** Another record of the same request, by source position. */
export interface CorrelationPartner {
  readonly kind: RecordKind;
  readonly file: string;
  readonly line: number;
  readonly time: number;
}

export interface Correlation {
  readonly matched: CorrelationMatch;
  /**
   * `anchor`: the record a request is reported under: the extension event, else the earliest NPS decision, else
   * the record alone. `partner`: every other record of the group. Count anchors to count requests once.
   */
  readonly role: 'anchor' | 'partner';
  readonly partners: readonly CorrelationPartner[];
}

/**
 * A record with its meaning: code, category, severity, who acts, outcome, and the parts of the message that
 * detections key on. Cause and remediation are looked up from the catalog by `entryId` when rendered.
 */
export interface ClassifiedEvent {
  readonly time: number;
  readonly kind: RecordKind;
  readonly format: FormatId;
  readonly position: SourcePosition;
  readonly host?: string;
  readonly channel?: string;
  readonly provider?: string;
  readonly eventId?: number;
  readonly recordId?: number;
  readonly level?: string;
  readonly message?: string;
  readonly user?: UserRef;
  /** The request's CID as logged. */
  readonly correlationId?: string;
  /** False when the CID is present but not a well-formed GUID (redacted or truncated logs). */
  readonly correlationIdValid?: boolean;
  /** The code as logged (`ESTS_TOKEN_ERROR`, `UserNotFound`, `IP_WHITE_LIST_WARNING`, ...), or a pseudo-code. */
  readonly code?: string;
  /** Catalog entry id; undefined for unknown codes and non-extension records. */
  readonly entryId?: string;
  readonly category: Category;
  readonly severity: Severity;
  readonly audience?: Audience;
  readonly outcome: Outcome;
  /** Service or extension detail text (after `Msg::` or `and message:`). */
  readonly detail?: string;
  readonly radius?: RadiusContext;
  /** Trace ID / Correlation ID lines of eSTS errors. */
  readonly traceId?: string;
  readonly stsCorrelationId?: string;
  /** Set by `correlate` on the records it joins (absent when correlation is off or the record takes no part). */
  readonly correlation?: Correlation;
}
