import type { Redis } from 'ioredis';
import type { PipelineEvent } from '@faceless/contracts';
import { traceCarrier, withCarrierContext, type TraceCarrier } from '@faceless/runtime';
import type { EventBus } from './event-bus.ts';

/**
 * An event as the outbox keeps it: with the trace context it was published in, so that the relay,
 * maybe in a later process, sends it as part of its pipeline's trace.
 */
export type OutboxEvent = PipelineEvent & { traceContext?: TraceCarrier };

/** A durable FIFO of events not yet confirmed by the broker. */
export interface EventOutbox {
  append(event: OutboxEvent): Promise<void>;
  /** The first `n` events, oldest first, without removing them. */
  peek(n: number): Promise<OutboxEvent[]>;
  /** Removes the head if its id is `id` (a no-op otherwise, so a repeated ack cannot drop the next event). */
  ack(id: string): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export class MemoryEventOutbox implements EventOutbox {
  readonly items: OutboxEvent[] = [];
  append(event: OutboxEvent): Promise<void> {
    this.items.push(structuredClone(event));
    return Promise.resolve();
  }
  peek(n: number): Promise<OutboxEvent[]> {
    return Promise.resolve(this.items.slice(0, n).map((e) => structuredClone(e)));
  }
  ack(id: string): Promise<void> {
    if (this.items[0]?.id === id) this.items.shift();
    return Promise.resolve();
  }
  size(): Promise<number> {
    return Promise.resolve(this.items.length);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const ACK_SCRIPT = `
local head = redis.call('LINDEX', KEYS[1], 0)
if head and cjson.decode(head).id == ARGV[1] then
  redis.call('LPOP', KEYS[1])
  return 1
end
return 0
`;

export interface RedisEventOutboxOptions {
  redis: Redis;
  /** The Redis list key, e.g. `faceless:outbox:orchestrator`. One relay (one OutboxEventBus) per key. */
  key: string;
  /** Quit the Redis connection on close (when the outbox created it). Default false. */
  ownsRedis?: boolean;
}

/** A Redis list: RPUSH appends, LRANGE peeks, a compare-and-LPOP script acks. Survives process restarts. */
export class RedisEventOutbox implements EventOutbox {
  readonly key: string;
  private readonly redis: Redis;

  constructor(private readonly options: RedisEventOutboxOptions) {
    this.redis = options.redis;
    this.key = options.key;
  }

  async append(event: OutboxEvent): Promise<void> {
    await this.redis.rpush(this.key, JSON.stringify(event));
  }

  async peek(n: number): Promise<OutboxEvent[]> {
    const raw = await this.redis.lrange(this.key, 0, n - 1);
    return raw.map((s) => JSON.parse(s) as OutboxEvent);
  }

  async ack(id: string): Promise<void> {
    await this.redis.eval(ACK_SCRIPT, 1, this.key, id);
  }

  size(): Promise<number> {
    return this.redis.llen(this.key);
  }

  async close(): Promise<void> {
    if (this.options.ownsRedis) await this.redis.quit().catch(() => {});
  }
}

export interface OutboxEventBusOptions {
  outbox: EventOutbox;
  /** Where the relay delivers, usually a RabbitEventBus whose publish resolves on broker confirm. */
  target: EventBus;
  /** First retry pause after a failure; doubles up to maxBackoffMs. Default 100 ms. */
  initialBackoffMs?: number;
  /** Default 2000 ms. */
  maxBackoffMs?: number;
  /** Events read from the outbox per round trip. Default 20. */
  batchSize?: number;
  /** Each failed delivery attempt (the same head event is retried until it goes out). */
  onError?: (err: unknown, event: PipelineEvent | undefined, attempt: number) => void;
  /** Close the outbox and the target on close. Default true. */
  closeParts?: boolean;
}

/**
 * Makes publishing independent of the broker: publish() only appends to a durable outbox, and one relay loop
 * delivers the outbox head to the target, acks it, and moves on. A failure retries the same head with backoff,
 * so events go out in order and none is skipped.
 *
 * Delivery is at-least-once: a crash (or a failed ack) after the broker confirmed but before the ack reaches
 * the outbox re-sends that event. Consumers dedupe by messageId (= event.id) or by (pipelineId, seq).
 * Only one relay may drain a given outbox: give each process its own outbox key.
 */
export class OutboxEventBus implements EventBus {
  private readonly outbox: EventOutbox;
  private readonly target: EventBus;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly batchSize: number;
  private relay: Promise<void> | undefined;
  private dirty = false;
  private closed = false;
  private wake: (() => void) | undefined;
  /** Set once the target confirmed this id but the ack failed: the retry only acks, it does not re-send. */
  private deliveredUnacked: string | undefined;
  lastError: unknown;

  constructor(private readonly options: OutboxEventBusOptions) {
    this.outbox = options.outbox;
    this.target = options.target;
    this.initialBackoffMs = options.initialBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 2000;
    this.batchSize = options.batchSize ?? 20;
    // Deliver whatever a previous process left behind.
    this.kick();
  }

  async publish(event: PipelineEvent): Promise<void> {
    if (this.closed) throw new Error('OutboxEventBus is closed');
    const traceContext = traceCarrier();
    await this.outbox.append(traceContext.traceparent ? { ...event, traceContext } : event);
    this.kick();
  }

  subscribe(listener: (event: PipelineEvent) => void): () => void {
    return this.target.subscribe(listener);
  }

  /** Waits until every appended event has been delivered; rejects after timeoutMs. */
  async flush(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.relay) {
        if ((await this.outbox.size()) === 0 && !this.relay) return;
        this.kick();
      }
      if (Date.now() >= deadline) {
        const left = await this.outbox.size().catch(() => NaN);
        throw new Error(`OutboxEventBus.flush: ${left} event(s) still undelivered after ${timeoutMs} ms (last error: ${String(this.lastError)})`);
      }
      await sleep(Math.min(20, Math.max(1, deadline - Date.now())));
    }
  }

  /**
   * Events the broker has not confirmed yet, and when the oldest of them was published (its `at`), for
   * the operator metrics; oldestAt is undefined when none waits.
   */
  async backlog(): Promise<{ pending: number; oldestAt: string | undefined }> {
    const [pending, head] = await Promise.all([this.outbox.size(), this.outbox.peek(1)]);
    return { pending, oldestAt: head[0]?.at };
  }

  /** Stops the relay (after its current attempt); undelivered events stay in the outbox for the next instance. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    const closeParts = this.options.closeParts ?? true;
    // Closing the target first rejects an in-flight publish instead of waiting for its timeout.
    if (closeParts) await this.target.close();
    await this.relay;
    if (closeParts) await this.outbox.close();
  }

  private kick(): void {
    this.dirty = true;
    if (this.closed || this.relay) return;
    this.relay = this.drain().finally(() => {
      this.relay = undefined;
      if (this.dirty && !this.closed) this.kick();
    });
  }

  private async drain(): Promise<void> {
    let backoff = this.initialBackoffMs;
    let attempt = 0;
    while (!this.closed) {
      let head: PipelineEvent | undefined;
      try {
        this.dirty = false;
        const batch = await this.outbox.peek(this.batchSize);
        if (batch.length === 0) return;
        for (const { traceContext, ...event } of batch) {
          if (this.closed) return;
          head = event;
          if (this.deliveredUnacked !== event.id) {
            await withCarrierContext(traceContext, () => this.target.publish(event));
            this.deliveredUnacked = event.id;
          }
          await this.outbox.ack(event.id);
          this.deliveredUnacked = undefined;
          backoff = this.initialBackoffMs;
          attempt = 0;
        }
      } catch (err) {
        attempt++;
        this.lastError = err;
        this.options.onError?.(err, head, attempt);
        await this.pause(backoff);
        backoff = Math.min(backoff * 2, this.maxBackoffMs);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = undefined;
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
