/**
 * Reads the EventData fields back out of the rendered message of the NPS audit events (Security 6272–6278), for
 * the formats that only carry the message (Splunk classic, wevtutil text, Get-WinEvent lists).
 *
 * The message groups `Label:<tabs>value` lines under section headers (`User:`, `Client Machine:`, ...). The same
 * label can mean different fields in different sections (`Security ID` is the user's SID under `User:` and the
 * machine's under `Client Machine:`), so the lookup key is section + label.
 */

/** [section, label, EventData name]; labels as rendered by Server 2008 R2 through 2022 (events.md §3.1). */
const TABLE: readonly (readonly [string, string, string])[] = [
  ['User', 'Security ID', 'SubjectUserSid'],
  ['User', 'Account Name', 'SubjectUserName'],
  ['User', 'Account Domain', 'SubjectDomainName'],
  ['User', 'Fully Qualified Account Name', 'FullyQualifiedSubjectUserName'],
  ['Client Machine', 'Security ID', 'SubjectMachineSID'],
  ['Client Machine', 'Account Name', 'SubjectMachineName'],
  ['Client Machine', 'Fully Qualified Account Name', 'FullyQualifiedSubjectMachineName'],
  ['Client Machine', 'OS-Version', 'MachineInventory'],
  ['Client Machine', 'Called Station Identifier', 'CalledStationID'],
  ['Client Machine', 'Calling Station Identifier', 'CallingStationID'],
  ['NAS', 'NAS IPv4 Address', 'NASIPv4Address'],
  ['NAS', 'NAS IPv6 Address', 'NASIPv6Address'],
  ['NAS', 'NAS Identifier', 'NASIdentifier'],
  ['NAS', 'NAS Port-Type', 'NASPortType'],
  ['NAS', 'NAS Port', 'NASPort'],
  ['RADIUS Client', 'Client Friendly Name', 'ClientName'],
  ['RADIUS Client', 'Client IP Address', 'ClientIPAddress'],
  // 2008 wording first, 2012 R2+ wording second: same field.
  ['Authentication Details', 'Proxy Policy Name', 'ProxyPolicyName'],
  ['Authentication Details', 'Connection Request Policy Name', 'ProxyPolicyName'],
  ['Authentication Details', 'Network Policy Name', 'NetworkPolicyName'],
  ['Authentication Details', 'Authentication Provider', 'AuthenticationProvider'],
  ['Authentication Details', 'Authentication Server', 'AuthenticationServer'],
  ['Authentication Details', 'Authentication Type', 'AuthenticationType'],
  ['Authentication Details', 'EAP Type', 'EAPType'],
  ['Authentication Details', 'Account Session Identifier', 'AccountSessionIdentifier'],
  ['Authentication Details', 'Logging Results', 'LoggingResult'],
  ['Authentication Details', 'Reason Code', 'ReasonCode'],
  ['Authentication Details', 'Reason', 'Reason'],
  // 6272/6276–6278 carry a quarantine block instead of the reason lines.
  ['Quarantine Information', 'Result', 'QuarantineState'],
  ['Quarantine Information', 'Extended-Result', 'ExtendedQuarantineState'],
  ['Quarantine Information', 'Session Identifier', 'QuarantineSessionIdentifier'],
  ['Quarantine Information', 'Help URL', 'QuarantineHelpURL'],
  ['Quarantine Information', 'System Health Validator Result(s)', 'QuarantineSystemHealthResult'],
];

const key = (section: string, label: string): string =>
  `${section.replace(/\s+/g, ' ').toLowerCase()}|${label.replace(/\s+/g, ' ').toLowerCase()}`;

const BY_KEY = new Map<string, string>(TABLE.map(([section, label, name]) => [key(section, label), name]));
const SECTIONS = new Set<string>(TABLE.map(([section]) => section.toLowerCase()));

/** The NPS audit events whose message has the layout above. */
const NPS_SECURITY_IDS = new Set([6272, 6273, 6274, 6275, 6276, 6277, 6278]);

/** True for Security-log NPS audit events (6272–6278), whose message holds the EventData values. */
export function isNpsSecurityEvent(eventId: number | undefined, channel: string | undefined): boolean {
  return eventId !== undefined && NPS_SECURITY_IDS.has(eventId) && (channel === undefined || channel === 'Security');
}

/**
 * Maps a rendered 6272/6273/6274 message to EventData names (`SubjectUserName`, `ClientIPAddress`, `ReasonCode`,
 * ...). Unknown labels and lines outside a known section are ignored; values are trimmed.
 */
export function securityFieldsFromMessage(message: string): Record<string, string> {
  const fields: Record<string, string> = {};
  let section = '';
  for (const rawLine of message.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const label = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    const indented = line.charCodeAt(0) === 9 || line.charCodeAt(0) === 32;
    // A section header is an unindented known name with nothing after the colon.
    if (!indented && value === '' && SECTIONS.has(label.replace(/\s+/g, ' ').toLowerCase())) {
      section = label;
      continue;
    }
    if (section === '') continue;
    const name = BY_KEY.get(key(section, label));
    if (name !== undefined) fields[name] = value;
  }
  return fields;
}
