import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { FacelessError, blankAsUnset, expandHome, type SqlSession } from '@faceless/runtime';

// The port itself lives in @faceless/runtime; infra opens PGlite or PostgreSQL behind it.
export type { Database, SqlSession } from '@faceless/runtime';
import type { Database } from '@faceless/runtime';

export interface Migration {
  id: string;
  sql: string;
}

/**
 * Applies the migrations not yet recorded in schema_migrations, in order, in one transaction that first takes
 * a transaction-scoped advisory lock: replicas starting together wait for each other instead of racing to
 * create the same tables, and the lock goes with the transaction even when the process dies. All pending
 * migrations of one list apply together or not at all.
 */
export async function migrate(db: Database, migrations: readonly Migration[]): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('faceless.schema_migrations'))`);
    await tx.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const { rows } = await tx.query<{ id: string }>('SELECT id FROM schema_migrations');
    const done = new Set(rows.map((r) => r.id));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [m.id]);
      applied.push(m.id);
    }
    return applied;
  });
}

/** Where the state lives: PostgreSQL at a URL, or PGlite (embedded) in a folder. */
export type DatabaseTarget = { url: string } | { dataDir: string };

/** DATABASE_URL as every config reads it: a postgres:// URL, or unset (blank too) for the embedded database. */
export const DatabaseUrlVar = z.preprocess(blankAsUnset, z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional());

const DatabaseEnv = z.object({
  DATABASE_URL: DatabaseUrlVar,
  FACELESS_DATA_DIR: z.preprocess(blankAsUnset, z.string().optional()),
});

/** PostgreSQL at DATABASE_URL, else embedded PGlite in FACELESS_DATA_DIR/db (~/.faceless/db). */
export function readDatabaseTarget(env: Record<string, string | undefined>): DatabaseTarget {
  const r = DatabaseEnv.safeParse(env);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
    throw new FacelessError('INVALID_OPTION', `bad database environment: ${problems.join('; ')}`, { field: String(r.error.issues[0]?.path[0] ?? '') });
  }
  if (r.data.DATABASE_URL) return { url: r.data.DATABASE_URL };
  const dataDir = r.data.FACELESS_DATA_DIR ?? '~/.faceless';
  return { dataDir: join(resolve(expandHome(dataDir)), 'db') };
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

/** The process's shared database of the environment (DATABASE_URL, else PGlite under FACELESS_DATA_DIR); not migrated. */
export async function openFacelessDatabase(env: Record<string, string | undefined>): Promise<Database> {
  return openDatabase(readDatabaseTarget(env));
}

interface SharedDatabase {
  db: Promise<Database>;
  users: number;
}

/** One opened database per target in this process: PGlite must not be opened twice, and one pool per URL is enough. */
const shared = new Map<string, SharedDatabase>();

function targetKey(target: { url?: string; dataDir?: string }): string {
  return target.url ? `url:${target.url}` : `dir:${resolve(target.dataDir ?? '')}`;
}

/**
 * Opens PGlite (embedded) at a folder, or PostgreSQL when given a postgres:// URL. Within a process, opening
 * the same target again returns the same database; it is closed when every opener has closed it.
 */
export async function openDatabase(target: { url?: string; dataDir?: string }): Promise<Database> {
  const key = targetKey(target);
  let entry = shared.get(key);
  if (!entry) {
    const created: SharedDatabase = { db: target.url ? openPostgres(target.url) : openPglite(target.dataDir), users: 0 };
    entry = created;
    shared.set(key, created);
    created.db.catch(() => { if (shared.get(key) === created) shared.delete(key); });
  }
  const opened = entry;
  const db = await opened.db;
  opened.users += 1;
  let closed = false;
  return {
    query: (sql, params) => db.query(sql, params),
    exec: (sql) => db.exec(sql),
    transaction: (fn) => db.transaction(fn),
    async close() {
      if (closed) return;
      closed = true;
      opened.users -= 1;
      if (opened.users > 0) return;
      if (shared.get(key) === opened) shared.delete(key);
      await db.close();
    },
  };
}

async function openPostgres(url: string): Promise<Database> {
  const pg = await import('pg');
  // allowExitOnIdle: a CLI command that forgot to close does not hold the process for the idle timeout.
  const pool = new pg.default.Pool({ connectionString: url, max: 4, allowExitOnIdle: true });
  return {
    async query(sql, params) {
      const r = await pool.query(sql, params);
      return { rows: r.rows };
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(fn) {
      const client = await pool.connect();
      const tx: SqlSession = {
        async query(sql, params) {
          const r = await client.query(sql, params);
          return { rows: r.rows };
        },
        async exec(sql) {
          await client.query(sql);
        },
      };
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => { broken = true; });
        throw err;
      } finally {
        // A connection whose rollback failed is dropped rather than handed to the next caller mid-transaction.
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  let unlock = (): void => {};
  if (dataDir) {
    await mkdir(dataDir, { recursive: true });
    unlock = lockFolder(resolve(dataDir));
  }
  let db: InstanceType<typeof PGlite>;
  try {
    db = new PGlite(dataDir);
    await db.waitReady;
  } catch (err) {
    unlock();
    throw err;
  }
  return {
    async query(sql, params) {
      const r = await db.query(sql, params);
      return { rows: r.rows as never[] };
    },
    async exec(sql) {
      await db.exec(sql);
    },
    // PGlite runs one statement or transaction at a time, so its transactions never interleave.
    transaction: (fn) => db.transaction((tx) => fn({
      async query(sql, params) {
        const r = await tx.query(sql, params);
        return { rows: r.rows as never[] };
      },
      async exec(sql) {
        await tx.exec(sql);
      },
    })),
    async close() {
      try {
        await db.close();
      } finally {
        unlock();
      }
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lock file beside a PGlite folder (`<folder>.lock`, holding the pid) while this process has it open: a
 * second process opening the same folder would corrupt it, so it fails with what to do instead. A lock left
 * by a process that no longer runs is taken over.
 */
function lockFolder(dataDir: string): () => void {
  const file = `${dataDir}.lock`;
  for (let attempt = 0; ; attempt += 1) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
      if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) {
        throw new FacelessError('CONFLICT', `the embedded database in ${dataDir} is open in another process (pid ${pid}); PGlite serves one process only: stop that process, or set DATABASE_URL to a PostgreSQL server that every process shares`, { field: 'DATABASE_URL' });
      }
      unlinkSync(file);
    }
  }
  const release = (): void => {
    process.off('exit', release);
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
    } catch { /* already gone */ }
  };
  process.on('exit', release);
  return release;
}
