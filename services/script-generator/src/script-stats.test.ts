import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countWords, finalizeScript, sectionCountFor, speakingSeconds, targetWordCount } from './script-stats.ts';

test('words are tokens with a letter or a digit', () => {
  assert.equal(countWords("Qu'est-ce que c'est ? — 30 secondes, l'été !"), 6);
  assert.equal(countWords('  one\ntwo\t three  '), 3);
  assert.equal(countWords(''), 0);
});

test('150 words a minute unless the voice has its own pace, and sections by length', () => {
  assert.deepEqual([15, 30, 60, 180, 600].map((d) => targetWordCount(d)), [38, 75, 150, 450, 1500]);
  assert.deepEqual([30, 60].map((d) => targetWordCount(d, 181)), [91, 181]);
  assert.equal(speakingSeconds(150), 60);
  assert.equal(speakingSeconds(49), 19.6);
  assert.equal(speakingSeconds(181, 181), 60);
  assert.deepEqual([15, 45, 46, 90, 150, 300, 301, 600].map(sectionCountFor), [3, 3, 4, 4, 5, 6, 7, 7]);
  const s = finalizeScript({ titleIdea: 'T', hook: 'A b.', sections: [{ heading: 'H', narration: 'C d e.', visualKeywords: [] }], callToAction: 'F.' }, 'it');
  assert.deepEqual([s.lang, s.wordCount, s.estimatedDurationSec], ['it', 6, 2.4]);
});
