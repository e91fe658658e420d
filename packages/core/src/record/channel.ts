const KNOWN = ['AuthNOptCh', 'AuthZOptCh', 'AuthZAdminCh'] as const;
export type ExtensionChannel = (typeof KNOWN)[number];

const BY_LOWER = new Map<string, string>(KNOWN.map((c) => [c.toLowerCase(), c]));

/**
 * Normalises every channel spelling seen in the wild to the bare name: `AuthZOptCh`,
 * `Microsoft-AzureMfa-AuthZ/AuthZOptCh`, `Microsoft-AzureMFA-AuthZ/AuthZOptCh`, `Microsoft-AzureMfa/AuthZ/AuthZAdminCh`,
 * `AzureMfa\AuthZ\AuthZOptCh`. Other channels (`Security`, `System`) come back as written.
 */
export function normalizeChannel(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  const last = text.split(/[/\\]/).pop()!;
  return BY_LOWER.get(last.toLowerCase()) ?? text;
}

export function isExtensionChannel(channel: string | undefined): channel is ExtensionChannel {
  return channel !== undefined && BY_LOWER.has(channel.toLowerCase());
}

/** The extension's providers: `Microsoft-AzureMfa-AuthZ`, `Microsoft-AzureMfa-AuthN` (any case). */
export function isExtensionProvider(provider: string | undefined): boolean {
  return provider !== undefined && /^Microsoft-AzureMfa-Auth[NZ]$/i.test(provider.trim());
}

/**
 * Splunk's classic WinEventLog rendering writes an event source's display name as `SourceName`; the other formats
 * carry the provider's registered name. Known display names map to that name, so one provider filter finds both.
 */
const PROVIDER_DISPLAY_NAMES: ReadonlyMap<string, string> = new Map([
  ['microsoft windows security auditing.', 'Microsoft-Windows-Security-Auditing'],
]);

export function normalizeProvider(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  return PROVIDER_DISPLAY_NAMES.get(raw.trim().toLowerCase()) ?? raw;
}

const LEVELS: Record<string, string> = {
  '0': 'information', // LogAlways; Security audit events use 0
  '1': 'critical',
  '2': 'error',
  '3': 'warning',
  '4': 'information',
  '5': 'verbose',
  information: 'information',
  informational: 'information',
  info: 'information',
  warning: 'warning',
  warn: 'warning',
  error: 'error',
  critical: 'critical',
  verbose: 'verbose',
};

/** Lower-case level name from a number (`<Level>4</Level>`) or a display name (`Information`, `Error`). */
export function normalizeLevel(raw: string | number | undefined): string | undefined {
  if (raw === undefined) return undefined;
  // Exact hit first: logs repeat the same few spellings, so skip the string work on the hot path.
  const direct = LEVELS[raw];
  if (direct !== undefined) return direct;
  const key = String(raw).trim().toLowerCase();
  return LEVELS[key] ?? (key === '' ? undefined : key);
}
