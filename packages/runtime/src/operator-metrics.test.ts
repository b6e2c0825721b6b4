import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { createMetrics, metricsRegistryOf, registerMetrics } from './metrics.ts';
import { OPERATOR_METRICS, createAllOperatorMetrics, createOperatorMetrics } from './operator-metrics.ts';

test('catalog names are unique, prefixed, and counters end in _total', () => {
  const specs = Object.values(OPERATOR_METRICS);
  assert.equal(new Set(specs.map((s) => s.name)).size, specs.length);
  for (const s of specs) {
    assert.match(s.name, /^faceless_[a-z_]+$/, s.name);
    assert.equal(s.name.endsWith('_total'), s.type === 'counter', `${s.name}: only counters end in _total`);
    for (const label of s.labelNames) assert.ok(!/id$/i.test(label), `${s.name}: ${label} looks like a high-cardinality id`);
  }
});

test('every catalog entry registers with its type and labels on one registry', async () => {
  const registry = new Registry();
  createAllOperatorMetrics(registry);
  const json = await registry.getMetricsAsJSON();
  assert.deepEqual(json.map((m) => m.name).sort(), Object.values(OPERATOR_METRICS).map((s) => s.name).sort());
  for (const m of json) {
    const spec = Object.values(OPERATOR_METRICS).find((s) => s.name === m.name);
    assert.equal(String(m.type), spec?.type, m.name);
  }
});

test('a gauge refreshed at scrape time, with the app registry\'s service label', async () => {
  const app = Fastify();
  registerMetrics(app, createMetrics({ defaultMetrics: false, labels: { service: 'ab-tester' } }));
  let scrapes = 0;
  const metrics = createOperatorMetrics(metricsRegistryOf(app), ['abtestExperiments', 'renderSpeed'], {
    collect: {
      abtestExperiments: (gauge) => {
        scrapes += 1;
        gauge.set({ status: 'running' }, 3);
      },
    },
  });
  metrics.renderSpeed.observe({ resolution: '1080x1920' }, 1.5);
  const text = (await app.inject({ url: '/metrics' })).body;
  assert.equal(scrapes, 1);
  const sample = (name: string, labels: Record<string, string>): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };
  assert.equal(sample('faceless_abtest_experiments', { status: 'running', service: 'ab-tester' }), 3);
  assert.equal(sample('faceless_video_render_speed_ratio_bucket', { le: '2', resolution: '1080x1920', service: 'ab-tester' }), 1);
  assert.equal(sample('faceless_video_render_speed_ratio_bucket', { le: '1', resolution: '1080x1920' }), 0);
  await app.close();
});

test('metricsRegistryOf refuses an app without /metrics, saying what to call', () => {
  assert.throws(() => metricsRegistryOf(Fastify()), (err: Error & { code?: string }) => err.code === 'INTERNAL' && /registerMetrics/.test(err.message));
});
