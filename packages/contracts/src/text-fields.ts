import { z } from 'zod';

/**
 * A text checked as sent, then trimmed: the limits a client reads in the OpenAPI document
 * (maxLength, a non-blank pattern) are exactly the ones applied.
 */
export function trimmedText(options: { max: number; empty: string; tooLong: string }) {
  return z.string()
    .max(options.max, options.tooLong)
    .regex(/\S/, options.empty)
    .transform((text) => text.trim());
}
