import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@faceless/runtime';

/** Keeps paid API answers (SerpApi meters every search) so that a rerun within the TTL costs nothing. */
export interface ResponseCache {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

interface Stored {
  savedAt: number;
  key: string;
  value: unknown;
}

/** A stable key for an engine and its parameters; the API key is never part of it. */
export function requestCacheKey(engine: string, params: Record<string, string>): string {
  const sorted = Object.keys(params).filter((k) => k !== 'api_key').sort().map((k) => [k, params[k]]);
  return JSON.stringify([engine, sorted]);
}

/**
 * Memory in front of one JSON file a key under `dir` (when given). Entries older than `ttlMs` are misses.
 * File errors are not fatal: a cache that cannot write only costs a search.
 */
export function createResponseCache(options: { dir?: string; ttlMs: number; now?: () => number }): ResponseCache {
  const now = options.now ?? Date.now;
  const memory = new Map<string, Stored>();
  const fileOf = (key: string): string | undefined =>
    options.dir ? join(options.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`) : undefined;
  const fresh = (s: Stored): boolean => now() - s.savedAt < options.ttlMs;

  return {
    async get(key) {
      const inMemory = memory.get(key);
      if (inMemory && fresh(inMemory)) return inMemory.value;
      memory.delete(key);
      const file = fileOf(key);
      if (!file) return undefined;
      try {
        const stored = JSON.parse(await readFile(file, 'utf8')) as Stored;
        if (stored.key !== key || !fresh(stored)) return undefined;
        memory.set(key, stored);
        return stored.value;
      } catch {
        return undefined;
      }
    },
    async set(key, value) {
      const stored: Stored = { savedAt: now(), key, value };
      memory.set(key, stored);
      const file = fileOf(key);
      if (!file || !options.dir) return;
      try {
        await mkdir(options.dir, { recursive: true });
        await writeFileAtomic(file, JSON.stringify(stored));
      } catch {
        // A cache that cannot be written is only a slower next run.
      }
    },
  };
}
