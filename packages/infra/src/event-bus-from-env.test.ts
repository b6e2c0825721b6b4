import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { connect as amqpConnect } from 'amqplib';
import { MemoryEventBus } from './event-bus.ts';
import { OutboxEventBus } from './event-outbox.ts';
import { createEventBus, parseEventBusEnv } from './event-bus-from-env.ts';

const AMQP = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

test('no AMQP_URL → in-process MemoryEventBus', async () => {
  const bus = createEventBus({});
  assert.ok(bus instanceof MemoryEventBus);
  await bus.close();
  assert.ok(createEventBus({ AMQP_URL: '' }) instanceof MemoryEventBus);
});

test('defaults and every bad variable reported at once', () => {
  assert.deepEqual(parseEventBusEnv({}), { REDIS_URL: 'redis://127.0.0.1:6379', EVENTS_EXCHANGE: 'faceless.events' });
  assert.throws(
    () => parseEventBusEnv({ AMQP_URL: 'http://x', REDIS_URL: 'localhost:6379' }),
    (err: Error) => err.message.includes('AMQP_URL') && err.message.includes('REDIS_URL'),
  );
});

test('AMQP_URL set → outbox over Redis relaying to RabbitMQ; events reach the exchange', async () => {
  const exchange = `test.events.${randomUUID()}`;
  const outboxName = `test-${randomUUID()}`;
  const redis = new Redis(REDIS_URL);
  const conn = await amqpConnect(AMQP);
  const ch = await conn.createChannel();
  await ch.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
  await ch.bindQueue(queue, exchange, 'pipeline.#');
  const keys: string[] = [];
  await ch.consume(queue, (m) => m && keys.push(m.fields.routingKey), { noAck: true });
  const bus = createEventBus({ AMQP_URL: AMQP, EVENTS_EXCHANGE: exchange, EVENTS_OUTBOX: outboxName }, { redis });
  try {
    assert.ok(bus instanceof OutboxEventBus);
    await bus.publish({ id: 'e1', name: 'pipeline.started', pipelineId: 'p1', seq: 1, at: new Date().toISOString(), data: {} });
    await bus.flush(5000);
    const deadline = Date.now() + 5000;
    while (keys.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(keys, ['pipeline.started']);
    assert.equal(await redis.llen(`faceless:outbox:${outboxName}`), 0);
  } finally {
    await bus.close();
    await redis.del(`faceless:outbox:${outboxName}`);
    assert.equal(redis.status, 'ready', 'a shared Redis connection is left open');
    await redis.quit();
    await ch.deleteExchange(exchange);
    await conn.close();
  }
});
