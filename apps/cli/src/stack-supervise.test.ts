import assert from 'node:assert/strict';
import { test } from 'node:test';
import { restartDelay } from './stack.ts';

test('a service that crashes again and again waits longer each time, up to the cap; one that ran a while starts again at once', () => {
  const options = { baseDelayMs: 1000, maxDelayMs: 8000, healthyAfterMs: 60_000 };
  let attempt = 0;
  const delays: number[] = [];
  for (let i = 0; i < 6; i++) {
    const next = restartDelay(attempt, 500, options);
    delays.push(next.delayMs);
    attempt = next.attempt;
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 8000, 8000]);
  assert.deepEqual(restartDelay(attempt, 120_000, options), { delayMs: 1000, attempt: 1 });
});
