import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Script } from '@faceless/contracts';
import { pickHashtags, toHashtag, topicTerms, words } from './topic-terms.ts';

test('hashtags are # plus CamelCase, accents kept, punctuation gone', () => {
  assert.equal(toHashtag('marine biology', 'en'), '#MarineBiology');
  assert.equal(toHashtag('peur des abeilles', 'fr'), '#PeurDesAbeilles');
  assert.equal(toHashtag("l'éléphant d'Afrique", 'fr'), '#ÉléphantAfrique');
  assert.equal(toHashtag('ruches-clôtures', 'fr'), '#RuchesClôtures');
  assert.equal(toHashtag('c++ & c#', 'en'), '#CC');
  assert.equal(toHashtag('2024', 'en'), undefined);
  assert.equal(toHashtag('!!!', 'en'), undefined);
  assert.equal(toHashtag('a very long phrase that makes no hashtag at all', 'en'), undefined);
});

test('3 to 5 hashtags from keywords first, topped up from topic terms, no duplicates', () => {
  assert.deepEqual(pickHashtags(['octopus', 'Octopus', 'marine biology'], ['hearts', 'blood', 'gills', 'ocean'], 'en'),
    ['#Octopus', '#MarineBiology', '#Hearts', '#Blood', '#Gills']);
  assert.deepEqual(pickHashtags([], ['hearts', 'blood', 'gills'], 'en'), ['#Hearts', '#Blood', '#Gills']);
  assert.deepEqual(pickHashtags(['how do octopuses pump blood so fast'], ['octopus', 'blood', 'gills'], 'en'), ['#Octopus', '#Blood', '#Gills']);
});

test('words() keeps accents and drops French elisions', () => {
  assert.deepEqual(words("L'éléphant d'Afrique a peur... des abeilles ?"), ['éléphant', 'Afrique', 'a', 'peur', 'des', 'abeilles']);
});

test('topic terms rank the title and headings above the narration, without stop words', () => {
  const script: Script = {
    lang: 'fr', titleIdea: 'Pourquoi les éléphants ont peur des abeilles ?', hook: 'Un éléphant fuit une abeille.',
    sections: [
      { heading: 'La trompe', narration: 'Les abeilles piquent la trompe, et la trompe est sensible.', visualKeywords: ['savane'] },
      { heading: 'Les ruches', narration: 'Des ruches protègent les champs.', visualKeywords: [] },
      { heading: 'Le miel', narration: 'Le miel se vend.', visualKeywords: [] },
    ],
    callToAction: 'Abonne-toi.', wordCount: 30, estimatedDurationSec: 20,
  };
  const terms = topicTerms(script, 'fr', 6);
  assert.deepEqual(terms.slice(0, 4), ['abeilles', 'éléphants', 'peur', 'trompe']);
  assert.ok(!terms.includes('les') && !terms.includes('pourquoi'));
});
