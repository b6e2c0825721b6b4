import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { connect as amqpConnect, type ConsumeMessage } from 'amqplib';
import { EVENT_NAMES, type PipelineEvent } from '@faceless/contracts';
import { RabbitEventBus, consumeEvents } from './rabbit-event-bus.ts';
import { MemoryEventOutbox, OutboxEventBus } from './event-outbox.ts';

const AMQP = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

function makeEvents(n: number, pipelineId = `p-${randomUUID().slice(0, 8)}`, from = 1): PipelineEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${pipelineId}-${from + i}`,
    name: EVENT_NAMES[(from + i) % EVENT_NAMES.length]!,
    pipelineId,
    seq: from + i,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, from + i)).toISOString(),
    data: { i: from + i },
  }));
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A raw amqplib consumer on its own queue bound to `pipeline.#`, plus cleanup of the exchange. */
async function rawConsumer(exchange: string) {
  const conn = await amqpConnect(AMQP);
  const ch = await conn.createChannel();
  await ch.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
  await ch.bindQueue(queue, exchange, 'pipeline.#');
  const received: ConsumeMessage[] = [];
  await ch.consume(queue, (msg) => msg && received.push(msg), { noAck: true });
  return {
    received,
    async close() {
      await ch.deleteExchange(exchange);
      await conn.close();
    },
  };
}

test('publish 20 events: a queue bound to pipeline.# receives exactly those, in seq order, as persistent JSON', async () => {
  const exchange = `test.events.${randomUUID()}`;
  const consumer = await rawConsumer(exchange);
  const bus = new RabbitEventBus({ url: AMQP, exchange });
  try {
    const events = makeEvents(20);
    for (const e of events) await bus.publish(e);
    await until(() => consumer.received.length >= 20, 5000, '20 messages');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(consumer.received.length, 20);
    consumer.received.forEach((msg, i) => {
      const e = events[i]!;
      assert.equal(msg.fields.routingKey, e.name);
      assert.equal(msg.properties.messageId, e.id);
      assert.equal(msg.properties.contentType, 'application/json');
      assert.equal(msg.properties.deliveryMode, 2);
      assert.deepEqual(msg.properties.headers, { pipelineId: e.pipelineId, seq: e.seq });
      assert.deepEqual(JSON.parse(msg.content.toString()), e);
    });
  } finally {
    await bus.close();
    await consumer.close();
  }
});

test('subscribe() feeds in-process listeners; consumeEvents honours its binding key', async () => {
  const exchange = `test.events.${randomUUID()}`;
  const bus = new RabbitEventBus({ url: AMQP, exchange });
  const seen: PipelineEvent[] = [];
  const unsubscribe = bus.subscribe((e) => seen.push(e));
  const scripts: { event: PipelineEvent; routingKey: string }[] = [];
  const stop = await consumeEvents({
    url: AMQP,
    exchange,
    bindingKey: 'pipeline.script.*',
    onEvent: (event, meta) => {
      scripts.push({ event, routingKey: meta.routingKey });
    },
  });
  try {
    await bus.ready();
    const events = makeEvents(EVENT_NAMES.length);
    for (const e of events) await bus.publish(e);
    await until(() => seen.length >= events.length && scripts.length >= 1, 5000, 'deliveries');
    assert.deepEqual(seen, events);
    assert.deepEqual(scripts.map((s) => s.routingKey), ['pipeline.script.completed']);
    assert.equal(scripts[0]!.event.name, 'pipeline.script.completed');
    unsubscribe();
    await bus.publish(makeEvents(1)[0]!);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(seen.length, events.length, 'no delivery after unsubscribe');
  } finally {
    await stop();
    await bus.close();
    const conn = await amqpConnect(AMQP);
    const ch = await conn.createChannel();
    await ch.deleteExchange(exchange);
    await conn.close();
  }
});

/** A TCP proxy to the broker that can be taken down (dropping live connections) and brought back on the same port. */
async function brokerProxy() {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  async function open(): Promise<void> {
    server = createServer((client) => {
      const upstream = netConnect(5672, '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    if (addr && typeof addr === 'object') port = addr.port;
  }
  async function down(): Promise<void> {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  await open();
  return { get url() { return `amqp://guest:guest@127.0.0.1:${port}`; }, down, up: open };
}

test('broker outage: events published through the outbox during the outage arrive after recovery, in order', async () => {
  const exchange = `test.events.${randomUUID()}`;
  const consumer = await rawConsumer(exchange);
  const proxy = await brokerProxy();
  const target = new RabbitEventBus({ url: proxy.url, exchange, heartbeatIntervalInSeconds: 1, reconnectTimeInSeconds: 0.2, publishTimeoutMs: 500 });
  const outbox = new MemoryEventOutbox();
  const errors: unknown[] = [];
  const bus = new OutboxEventBus({ outbox, target, initialBackoffMs: 20, maxBackoffMs: 200, onError: (err) => errors.push(err) });
  try {
    const pipelineId = `p-${randomUUID().slice(0, 8)}`;
    const before = makeEvents(5, pipelineId, 1);
    for (const e of before) await bus.publish(e);
    await bus.flush(5000);
    await until(() => consumer.received.length >= 5, 5000, 'first 5');

    await proxy.down();
    await until(() => !target.isConnected(), 5000, 'disconnect');
    const during = makeEvents(10, pipelineId, 6);
    const t0 = Date.now();
    for (const e of during) await bus.publish(e);
    assert.ok(Date.now() - t0 < 500, 'publish does not wait on the broker');
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(consumer.received.length, 5, 'nothing gets through while the broker is unreachable');
    assert.ok(outbox.items.length === 10, `outbox holds the undelivered events (${outbox.items.length})`);
    assert.ok(errors.length >= 1, 'the relay reported failed attempts');

    await proxy.up();
    await bus.flush(15_000);
    await until(() => consumer.received.length >= 15, 5000, 'all 15');
    await new Promise((r) => setTimeout(r, 100));
    const seqs = consumer.received.map((m) => (JSON.parse(m.content.toString()) as PipelineEvent).seq);
    assert.deepEqual(seqs, Array.from({ length: 15 }, (_, i) => i + 1));
  } finally {
    await bus.close();
    await proxy.down();
    await consumer.close();
  }
});
