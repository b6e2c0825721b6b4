import { buildServiceApp, metricsRegistryOf, type ServiceAppOptions, type StageApp } from '@faceless/runtime';
import { createStage } from './index.ts';
import { renderMetricsRecorder } from './render-metrics.ts';

/** The video-assembler service (not listening): its seed route plus /health, /ready, /metrics (with render speed). */
export function buildApp(options: ServiceAppOptions): StageApp {
  // The stage is made before the app's registry exists; it only renders on a request, once both do.
  const app = buildServiceApp('video', (o) => createStage(o, { onRendered: (report) => recordRender(report) }), options);
  const recordRender = renderMetricsRecorder(metricsRegistryOf(app));
  return app;
}
