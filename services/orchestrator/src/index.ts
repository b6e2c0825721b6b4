export * from './pipeline-queue.ts';
export { OrchestratorEnv, parseOrchestratorEnv, STAGE_URL_ENV_NAMES } from './main.ts';
export * from './outbox-metrics.ts';
