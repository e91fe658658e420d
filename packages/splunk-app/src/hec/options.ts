import { z } from 'zod';
import { HecError } from './errors.js';

// Numeric and shape checks of the sink's and transport's options, made when they are created: a wrong value is a
// configuration error naming the option, not a failure at the first send (or a silent misbehaviour).

const int = (min: number) => z.number().int().min(min);
const ms = z.number().min(0);

const TRANSPORT = z.object({
  gzipLevel: z.number().int().min(0).max(9).optional(),
  connections: int(1).optional(),
  timeoutMs: z.number().positive().optional(),
  connectTimeoutMs: z.number().positive().optional(),
  retry: z
    .object({
      retries: int(0).optional(),
      minDelayMs: ms.optional(),
      maxDelayMs: ms.optional(),
      maxRetryAfterMs: ms.optional(),
    })
    .refine((r) => (r.minDelayMs ?? 250) <= (r.maxDelayMs ?? 30_000), {
      message: 'minDelayMs must not exceed maxDelayMs',
    })
    .optional(),
});

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SINK = z.object({
  // Splunk's own rule for index names: lower-case letters, digits, underscores and hyphens, not leading with either.
  index: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'a Splunk index name: lower-case letters, digits, _ and -')
    .optional(),
  batch: z.object({ maxBytes: int(1).optional(), maxEvents: int(1).optional(), maxDelayMs: ms.optional() }).optional(),
  maxInFlight: int(1).optional(),
  maxPendingBytes: int(1).optional(),
  channel: z.string().regex(GUID, 'a GUID, as Splunk requires for X-Splunk-Request-Channel').optional(),
  ack: z
    .object({
      pollIntervalMs: z.number().positive().optional(),
      timeoutMs: z.number().positive().optional(),
      maxResends: int(0).optional(),
    })
    .optional(),
  spool: z.object({ dir: z.string().min(1), maxBytes: int(1).optional() }).optional(),
  probe: z
    .object({ minDelayMs: ms.optional(), maxDelayMs: ms.optional() })
    .refine((p) => (p.minDelayMs ?? 500) <= (p.maxDelayMs ?? 30_000), {
      message: 'minDelayMs must not exceed maxDelayMs',
    })
    .optional(),
});

function check(schema: z.ZodType, options: unknown, what: string): void {
  const result = schema.safeParse(options);
  if (result.success) return;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  throw new HecError('HEC_CONFIG', `invalid ${what} option ${path}: ${issue.message}`, {
    retryable: false,
    hint: 'see the option list in docs/splunk.md',
  });
}

export const checkTransportOptions = (options: unknown): void => check(TRANSPORT, options, 'HEC transport');
export const checkSinkOptions = (options: unknown): void => check(SINK, options, 'HEC sink');
