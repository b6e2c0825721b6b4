import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WordTiming } from '@faceless/contracts';
import { MIN_WORD_SEC, normalizeWordTimings, segmentTimings } from './word-timing.ts';

const w = (text: string, start: number, end: number, segment = 0): WordTiming => ({ text, start, end, segment });

function assertSafe(words: readonly WordTiming[], duration: number, min = MIN_WORD_SEC): void {
  let prev = 0;
  for (const x of words) {
    assert.ok(x.start >= prev - 1e-9, `${x.text} starts at ${x.start} before ${prev}`);
    assert.ok(x.end - x.start >= min - 1e-3, `${x.text} lasts ${x.end - x.start}`);
    assert.ok(x.end <= duration + 1e-9, `${x.text} ends at ${x.end} after ${duration}`);
    prev = x.end;
  }
}

test('normalizeWordTimings keeps good timings as they are (rounded to ms)', () => {
  const out = normalizeWordTimings([w('a', 0.1, 0.30004), w('b', 0.3, 0.6)], 1);
  assert.deepEqual(out, [w('a', 0.1, 0.3), w('b', 0.3, 0.6)]);
});

test('normalizeWordTimings stretches zero-length words and pushes followers only as needed', () => {
  const out = normalizeWordTimings([w('—', 1, 1), w('b', 1, 1.5), w('c', 1.5, 2)], 3);
  assert.deepEqual(out, [w('—', 1, 1.04), w('b', 1.04, 1.5), w('c', 1.5, 2)]);
  assertSafe(out, 3);
});

test('normalizeWordTimings fixes overlaps, reversed and out-of-range times', () => {
  const out = normalizeWordTimings([w('a', -1, 0.5), w('b', 0.4, 0.3), w('c', 0.9, 7), w('d', Number.NaN, 9)], 2);
  assertSafe(out, 2);
  assert.equal(out[0]!.start, 0);
  assert.equal(out.at(-1)!.end, 2);
});

test('normalizeWordTimings squeezes words packed at the very end back inside the duration', () => {
  const out = normalizeWordTimings([w('a', 0, 0.5), w('b', 1, 1), w('c', 1, 1), w('d', 1, 1)], 1);
  assertSafe(out, 1);
  assert.deepEqual(out.map((x) => x.end), [0.5, 0.92, 0.96, 1]);
});

test('normalizeWordTimings shares the duration when words cannot all have the minimum', () => {
  const words = Array.from({ length: 10 }, (_, i) => w(`w${i}`, 0, 0));
  const out = normalizeWordTimings(words, 0.2);
  assertSafe(out, 0.2, 0.02);
  assert.equal(out.length, 10);
});

test('segmentTimings spans each segment from its first word to its last', () => {
  const words = [w('a', 0, 1, 0), w('b', 1, 2, 0), w('c', 2.5, 3, 2)];
  assert.deepEqual(segmentTimings(['Intro', 'Empty', 'Outro'], words), [
    { heading: 'Intro', start: 0, end: 2 },
    { heading: 'Empty', start: 2, end: 2 },
    { heading: 'Outro', start: 2.5, end: 3 },
  ]);
});
