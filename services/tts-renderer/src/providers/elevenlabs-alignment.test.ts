import assert from 'node:assert/strict';
import { test } from 'node:test';
import { segmentWords } from '../script-words.ts';
import { chunkText, chunkWords, groupCharactersIntoWords } from './elevenlabs-alignment.ts';
import type { CharacterAlignment } from './elevenlabs-alignment.ts';

/** One character every 0.1 s, spaces included, as ElevenLabs times them. */
function alignmentOf(text: string, step = 0.1): CharacterAlignment {
  const characters = [...text];
  return {
    characters,
    character_start_times_seconds: characters.map((_, i) => Math.round(i * step * 1000) / 1000),
    character_end_times_seconds: characters.map((_, i) => Math.round((i + 1) * step * 1000) / 1000),
  };
}

test('groupCharactersIntoWords times each word from its first to its last character', () => {
  const text = "Pourquoi l'océan, déçu.";
  const spans = groupCharactersIntoWords(text.split(' '), alignmentOf(text));
  assert.deepEqual(spans, [
    { start: 0, end: 0.8 },
    { start: 0.9, end: 1.7 },
    { start: 1.8, end: 2.3 },
  ]);
});

test('groupCharactersIntoWords ignores blank-line separators between segments', () => {
  const text = 'Hook here.\n\nSection one';
  const spans = groupCharactersIntoWords(['Hook', 'here.', 'Section', 'one'], alignmentOf(text));
  assert.deepEqual(spans.map((s) => s.start), [0, 0.5, 1.2, 2]);
  assert.deepEqual(spans.map((s) => s.end), [0.4, 1, 1.9, 2.3]);
});

test('groupCharactersIntoWords keeps every word when the provider returns fewer characters', () => {
  // "1990" spoken as 10 timed characters would be more; here the provider dropped the comma of "1990,".
  const words = ['En', '1990,', 'fin.'];
  const alignment = alignmentOf('En 1990 fin.');
  const spans = groupCharactersIntoWords(words, alignment);
  assert.equal(spans.length, 3);
  for (const [i, s] of spans.entries()) {
    assert.ok(s.end > s.start, `word ${i} has a duration`);
    if (i > 0) assert.ok(s.start >= spans[i - 1]!.start);
  }
  assert.equal(spans[0]!.start, 0);
  assert.equal(spans.at(-1)!.end, 1.2);
});

test('groupCharactersIntoWords refuses an alignment with no characters', () => {
  assert.throws(() => groupCharactersIntoWords(['a'], alignmentOf('')), { code: 'PROVIDER_BAD_RESPONSE' });
});

test('chunkText joins words with spaces and segments with a blank line', () => {
  assert.equal(chunkText(segmentWords(['Hello there.', 'Part  one', 'Bye'])), 'Hello there.\n\nPart one\n\nBye');
});

test('chunkWords keeps a short script in one request', () => {
  const chunks = chunkWords(segmentWords(['Hook.', 'Body text here.', 'Subscribe!']));
  assert.equal(chunks.length, 1);
  assert.equal(chunks[0]!.text, 'Hook.\n\nBody text here.\n\nSubscribe!');
});

test('chunkWords splits at sentence ends below the limit and loses no word', () => {
  const words = segmentWords(['One two three. Four five six. Seven eight nine.', 'Ten eleven.']);
  const chunks = chunkWords(words, 32);
  assert.deepEqual(chunks.map((c) => c.text), ['One two three. Four five six.', 'Seven eight nine.\n\nTen eleven.']);
  assert.deepEqual(chunks.flatMap((c) => c.words), words);
  for (const c of chunks) assert.ok(c.text.length <= 32);
});

test('chunkWords cuts a sentence longer than the limit between words', () => {
  const words = segmentWords(['aaaa bbbb cccc dddd eeee ffff']);
  const chunks = chunkWords(words, 10);
  assert.deepEqual(chunks.map((c) => c.text), ['aaaa bbbb', 'cccc dddd', 'eeee ffff']);
});
