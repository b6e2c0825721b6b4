import { buildServiceApp, type ServiceAppOptions, type StageApp } from '@faceless/runtime';
import { createProvider, createStage } from './index.ts';
import { parseTtsConfig } from './config.ts';
import { registerVoiceRoutes } from './voice-sample.ts';

/** The tts-renderer service (not listening): its seed route, the voice list and samples, plus /health, /ready, /metrics. */
export function buildApp(options: ServiceAppOptions): StageApp {
  const app = buildServiceApp('audio', createStage, options);
  registerVoiceRoutes(app, createProvider(parseTtsConfig(options.env)));
  return app;
}
