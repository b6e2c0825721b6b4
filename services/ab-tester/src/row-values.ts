/** Column values as the two drivers return them: pg gives int8 as a string, PGlite as a number. */

export function toInt(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'bigint' || typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new Error(`expected an integer column, got ${String(value)}`);
  return n;
}

/** timestamptz as an ISO string in UTC (both drivers return a Date, but a text cast returns a string). */
export function toIso(value: unknown): string {
  const d = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(d.getTime())) throw new Error(`expected a timestamp column, got ${String(value)}`);
  return d.toISOString();
}

export function toIsoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : toIso(value);
}

export function toTextOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}
