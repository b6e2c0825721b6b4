import { buildServiceApp, type ServiceAppOptions, type StageApp } from '@faceless/runtime';
import { createStage } from './index.ts';

/** The uploader service (not listening): its seed route plus /health, /ready, /metrics. */
export function buildApp(options: ServiceAppOptions): StageApp {
  return buildServiceApp('upload', createStage, options);
}
