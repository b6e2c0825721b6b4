import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignWordsToIslands, breakAfter, BREAK, parseSilenceDetect, speechIslands, wordWeight } from './timing-estimator.ts';

test('parses silencedetect log lines and ametadata lines; an open silence closes at the end', () => {
  const log = [
    '[silencedetect @ 0x55] silence_start: 0',
    '[silencedetect @ 0x55] silence_end: 0.25 | silence_duration: 0.25',
    '[silencedetect @ 0x55] silence_start: 1.5',
    '[silencedetect @ 0x55] silence_end: 1.9 | silence_duration: 0.4',
    '[silencedetect @ 0x55] silence_start: 3.2',
  ].join('\n');
  assert.deepEqual(parseSilenceDetect(log, 3.5), [{ start: 0, end: 0.25 }, { start: 1.5, end: 1.9 }, { start: 3.2, end: 3.5 }]);
  const meta = 'frame:1 pts:0\nlavfi.silence_start=0.999955\nframe:2\nlavfi.silence_end=1.50007\nlavfi.silence_duration=0.5';
  assert.deepEqual(parseSilenceDetect(meta, 3), [{ start: 0.999955, end: 1.50007 }]);
  assert.deepEqual(speechIslands(parseSilenceDetect(log, 3.5), 3.5), [{ start: 0.25, end: 1.5 }, { start: 1.9, end: 3.2 }]);
});

test('punctuation sets the break strength; longer words weigh more', () => {
  assert.equal(breakAfter('blue?'), BREAK.sentence);
  assert.equal(breakAfter('déçu.»'), BREAK.sentence);
  assert.equal(breakAfter('red,'), BREAK.clause);
  assert.equal(breakAfter('ocean'), BREAK.none);
  assert.ok(wordWeight('sunlight') > wordWeight('the'));
  assert.ok(wordWeight('1993') > wordWeight('a'));
});

test('sentence starts land on island starts, even with an extra pause inside a sentence', () => {
  const words = ['Why', 'is', 'the', 'ocean', 'blue?', 'Water', 'absorbs', 'light,', 'mostly', 'red.'];
  // Three islands: sentence one, "Water absorbs light," and "mostly red."
  const islands = [{ start: 0.1, end: 1.1 }, { start: 1.7, end: 2.8 }, { start: 3.0, end: 3.8 }];
  const out = alignWordsToIslands(words, islands, 4);
  assert.equal(out.length, words.length);
  assert.ok(Math.abs(out[0]!.start - 0.1) < 1e-9);
  assert.ok(Math.abs(out[5]!.start - 1.7) < 1e-9, `"Water" starts at ${out[5]!.start}`);
  assert.ok(Math.abs(out[8]!.start - 3.0) < 1e-9, `"mostly" starts at ${out[8]!.start}`);
  assert.ok(Math.abs(out[4]!.end - 1.1) < 1e-9);
  // Not a uniform spread: "the" is shorter than "ocean".
  assert.ok(out[2]!.end - out[2]!.start < out[3]!.end - out[3]!.start);
  for (const [i, w] of out.entries()) {
    assert.ok(w.end - w.start >= 0.04 - 1e-9);
    if (i > 0) assert.ok(w.start >= out[i - 1]!.end - 1e-9);
  }
});

test('no islands or more islands than words still give ordered timings within the duration', () => {
  const none = alignWordsToIslands(['one', 'two', 'three'], [], 2);
  assert.equal(none.length, 3);
  assert.ok(none.at(-1)!.end <= 2 && none[0]!.start >= 0);
  const many = Array.from({ length: 8 }, (_, i) => ({ start: i * 0.5, end: i * 0.5 + 0.3 }));
  const out = alignWordsToIslands(['Hello', 'there.'], many, 4);
  assert.equal(out.length, 2);
  assert.ok(out[0]!.start >= 0 && out[1]!.end <= 4 && out[1]!.start >= out[0]!.end);
});
