export * from './stage-inputs.ts';
export * from './stage-client.ts';
export * from './pipeline-runner.ts';
