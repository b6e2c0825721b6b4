import assert from 'node:assert/strict';
import { test } from 'node:test';
import { composeDescription, firstSentence, summaryLine } from './description.ts';
import type { DescriptionParts } from './description.ts';
import { utf8Length } from './youtube-limits.ts';

const parts: DescriptionParts = {
  lang: 'en',
  hook: 'An octopus has three hearts. Two pump blood through the gills.',
  headings: ['The gill hearts', 'The body heart', 'Why blue blood matters'],
  chapters: [{ start: 0, title: 'The gill hearts' }, { start: 15, title: 'The body heart' }, { start: 31, title: 'Why blue blood matters' }],
  hashtags: ['#Octopus', '#MarineBiology', '#Science'],
  credits: ['Footage: Pexels / Jane Doe'],
};

test('the description reads hook, summary, chapters, disclosure, credits, hashtags', () => {
  const d = composeDescription(parts);
  assert.equal(d, [
    'An octopus has three hearts.',
    '',
    'In this video: the gill hearts, the body heart and why blue blood matters.',
    '',
    'Chapters:',
    '0:00 The gill hearts',
    '0:15 The body heart',
    '0:31 Why blue blood matters',
    '',
    'Narrated with a synthetic voice.',
    '',
    'Credits:',
    'Footage: Pexels / Jane Doe',
    '',
    '#Octopus #MarineBiology #Science',
  ].join('\n'));
});

test('French labels, and headings opening on an article lose their capital mid-sentence', () => {
  assert.equal(
    summaryLine(['Une peur bien réelle', 'Des piqûres ciblées', 'Kenya : les ruches'], 'fr'),
    'Dans cette vidéo : une peur bien réelle, des piqûres ciblées et Kenya : les ruches.',
  );
  const d = composeDescription({ ...parts, lang: 'fr', chapters: [], credits: [] });
  assert.ok(d.includes('Narration réalisée avec une voix de synthèse.'));
  assert.ok(!d.includes('Chapitres'));
  assert.ok(!d.includes('Crédits'));
});

test('over the byte limit the summary goes first, then hashtags, chapters, hook; the disclosure stays', () => {
  const full = composeDescription(parts);
  const limit = utf8Length(full) - 10;
  const noSummary = composeDescription(parts, limit);
  assert.ok(!noSummary.includes('In this video'));
  assert.ok(noSummary.includes('#Octopus') && noSummary.includes('0:00'));
  const tiny = composeDescription(parts, 110);
  assert.ok(utf8Length(tiny) <= 110);
  assert.ok(tiny.includes('Narrated with a synthetic voice.'), tiny);
  assert.ok(!tiny.includes('0:00') && !tiny.includes('#Octopus'));
});

test('a flood of credit lines is cut line by line, keeping the rest within 5000 bytes', () => {
  const credits = Array.from({ length: 300 }, (_, i) => `Clip ${i}: Pexels / Photographe Hélène Çelik`);
  const d = composeDescription({ ...parts, credits });
  assert.ok(utf8Length(d) <= 5000);
  assert.ok(d.includes('Clip 0: Pexels'));
  assert.ok(!d.includes('Clip 299'));
  assert.ok(d.includes('Narrated with a synthetic voice.'));
  assert.ok(/Hélène Çelik$/u.test(d), 'ends on a whole credit line');
});

test('firstSentence stops at the first sentence end and caps very long text at a word', () => {
  assert.equal(firstSentence('Really? Yes.'), 'Really?');
  assert.equal(firstSentence('No end mark here'), 'No end mark here');
  assert.ok(firstSentence('word '.repeat(200)).length <= 300);
  assert.equal(firstSentence('3.5 metres long. Next.'), '3.5 metres long.');
});
