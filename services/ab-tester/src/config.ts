import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { FacelessError } from '@faceless/runtime';

const blankAsUnset = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const AbTesterEnv = z.object({
  DATABASE_URL: z.preprocess(blankAsUnset, z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional()),
  FACELESS_DATA_DIR: z.preprocess(blankAsUnset, z.string().optional()),
});

const RotateEnv = z.object({
  AB_ROTATE_INTERVAL_SEC: z.preprocess(blankAsUnset, z.coerce.number().int().min(0).max(86_400).default(300)),
});

/** How often the service checks whether a rotation is due (AB_ROTATE_INTERVAL_SEC, default 300; 0 turns it off). */
export function readRotateIntervalSec(env: Record<string, string | undefined>): number {
  const r = RotateEnv.safeParse(env);
  if (!r.success) {
    throw new FacelessError('INVALID_OPTION', `AB_ROTATE_INTERVAL_SEC "${env.AB_ROTATE_INTERVAL_SEC ?? ''}" must be whole seconds from 0 (off) to 86400`, { field: 'AB_ROTATE_INTERVAL_SEC' });
  }
  return r.data.AB_ROTATE_INTERVAL_SEC;
}

const ReportsEnv = z.object({
  AB_REPORTS_INTERVAL_SEC: z.preprocess(blankAsUnset, z.coerce.number().int().min(0).max(7 * 86_400).default(21_600)),
});

/**
 * How often the service pulls the channels' reach reports and evaluates the running experiments
 * (AB_REPORTS_INTERVAL_SEC, default 6 h: YouTube adds a report a day, about 48 h late; 0 turns it off).
 */
export function readReportsIntervalSec(env: Record<string, string | undefined>): number {
  const r = ReportsEnv.safeParse(env);
  if (!r.success) {
    throw new FacelessError('INVALID_OPTION', `AB_REPORTS_INTERVAL_SEC "${env.AB_REPORTS_INTERVAL_SEC ?? ''}" must be whole seconds from 0 (off) to 604800`, { field: 'AB_REPORTS_INTERVAL_SEC' });
  }
  return r.data.AB_REPORTS_INTERVAL_SEC;
}

/** Where the experiments live when the host does not hand the stage a database. */
export type DatabaseTarget = { url: string } | { dataDir: string };

/** PostgreSQL at DATABASE_URL, else embedded PGlite in FACELESS_DATA_DIR/db (~/.faceless/db). */
export function readDatabaseTarget(env: Record<string, string | undefined>): DatabaseTarget {
  const r = AbTesterEnv.safeParse(env);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
    throw new FacelessError('INVALID_OPTION', `bad ab-tester environment: ${problems.join('; ')}`, { field: String(r.error.issues[0]?.path[0] ?? '') });
  }
  if (r.data.DATABASE_URL) return { url: r.data.DATABASE_URL };
  const dataDir = r.data.FACELESS_DATA_DIR ?? '~/.faceless';
  const expanded = dataDir === '~' || dataDir.startsWith('~/') ? join(homedir(), dataDir.slice(1)) : dataDir;
  return { dataDir: join(resolve(expanded), 'db') };
}

/** The target for messages: a URL without its credentials. */
export function describeDatabaseTarget(target: DatabaseTarget): string {
  if ('dataDir' in target) return `the embedded database in ${target.dataDir}`;
  try {
    const u = new URL(target.url);
    return `PostgreSQL at ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'PostgreSQL at DATABASE_URL';
  }
}
