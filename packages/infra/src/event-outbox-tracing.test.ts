import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { PipelineEvent } from '@faceless/contracts';
import { activeTraceIds, inSpan, startTracing, type Tracing } from '@faceless/runtime';
import { startOtlpReceiver } from '@faceless/runtime/testing/otlp-receiver';
import type { EventBus } from './event-bus.ts';
import { OutboxEventBus, RedisEventOutbox } from './event-outbox.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A target that is down until `up`, and records each delivery with the trace it was sent in. */
class TracedTarget implements EventBus {
  up = false;
  readonly delivered: { event: PipelineEvent; traceId: string | undefined }[] = [];
  publish(event: PipelineEvent): Promise<void> {
    if (!this.up) return Promise.reject(new Error('broker unreachable'));
    this.delivered.push({ event, traceId: activeTraceIds()?.trace_id });
    return Promise.resolve();
  }
  subscribe(): () => void {
    return () => {};
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let tracing: Tracing;

before(async () => {
  receiver = await startOtlpReceiver();
  Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
  tracing = startTracing({ serviceName: 'outbox-test' });
});

after(async () => {
  await tracing.shutdown();
  await receiver.close();
});

test('an event kept in the Redis outbox keeps its trace context: the next process sends it in its pipeline\'s trace, without the context in the event', async () => {
  const redis = new Redis(REDIS_URL);
  const key = `test:outbox:${randomUUID()}`;
  try {
    const down = new TracedTarget();
    const first = new OutboxEventBus({ outbox: new RedisEventOutbox({ redis, key }), target: down, initialBackoffMs: 5, maxBackoffMs: 10 });
    const pipelineId = `p-${randomUUID().slice(0, 8)}`;
    const traces: string[] = [];
    for (const seq of [1, 2]) {
      await inSpan(`pipeline ${seq}`, {}, async () => {
        traces.push(activeTraceIds()?.trace_id ?? '');
        await first.publish({ id: `${pipelineId}-${seq}`, name: 'pipeline.started', pipelineId, seq, at: '2026-01-01T00:00:00.000Z', data: {} });
      });
    }
    await first.close();
    const stored = (await redis.lrange(key, 0, -1)).map((s) => JSON.parse(s) as { traceContext?: { traceparent?: string } });
    assert.deepEqual(stored.map((row) => row.traceContext?.traceparent?.split('-')[1]), traces);

    const up = new TracedTarget();
    up.up = true;
    const second = new OutboxEventBus({ outbox: new RedisEventOutbox({ redis, key }), target: up });
    await second.flush(2000);
    await second.close();
    assert.deepEqual(up.delivered.map((d) => d.traceId), traces, 'each event is sent in the trace it was published in');
    assert.equal(new Set(traces).size, 2);
    for (const { event } of up.delivered) assert.ok(!('traceContext' in event), 'the context is not part of the event');
  } finally {
    await redis.del(key);
    await redis.quit();
  }
});
