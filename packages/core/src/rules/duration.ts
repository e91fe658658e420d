import { z } from 'zod';
import { DurationError, parseDuration } from '../time/duration.js';

/** What a duration looks like, for the JSON Schema (the parser in time/duration.ts is the authority). */
const DURATION_SHAPE = '^(?:0|(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h|d|w))+)$';

const expected = (input: unknown): string => `expected a duration like "10m", got ${JSON.stringify(input)}`;

/** A duration option: written as a string (`10m`, `1h30m`), parsed once to milliseconds. */
export const duration = z
  .string({ error: (issue) => expected(issue.input) })
  .regex(new RegExp(DURATION_SHAPE), { error: (issue) => expected(issue.input) })
  .transform((text, ctx) => {
    try {
      return parseDuration(text);
    } catch (err) {
      const reason = err instanceof DurationError ? err.message : String(err);
      ctx.addIssue({ code: 'custom', message: `${expected(text)} (${reason})`, input: text });
      return z.NEVER;
    }
  });

/** A duration that must be longer than zero (window sizes, steps). */
export const positiveDuration = duration.refine((ms) => ms > 0, { error: 'expected a duration longer than 0' });
