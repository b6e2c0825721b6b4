import type { Redis } from 'ioredis';
import type { CheckpointStore } from './checkpoint-store.ts';

export interface RedisCheckpointStoreOptions {
  redis: Redis;
  /** Key prefix, e.g. `faceless`: state under `${prefix}:pipeline:${id}`, index in `${prefix}:pipelines`. */
  prefix?: string;
  /** Quit the Redis connection on close. Default false. */
  ownsRedis?: boolean;
  now?: () => number;
}

/** Checkpoints as JSON strings in Redis plus a sorted set by last update, so pipelines can be listed newest first. */
export class RedisCheckpointStore<T> implements CheckpointStore<T> {
  readonly prefix: string;
  private readonly redis: Redis;
  private readonly now: () => number;

  constructor(private readonly options: RedisCheckpointStoreOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix ?? 'faceless';
    this.now = options.now ?? Date.now;
  }

  keyFor(pipelineId: string): string {
    return `${this.prefix}:pipeline:${pipelineId}`;
  }

  get indexKey(): string {
    return `${this.prefix}:pipelines`;
  }

  async load(pipelineId: string): Promise<T | undefined> {
    const raw = await this.redis.get(this.keyFor(pipelineId));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  /** SET replaces the value atomically; MULTI keeps the value and the index in step. */
  async save(pipelineId: string, state: T): Promise<void> {
    const results = await this.redis
      .multi()
      .set(this.keyFor(pipelineId), JSON.stringify(state))
      .zadd(this.indexKey, this.now(), pipelineId)
      .exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw new Error(`RedisCheckpointStore.save(${pipelineId}) failed: ${String(failed?.[0] ?? 'transaction aborted')}`);
  }

  /** Pipeline ids, most recently saved first. */
  async list(options: { limit?: number; offset?: number } = {}): Promise<string[]> {
    const offset = Math.max(0, options.offset ?? 0);
    const limit = Math.max(0, options.limit ?? 50);
    if (limit === 0) return [];
    return this.redis.zrevrange(this.indexKey, offset, offset + limit - 1);
  }

  async delete(pipelineId: string): Promise<void> {
    await this.redis.multi().del(this.keyFor(pipelineId)).zrem(this.indexKey, pipelineId).exec();
  }

  async close(): Promise<void> {
    if (this.options.ownsRedis) await this.redis.quit().catch(() => {});
  }
}
