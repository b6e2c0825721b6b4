import type { Redis } from 'ioredis';
import type { PipelineEvent } from '@faceless/contracts';
import { orderHistory, parseLines, type EventHistory } from './event-history.ts';

export interface RedisEventHistoryOptions {
  redis: Redis;
  /** Key prefix, the checkpoints' (`faceless`): a pipeline's events under `${prefix}:events:${id}`. */
  prefix?: string;
  /** Expiry of a pipeline's list, renewed on each append; unset: kept like the checkpoints (which do not expire). */
  ttlSec?: number;
  /** Events kept per pipeline; the oldest go first (a pipeline retried forever must not grow without end). */
  maxEvents?: number;
}

/** A pipeline's events as a Redis list beside its checkpoint: RPUSH appends, LRANGE reads. */
export class RedisEventHistory implements EventHistory {
  readonly prefix: string;
  private readonly redis: Redis;
  private readonly maxEvents: number;

  constructor(private readonly options: RedisEventHistoryOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix ?? 'faceless';
    this.maxEvents = options.maxEvents ?? 1000;
  }

  keyFor(pipelineId: string): string {
    return `${this.prefix}:events:${pipelineId}`;
  }

  async append(event: PipelineEvent): Promise<void> {
    const key = this.keyFor(event.pipelineId);
    const tx = this.redis.multi().rpush(key, JSON.stringify(event)).ltrim(key, -this.maxEvents, -1);
    if (this.options.ttlSec) tx.expire(key, this.options.ttlSec);
    const results = await tx.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw new Error(`RedisEventHistory.append(${event.pipelineId}) failed: ${String(failed?.[0] ?? 'transaction aborted')}`);
  }

  async read(pipelineId: string, after = 0): Promise<PipelineEvent[]> {
    return orderHistory(parseLines(await this.redis.lrange(this.keyFor(pipelineId), 0, -1)), after);
  }

  async delete(pipelineId: string): Promise<void> {
    await this.redis.del(this.keyFor(pipelineId));
  }
}
