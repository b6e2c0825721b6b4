import { homedir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { FacelessError } from './errors.ts';

/** Parses with a zod schema; a failure becomes INVALID_INPUT naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'input'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`);
  const field = result.error.issues[0]?.path.join('.') || undefined;
  throw new FacelessError('INVALID_INPUT', `invalid ${what}: ${issues.join('; ')}`, { field });
}

/** The value a JSON text holds, or undefined when it is not JSON (a truncated or foreign file), for a schema to judge. */
export function parseJsonOrUndefined(text: string | Buffer): unknown {
  try {
    return JSON.parse(text.toString()) as unknown;
  } catch {
    return undefined;
  }
}

/** zod preprocess for environment variables: a blank value counts as unset, so the default applies. */
export const blankAsUnset = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A path from the environment with a leading `~` (or `~/…`) meaning the home folder, as a shell would read it. */
export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}
