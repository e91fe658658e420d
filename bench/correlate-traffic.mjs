// Generated NPS traffic for bench/correlate: every RADIUS request as the extension (AuthZOptCh), the Security log
// (6272/6273) and the IAS accounting log (request and response lines) record it, as NpsRecords in time order.
// Plain JavaScript so the RSS child runs it in bare `node` on the built packages; typed by correlate-traffic.d.mts.

const HOUR = 3_600_000;
/** The longest MFA wait between an accounting request line and the decision. */
const MAX_WAIT = 30_000;
/** Records are released once the generator is this far past them: later requests cannot add earlier records. */
const HORIZON = MAX_WAIT + 5_000;

/** mulberry32: small, fast, reproducible. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Chunks of records for `requests` requests at `perHour` requests per hour over `servers` NPS servers and `users`
 * accounts; `failRate` of them rejected by the extension (Security 6273 / Access-Reject reason 21). Each log's
 * clock is off by its own skew (Security +40 ms, IAS whole seconds), as real logs are. A chunk follows every
 * `chunk` requests.
 */
export function* trafficChunks({
  requests,
  perHour = 1_000_000,
  users = 50_000,
  servers = 8,
  failRate = 0.2,
  seed = 20240920,
  start = Date.UTC(2024, 8, 20),
  chunk = 4096,
}) {
  const rand = prng(seed);
  const spacing = HOUR / perHour;
  const lines = new Map();
  const next = (file) => {
    const n = (lines.get(file) ?? 0) + 1;
    lines.set(file, n);
    return n;
  };
  let pending = [];
  for (let i = 0; i < requests; i++) {
    const t = Math.round(start + i * spacing + rand() * spacing);
    const server = Math.floor(rand() * servers);
    const user = `user${Math.floor(rand() * users)}`;
    const fail = rand() < failRate;
    const wait = Math.floor(rand() * MAX_WAIT);
    const fqdn = `NPS${String(server).padStart(2, '0')}.contoso.com`;
    const short = `NPS${String(server).padStart(2, '0')}`;
    const client = `10.${server}.0.${1 + Math.floor(rand() * 20)}`;
    const station = `198.51.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}`;
    const cid = `${(i >>> 0).toString(16).padStart(8, '0')}-0000-4000-a000-000000000000`;
    pending.push(
      {
        format: 'windows-xml',
        time: t,
        host: fqdn,
        channel: 'AuthZOptCh',
        provider: 'Microsoft-AzureMfa-AuthZ',
        eventId: 1,
        level: 'information',
        message: fail
          ? `NPS Extension for Azure MFA: CID: ${cid} : Access Rejected for user ${user}@contoso.com with Azure MFA response: UserNotFound and message: MSODS Graph call returned user not found error.`
          : `NPS Extension for Azure MFA: CID: ${cid} : Access Accepted for user ${user}@contoso.com`,
        position: { file: `${short}-AuthZOptCh.evtx`, line: 0 },
      },
      {
        format: 'windows-xml',
        time: t + 40,
        host: fqdn,
        channel: 'Security',
        provider: 'Microsoft-Windows-Security-Auditing',
        eventId: fail ? 6273 : 6272,
        fields: {
          SubjectUserName: `${user}@contoso.com`,
          FullyQualifiedSubjectUserName: `CONTOSO\\${user}`,
          CallingStationID: station,
          NASIdentifier: `VPN-GW${server}`,
          NASIPv4Address: client,
          ClientIPAddress: client,
          ClientName: `VPN-GW${server}`,
          NetworkPolicyName: 'VPN Users',
          AuthenticationType: 'PAP',
          ...(fail ? { ReasonCode: '21', Reason: 'An NPS extension DLL rejected the request.' } : {}),
        },
        position: { file: `${short}-Security.evtx`, line: 0 },
      },
      {
        format: 'ias',
        time: Math.floor((t - wait) / 1000) * 1000,
        host: short,
        fields: {
          'User-Name': `${user}@contoso.com`,
          'Packet-Type': '1',
          'Client-IP-Address': client,
          'Calling-Station-Id': station,
        },
        position: { file: `${short}-IN2409.log`, line: 0 },
      },
      {
        format: 'ias',
        time: Math.floor(t / 1000) * 1000,
        host: short,
        fields: {
          'SAM-Account-Name': `CONTOSO\\${user}`,
          'Packet-Type': fail ? '3' : '2',
          'Reason-Code': fail ? '21' : '0',
          'Client-IP-Address': client,
        },
        position: { file: `${short}-IN2409.log`, line: 0 },
      },
    );
    if ((i + 1) % chunk === 0 || i === requests - 1) {
      const cut = i === requests - 1 ? Number.POSITIVE_INFINITY : t - HORIZON;
      pending.sort((a, b) => a.time - b.time);
      const out = [];
      const keep = [];
      for (const r of pending) (r.time < cut ? out : keep).push(r);
      pending = keep;
      // Lines are numbered per file in time order, as the logs would write them (positions are fresh objects).
      for (const r of out) r.position.line = next(r.position.file);
      if (out.length > 0) yield out;
    }
  }
}
