import { buildServiceApp, metricsRegistryOf, type ServiceAppOptions, type StageApp } from '@faceless/runtime';
import { registerChannelRoutes } from './channel-routes.ts';
import { createStage } from './index.ts';
import { UploadMetrics } from './upload-metrics.ts';

/** The uploader service (not listening): its seed route plus /health, /ready, /metrics (with uploads and quota). */
export function buildApp(options: ServiceAppOptions): StageApp {
  const metrics = new UploadMetrics();
  const app = buildServiceApp('upload', (o) => createStage(o, { metrics }), options);
  metrics.attach(metricsRegistryOf(app));
  registerChannelRoutes(app, options);
  return app;
}
