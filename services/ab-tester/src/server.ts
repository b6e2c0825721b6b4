import { assertSafeKey, openDatabase as openDatabaseAt, type Database } from '@faceless/infra';
import { buildServiceApp, loggerFromPino, metricsRegistryOf, type ServiceAppOptions, type StageApp } from '@faceless/runtime';
import { openYouTubeState, type YouTubeConfig } from '@faceless/youtube';
import { createAbTestService } from './ab-test-service.ts';
import { registerAbTestRoutes } from './abtest-routes.ts';
import { describeDatabaseTarget, readDatabaseTarget, readReportsIntervalSec, readRotateIntervalSec } from './config.ts';
import { registerExperimentMetrics } from './experiment-metrics.ts';
import { createStage } from './index.ts';
import { fetchReachReports } from './reach-reports.ts';
import { databaseError, ensureMigrated } from './stage.ts';
import { createRecordingPublisher, type VariantPublisher } from './variant-publisher.ts';
import type { ChannelState } from './youtube-publisher.ts';

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

/** Runs `task` every `seconds` while the app is open, never two at once; stopped (and aborted) on close. */
function repeatWhileOpen(app: StageApp, seconds: number, task: (signal: AbortSignal) => Promise<void>, onError: (err: unknown) => void): void {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  const controller = new AbortController();
  app.addHook('onReady', async () => {
    timer = setInterval(() => {
      if (running) return;
      running = true;
      task(controller.signal).catch(onError).finally(() => { running = false; });
    }, seconds * 1000);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    controller.abort();
  });
}

export interface AbTesterAppOptions extends ServiceAppOptions {
  /** Applies variants on YouTube; by default they are only logged (the local channel). */
  publisher?: VariantPublisher;
  now?: () => Date;
  /** Monte Carlo draws per decision (default 20000). */
  draws?: number;
  /** With it, the channels' reach reports are fetched and the running experiments evaluated every AB_REPORTS_INTERVAL_SEC. */
  youtube?: YouTubeConfig;
}

/**
 * The ab-tester service (not listening): POST /abtests/create (the pipeline stage), the experiment
 * routes under /abtest, a rotation tick every AB_ROTATE_INTERVAL_SEC, and /health, /ready
 * (store and `SELECT 1`), /metrics (with the experiments by status).
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
  registerExperimentMetrics(metricsRegistryOf(app), database, log);

  if (intervalSec > 0) {
    repeatWhileOpen(app, intervalSec, async (signal) => {
      const failed = (await service.tick({ signal })).filter((o) => o.action === 'failed');
      if (failed.length > 0) log.warn('rotation tick: some variants could not be applied, retrying next tick', { failed });
    }, (err) => log.warn('rotation tick failed', { error: err instanceof Error ? err.message : String(err) }));
  }
  const reportsSec = readReportsIntervalSec(options.env);
  if (options.youtube && reportsSec > 0) {
    const youtube = options.youtube;
    // The channels and their videos live in the same database as the experiments.
    let channelState: Promise<ChannelState> | undefined;
    const state = (): Promise<ChannelState> => (channelState ??= database().then((db) => openYouTubeState(db, { dataDir: youtube.dataDir })).catch((err: unknown) => {
      channelState = undefined;
      throw err;
    }));
    repeatWhileOpen(app, reportsSec, async (signal) => {
      const outcomes = await fetchReachReports({ config: youtube, service, log, state }, { signal });
      log.info('reach reports fetched', { channels: outcomes.map((o) => ({ channel: o.channel, reports: o.reports })) });
      for (const exp of await service.list({ status: 'running' })) {
        const result = await service.evaluate(exp.id, { signal });
        if (result.decision) log.info('experiment decided', { testId: exp.id, reason: result.decision.reason });
      }
    }, (err) => log.warn('reach report fetch failed; retrying at the next interval', { error: err instanceof Error ? err.message : String(err) }));
  }
  if (owned) app.addHook('onClose', async () => { await owned.close(); });
  return app;
}
