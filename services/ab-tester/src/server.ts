import { assertSafeKey, openDatabase as openDatabaseAt, type Database } from '@faceless/infra';
import { buildServiceApp, loggerFromPino, type ServiceAppOptions, type StageApp } from '@faceless/runtime';
import { createAbTestService } from './ab-test-service.ts';
import { registerAbTestRoutes } from './abtest-routes.ts';
import { describeDatabaseTarget, readDatabaseTarget, readRotateIntervalSec } from './config.ts';
import { createStage } from './index.ts';
import { databaseError, ensureMigrated } from './stage.ts';
import { createRecordingPublisher, type VariantPublisher } from './variant-publisher.ts';

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

export interface AbTesterAppOptions extends ServiceAppOptions {
  /** Applies variants on YouTube; by default they are only logged (the local channel). */
  publisher?: VariantPublisher;
  now?: () => Date;
  /** Monte Carlo draws per decision (default 20000). */
  draws?: number;
}

/**
 * The ab-tester service (not listening): POST /abtests/create (the pipeline stage), the experiment
 * routes under /abtest, a rotation tick every AB_ROTATE_INTERVAL_SEC, and /health, /ready
 * (store and `SELECT 1`), /metrics.
 */
export function buildApp(options: AbTesterAppOptions): StageApp {
  const intervalSec = readRotateIntervalSec(options.env);
  const owned = options.openDatabase ? undefined : createDatabaseOpener(options.env);
  const database = options.openDatabase ?? (owned as DatabaseOpener).open;
  const app = buildServiceApp('abtest', createStage, { ...options, openDatabase: database }, async () => {
    const db = await database();
    await db.query('SELECT 1');
    return true;
  });
  const log = loggerFromPino(app.log).child({ component: 'abtest' });
  const service = createAbTestService({
    database,
    publisher: options.publisher ?? createRecordingPublisher(log),
    thumbnailExists: async (key) => {
      try {
        assertSafeKey(key);
      } catch {
        return false; // a file path or ../ is not an object of this store
      }
      return options.store.exists(key);
    },
    log,
    ...(options.now ? { now: options.now } : {}),
    ...(options.draws ? { draws: options.draws } : {}),
  });
  registerAbTestRoutes(app, service);

  if (intervalSec > 0) {
    let timer: NodeJS.Timeout | undefined;
    let ticking = false;
    const controller = new AbortController();
    app.addHook('onReady', async () => {
      timer = setInterval(() => {
        if (ticking) return;
        ticking = true;
        service.tick({ signal: controller.signal })
          .then((outcomes) => {
            const failed = outcomes.filter((o) => o.action === 'failed');
            if (failed.length > 0) log.warn('rotation tick: some variants could not be applied, retrying next tick', { failed });
          }, (err: unknown) => log.warn('rotation tick failed', { error: err instanceof Error ? err.message : String(err) }))
          .finally(() => { ticking = false; });
      }, intervalSec * 1000);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      clearInterval(timer);
      controller.abort();
    });
  }
  if (owned) app.addHook('onClose', async () => { await owned.close(); });
  return app;
}
