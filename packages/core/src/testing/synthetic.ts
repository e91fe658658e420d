import type { NpsRecord } from '../record/types.js';

/**
 * A deterministic synthetic day of NPS extension traffic, for the bundled demo, tests and benchmarks. Message
 * shapes follow the verbatim captures (docs/formats.md); the "Access Accepted" wording is inferred (no capture
 * of it is public), and `ExampleUnknownCode` is deliberately fictional to show how unknown codes are handled.
 *
 * Scenarios (UTC, on `day`): steady MFA traffic on two servers; an OTP brute force against one user at 09:00;
 * a support-required InternalError at 11:00; MFA fatigue (rejections, then an accept) at 12:30; a UserNotFound
 * spike on NPS02 at 14:00; a password spray from one address through VPN-GW01 at 15:00 (Security 6273);
 * HTTPS_COMMUNICATION_ERROR on NPS01 at 16:00; a REGISTRY_CONFIG_ERROR (STS_URL missing) at service restart at 17:00; an
 * unknown service code at 17:30; NPS02 silent after 18:00.
 */
export interface SyntheticOptions {
  /** Start of the day, epoch ms (default 2024-09-20T00:00:00Z). */
  readonly day?: number;
  /** Sign-ins per server per hour of normal traffic (default 12). */
  readonly perHour?: number;
  readonly seed?: number;
}

const HOUR = 3_600_000;
const MIN = 60_000;
const PREFIX = 'NPS Extension for Azure MFA:';
const SERVERS = ['NPS01.contoso.com', 'NPS02.contoso.com'] as const;
const USERS = [
  'jdoe',
  'asmith',
  'bwayne',
  'ckent',
  'dprince',
  'hjordan',
  'pparker',
  'tstark',
  'nromanoff',
  'srogers',
  'bbanner',
  'wwest',
];

/** mulberry32: tiny, fast and good enough for reproducible test data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function guid(rand: () => number): string {
  const hex = (n: number) =>
    Array.from({ length: n }, () =>
      Math.floor(rand() * 16)
        .toString(16)
        .toLowerCase(),
    ).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}

export function syntheticDay(options: SyntheticOptions = {}): NpsRecord[] {
  const day = options.day ?? Date.UTC(2024, 8, 20);
  const rand = prng(options.seed ?? 20240920);
  const perHour = options.perHour ?? 12;
  const out: NpsRecord[] = [];
  let recordId = 5000;
  const ext = (
    time: number,
    host: string,
    message: string,
    channel = 'AuthZOptCh',
    level = 'information',
    eventId = 1,
  ) =>
    out.push({
      format: 'winlogbeat',
      position: { file: 'synthetic', line: 0 },
      time,
      host,
      channel,
      provider: 'Microsoft-AzureMfa-AuthZ',
      eventId,
      recordId: recordId++,
      level,
      message,
    });
  const upn = (u: string) => `${u}@contoso.com`;
  const challenge = (t: number, host: string, user: string) =>
    ext(
      t,
      host,
      `${PREFIX} CID: ${guid(rand)} : Challenge requested in Authentication Ext for User ${upn(user)} with state ${guid(rand)}`,
    );
  const accepted = (t: number, host: string, user: string) =>
    ext(t, host, `${PREFIX} CID: ${guid(rand)} : Access Accepted for user ${upn(user)}`);
  const rejected = (t: number, host: string, user: string, code: string, detail: string) =>
    ext(
      t,
      host,
      `${PREFIX} CID: ${guid(rand)} : Access Rejected for user ${upn(user)} with Azure MFA response: ${code} and message: ${detail}`,
    );
  const exception = (t: number, host: string, user: string, code: string, detail: string) => {
    const cid = guid(rand);
    ext(
      t,
      host,
      `${PREFIX}  CID: ${cid} :Exception in Authentication Ext for User ${upn(user)} :: ErrorCode:: CID :${cid} ${code} Msg:: ${detail}`,
      'AuthZAdminCh',
      'error',
      3,
    );
  };

  // Steady traffic: challenge then accept; NPS02 stops at 18:00.
  for (let h = 0; h < 24; h++) {
    for (const host of SERVERS) {
      if (host === SERVERS[1] && h >= 18) continue;
      const n = Math.max(1, Math.round(perHour * (h >= 7 && h < 19 ? 1 : 0.25) * (0.7 + rand() * 0.6)));
      for (let i = 0; i < n; i++) {
        const t = day + h * HOUR + Math.floor(rand() * HOUR);
        const user = USERS[Math.floor(rand() * USERS.length)]!;
        challenge(t, host, user);
        if (rand() < 0.05)
          rejected(t + 20_000, host, user, 'OathCodeIncorrect', 'Wrong code entered\\OATH Code Incorrect');
        else accepted(t + 15_000 + Math.floor(rand() * 20_000), host, user);
      }
    }
  }
  // 09:00 OTP brute force: eight wrong codes for one user in six minutes.
  for (let i = 0; i < 8; i++)
    rejected(
      day + 9 * HOUR + i * 45_000,
      SERVERS[0],
      'mallory',
      'OathCodeIncorrect',
      'Wrong code entered\\OATH Code Incorrect',
    );
  // 11:00 support-required.
  rejected(day + 11 * HOUR + 7 * MIN, SERVERS[0], 'ckent', 'InternalError', '');
  // 12:30 MFA fatigue: repeated primary rejections and challenges, then an accept.
  for (let i = 0; i < 4; i++) {
    ext(
      day + 12 * HOUR + 30 * MIN + i * 90_000,
      SERVERS[0],
      `${PREFIX} NPS Extension for Azure MFA only performs Secondary Auth for Radius requests in AccessAccept State. Request received for User ${upn('bwayne')} with response state AccessReject, ignoring request.`,
    );
  }
  accepted(day + 12 * HOUR + 38 * MIN, SERVERS[0], 'bwayne');
  // 14:00 UserNotFound spike on NPS02 (tenant or sync problem).
  for (let i = 0; i < 30; i++) {
    rejected(
      day + 14 * HOUR + i * 17_000,
      SERVERS[1],
      USERS[i % USERS.length]!,
      'UserNotFound',
      'MSODS Graph call returned user not found error.',
    );
  }
  // 15:00 password spray from one address through VPN-GW01: NPS denies a dozen users (Security 6273, reason 16).
  for (let i = 0; i < 12; i++) {
    const user = `intern${String(i + 1).padStart(2, '0')}`;
    out.push({
      format: 'winlogbeat',
      position: { file: 'synthetic', line: 0 },
      time: day + 15 * HOUR + i * 20_000,
      host: SERVERS[0],
      channel: 'Security',
      provider: 'Microsoft-Windows-Security-Auditing',
      eventId: 6273,
      recordId: recordId++,
      level: 'information',
      message: 'Network Policy Server denied access to a user.',
      fields: {
        SubjectUserName: upn(user),
        FullyQualifiedSubjectUserName: `CONTOSO\\${user}`,
        CallingStationID: '198.51.100.23',
        CalledStationID: '10.10.1.5',
        NASIPv4Address: '10.10.1.5',
        NASIdentifier: 'VPN-GW01',
        ClientName: 'VPN-GW01',
        ClientIPAddress: '10.10.1.5',
        NetworkPolicyName: 'VPN Users',
        AuthenticationType: 'PAP',
        ReasonCode: '16',
        Reason: 'Authentication failed due to a user credentials mismatch.',
      },
    });
  }
  // 16:00 NPS01 cannot reach the MFA service for ten minutes.
  for (let i = 0; i < 15; i++) {
    exception(
      day + 16 * HOUR + i * 40_000,
      SERVERS[0],
      USERS[i % USERS.length]!,
      'HTTPS_COMMUNICATION_ERROR',
      'Failed to receive a response from the Azure MFA service.',
    );
  }
  // 17:00 service restart after a reinstall that lost STS_URL (R03's shape with another key; the IP_WHITELIST line
  // itself is harmless and classified info).
  ext(
    day + 17 * HOUR,
    SERVERS[0],
    `${PREFIX} STS URL not intialized::  ErrorCode:: REGISTRY_CONFIG_ERROR Msg:: Neither registry entry not default value found for key: STS_URL`,
    'AuthZOptCh',
    'error',
    2,
  );
  // 17:30 a response code no catalog knows (fictional).
  rejected(
    day + 17 * HOUR + 30 * MIN,
    SERVERS[0],
    'wwest',
    'ExampleUnknownCode',
    'A response npswatch has never seen.',
  );
  return out.sort((a, b) => a.time - b.time || (a.recordId ?? 0) - (b.recordId ?? 0));
}
