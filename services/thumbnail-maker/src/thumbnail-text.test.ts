import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGlueWord, pickThumbnailWords, toThumbnailCase, tokenizeTitle, WORD_LIMITS } from './thumbnail-text.ts';

test('a French question keeps its accented key words and its question mark', () => {
  const words = pickThumbnailWords('Pourquoi les éléphants ont peur des abeilles ?', 'fr');
  assert.deepEqual(words, ['éléphants', 'ont', 'peur', 'des', 'abeilles?']);
  assert.deepEqual(toThumbnailCase(words, 'fr'), ['ÉLÉPHANTS', 'ONT', 'PEUR', 'DES', 'ABEILLES?']);
});

test('leading question words, articles and filler are dropped', () => {
  assert.deepEqual(pickThumbnailWords('Why Octopuses Have Three Hearts', 'en'), ['Octopuses', 'Have', 'Three', 'Hearts']);
  assert.deepEqual(pickThumbnailWords('How to Start a Vegetable Garden in Small Spaces', 'en'), ['Vegetable', 'Garden', 'in', 'Small', 'Spaces']);
  assert.deepEqual(pickThumbnailWords('The Surprising Science of Sleep: Why We Dream', 'en'), ['Surprising', 'Science', 'of', 'Sleep']);
});

test('numbers are punchy but never cut from their noun', () => {
  assert.deepEqual(pickThumbnailWords('10 Facts About Black Holes That Will Blow Your Mind', 'en'), ['10', 'Facts', 'About', 'Black', 'Holes']);
  const words = pickThumbnailWords('Everything you need to know about the French Revolution explained in 5 minutes', 'en');
  assert.notEqual(words.at(-1), '5');
  assert.ok(words.includes('minutes'));
});

test('names in a sentence-case title are kept together', () => {
  const words = pickThumbnailWords("L'histoire secrète de la Tour Eiffel", 'fr');
  assert.deepEqual(words.slice(-2), ['Tour', 'Eiffel']);
});

test('always between 3 and 5 words when the title has 3 or more, never starting or ending on a stop word', () => {
  const titles = [
    'Comment le cerveau fabrique-t-il nos souvenirs ?',
    'Les ponts romains : pourquoi tiennent-ils encore debout ?',
    'What happens to your body when you stop eating sugar for thirty days',
    'La vérité sur le café et le sommeil',
  ];
  for (const title of titles) {
    const lang = /[éèàç]| le | la | les /.test(title) ? 'fr' : 'en';
    const words = pickThumbnailWords(title, lang);
    assert.ok(words.length >= WORD_LIMITS.min && words.length <= WORD_LIMITS.max, `${title} → ${words.join(' ')}`);
    const tokens = tokenizeTitle(words.join(' '), lang);
    assert.equal(tokens[0]?.stop, false, `${title} starts on a stop word: ${words.join(' ')}`);
    assert.equal(tokens.at(-1)?.stop, false, `${title} ends on a stop word: ${words.join(' ')}`);
  }
});

test('short titles are kept whole', () => {
  assert.deepEqual(pickThumbnailWords('Sleep', 'en'), ['Sleep']);
  assert.deepEqual(pickThumbnailWords('The Moon', 'en'), ['The', 'Moon']);
  assert.deepEqual(pickThumbnailWords('  ', 'en'), []);
});

test('French elision counts the word after the apostrophe', () => {
  const tokens = tokenizeTitle("qu'il l'éléphant", 'fr');
  assert.equal(tokens[0]?.stop, true);
  assert.equal(tokens[1]?.stop, false);
});

test('uppercasing uses the language rules and keeps accents and cedillas', () => {
  assert.deepEqual(toThumbnailCase(['garçon', 'œuvre', 'à'], 'fr'), ['GARÇON', 'ŒUVRE', 'À']);
});

test('glue words are articles and prepositions, punctuation aside', () => {
  assert.equal(isGlueWord('DES', 'fr'), true);
  assert.equal(isGlueWord("L'", 'fr'), true);
  assert.equal(isGlueWord('the', 'en'), true);
  assert.equal(isGlueWord('PEUR', 'fr'), false);
  assert.equal(isGlueWord('ABOUT,', 'en'), true);
});
