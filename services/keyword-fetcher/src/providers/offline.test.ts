import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LANGUAGES } from '@faceless/contracts';
import { analyzeTopic, keywordKey } from '../topic-subject.ts';
import { expandTopic, fillTemplate, scoreExpansion } from './offline.ts';

test('English expansion: question forms, modifiers and the year, ranked and explained', () => {
  const out = expandTopic({ topic: 'Bitcoin', lang: 'en' }, 2025);
  const words = out.map((k) => k.keyword);
  for (const k of ['what is bitcoin', 'how does bitcoin work', 'bitcoin for beginners', 'bitcoin explained', 'bitcoin 2025']) {
    assert.ok(words.includes(k), `${k} is missing`);
  }
  assert.ok(out.length >= 50, `only ${out.length} candidates`);
  for (let i = 1; i < out.length; i++) assert.ok(out[i - 1]!.score >= out[i]!.score, 'sorted by score');
  assert.equal(new Set(out.map((k) => keywordKey(k.keyword))).size, out.length, 'no duplicates');
  const question = out.find((k) => k.keyword === 'how does bitcoin work')!;
  const plain = out.find((k) => k.keyword === 'bitcoin')!;
  assert.ok(question.score > plain.score, 'a long-tail question beats the bare head term');
  assert.match(question.reason, /question form: searchers ask "how does …"/);
  assert.match(question.reason, /long-tail: 4 words/);
  assert.match(question.reason, /contains the core topic term "bitcoin"/);
  assert.match(plain.reason, /1 word: broad/);
});

test('French expansion uses French forms and elision', () => {
  const out = expandTopic({ topic: "L'intelligence artificielle", lang: 'fr' }, 2025);
  const words = out.map((k) => k.keyword);
  for (const k of [
    "qu'est-ce que l'intelligence artificielle", 'comment fonctionne l\'intelligence artificielle',
    'intelligence artificielle pour débutants', 'intelligence artificielle expliqué', 'intelligence artificielle 2025',
  ]) assert.ok(words.includes(k), `${k} is missing from ${words.slice(0, 20).join(', ')}`);
  assert.ok(!words.some((k) => /\b(what|how|for beginners|explained)\b/.test(k)), 'no English template leaks into French');
  assert.ok(expandTopic({ topic: 'intelligence artificielle', lang: 'fr' }, 2025).some((k) => k.keyword === "qu'est-ce qu'intelligence artificielle"));
  const plural = expandTopic({ topic: 'les pieuvres', lang: 'fr' }, 2025).map((k) => k.keyword);
  assert.ok(plural.includes('comment fonctionnent les pieuvres'), 'the verb agrees with a plural subject');
});

test('a clause topic keeps its question and adds its noun, marked broader', () => {
  const out = expandTopic({ topic: 'how octopuses think', lang: 'en' }, 2025);
  assert.equal(out[0]?.keyword, 'how octopuses think');
  const broader = out.find((k) => k.keyword === 'octopuses facts');
  assert.ok(broader, 'the focus noun gets modifiers');
  assert.match(broader.reason, /broader: about "octopuses"/);
  assert.ok(broader.score < out[0]!.score);
  assert.ok(!out.some((k) => k.keyword === 'octopuses think facts'), 'modifiers are not glued to a clause');
});

test('expansion is deterministic and gives at least 50 candidates in every language', () => {
  for (const lang of LANGUAGES) {
    const a = expandTopic({ topic: 'coffee', lang }, 2025);
    assert.deepEqual(a, expandTopic({ topic: 'coffee', lang }, 2025));
    assert.ok(a.length >= 50, `${lang}: ${a.length}`);
    for (const k of a) assert.ok(k.score >= 0 && k.score <= 100 && k.reason.length > 0);
  }
});

test('templates drop the article before a modifier and agree in number', () => {
  const s = { subject: 'the roman empire', bare: 'roman empire', plural: false, opening: '' };
  assert.equal(fillTemplate('what {is|are} {s}', s, 2025), 'what is the roman empire');
  assert.equal(fillTemplate('{s} facts {year}', s, 2025), 'roman empire facts 2025');
  assert.equal(fillTemplate('what {is|are} {s}', { ...s, plural: true }, 2025), 'what are the roman empire');
  assert.equal(fillTemplate('{q} {s}', s, 2025), undefined, 'no opening, no {q} template');
});

test('scores reward long-tail and penalise very long keywords', () => {
  const topic = analyzeTopic('coffee', 'en');
  const long = scoreExpansion({ keyword: 'coffee tips for people who are new to coffee brewing', intent: 'list', topic, lang: 'en', year: 2025 });
  const tail = scoreExpansion({ keyword: 'coffee tips for beginners', intent: 'list', topic, lang: 'en', year: 2025 });
  assert.ok(tail.score > long.score);
  assert.ok(long.reasons.some((r) => r.startsWith('very long: 10 words')));
});
