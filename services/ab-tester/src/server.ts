import { openDatabase as openDatabaseAt, type Database } from '@faceless/infra';
import { buildServiceApp, type ServiceAppOptions, type StageApp } from '@faceless/runtime';
import { describeDatabaseTarget, readDatabaseTarget } from './config.ts';
import { createStage } from './index.ts';
import { databaseError, ensureMigrated } from './stage.ts';

export interface DatabaseOpener {
  /** Opens and migrates once; a failed open is retried on the next call. */
  open(): Promise<Database>;
  /** Closes the database if it was opened. */
  close(): Promise<void>;
}

/** PostgreSQL at DATABASE_URL or PGlite in FACELESS_DATA_DIR/db, opened and migrated on first use. */
export function createDatabaseOpener(env: Record<string, string | undefined>): DatabaseOpener {
  const target = readDatabaseTarget(env);
  const where = describeDatabaseTarget(target);
  let pending: Promise<Database> | undefined;
  const open = async (): Promise<Database> => {
    const db = await openDatabaseAt(target);
    try {
      await ensureMigrated(db);
    } catch (err) {
      await db.close().catch(() => {});
      throw err;
    }
    return db;
  };
  return {
    open() {
      pending ??= open().catch((err: unknown) => {
        pending = undefined;
        throw databaseError(err, `could not open ${where} (set DATABASE_URL to a reachable PostgreSQL, or unset it for the embedded one)`);
      });
      return pending;
    },
    async close() {
      const db = await pending?.catch(() => undefined);
      pending = undefined;
      await db?.close();
    },
  };
}

/** The ab-tester service (not listening): POST /abtests/create plus /health, /ready (store and `SELECT 1`), /metrics. */
export function buildApp(options: ServiceAppOptions): StageApp {
  const owned = options.openDatabase ? undefined : createDatabaseOpener(options.env);
  const database = options.openDatabase ?? (owned as DatabaseOpener).open;
  const app = buildServiceApp('abtest', createStage, { ...options, openDatabase: database }, async () => {
    const db = await database();
    await db.query('SELECT 1');
    return true;
  });
  if (owned) app.addHook('onClose', async () => { await owned.close(); });
  return app;
}
