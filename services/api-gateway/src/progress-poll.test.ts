import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharedProgressPoll } from './progress-poll.ts';
import type { SseProgress } from './sse-format.ts';

const progress = (percent: number): SseProgress => ({ pipelineId: 'p', stage: 'video', percent });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('three watchers of one pipeline share one status read a period; the poll stops with the last watcher', async () => {
  const poll = new SharedProgressPoll(40);
  let reads = 0;
  const read = (): Promise<SseProgress> => Promise.resolve(progress(++reads));
  const seen: number[][] = [[], [], []];
  const leave = seen.map((list) => poll.watch('p', read, (p) => list.push(p.percent)));
  await sleep(230);
  const during = reads;
  assert.ok(during >= 3 && during <= 7, `${during} reads in 230 ms at one per 40 ms, for three watchers`);
  assert.deepEqual(seen[1], seen[0], 'every watcher is told each read');
  assert.deepEqual(seen[2], seen[0]);
  leave[0]?.();
  leave[1]?.();
  assert.equal(poll.size, 1, 'one watcher left: still polled');
  leave[2]?.();
  assert.equal(poll.size, 0);
  await sleep(60);
  const after = reads;
  await sleep(100);
  assert.equal(reads, after, 'no read once nobody watches');
  poll.close();
});

test('a slow read is not overlapped by the next tick, and a failed read tells nobody', async () => {
  const poll = new SharedProgressPoll(10);
  let inFlight = 0;
  let most = 0;
  let calls = 0;
  const told: number[] = [];
  const leave = poll.watch('p', async () => {
    calls++;
    inFlight++;
    most = Math.max(most, inFlight);
    await sleep(50);
    inFlight--;
    if (calls === 1) throw new Error('orchestrator away');
    return progress(calls);
  }, (p) => told.push(p.percent));
  await sleep(200);
  leave();
  poll.close();
  assert.equal(most, 1, 'one read at a time');
  assert.ok(calls >= 2 && calls <= 5, `${calls} reads of 50 ms in 200 ms`);
  assert.ok(!told.includes(1), 'the failed read is not told');
  assert.ok(told.length >= 1);
});
