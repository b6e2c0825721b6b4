import { Redis } from 'ioredis';
import { z } from 'zod';
import { MemoryEventBus, type EventBus } from './event-bus.ts';
import { OutboxEventBus, RedisEventOutbox } from './event-outbox.ts';
import { DEFAULT_EVENTS_EXCHANGE, RabbitEventBus } from './rabbit-event-bus.ts';

const amqpUrl = z.string().regex(/^amqps?:\/\//, 'must start with amqp:// or amqps://');
const redisUrl = z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://');

export const EventBusEnv = z.object({
  /** Unset → in-process MemoryEventBus (single-process mode). */
  AMQP_URL: z.preprocess((v) => (v === '' ? undefined : v), amqpUrl.optional()),
  REDIS_URL: z.preprocess((v) => (v === '' ? undefined : v), redisUrl.default('redis://127.0.0.1:6379')),
  EVENTS_EXCHANGE: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).default(DEFAULT_EVENTS_EXCHANGE)),
  /** Names this process's outbox list (`faceless:outbox:<name>`); one relay per name. */
  EVENTS_OUTBOX: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^[\w.-]+$/).optional()),
});
export type EventBusEnv = z.infer<typeof EventBusEnv>;

export function parseEventBusEnv(env: Record<string, string | undefined>): EventBusEnv {
  const r = EventBusEnv.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid event bus configuration:\n  ${lines.join('\n  ')}`);
  }
  return r.data;
}

export interface CreateEventBusOptions {
  /** A shared connection (not closed by the bus); otherwise one is opened from REDIS_URL and closed with the bus. */
  redis?: Redis;
  /** Outbox name when EVENTS_OUTBOX is unset, e.g. the service name. Default `events`. */
  name?: string;
}

/** MemoryEventBus without AMQP_URL; otherwise a Redis outbox relaying to RabbitMQ with publisher confirms. */
export function createEventBus(env: Record<string, string | undefined>, options: CreateEventBusOptions = {}): EventBus {
  const cfg = parseEventBusEnv(env);
  if (!cfg.AMQP_URL) return new MemoryEventBus();
  const redis = options.redis ?? new Redis(cfg.REDIS_URL);
  const outbox = new RedisEventOutbox({
    redis,
    key: `faceless:outbox:${cfg.EVENTS_OUTBOX ?? options.name ?? 'events'}`,
    ownsRedis: !options.redis,
  });
  const target = new RabbitEventBus({ url: cfg.AMQP_URL, exchange: cfg.EVENTS_EXCHANGE });
  return new OutboxEventBus({ outbox, target });
}
