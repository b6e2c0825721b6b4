import { stageInfo } from '@faceless/contracts';
import { openDatabase as openDatabaseAt, type Database, type ObjectStore } from '@faceless/infra';
import { buildStageApp, readLogLevel, storeReady, type StageApp, type StageAppLoggerOptions } from '@faceless/runtime';
import { describeDatabaseTarget, readDatabaseTarget } from './config.ts';
import { createStage } from './index.ts';
import { databaseError, ensureMigrated } from './stage.ts';

export interface AbTesterAppOptions {
  env: Record<string, string | undefined>;
  store: ObjectStore;
  /** The database the experiments live in; default: DATABASE_URL or PGlite under FACELESS_DATA_DIR, opened on first use. */
  openDatabase?: () => Promise<Database>;
  /** false for silence; default JSON lines at LOG_LEVEL. */
  logger?: false | StageAppLoggerOptions;
}

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
export function buildApp(options: AbTesterAppOptions): StageApp {
  const info = stageInfo('abtest');
  const { store } = options;
  let openDb = options.openDatabase;
  let owned: DatabaseOpener | undefined;
  if (!openDb) {
    owned = createDatabaseOpener(options.env);
    openDb = owned.open;
  }
  const database = openDb;
  const storeCheck = storeReady(store);
  const app = buildStageApp({
    stage: createStage({ env: options.env, openDatabase: database }),
    route: info.route,
    service: info.service,
    createContext: () => ({ store }),
    async ready() {
      await storeCheck();
      const db = await database();
      await db.query('SELECT 1');
      return true;
    },
    logger: options.logger ?? { level: readLogLevel(options.env) },
  });
  if (owned) {
    const opener = owned;
    app.addHook('onClose', async () => { await opener.close(); });
  }
  return app;
}
