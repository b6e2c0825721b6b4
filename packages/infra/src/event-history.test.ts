import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import type { EventName, PipelineEvent } from '@faceless/contracts';
import { FolderEventHistory, MemoryEventHistory, type EventHistory } from './event-history.ts';
import { RedisEventHistory } from './redis-event-history.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL);
const prefix = `test-history:${randomUUID()}`;
const folder = await mkdtemp(join(tmpdir(), 'faceless-history-'));

after(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await rm(folder, { recursive: true, force: true });
});

function event(pipelineId: string, seq: number, name: EventName = 'pipeline.started'): PipelineEvent {
  return { id: randomUUID(), name, pipelineId, seq, at: new Date(1_700_000_000_000 + seq).toISOString(), data: { n: seq } };
}

const stores: [string, EventHistory][] = [
  ['memory', new MemoryEventHistory()],
  ['folder', new FolderEventHistory(folder)],
  ['redis', new RedisEventHistory({ redis, prefix })],
];

for (const [kind, history] of stores) {
  test(`${kind}: a pipeline's events, after a seq, ascending; the last one appended wins a repeated seq; others apart`, async () => {
    assert.deepEqual(await history.read('none'), []);
    const a = [event('a', 1), event('a', 2, 'pipeline.keywords.completed'), event('a', 3, 'pipeline.script.completed')];
    for (const e of a) await history.append(e);
    await history.append(event('b', 1));
    assert.deepEqual(await history.read('a'), a);
    assert.deepEqual(await history.read('a', 0), a);
    assert.deepEqual(await history.read('a', 2), [a[2]]);
    assert.deepEqual(await history.read('a', 3), []);
    assert.deepEqual((await history.read('b')).map((e) => e.pipelineId), ['b']);
    // A resumed run re-publishes the seq its crashed run appended but never counted.
    const again = event('a', 3, 'pipeline.failed');
    await history.append(again);
    assert.deepEqual((await history.read('a')).map((e) => [e.seq, e.name]), [[1, 'pipeline.started'], [2, 'pipeline.keywords.completed'], [3, 'pipeline.failed']]);
  });
}

test('folder: one JSON line per event in <id>.events.jsonl; a line cut short is skipped; an id that is no file name is refused', async () => {
  const history = new FolderEventHistory(folder);
  await history.append(event('cut', 1));
  const path = history.pathFor('cut') ?? '';
  assert.equal(path, join(folder, 'cut.events.jsonl'));
  await appendFile(path, '{"id":"x","name":"pipeline.');
  await history.append(event('cut', 2, 'pipeline.keywords.completed'));
  const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim());
  assert.equal(lines.length, 3, 'two events and the cut line between them');
  assert.deepEqual((await history.read('cut')).map((e) => e.seq), [1, 2]);
  assert.equal(history.pathFor('../etc'), undefined);
  assert.deepEqual(await history.read('../etc'), []);
  await assert.rejects(history.append(event('../etc', 1)), /cannot name an event history file/);
  // Survives a new instance (a serve restart).
  assert.deepEqual((await new FolderEventHistory(folder).read('cut')).map((e) => e.seq), [1, 2]);
});

test('redis: a list under <prefix>:events:<id>, trimmed to maxEvents, with the TTL renewed when one is set', async () => {
  const history = new RedisEventHistory({ redis, prefix, ttlSec: 120, maxEvents: 3 });
  for (let seq = 1; seq <= 5; seq++) await history.append(event('t', seq));
  assert.equal(history.keyFor('t'), `${prefix}:events:t`);
  assert.equal(await redis.llen(`${prefix}:events:t`), 3);
  assert.deepEqual((await history.read('t')).map((e) => e.seq), [3, 4, 5]);
  const ttl = await redis.ttl(`${prefix}:events:t`);
  assert.ok(ttl > 100 && ttl <= 120, `ttl ${ttl}`);
  assert.equal(await redis.ttl(`${prefix}:events:a`), -1, 'no TTL unless asked, like the checkpoints');
});
