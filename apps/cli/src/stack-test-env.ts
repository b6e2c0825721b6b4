import { join } from 'node:path';

/**
 * For the stack's end-to-end tests: the environment of ten services on this machine's Redis, RabbitMQ
 * and PostgreSQL, with names of their own (`name`: exchange, outbox, queue, checkpoints), a folder
 * object store and state under `work`, and one API key (`e2e`, given by its hash).
 */
export function localStackEnv(options: {
  name: string;
  work: string;
  amqpUrl: string;
  databaseUrl: string;
  apiKeyHash: string;
}): Record<string, string | undefined> {
  const { name, work } = options;
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: 'warn',
    REDIS_URL: 'redis://127.0.0.1:6379',
    AMQP_URL: options.amqpUrl,
    EVENTS_EXCHANGE: `faceless.${name}`,
    EVENTS_OUTBOX: name,
    PIPELINE_QUEUE: `faceless-${name}`,
    CHECKPOINT_PREFIX: `faceless-${name}`,
    DATABASE_URL: options.databaseUrl,
    FACELESS_STORE_DIR: join(work, 'store'),
    LOCAL_CHANNEL_DIR: join(work, 'channels'),
    FACELESS_CACHE_DIR: join(work, 'cache'),
    FACELESS_DATA_DIR: join(work, 'data'),
    API_KEYS: `e2e:${options.apiKeyHash}`,
    // Status polls share one key.
    RATE_LIMIT_PER_MINUTE: '100000',
  };
}
