import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseUrlVar } from '@faceless/infra';
import { blankAsUnset } from '@faceless/runtime';
import { z } from 'zod';

/** The CLI's own settings; each service reads its own variables (see the README). */
const CliEnv = z.object({
  FACELESS_DATA_DIR: z.preprocess(blankAsUnset, z.string().min(1).optional()),
  // The same check as the services' (a blank value counts as unset there too).
  DATABASE_URL: DatabaseUrlVar,
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('warn'),
  STAGE_RETRY_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
});

export interface CliConfig {
  dataDir: string;
  databaseUrl?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  retryAttempts: number;
}

export function readCliConfig(env: Record<string, string | undefined>): CliConfig {
  const r = CliEnv.safeParse(env);
  if (!r.success) {
    throw new Error(`bad environment: ${r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  }
  return {
    dataDir: resolve(r.data.FACELESS_DATA_DIR ?? join(homedir(), '.faceless')),
    ...(r.data.DATABASE_URL ? { databaseUrl: r.data.DATABASE_URL } : {}),
    logLevel: r.data.LOG_LEVEL,
    retryAttempts: r.data.STAGE_RETRY_ATTEMPTS,
  };
}
