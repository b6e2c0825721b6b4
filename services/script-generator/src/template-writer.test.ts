import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LANGUAGES, Script, scriptSegments } from '@faceless/contracts';
import { countWords, targetWordCount } from './script-stats.ts';
import { seededRandom } from '@faceless/runtime';
import { isInformativeKeyword, planSections, proseTopic, roleForKeyword, topicVisual, truncateAtWord, writeTemplateScript } from './template-writer.ts';
import { EN } from './templates/en.ts';
import { FR, frenchPrepositions } from './templates/fr.ts';
import { SECTION_ROLES } from './templates/template-pack.ts';

const allText = (s: Script): string => scriptSegments(s).map((x) => x.text).join(' ');

test('scripts land within 15% of the target word count, with 3 to 7 well-formed sections', () => {
  const topics = { en: ['how octopuses think', 'Bitcoin', 'the history of the Roman Empire', 'sourdough bread'], fr: ['la photosynthèse', 'comment pensent les pieuvres', "L'intelligence artificielle", 'le café'] };
  for (const lang of ['en', 'fr'] as const) {
    for (const topic of topics[lang]) {
      for (const durationSec of [15, 30, 45, 60, 90, 180, 300, 600]) {
        const s = writeTemplateScript({ topic, lang, durationSec, keywords: [] });
        const what = `${lang} "${topic}" ${durationSec}s`;
        Script.parse(s);
        const target = targetWordCount(durationSec);
        assert.ok(Math.abs(s.wordCount - target) <= target * 0.15, `${what}: ${s.wordCount} words for ${target}`);
        assert.equal(s.wordCount, countWords(allText(s)), `${what}: wordCount is computed from the text`);
        assert.equal(s.estimatedDurationSec, Math.round((s.wordCount / 150) * 600) / 10);
        assert.ok(s.sections.length >= 3 && s.sections.length <= 7, `${what}: ${s.sections.length} sections`);
        if (durationSec <= 45) assert.equal(s.sections.length, 3);
        if (durationSec >= 600) assert.equal(s.sections.length, 7);
        assert.ok(s.titleIdea.length <= 70, `${what}: title "${s.titleIdea}"`);
        assert.equal(s.lang, lang);
        assert.equal(new Set(s.sections.map((x) => x.heading)).size, s.sections.length, 'headings are unique');
        for (const sec of s.sections) {
          assert.ok(sec.heading.length <= 40, `heading "${sec.heading}"`);
          assert.ok(sec.visualKeywords.length >= 2 && sec.visualKeywords.length <= 4);
          assert.ok(countWords(sec.narration) >= 8, `${what}: section "${sec.heading}" says too little`);
        }
        const sentences = allText(s).split(/(?<=[.?!])\s+/);
        assert.equal(new Set(sentences).size, sentences.length, `${what}: a sentence is repeated`);
      }
    }
  }
});

test('the hook is a question, sentences end with punctuation, and section counts grow with duration', () => {
  const counts = [30, 60, 120, 240, 600].map((d) => writeTemplateScript({ topic: 'volcanoes', lang: 'en', durationSec: d, keywords: [] }).sections.length);
  assert.deepEqual(counts, [3, 4, 5, 6, 7]);
  for (const lang of ['en', 'fr'] as const) {
    const s = writeTemplateScript({ topic: 'volcanoes', lang, durationSec: 90, keywords: [] });
    assert.match(s.hook.split(/(?<=[?.!])\s/)[0] ?? '', /\?$/);
    for (const seg of scriptSegments(s)) assert.match(seg.text, /[.?!]$/, `"${seg.text}" ends without punctuation`);
    assert.doesNotMatch(allText(s), /\{\w+\}/, 'no placeholder is left');
  }
});

test('French scripts are French: accents, contractions, no English template text', () => {
  const s = writeTemplateScript({ topic: 'les pieuvres', lang: 'fr', durationSec: 180, keywords: ['pieuvres anecdotes', "qu'est-ce que les pieuvres"] });
  const text = `${s.titleIdea} ${allText(s)} ${s.sections.map((x) => `${x.heading} ${x.visualKeywords.join(' ')}`).join(' ')}`;
  assert.match(text, /[éèàêçù]/);
  assert.doesNotMatch(text, /\b(the|and|you|your|subscribe|this|what|with|let's|here is)\b/i);
  assert.doesNotMatch(text, /\bde les\b|\bà les\b|\bde le\b/, 'contractions are applied');
  assert.deepEqual(frenchPrepositions('le café', false), { de_topic: 'du café', a_topic: 'au café' });
  assert.deepEqual(frenchPrepositions('les pieuvres', false), { de_topic: 'des pieuvres', a_topic: 'aux pieuvres' });
  assert.deepEqual(frenchPrepositions("l'énergie solaire", false), { de_topic: "de l'énergie solaire", a_topic: "à l'énergie solaire" });
  assert.equal(frenchPrepositions('intelligence artificielle', false).de_topic, "d'intelligence artificielle");
});

test('keywords shape the sections: their cue picks the section, a question becomes a chapter title', () => {
  const keywords = ['octopus myths', 'what are octopuses', 'octopus history documentary', 'how octopuses think'];
  const s = writeTemplateScript({ topic: 'how octopuses think', lang: 'en', durationSec: 120, keywords });
  const headings = s.sections.map((x) => x.heading);
  assert.equal(headings[0], 'What are octopuses?');
  assert.match(s.sections[0]?.narration ?? '', /what are octopuses\?/i);
  const text = allText(s);
  assert.match(text, /octopus myths/);
  assert.match(text, /octopus history documentary/);
  assert.ok(!text.includes('how octopuses think into a search bar'), 'the topic itself is not a keyword section');
  assert.equal(roleForKeyword('bitcoin myths for beginners', EN), 'mistakes');
  assert.equal(roleForKeyword('photosynthèse histoire', FR), 'history');
  const plan = planSections({ count: 5, keywords: ['espresso tips', 'coffee 2025', 'coffee history'], topic: 'Coffee', pack: EN, random: seededRandom(1) });
  const roles = plan.map((p) => p.role);
  assert.ok(roles.includes('tips') && roles.includes('future') && roles.includes('history'));
  assert.equal(plan.find((p) => p.role === 'tips')?.keyword, 'espresso tips');
  assert.equal(plan.find((p) => p.role === 'future')?.keyword, undefined, 'the topic plus a modifier picks a section but is not said');
  assert.ok(isInformativeKeyword('what are octopuses', 'how octopuses think', EN));
  assert.ok(!isInformativeKeyword('how octopuses think facts', 'How octopuses think?', EN));
  assert.ok(!isInformativeKeyword('photosynthèse étape par étape', 'la photosynthèse', FR));
  assert.ok(isInformativeKeyword('comment fonctionne la photosynthèse', 'la photosynthèse', FR));
  assert.equal(plan[0]?.role, 'basics');
  assert.equal(plan.at(-1)?.role, 'recap');
  assert.deepEqual(plan.map((p) => SECTION_ROLES.indexOf(p.role)), [...plan.map((p) => SECTION_ROLES.indexOf(p.role))].sort((a, b) => a - b), 'narrative order');
});

test('deterministic for a topic, different between topics', () => {
  const a = writeTemplateScript({ topic: 'black holes', lang: 'en', durationSec: 60, keywords: [] });
  assert.deepEqual(a, writeTemplateScript({ topic: 'black holes', lang: 'en', durationSec: 60, keywords: [] }));
  const others = ['coffee', 'volcanoes', 'sleep', 'the moon', 'jazz'].map((topic) => writeTemplateScript({ topic, lang: 'en', durationSec: 60, keywords: [] }));
  const openings = new Set([a, ...others].map((s) => `${s.hook.split('?')[0]?.replace(/black holes|coffee|volcanoes|sleep|the moon|jazz/i, 'X')}|${s.sections.map((x) => x.heading).join('/')}`));
  assert.ok(openings.size >= 4, `only ${openings.size} distinct shapes among 6 topics`);
});

test('languages without templates fall back to English sentences but keep their lang', () => {
  for (const lang of LANGUAGES.filter((l) => l !== 'en' && l !== 'fr')) {
    const s = writeTemplateScript({ topic: 'energía solar', lang, durationSec: 60, keywords: [] });
    assert.equal(s.lang, lang);
    assert.match(s.hook, /energía solar/);
  }
});

test('topic helpers: prose form, visual noun, title cut', () => {
  assert.equal(proseTopic('How octopuses think?', EN), 'how octopuses think');
  assert.equal(proseTopic('What is Bitcoin?', EN), 'Bitcoin');
  assert.equal(proseTopic("Qu'est-ce que la photosynthèse ?", FR), 'la photosynthèse');
  assert.equal(proseTopic('La photosynthèse', FR), 'la photosynthèse');
  assert.equal(topicVisual('how octopuses think', EN, 'en'), 'octopuses');
  assert.equal(topicVisual('the history of the Roman Empire', EN, 'en'), 'roman empire');
  assert.equal(topicVisual("l'histoire de l'empire romain", FR, 'fr'), 'empire romain');
  assert.equal(topicVisual('comment pensent les pieuvres', FR, 'fr'), 'pieuvres');
  assert.equal(truncateAtWord('a very long title that goes on and on', 20), 'a very long title');
  const long = writeTemplateScript({ topic: 'the surprisingly complicated economics of airline loyalty programmes and their points', lang: 'en', durationSec: 60, keywords: [] });
  assert.ok(long.titleIdea.length <= 70, long.titleIdea);
});
