import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisCheckpointStore } from './redis-checkpoint-store.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface State {
  stage: string;
  done: string[];
}

test('save/load round-trips JSON; list returns ids newest first with limit and offset', async () => {
  const redis = new Redis(REDIS_URL);
  const prefix = `test:${randomUUID()}`;
  let clock = 1000;
  const store = new RedisCheckpointStore<State>({ redis, prefix, now: () => clock });
  try {
    assert.equal(await store.load('missing'), undefined);
    for (const id of ['a', 'b', 'c']) {
      clock += 10;
      await store.save(id, { stage: 'keywords', done: [id] });
    }
    assert.deepEqual(await store.load('b'), { stage: 'keywords', done: ['b'] });
    assert.equal(await redis.get(`${prefix}:pipeline:b`), JSON.stringify({ stage: 'keywords', done: ['b'] }));
    assert.deepEqual(await store.list(), ['c', 'b', 'a']);

    clock += 10;
    await store.save('a', { stage: 'script', done: ['keywords', 'a'] });
    assert.deepEqual(await store.load('a'), { stage: 'script', done: ['keywords', 'a'] });
    assert.deepEqual(await store.list(), ['a', 'c', 'b'], 'an update moves the pipeline to the front');
    assert.deepEqual(await store.list({ limit: 2 }), ['a', 'c']);
    assert.deepEqual(await store.list({ limit: 2, offset: 1 }), ['c', 'b']);
    assert.deepEqual(await store.list({ limit: 0 }), []);
    assert.equal(await redis.zscore(`${prefix}:pipelines`, 'a'), '1040');

    await store.delete('c');
    assert.equal(await store.load('c'), undefined);
    assert.deepEqual(await store.list(), ['a', 'b']);
  } finally {
    for (const id of ['a', 'b', 'c']) await store.delete(id);
    await redis.del(`${prefix}:pipelines`);
    assert.deepEqual(await redis.keys(`${prefix}:*`), []);
    await redis.quit();
  }
});
