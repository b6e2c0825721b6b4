import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeTopic, findFocus, keywordKey, normalizePhrase, stripArticle } from './topic-subject.ts';

test('a question opening is split from its subject, with the subject\'s shape', () => {
  const clause = analyzeTopic('How octopuses think?', 'en');
  assert.equal(clause.opening, 'how');
  assert.equal(clause.subject, 'octopuses think');
  assert.equal(clause.shape, 'clause');
  assert.deepEqual(clause.focus, { subject: 'octopuses', bare: 'octopuses', plural: true });

  const action = analyzeTopic('how to bake sourdough bread', 'en');
  assert.equal(action.shape, 'action');
  assert.equal(action.focus?.subject, 'sourdough bread');

  const noun = analyzeTopic("Qu'est-ce que l'intelligence artificielle ?", 'fr');
  assert.equal(noun.opening, "qu'est-ce que");
  assert.equal(noun.subject, "l'intelligence artificielle");
  assert.equal(noun.bare, 'intelligence artificielle');
  assert.equal(noun.core, 'intelligence artificielle');
  assert.equal(noun.focus, undefined);
});

test('the core term drops stop words, French elisions included', () => {
  assert.equal(analyzeTopic('The history of the Roman Empire', 'en').core, 'history roman empire');
  assert.equal(analyzeTopic("l'histoire de l'empire romain", 'fr').core, 'histoire empire romain');
  assert.equal(analyzeTopic('why the sky is blue', 'en').core, 'sky blue');
  // "however" is not the opening "how".
  assert.equal(analyzeTopic('however long it takes', 'en').opening, '');
});

test('a French clause is about the noun phrase its article starts', () => {
  assert.equal(findFocus('pensent les pieuvres', 'clause', 'fr'), 'les pieuvres');
  assert.equal(findFocus("fonctionne l'intelligence artificielle", 'clause', 'fr'), "l'intelligence artificielle");
  assert.equal(findFocus('solar panels work', 'clause', 'en'), 'solar panels');
});

test('normalising keeps accents and German nouns, drops punctuation', () => {
  assert.equal(normalizePhrase('  Pourquoi le ciel est-il BLEU ?!', 'fr'), 'pourquoi le ciel est-il bleu');
  assert.equal(normalizePhrase('Was ist Quantencomputing?', 'de'), 'was ist Quantencomputing');
  assert.equal(normalizePhrase('It’s “fine”', 'en'), "it's fine");
  assert.equal(keywordKey('Photosynthèse  Définition'), keywordKey('photosynthese definition'));
  assert.equal(stripArticle('the roman empire', 'en'), 'roman empire');
  assert.equal(stripArticle("l'énergie", 'fr'), 'énergie');
  assert.equal(stripArticle('theory', 'en'), 'theory');
});
