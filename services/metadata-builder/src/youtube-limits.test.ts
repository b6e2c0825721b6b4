import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VideoMetadata } from '@faceless/contracts';
import {
  MAX_TAG_CHARS, codePointLength, fitDescription, fitMetadata, fitTags, fitTitle, tagsLength, utf8Length, validateMetadata,
} from './youtube-limits.ts';

const base: VideoMetadata = {
  title: 'Title', titleAlternatives: [], description: 'Description', tags: ['tag'], hashtags: ['#Tag'], chapters: [],
  categoryId: '27', defaultLanguage: 'en',
};
const fields = (meta: VideoMetadata): string[] => validateMetadata(meta).map((p) => p.field);

test('characters are code points: an emoji is one, a ZWJ family is five', () => {
  assert.equal(codePointLength('é'), 1);
  assert.equal(codePointLength('🐙'), 1);
  assert.equal('🐙'.length, 2);
  assert.equal(codePointLength('👨‍👩‍👧'), 5);
});

test('title: 100 code points pass, 101 fail, even when JS .length says 101', () => {
  assert.deepEqual(fields({ ...base, title: 'a'.repeat(100) }), []);
  assert.deepEqual(fields({ ...base, title: 'a'.repeat(101) }), ['title']);
  const emoji = `${'a'.repeat(99)}🐙`;
  assert.equal(emoji.length, 101);
  assert.deepEqual(fields({ ...base, title: emoji }), []);
  assert.deepEqual(fields({ ...base, title: `${'a'.repeat(100)}🐙` }), ['title']);
});

test('title and description may not contain < or >', () => {
  assert.deepEqual(fields({ ...base, title: 'a <b> c' }), ['title']);
  assert.deepEqual(fields({ ...base, description: '1 > 0' }), ['description']);
  assert.equal(fitTitle('x < y > z'), 'x ‹ y › z');
  assert.equal(fitDescription('<b>bold</b>'), '‹b›bold‹/b›');
});

test('fitTitle cuts at a word boundary and leaves no dangling punctuation', () => {
  const long = `${'word '.repeat(19)}ends: with a tail that runs past the limit`;
  const fitted = fitTitle(long);
  assert.ok(codePointLength(fitted) <= 100);
  assert.equal(fitted, `${'word '.repeat(19)}ends`);
  assert.equal(fitTitle('  Spaces\n and\tbreaks  '), 'Spaces and breaks');
  assert.equal(fitTitle('Already fine?'), 'Already fine?');
  assert.equal(fitTitle('Ends with a dash —'), 'Ends with a dash');
  assert.equal(fitTitle(`${'a'.repeat(150)}`), 'a'.repeat(100));
});

test('fitTitle never splits an emoji: a ZWJ family that does not fit goes whole', () => {
  const fitted = fitTitle(`${'a'.repeat(97)}👨‍👩‍👧`);
  assert.equal(fitted, 'a'.repeat(97));
  assert.equal(fitTitle(`${'a'.repeat(99)}🐙 tail`), `${'a'.repeat(99)}🐙`);
});

test('description: 5000 bytes of UTF-8 pass, 5001 fail, with accents where characters ≠ bytes', () => {
  const e4999 = `${'é'.repeat(2499)}a`;
  const e5000 = 'é'.repeat(2500);
  const e5001 = `${'é'.repeat(2500)}a`;
  assert.deepEqual([utf8Length(e4999), utf8Length(e5000), utf8Length(e5001)], [4999, 5000, 5001]);
  assert.equal(e5000.length, 2500);
  assert.deepEqual(fields({ ...base, description: e4999 }), []);
  assert.deepEqual(fields({ ...base, description: e5000 }), []);
  assert.deepEqual(fields({ ...base, description: e5001 }), ['description']);
});

test('fitDescription cuts by bytes without breaking a multi-byte character', () => {
  const fitted = fitDescription(`${'é'.repeat(2500)}a`);
  assert.equal(fitted, 'é'.repeat(2500));
  const odd = fitDescription(`a${'é'.repeat(2500)}`);
  assert.equal(utf8Length(odd), 4999);
  assert.equal(Buffer.from(odd, 'utf8').toString('utf8'), odd);
  assert.ok(!odd.includes('\uFFFD'));
  const emoji = fitDescription(`${'a'.repeat(4998)}🐙`);
  assert.equal(emoji, 'a'.repeat(4998));
  const lines = fitDescription(`${'line of text\n'.repeat(400)}`);
  assert.ok(utf8Length(lines) <= 5000);
  assert.ok(lines.endsWith('line of text'));
});

test('tags count commas between them and quotes around tags with spaces', () => {
  assert.equal(tagsLength([]), 0);
  assert.equal(tagsLength(['ab', 'cd']), 5);
  assert.equal(tagsLength(['ab cd']), 7);
  assert.equal(tagsLength(['éléphant', 'peur des abeilles']), 8 + 1 + 17 + 2);
});

test('tags: exactly 500 pass, 501 fail', () => {
  const tags = Array.from({ length: 49 }, (_, i) => `tag${String(i).padStart(6, '0')}`);
  tags.push('last tag');
  assert.equal(tagsLength(tags), 49 * 9 + 49 + 8 + 2);
  assert.equal(tagsLength(tags), 500);
  assert.deepEqual(fields({ ...base, tags }), []);
  const over = [...tags.slice(0, -1), 'last tag!'];
  assert.equal(tagsLength(over), 501);
  assert.deepEqual(fields({ ...base, tags: over }), ['tags']);
  assert.deepEqual(fitTags(over).length, 49);
  assert.deepEqual(fitTags(tags), tags);
});

test('fitTags drops empties, duplicates (any case), long tags and lowest-priority tags; cleans commas', () => {
  assert.deepEqual(fitTags(['  ', 'Éléphants', 'éléphants', 'ÉLÉPHANTS', 'a,b', 'x'.repeat(MAX_TAG_CHARS + 1), 'abeilles']), ['Éléphants', 'a b', 'abeilles']);
  const huge = Array.from({ length: 50 }, (_, i) => `a fairly long keyword phrase number ${i}`);
  const fitted = fitTags(huge);
  assert.ok(tagsLength(fitted) <= 500);
  assert.deepEqual(fitted, huge.slice(0, fitted.length), 'the first, most important tags are kept');
  // A long tag that no longer fits gives way to a short one after it.
  const mixed = fitTags([...huge.slice(0, fitted.length), 'x'.repeat(60), 'short']);
  assert.equal(mixed.at(-1), 'short');
});

test('validateMetadata lists every problem at once', () => {
  const problems = validateMetadata({
    ...base,
    title: `<${'a'.repeat(120)}>`,
    description: 'é'.repeat(2501),
    tags: ['dup', 'DUP', ''],
    hashtags: ['#ok', '#not ok'],
    chapters: [{ start: 5, title: 'A' }, { start: 10, title: 'B' }],
    categoryId: 'education',
  });
  const byField = new Set(problems.map((p) => p.field));
  assert.deepEqual([...byField].sort(), ['categoryId', 'chapters', 'description', 'hashtags', 'tags', 'title']);
  assert.ok(problems.some((p) => /appears twice/.test(p.message)));
  assert.ok(problems.some((p) => /0:00/.test(p.message)));
});

test('fitMetadata makes over-long metadata valid', () => {
  const fitted = fitMetadata({
    ...base,
    title: `Un titre beaucoup trop long <avec> des accents: ${'é'.repeat(120)}`,
    titleAlternatives: ['Un titre beaucoup trop long <avec> des accents', 'Other title', 'other TITLE'],
    description: `${'ç'.repeat(3000)}`,
    tags: Array.from({ length: 80 }, (_, i) => `étiquette numéro ${i}`),
    hashtags: ['#Ok', '#Ok', '#not ok'],
  });
  assert.deepEqual(validateMetadata(fitted), []);
  assert.equal(fitted.title, 'Un titre beaucoup trop long ‹avec› des accents');
  assert.deepEqual(fitted.titleAlternatives, ['Other title']);
  assert.equal(utf8Length(fitted.description), 5000);
  assert.deepEqual(fitted.hashtags, ['#Ok']);
});
