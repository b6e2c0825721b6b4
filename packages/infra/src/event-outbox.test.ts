import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { PipelineEvent } from '@faceless/contracts';
import type { EventBus } from './event-bus.ts';
import { MemoryEventOutbox, OutboxEventBus, RedisEventOutbox, type EventOutbox } from './event-outbox.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function makeEvents(n: number, pipelineId = `p-${randomUUID().slice(0, 8)}`): PipelineEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${pipelineId}-${i + 1}`,
    name: 'pipeline.script.completed' as const,
    pipelineId,
    seq: i + 1,
    at: '2026-01-01T00:00:00.000Z',
    data: { i },
  }));
}

/** A target that rejects its first `failures` publishes, then records deliveries. */
class FlakyBus implements EventBus {
  attempts = 0;
  readonly delivered: PipelineEvent[] = [];
  constructor(private failures: number) {}
  publish(event: PipelineEvent): Promise<void> {
    this.attempts++;
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(new Error('broker unreachable'));
    }
    this.delivered.push(event);
    return Promise.resolve();
  }
  subscribe(): () => void {
    return () => {};
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function withRedis(fn: (redis: Redis, key: string) => Promise<void>): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const key = `test:outbox:${randomUUID()}`;
  try {
    await fn(redis, key);
  } finally {
    await redis.del(key);
    await redis.quit();
  }
}

async function deliversInOrderAfterFailures(outbox: EventOutbox): Promise<void> {
  const target = new FlakyBus(7);
  const failedHeads: (string | undefined)[] = [];
  const bus = new OutboxEventBus({ outbox, target, initialBackoffMs: 5, maxBackoffMs: 20, closeParts: false, onError: (_e, ev) => failedHeads.push(ev?.id) });
  const events = makeEvents(20);
  for (const e of events) await bus.publish(e);
  await bus.flush(5000);
  assert.deepEqual(target.delivered, events, 'all delivered, in order, exactly once');
  assert.equal(target.attempts, 27);
  assert.deepEqual(failedHeads, Array(7).fill(events[0]!.id), 'every retry was the same head event');
  assert.equal(await outbox.size(), 0);
  await bus.close();
}

test('memory outbox: a target failing its first publishes still gets every event in order exactly once', async () => {
  await deliversInOrderAfterFailures(new MemoryEventOutbox());
});

test('redis outbox: a target failing its first publishes still gets every event in order exactly once', async () => {
  await withRedis((redis, key) => deliversInOrderAfterFailures(new RedisEventOutbox({ redis, key })));
});

test('publish returns without waiting for the target', async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const delivered: PipelineEvent[] = [];
  const target: EventBus = {
    publish: async (e) => {
      await gate;
      delivered.push(e);
    },
    subscribe: () => () => {},
    close: () => Promise.resolve(),
  };
  const outbox = new MemoryEventOutbox();
  const bus = new OutboxEventBus({ outbox, target });
  const events = makeEvents(3);
  for (const e of events) await bus.publish(e);
  assert.equal(delivered.length, 0);
  assert.equal(outbox.items.length, 3);
  release();
  await bus.flush(2000);
  assert.deepEqual(delivered, events);
  await bus.close();
});

test('a failed ack after a confirmed publish is retried without re-sending the event', async () => {
  const outbox = new MemoryEventOutbox();
  const realAck = outbox.ack.bind(outbox);
  let ackFailures = 1;
  outbox.ack = (id) => (ackFailures-- > 0 ? Promise.reject(new Error('redis down')) : realAck(id));
  const target = new FlakyBus(0);
  const bus = new OutboxEventBus({ outbox, target, initialBackoffMs: 5 });
  const events = makeEvents(4);
  for (const e of events) await bus.publish(e);
  await bus.flush(2000);
  assert.deepEqual(target.delivered, events);
  await bus.close();
});

test('redis outbox is durable: events appended by one instance are drained by the next, in order', async () => {
  await withRedis(async (redis, key) => {
    const down = new FlakyBus(Number.POSITIVE_INFINITY);
    const first = new OutboxEventBus({ outbox: new RedisEventOutbox({ redis, key }), target: down, initialBackoffMs: 5, maxBackoffMs: 10 });
    const events = makeEvents(10);
    for (const e of events) await first.publish(e);
    await assert.rejects(first.flush(50), /10 event\(s\) still undelivered/);
    await first.close();
    assert.equal(await redis.llen(key), 10);
    assert.deepEqual(down.delivered, []);

    const up = new FlakyBus(0);
    const second = new OutboxEventBus({ outbox: new RedisEventOutbox({ redis, key }), target: up });
    await second.flush(2000);
    assert.deepEqual(up.delivered, events);
    assert.equal(await redis.llen(key), 0);
    await second.close();
  });
});

test('redis outbox ack only removes the head it names', async () => {
  await withRedis(async (redis, key) => {
    const outbox = new RedisEventOutbox({ redis, key });
    const [a, b] = makeEvents(2);
    await outbox.append(a!);
    await outbox.append(b!);
    await outbox.ack(b!.id);
    assert.deepEqual(await outbox.peek(5), [a, b]);
    await outbox.ack(a!.id);
    await outbox.ack(a!.id);
    assert.deepEqual(await outbox.peek(5), [b]);
  });
});
