import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { FacelessError, withFileLock, writeFileAtomic } from '@faceless/runtime';

/** One API key as stored: never the key itself, only the hex sha256 of it. */
export const ApiKeyRecord = z.strictObject({
  id: z.string().regex(/^[\w.-]{1,64}$/, 'id must be 1-64 letters, digits, "_", "." or "-"'),
  name: z.string().min(1).max(200),
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'hash must be the 64 hex digits of sha256(key)'),
  rateLimitPerMinute: z.number().int().min(1).max(100_000).optional(),
  /** When `faceless keys create` made it (ISO 8601); absent in files written by hand. */
  createdAt: z.iso.datetime({ offset: true }).optional(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A fresh random key and the hash to put in API_KEYS / API_KEYS_FILE; show the key once, keep only the hash. */
export function createApiKey(): { key: string; hash: string } {
  const key = `fk_${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key) };
}

/** Parses API_KEYS: comma-separated `id:sha256hex` pairs. Returns the records and the problems found. */
export function parseApiKeysEnv(value: string): { records: ApiKeyRecord[]; problems: string[] } {
  const records: ApiKeyRecord[] = [];
  const problems: string[] = [];
  for (const [index, pair] of value.split(',').map((p) => p.trim()).filter(Boolean).entries()) {
    const colon = pair.indexOf(':');
    const id = colon > 0 ? pair.slice(0, colon) : '';
    const parsed = ApiKeyRecord.safeParse({ id, name: id || 'unnamed', hash: colon > 0 ? pair.slice(colon + 1).toLowerCase() : '' });
    if (parsed.success) records.push(parsed.data);
    else problems.push(`API_KEYS entry ${index + 1} (id "${id}"): expected id:sha256hex — ${parsed.error.issues.map((i) => i.message).join(', ')}`);
  }
  return { records, problems };
}

/** Parses the JSON text of API_KEYS_FILE: [{ id, name, hash, rateLimitPerMinute? }]. */
export function parseApiKeysFile(text: string, path: string): { records: ApiKeyRecord[]; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { records: [], problems: [`API_KEYS_FILE ${path} is not JSON: ${(err as Error).message}`] };
  }
  const parsed = z.array(ApiKeyRecord).safeParse(json);
  if (parsed.success) return { records: parsed.data, problems: [] };
  return {
    records: [],
    problems: parsed.error.issues.map((i) => `API_KEYS_FILE ${path} at [${i.path.join('.')}]: ${i.message}`),
  };
}

/** Finds the record whose hash matches the presented key, comparing digests in constant time. */
export function createKeyVerifier(records: readonly ApiKeyRecord[]): (presented: string) => ApiKeyRecord | undefined {
  const entries = records.map((record) => ({ record, digest: Buffer.from(record.hash, 'hex') }));
  return (presented) => {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: ApiKeyRecord | undefined;
    // No early exit: every stored digest is compared whatever matches.
    for (const entry of entries) {
      if (timingSafeEqual(digest, entry.digest) && !found) found = entry.record;
    }
    return found;
  };
}

/** Where `faceless keys` keeps the keys and the gateway reads them: API_KEYS_FILE, else `<FACELESS_DATA_DIR or ~/.faceless>/api-keys.json`. */
export function defaultKeysFilePath(env: Record<string, string | undefined>): string {
  const file = env.API_KEYS_FILE?.trim();
  if (file) return resolve(file);
  return resolve(env.FACELESS_DATA_DIR?.trim() || join(homedir(), '.faceless'), 'api-keys.json');
}

/** The records of a keys file: none when it does not exist, an INVALID_OPTION naming the file and every problem when it is not valid. */
export async function readKeysFile(path: string): Promise<ApiKeyRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new FacelessError('STORAGE_FAILED', `cannot read the keys file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const { records, problems } = parseApiKeysFile(text, path);
  if (problems.length > 0) {
    throw new FacelessError('INVALID_OPTION', `${problems.join('; ')}: fix the file by hand or move it away`, { field: 'API_KEYS_FILE' });
  }
  return records;
}

/**
 * Writes the keys file whole, readable by its owner only (0600), in a folder created 0700 when missing.
 * Atomic (a temporary file renamed over it) and synced, because the gateway re-reads it while it runs.
 */
export async function writeKeysFile(path: string, records: readonly ApiKeyRecord[]): Promise<void> {
  const checked = z.array(ApiKeyRecord).parse(records);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, `${JSON.stringify(checked, null, 2)}\n`, { mode: 0o600, sync: true });
}

/**
 * A read-modify-write of the keys file under its lock, so that two `faceless keys` commands running at
 * once never lose each other's change. `change` gets the records as they are and returns the new ones
 * (or the same array, unchanged, to write nothing) and a result for the caller.
 */
export async function updateKeysFile<T>(
  path: string,
  change: (records: ApiKeyRecord[]) => { records: ApiKeyRecord[]; result: T },
): Promise<T> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  return withFileLock(path, { what: 'the API keys file' }, async () => {
    const before = await readKeysFile(path);
    const { records, result } = change(before);
    if (records !== before) await writeKeysFile(path, records);
    return result;
  });
}
