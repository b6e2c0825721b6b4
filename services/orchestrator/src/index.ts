export * from './stage-inputs.ts';
export * from './stage-client.ts';
export * from './pipeline-runner.ts';
export * from './instance-pool.ts';
export * from './http-stage-client.ts';
export * from './pipeline-status.ts';
export * from './pipeline-queue.ts';
export * from './orchestrator-app.ts';
export { OrchestratorEnv, parseOrchestratorEnv, STAGE_URL_ENV_NAMES } from './main.ts';
