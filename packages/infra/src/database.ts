import { mkdir } from 'node:fs/promises';

// The port itself lives in @faceless/runtime; infra opens PGlite or PostgreSQL behind it.
export type { Database } from '@faceless/runtime';
import type { Database } from '@faceless/runtime';

export interface Migration {
  id: string;
  sql: string;
}

/** Applies migrations not yet recorded in schema_migrations, each in a transaction, in order. */
export async function migrate(db: Database, migrations: readonly Migration[]): Promise<string[]> {
  await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
  const { rows } = await db.query<{ id: string }>('SELECT id FROM schema_migrations');
  const done = new Set(rows.map((r) => r.id));
  const applied: string[] = [];
  for (const m of migrations) {
    if (done.has(m.id)) continue;
    await db.exec(`BEGIN;\n${m.sql}\nINSERT INTO schema_migrations (id) VALUES ('${m.id.replace(/'/g, "''")}');\nCOMMIT;`);
    applied.push(m.id);
  }
  return applied;
}

/** Opens PGlite (embedded) at a folder, or PostgreSQL when given a postgres:// URL. */
export async function openDatabase(target: { url?: string; dataDir?: string }): Promise<Database> {
  if (target.url) {
    const pg = await import('pg');
    const pool = new pg.default.Pool({ connectionString: target.url, max: 4 });
    return {
      async query(sql, params) {
        const r = await pool.query(sql, params);
        return { rows: r.rows };
      },
      async exec(sql) {
        await pool.query(sql);
      },
      close: () => pool.end(),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  if (target.dataDir) await mkdir(target.dataDir, { recursive: true });
  const db = new PGlite(target.dataDir);
  await db.waitReady;
  return {
    async query(sql, params) {
      const r = await db.query(sql, params);
      return { rows: r.rows as never[] };
    },
    async exec(sql) {
      await db.exec(sql);
    },
    close: () => db.close(),
  };
}
