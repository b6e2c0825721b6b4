import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WordTiming } from '@faceless/contracts';
import { atomsOf, breakPenalty, detectPhrasingLanguage, endsSentence, phraseChunks } from './caption-phrasing.ts';

function timed(text: string, step = 0.3): WordTiming[] {
  return text.split(' ').map((w, i) => ({ text: w, start: i * step, end: i * step + step * 0.8, segment: 0 }));
}

const atoms = (text: string): string[] => atomsOf(timed(text)).map((a) => a.text);
const lines = (chunks: WordTiming[][][]): string[] => chunks.map((c) => c.map((l) => l.map((w) => w.text).join(' ')).join(' / '));

test('atomsOf keeps numbers with units, hyphen halves, elisions and spaced French marks together', () => {
  assert.deepEqual(atoms('It costs $ 5 for 20 kg'), ['It', 'costs', '$ 5', 'for', '20 kg']);
  assert.deepEqual(atoms('about 10 000 ans and 45 % more'), ['about', '10 000 ans', 'and', '45 %', 'more']);
  assert.deepEqual(atoms('three million people'), ['three million', 'people']);
  assert.deepEqual(atoms('a well- known state -of-the-art tool'), ['a', 'well- known', 'state -of-the-art', 'tool']);
  assert.deepEqual(atoms('à l’ école jusqu’ à la'), ['à', 'l’ école', 'jusqu’ à', 'la']);
  assert.deepEqual(atoms('Vraiment ? « Oui » !'), ['Vraiment ?', '« Oui » !']);
  // A number that ends a clause does not take the next word as its unit.
  assert.deepEqual(atoms('in 2023, people'), ['in', '2023,', 'people']);
});

test('endsSentence ignores abbreviations; breakPenalty ranks breaks', () => {
  assert.ok(endsSentence('end.') && endsSentence('why?') && endsSentence('«\u00a0non\u00a0!»') && endsSentence('so…'));
  assert.ok(!endsSentence('Dr.') && !endsSentence('e.g.') && !endsSentence('M.') && !endsSentence('3.5'));
  assert.equal(breakPenalty('the', 'en'), 1000);
  assert.equal(breakPenalty('Of', 'en'), 1000);
  assert.equal(breakPenalty('l’', 'fr'), 1000);
  assert.equal(breakPenalty('des', 'fr'), 1000);
  assert.ok(breakPenalty('it', 'en') > breakPenalty('ocean', 'en'));
  assert.equal(breakPenalty('the,', 'en'), 0, 'punctuation is a natural break');
  assert.equal(breakPenalty('de', undefined), 2, 'no stop list without a language');
});

test('detectPhrasingLanguage recognises English and French, and gives up on others', () => {
  assert.equal(detectPhrasingLanguage(timed('The cat sat on the mat in the middle of the night.')), 'en');
  assert.equal(detectPhrasingLanguage(timed('Les élèves de la classe sont allés à la plage avec leurs parents.')), 'fr');
  assert.equal(detectPhrasingLanguage(timed('Los pulpos tienen tres corazones y sangre azul.')), undefined);
  assert.equal(detectPhrasingLanguage(timed('Octopus')), undefined);
});

test('phraseChunks respects lines, words and characters, and only overflows to avoid a bad break', () => {
  const limits = { maxLines: 2, maxWordsPerLine: 3, maxCharsPerLine: 16, lang: 'en' as const };
  const chunks = phraseChunks(timed('We sailed across the sea for days and nights until we saw the coast of Peru'), limits);
  for (const chunk of chunks) {
    assert.ok(chunk.length <= 2);
    for (const line of chunk) {
      const text = line.map((w) => w.text).join(' ');
      assert.ok(line.length <= 3 && text.length <= 16, `"${text}" within 3 words and 16 characters`);
      assert.ok(breakPenalty(line[line.length - 1]?.text ?? '', 'en') < 1000, `"${text}" ends on a leading word`);
    }
  }
  // The break goes before "of", never after "of" or "the".
  const forced = lines(phraseChunks(timed('the heart of the octopus'), { maxLines: 1, maxWordsPerLine: 3, maxCharsPerLine: 18, lang: 'en' }));
  assert.deepEqual(forced, ['the heart', 'of the octopus']);
  // Two words a line cannot hold "of the strongest" without ending on "of" or "the": it takes a third.
  const tight = lines(phraseChunks(timed('made of the strongest materials'), { maxLines: 1, maxWordsPerLine: 2, maxCharsPerLine: 18, lang: 'en' }));
  assert.deepEqual(tight, ['made', 'of the strongest', 'materials']);
  // The width check wins over everything: a line that would not fit the frame is never made.
  const narrow = phraseChunks(timed('big wide words here'), { maxLines: 1, maxWordsPerLine: 4, maxCharsPerLine: 40, fits: (l) => l.length <= 9 });
  assert.deepEqual(lines(narrow), ['big wide', 'words', 'here']);
});
