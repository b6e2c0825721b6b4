import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildMarkedSsml, escapeSsmlText, resolveMarkTimes, sentenceRanges } from './espeak-ssml.ts';

test('escapeSsmlText escapes markup and drops characters XML forbids, keeping accents and apostrophes', () => {
  assert.equal(escapeSsmlText('<b>&amp;'), '&lt;b&gt;&amp;amp;');
  assert.equal(escapeSsmlText("l'océan,"), "l'océan,");
  assert.equal(escapeSsmlText('a\u0000b\u0007c\td'), 'abc\td');
  assert.equal(escapeSsmlText('« déçu » 🚀'), '« déçu » 🚀');
});

test('buildMarkedSsml puts a start and an end mark around each word', () => {
  assert.equal(
    buildMarkedSsml(['Élève', 'très', '<sûr>', 'R&D']),
    '<speak><mark name="s0"/>Élève <mark name="e0"/><mark name="s1"/>très <mark name="e1"/>'
      + '<mark name="s2"/>&lt;sûr&gt; <mark name="e2"/><mark name="s3"/>R&amp;D <mark name="e3"/></speak>',
  );
});

test('sentenceRanges cuts after sentence-ending punctuation, closing quotes included', () => {
  const words = ['Il', 'est', 'déçu.', 'Pourquoi', '?', 'Il', 'dit', '«', 'non', '!»', 'et', 'part…', 'Enfin', '3.5', 'km'];
  assert.deepEqual(sentenceRanges(words), [[0, 3], [3, 5], [5, 10], [10, 12], [12, 15]]);
  assert.deepEqual(sentenceRanges(['No', 'stop']), [[0, 2]]);
  assert.deepEqual(sentenceRanges([]), []);
});

test('resolveMarkTimes reads starts and ends from the marks', () => {
  const marks = new Map([['s0', 0], ['e0', 300], ['s1', 300], ['e1', 700]]);
  assert.deepEqual(resolveMarkTimes({ words: ['Hello', 'world.'], marks, totalMs: 1000 }), [
    { startMs: 0, endMs: 300 },
    { startMs: 300, endMs: 700 },
  ]);
});

test('resolveMarkTimes falls back to the neighbouring mark when one is lost', () => {
  const marks = new Map([['s0', 0], ['e0', 200], ['e1', 500], ['s2', 500], ['e2', 900]]);
  const spans = resolveMarkTimes({ words: ['a', 'bb', 'c'], marks, totalMs: 1200 });
  assert.deepEqual(spans[1], { startMs: 200, endMs: 500 });
});

test('resolveMarkTimes interpolates by word length when both marks around words are lost', () => {
  // Words 1 and 2 have no marks at all: their 6 characters share 200..800 ms.
  const marks = new Map([['s0', 0], ['e0', 200], ['s3', 800], ['e3', 1000]]);
  const spans = resolveMarkTimes({ words: ['a', 'bb', 'cccc', 'd'], marks, totalMs: 1100 });
  assert.deepEqual(spans.map((s) => [Math.round(s.startMs), Math.round(s.endMs)]), [[0, 200], [200, 400], [400, 800], [800, 1000]]);
});

test('resolveMarkTimes uses 0 and the audio length when the outer marks are lost, and never goes backwards', () => {
  const spans = resolveMarkTimes({ words: ['x', 'y'], marks: new Map([['e0', 400], ['s1', 350]]), totalMs: 900 });
  assert.equal(spans[0]!.startMs, 0);
  assert.equal(spans[1]!.endMs, 900);
  assert.ok(spans[1]!.startMs >= spans[0]!.endMs);
});
