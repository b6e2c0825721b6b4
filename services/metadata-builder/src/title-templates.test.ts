import assert from 'node:assert/strict';
import { test } from 'node:test';
import { durationLabel, titleAlternatives, titleSubject } from './title-templates.ts';
import { codePointLength } from './youtube-limits.ts';

test('the subject drops the question word and final punctuation', () => {
  assert.equal(titleSubject('Why Octopuses Have Three Hearts', 'en'), 'Octopuses Have Three Hearts');
  assert.equal(titleSubject('Why do cats purr?', 'en'), 'Cats purr');
  // A title with its own hook gives the head only, so a form never adds a second hook.
  assert.equal(titleSubject('Why the Moon Has Phases: What Nobody Tells You', 'en'), 'The Moon Has Phases');
  assert.equal(titleSubject('Pourquoi la lune a des phases : ce que personne ne dit', 'fr'), 'La lune a des phases');
  assert.equal(titleSubject('Black holes — the simple version', 'en'), 'Black holes');
  const alternatives = titleAlternatives({ titleIdea: 'Why the Moon Has Phases: What Nobody Tells You', lang: 'en', sectionCount: 3, durationSec: 60 });
  assert.deepEqual(alternatives.map((a) => a.title), ["The Moon Has Phases: What's Really Going On?", 'The Moon Has Phases: 3 Things to Know', 'The Moon Has Phases, Explained']);
  assert.equal(titleSubject('How to Start a Garden', 'en'), 'How to Start a Garden');
  assert.equal(titleSubject('Pourquoi les éléphants ont peur des abeilles ?', 'fr'), 'Les éléphants ont peur des abeilles');
  assert.equal(titleSubject("Pourquoi est-ce qu'on rêve ?", 'fr'), 'On rêve');
});

test('a French inverted question falls back to the first keyword', () => {
  assert.equal(titleSubject('Comment le cerveau fabrique-t-il nos souvenirs ?', 'fr', ['mémoire et cerveau']), 'Mémoire et cerveau');
  assert.equal(titleSubject('Comment le cerveau fabrique-t-il nos souvenirs ?', 'fr'), 'Le cerveau fabrique-t-il nos souvenirs');
});

test('English alternatives: question, list, explained', () => {
  const alts = titleAlternatives({ titleIdea: 'Why Octopuses Have Three Hearts', lang: 'en', sectionCount: 4, durationSec: 60 });
  assert.deepEqual(alts, [
    { form: 'question', title: "Octopuses Have Three Hearts: What's Really Going On?" },
    { form: 'list', title: 'Octopuses Have Three Hearts: 4 Things to Know' },
    { form: 'explained', title: 'Octopuses Have Three Hearts, Explained' },
  ]);
});

test('French alternatives keep accents and French spacing; few sections give a duration form', () => {
  const alts = titleAlternatives({ titleIdea: 'Pourquoi les éléphants ont peur des abeilles ?', lang: 'fr', sectionCount: 2, durationSec: 62 });
  assert.deepEqual(alts.map((a) => a.title), [
    'Les éléphants ont peur des abeilles : que se passe-t-il vraiment ?',
    'Les éléphants ont peur des abeilles en 60 secondes',
    "Les éléphants ont peur des abeilles : l'explication simple",
  ]);
  assert.equal(durationLabel(185, 'fr'), '3 minutes');
  assert.equal(durationLabel(45, 'en'), '45 Seconds');
});

test('a form that would run past 100 characters is never cut: the keyword stands in, or the form is left out', () => {
  const titleIdea = `The Incredibly Strange and Surprisingly Complicated Story of ${'Very '.repeat(3)}Old Lighthouses`;
  assert.deepEqual(titleAlternatives({ titleIdea, lang: 'en', sectionCount: 5, durationSec: 300 }), []);
  const alts = titleAlternatives({ titleIdea, lang: 'en', keywords: ['old lighthouses'], sectionCount: 5, durationSec: 300 });
  assert.deepEqual(alts.map((a) => a.title), [
    "Old lighthouses: What's Really Going On?", 'Old lighthouses: 5 Things to Know', 'Old lighthouses, Explained',
  ]);
  for (const a of alts) assert.ok(codePointLength(a.title) <= 100);
});

test('a title already starting with a number gets the duration form, not a second number', () => {
  const alts = titleAlternatives({ titleIdea: '10 Facts About Black Holes', lang: 'en', sectionCount: 10, durationSec: 120 });
  assert.equal(alts.find((a) => a.form === 'list')?.title, '10 Facts About Black Holes in 2 Minutes');
});
