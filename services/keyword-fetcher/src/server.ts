import { stageInfo } from '@faceless/contracts';
import type { Database, ObjectStore } from '@faceless/infra';
import { buildStageApp, readLogLevel, storeReady, type StageApp, type StageAppLoggerOptions } from '@faceless/runtime';
import { createStage } from './index.ts';

export interface KeywordFetcherAppOptions {
  env: Record<string, string | undefined>;
  store: ObjectStore;
  openDatabase?: () => Promise<Database>;
  /** false for silence; default JSON lines at LOG_LEVEL. */
  logger?: false | StageAppLoggerOptions;
}

/** The keyword-fetcher service (not listening): POST {route} plus /health, /ready (object store answers), /metrics. */
export function buildApp(options: KeywordFetcherAppOptions): StageApp {
  const info = stageInfo('keywords');
  const { store } = options;
  return buildStageApp({
    stage: createStage({ env: options.env, ...(options.openDatabase ? { openDatabase: options.openDatabase } : {}) }),
    route: info.route,
    service: info.service,
    createContext: () => ({ store }),
    ready: storeReady(store),
    logger: options.logger ?? { level: readLogLevel(options.env) },
  });
}
