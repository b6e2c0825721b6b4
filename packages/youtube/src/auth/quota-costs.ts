import { z } from 'zod';
import { FacelessError } from '@faceless/runtime';

/** The YouTube calls faceless makes, by the name the quota tables use. */
export const QUOTA_OPERATIONS = [
  'videos.insert', 'videos.update', 'videos.list', 'videos.delete', 'thumbnails.set', 'captions.insert', 'captions.list', 'channels.list', 'reporting',
] as const;
export type QuotaOperation = (typeof QUOTA_OPERATIONS)[number];

export interface QuotaCostTable {
  /** Units of the daily quota each call spends. */
  units: Record<QuotaOperation, number>;
  /** Calls that also take from a separate daily bucket of uploads, and that bucket's size. */
  uploads: Partial<Record<QuotaOperation, number>>;
  uploadsPerDay: number | undefined;
}

// The older published table; the Reporting API has its own quota, so it costs nothing here.
const LEGACY_UNITS: Record<QuotaOperation, number> = {
  'videos.insert': 1600,
  'videos.update': 50,
  'videos.list': 1,
  'videos.delete': 50,
  'thumbnails.set': 50,
  'captions.insert': 400,
  'captions.list': 50,
  'channels.list': 1,
  reporting: 0,
};

export const QUOTA_COST_TABLES = {
  legacy: { units: LEGACY_UNITS, uploads: {}, uploadsPerDay: undefined },
  // The newer doc: an upload costs 100 units plus one of 100 uploads a day.
  'uploads-bucket': { units: { ...LEGACY_UNITS, 'videos.insert': 100 }, uploads: { 'videos.insert': 1 }, uploadsPerDay: 100 },
} as const satisfies Record<string, QuotaCostTable>;

const units = z.number().int().nonnegative();
const JsonTable = z.strictObject({
  ...Object.fromEntries(QUOTA_OPERATIONS.map((op) => [op, units.optional()])) as Record<QuotaOperation, z.ZodOptional<typeof units>>,
  /** With it, videos.insert also takes one upload from a bucket of this size. */
  uploadsPerDay: z.number().int().positive().optional(),
});

const EXAMPLE = '{"videos.insert":1600,"thumbnails.set":50,"uploadsPerDay":100}';

/**
 * YOUTUBE_QUOTA_COSTS: `legacy`, `uploads-bucket`, or a JSON object of units per operation (operations left out
 * cost what `legacy` says; `uploadsPerDay` adds the separate upload bucket).
 */
export function parseQuotaCosts(value: string): QuotaCostTable {
  const name = value.trim();
  if (name === 'legacy' || name === 'uploads-bucket') return QUOTA_COST_TABLES[name];
  const bad = (why: string): FacelessError => new FacelessError(
    'INVALID_OPTION',
    `YOUTUBE_QUOTA_COSTS ${why}: use legacy, uploads-bucket, or a JSON table such as ${EXAMPLE} (operations: ${QUOTA_OPERATIONS.join(', ')})`,
    { field: 'YOUTUBE_QUOTA_COSTS' },
  );
  if (!name.startsWith('{')) throw bad(`is "${name.slice(0, 40)}"`);
  let json: unknown;
  try {
    json = JSON.parse(name);
  } catch {
    throw bad('is not valid JSON');
  }
  const parsed = JsonTable.safeParse(json);
  if (!parsed.success) throw bad(`is invalid (${parsed.error.issues.map((i) => `${i.path.join('.') || 'table'} ${i.message}`).join('; ')})`);
  const { uploadsPerDay, ...given } = parsed.data;
  const table: Record<QuotaOperation, number> = { ...LEGACY_UNITS };
  for (const op of QUOTA_OPERATIONS) table[op] = given[op] ?? LEGACY_UNITS[op];
  return { units: table, uploads: uploadsPerDay === undefined ? {} : { 'videos.insert': 1 }, uploadsPerDay };
}
