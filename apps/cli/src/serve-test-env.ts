import { join } from 'node:path';

/**
 * The environment of a `faceless serve` in a test: this process's, with every folder under `work`, no
 * keys and no DATABASE_URL or MEDIA_ROOTS from the machine (PGlite, keyless), quiet logs; `extra` last.
 */
export function serveTestEnv(work: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    ...process.env,
    API_KEYS: undefined, API_KEYS_FILE: undefined, DATABASE_URL: undefined, MEDIA_ROOTS: undefined,
    FACELESS_DATA_DIR: join(work, 'data'), LOCAL_CHANNEL_DIR: join(work, 'channels'), FACELESS_CACHE_DIR: join(work, 'cache'),
    LOG_LEVEL: 'error',
    ...extra,
  };
}
