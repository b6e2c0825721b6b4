import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Script, scriptSegments } from '@faceless/contracts';
import type { FacelessError } from '@faceless/runtime';
import { markdownBlocks, parseScriptText, splitSentences, stripInlineMarkdown } from './parse-script-text.ts';
import { countWords } from './script-stats.ts';

const DOC = `# Octopus minds

Octopuses have **nine brains**, sort of. Here is what that *really* means.

## A brain in every arm

Each arm has its own cluster of [neurons](https://en.wikipedia.org/wiki/Neuron).
It can taste and grab without asking the head.

## What they can do
- Open jars
- Escape tanks!
- Recognise faces

![an octopus](octopus.jpg)

## Conclusion

Subscribe for more ocean weirdness.
`;

test('headings split sections; the lone top heading is the title; the preamble is the hook; Conclusion is the call to action', () => {
  const s = parseScriptText(DOC, 'en');
  Script.parse(s);
  assert.equal(s.titleIdea, 'Octopus minds');
  assert.equal(s.hook, 'Octopuses have nine brains, sort of. Here is what that really means.');
  assert.deepEqual(s.sections.map((x) => x.heading), ['A brain in every arm', 'What they can do']);
  assert.equal(s.sections[0]?.narration, 'Each arm has its own cluster of neurons. It can taste and grab without asking the head.');
  assert.equal(s.sections[1]?.narration, 'Open jars. Escape tanks! Recognise faces.');
  assert.equal(s.callToAction, 'Subscribe for more ocean weirdness.');
  assert.equal(s.wordCount, countWords(scriptSegments(s).map((x) => x.text).join(' ')));
  assert.equal(s.wordCount, 12 + 17 + 6 + 5);
  assert.equal(s.estimatedDurationSec, 16);
  assert.deepEqual(s.sections[0]?.visualKeywords, ['brain', 'cluster', 'neurons']);
  assert.ok(!JSON.stringify(s).includes('octopus.jpg'), 'images are dropped');
});

test('every word of the text is narrated exactly once, in order', () => {
  const s = parseScriptText(DOC, 'en');
  const spoken = scriptSegments(s).map((x) => x.text).join(' ').replace(/[.!]/g, '').split(/\s+/);
  const source = ['Octopuses have nine brains, sort of', 'Here is what that really means', 'Each arm has its own cluster of neurons',
    'It can taste and grab without asking the head', 'Open jars', 'Escape tanks', 'Recognise faces', 'Subscribe for more ocean weirdness']
    .join(' ').split(/\s+/);
  assert.deepEqual(spoken, source);
});

test('without a preamble the first paragraph is the hook; without a closing heading the last paragraph is the call to action', () => {
  const s = parseScriptText('## Start\n\nFirst paragraph hooks you.\n\nSecond paragraph explains.\n\n## End\n\nThird paragraph.\n\nFollow for more.', 'en');
  assert.equal(s.titleIdea, 'Start');
  assert.equal(s.hook, 'First paragraph hooks you.');
  assert.deepEqual(s.sections.map((x) => [x.heading, x.narration]), [['Start', 'Second paragraph explains.'], ['End', 'Third paragraph.']]);
  assert.equal(s.callToAction, 'Follow for more.');
});

test('plain paragraphs: hook, sections headed by their first words, call to action', () => {
  const paras = ['Why is the sky blue?', 'Sunlight is a mix of colours. Blue light scatters the most in air.', 'At sunset light crosses more air, so red wins.', 'Subscribe if you learned something.'];
  const s = parseScriptText(paras.join('\n\n'), 'en');
  assert.equal(s.titleIdea, 'Why is the sky blue?');
  assert.equal(s.hook, paras[0]);
  assert.deepEqual(s.sections.map((x) => x.heading), ['Sunlight is a mix of colours', 'At sunset light crosses more air, so red']);
  assert.ok(s.sections.every((x) => x.heading.length <= 40));
  assert.equal(s.callToAction, paras[3]);
  const many = parseScriptText(Array.from({ length: 20 }, (_, i) => `Paragraph number ${i + 1} is here.`).join('\n\n'), 'en');
  assert.equal(many.sections.length, 7, 'at most 7 sections from paragraphs');
  assert.equal(many.hook, 'Paragraph number 1 is here.');
  assert.equal(many.callToAction, 'Paragraph number 20 is here.');
});

test('a short text is cut into sentences; one sentence only gets the stock hook and ending', () => {
  const s = parseScriptText('Octopuses are clever. They open jars. They escape tanks. Follow for more.', 'en');
  assert.equal(s.hook, 'Octopuses are clever.');
  assert.equal(s.callToAction, 'Follow for more.');
  assert.equal(s.sections.map((x) => x.narration).join(' '), 'They open jars. They escape tanks.');
  const one = parseScriptText('Les pieuvres ont neuf cerveaux.', 'fr');
  assert.equal(one.sections[0]?.narration, 'Les pieuvres ont neuf cerveaux.');
  assert.equal(one.hook, 'Voici quelque chose qui mérite un instant de votre attention.');
  assert.equal(one.callToAction, 'Merci de votre attention.');
  assert.equal(one.lang, 'fr');
});

test('French headings and an "En conclusion" section', () => {
  const s = parseScriptText("Vous pensez connaître les pieuvres ?\n\n## Neuf cerveaux\n\nChaque bras décide seul.\n\n## Camouflage\n\nElles changent de couleur en un éclair.\n\n## En conclusion\n\nAbonnez-vous pour la suite !", 'fr');
  assert.equal(s.titleIdea, 'Neuf cerveaux');
  assert.equal(s.hook, 'Vous pensez connaître les pieuvres ?');
  assert.deepEqual(s.sections.map((x) => x.heading), ['Neuf cerveaux', 'Camouflage']);
  assert.equal(s.callToAction, 'Abonnez-vous pour la suite !');
});

test('inline Markdown is stripped, words kept', () => {
  assert.equal(stripInlineMarkdown('A **bold** and _light_ [link](http://x.y) with `code`, ~~gone~~ snake_case_name and 2*3*4.'),
    'A bold and light link with code, gone snake_case_name and 2*3*4.');
  assert.equal(stripInlineMarkdown('See <https://example.com> or <b>this</b>\\*'), 'See https://example.com or this*');
  assert.deepEqual(markdownBlocks('```js\nconst x = 1;\n```\n\nText.\n\n<!-- note to self -->\n\n[ref]: http://x'), [{ kind: 'paragraph', text: 'Text.' }]);
  assert.deepEqual(splitSentences('One. Two? « Trois » ! 4 is a number, e.g. this.'), ['One.', 'Two?', '« Trois » !', '4 is a number, e.g. this.']);
});

test('a text with nothing to say, or too many sections, is refused clearly', () => {
  assert.throws(() => parseScriptText('# Title\n\n## Empty', 'en'), (e: FacelessError) => e.code === 'INVALID_INPUT' && e.field === 'sourceText');
  const big = Array.from({ length: 22 }, (_, i) => `## Part ${i}\n\nText ${i}.`).join('\n\n');
  assert.throws(() => parseScriptText(`Hook.\n\n${big}`, 'en'), (e: FacelessError) => e.code === 'LIMIT_EXCEEDED');
});
