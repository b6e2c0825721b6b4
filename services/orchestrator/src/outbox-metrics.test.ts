import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import type { PipelineEvent } from '@faceless/contracts';
import { MemoryEventBus, OutboxEventBus, RedisEventOutbox, type EventBus } from '@faceless/infra';
import { createMetrics } from '@faceless/runtime';
import { registerOutboxMetrics } from './outbox-metrics.ts';

function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

const event = (seq: number, at: string): PipelineEvent => ({ id: randomUUID(), name: 'pipeline.started', pipelineId: 'outbox-metrics', seq, at, data: {} });

test('outbox gauges: events the broker has not confirmed and the oldest one\'s age, from the real Redis outbox at each scrape', async () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const key = `test-faceless:outbox:${randomBytes(4).toString('hex')}`;
  // A broker that refuses until it is back.
  let up = false;
  const delivered: PipelineEvent[] = [];
  const broker: EventBus = {
    publish: (e) => (up ? (delivered.push(e), Promise.resolve()) : Promise.reject(new Error('ECONNREFUSED'))),
    subscribe: () => () => undefined,
    close: () => Promise.resolve(),
  };
  const bus = new OutboxEventBus({ outbox: new RedisEventOutbox({ redis, key }), target: broker, initialBackoffMs: 5, maxBackoffMs: 20 });
  const clock = Date.parse('2026-12-03T12:00:00Z');
  const metrics = createMetrics({ defaultMetrics: false, labels: { service: 'orchestrator' } });
  registerOutboxMetrics(metrics.registry, bus, () => new Date(clock));
  try {
    const empty = await metrics.registry.metrics();
    assert.equal(sample(empty, 'faceless_event_outbox_pending'), 0);
    assert.equal(sample(empty, 'faceless_event_outbox_oldest_seconds'), 0);

    await bus.publish(event(1, new Date(clock - 420_000).toISOString()));
    await bus.publish(event(2, new Date(clock - 60_000).toISOString()));
    const stuck = await metrics.registry.metrics();
    assert.equal(sample(stuck, 'faceless_event_outbox_pending'), 2);
    assert.equal(sample(stuck, 'faceless_event_outbox_oldest_seconds'), 420, 'the head is the oldest: 7 minutes');
    assert.match(stuck, /faceless_event_outbox_pending\{service="orchestrator"\} 2/);

    up = true;
    await bus.flush(5_000);
    assert.equal(delivered.length, 2);
    const drained = await metrics.registry.metrics();
    assert.equal(sample(drained, 'faceless_event_outbox_pending'), 0);
    assert.equal(sample(drained, 'faceless_event_outbox_oldest_seconds'), 0);
  } finally {
    await bus.close();
    await redis.del(key);
    await redis.quit();
  }
});

test('without an outbox (the in-process bus) nothing waits: both gauges read 0', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  registerOutboxMetrics(metrics.registry, new MemoryEventBus());
  const text = await metrics.registry.metrics();
  assert.equal(sample(text, 'faceless_event_outbox_pending'), 0);
  assert.equal(sample(text, 'faceless_event_outbox_oldest_seconds'), 0);
});
