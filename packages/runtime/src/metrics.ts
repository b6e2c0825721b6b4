import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { FacelessError } from './errors.ts';

/** One app's metrics on its own registry, so several apps (and tests) in one process never clash. */
export interface AppMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  stageDuration: Histogram<'stage' | 'outcome'>;
}

/** prom-client's registry, re-exported so that services adding metrics need not depend on prom-client. */
export type MetricsRegistry = Registry;

/** Outcome label of stage_duration_seconds. */
export type StageOutcome = 'ok' | 'error' | 'cancelled';

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
// Stages run from milliseconds (metadata) to minutes (video assembly).
const STAGE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export function createMetrics(options: { defaultMetrics?: boolean; labels?: Record<string, string> } = {}): AppMetrics {
  const registry = new Registry();
  if (options.labels) registry.setDefaultLabels(options.labels);
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total', help: 'HTTP requests answered, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'], registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds', help: 'Time to answer an HTTP request, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'], buckets: HTTP_BUCKETS, registers: [registry],
    }),
    stageDuration: new Histogram({
      name: 'stage_duration_seconds', help: 'Time a stage ran, by stage and outcome (ok, error, cancelled).',
      labelNames: ['stage', 'outcome'], buckets: STAGE_BUCKETS, registers: [registry],
    }),
  };
}

const appRegistries = new WeakMap<FastifyInstance, Registry>();

/** Counts and times every request (labelled by route pattern, not raw URL) and serves GET /metrics. */
export function registerMetrics(app: FastifyInstance, metrics: AppMetrics): void {
  appRegistries.set(app, metrics.registry);
  app.addHook('onResponse', async (request, reply) => {
    // Unmatched URLs share one label so that scanners cannot blow up the series count.
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(text);
  });
}

/**
 * The registry an app's GET /metrics serves, for a service that adds its own metrics (render speed,
 * experiments) to an app built by buildStageApp. Its default labels (service) apply to them too.
 */
export function metricsRegistryOf(app: FastifyInstance): Registry {
  const registry = appRegistries.get(app);
  if (!registry) throw new FacelessError('INTERNAL', 'this app serves no /metrics: call registerMetrics(app, createMetrics()) when building it');
  return registry;
}
