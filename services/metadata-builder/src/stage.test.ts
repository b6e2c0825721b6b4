import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { MetadataGenerateInput } from '@faceless/contracts';
import { FolderStore } from '@faceless/infra';
import { createLogger } from '@faceless/runtime';
import type { StageContext } from '@faceless/runtime';
import { createMetadataStage, createStage, parseMetadataConfig } from './index.ts';
import { tagsLength, utf8Length, validateMetadata } from './youtube-limits.ts';

let root: string;
let store: FolderStore;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'metadata-builder-'));
  store = new FolderStore(root);
});
after(async () => { await rm(root, { recursive: true, force: true }); });

async function context(): Promise<StageContext> {
  return {
    store, log: createLogger({ level: 'error' }), signal: new AbortController().signal, progress: () => {},
    workDir: await mkdtemp(join(root, 'work-')),
  };
}

/** Decomposed (NFD) accents on purpose: what some editors and APIs send. */
const nfd = (s: string): string => s.normalize('NFD');

const frenchInput = (): MetadataGenerateInput => ({
  outputPrefix: 'pipelines/fr/',
  lang: 'fr',
  script: {
    lang: 'fr',
    titleIdea: nfd('Pourquoi les éléphants ont peur des abeilles ?'),
    hook: "Un éléphant de six tonnes qui fuit devant une abeille ? C'est pourtant vrai.",
    sections: [
      { heading: 'Une peur bien réelle', narration: "Les éléphants d'Afrique s'éloignent au bourdonnement des abeilles.", visualKeywords: ['éléphant', 'savane'] },
      { heading: 'Des piqûres ciblées', narration: 'Les abeilles visent la trompe et les yeux.', visualKeywords: ['abeilles', 'trompe'] },
      { heading: 'La clôture à ruches', narration: 'Au Kenya, une clôture de ruches protège les champs. Ça marche, et le miel se vend.', visualKeywords: ['ruche', 'Kenya'] },
    ],
    callToAction: 'Abonne-toi pour plus de faits étonnants.',
    wordCount: 70,
    estimatedDurationSec: 58,
  },
  keywords: ['éléphants', nfd('abeilles'), 'peur des abeilles', 'clôture à ruches', 'façon de protéger les cultures'],
  segments: [
    { heading: 'Intro', start: 0, end: 5.5 },
    { heading: 'Une peur bien réelle', start: 5.5, end: 21 },
    { heading: 'Des piqûres ciblées', start: 21, end: 35.5 },
    { heading: 'La clôture à ruches', start: 35.5, end: 53 },
    { heading: 'Outro', start: 53, end: 58 },
  ],
  durationSec: 58.4,
  credits: ['Vidéos : Pexels — Hélène Garçon'],
});

test('a French script gets French metadata with its accents intact, within every limit, written to the store', async () => {
  const stage = createStage({ env: {} });
  const out = await stage.execute(frenchInput(), await context());
  const m = out.metadata;
  assert.equal(out.provider, 'rules');
  assert.equal(out.metadataPath, 'pipelines/fr/metadata.json');
  assert.deepEqual(validateMetadata(m), []);

  assert.equal(m.title, 'Pourquoi les éléphants ont peur des abeilles ?');
  assert.equal(m.title, m.title.normalize('NFC'));
  assert.ok(m.titleAlternatives.length >= 2 && m.titleAlternatives.length <= 3);
  assert.ok(m.titleAlternatives.every((t) => t.includes('éléphants') && t !== m.title));
  assert.equal(m.defaultLanguage, 'fr');
  assert.equal(m.categoryId, '27');

  assert.deepEqual(m.chapters, [
    { start: 0, title: 'Une peur bien réelle' },
    { start: 21, title: 'Des piqûres ciblées' },
    { start: 35, title: 'La clôture à ruches' },
  ]);
  const d = m.description;
  assert.ok(d.startsWith('Un éléphant de six tonnes qui fuit devant une abeille ?'));
  assert.ok(d.includes('Chapitres :\n0:00 Une peur bien réelle\n0:21 Des piqûres ciblées\n0:35 La clôture à ruches'));
  assert.ok(d.includes('Narration réalisée avec une voix de synthèse.'));
  assert.ok(d.includes('Crédits :\nVidéos : Pexels — Hélène Garçon'));
  assert.ok(d.includes('#Éléphants #Abeilles #PeurDesAbeilles #ClôtureÀRuches'));
  assert.equal(d, d.normalize('NFC'));
  assert.ok(utf8Length(d) > d.length, 'accents cost two bytes each');

  assert.deepEqual(m.tags.slice(0, 5), ['éléphants', 'abeilles', 'peur des abeilles', 'clôture à ruches', 'façon de protéger les cultures']);
  assert.ok(m.tags.every((t) => t === t.normalize('NFC')));
  assert.equal(new Set(m.tags.map((t) => t.toLowerCase())).size, m.tags.length);
  assert.ok(m.hashtags.length >= 3 && m.hashtags.length <= 5);

  const stored = JSON.parse(await readFile(join(root, 'pipelines/fr/metadata.json'), 'utf8')) as unknown;
  assert.deepEqual(stored, m);
  assert.equal(await readFile(join(root, 'pipelines/fr/description.txt'), 'utf8'), `${d}\n`);
});

test('an English script gets the English disclosure and alternatives', async () => {
  const stage = createStage({ env: { METADATA_CATEGORY_ID: '28' } });
  const out = await stage.execute({
    lang: 'en',
    script: {
      lang: 'en', titleIdea: 'Why Octopuses Have Three Hearts', hook: 'An octopus has three hearts. Here is why.',
      sections: [
        { heading: 'Two gill hearts', narration: 'Two hearts pump blood through the gills.', visualKeywords: [] },
        { heading: 'One body heart', narration: 'The third heart feeds the body.', visualKeywords: [] },
        { heading: 'Blue blood', narration: 'Copper-based blood needs the extra push.', visualKeywords: [] },
      ],
      callToAction: 'Subscribe for more.', wordCount: 40, estimatedDurationSec: 40,
    },
    segments: [{ heading: 'Intro', start: 0, end: 3 }, { heading: 'Two gill hearts', start: 3, end: 15 }, { heading: 'One body heart', start: 15, end: 27 }, { heading: 'Blue blood', start: 27, end: 38 }, { heading: 'Outro', start: 38, end: 40 }],
    durationSec: 40,
  }, await context());
  assert.equal(out.metadataPath, 'metadata.json');
  assert.equal(out.metadata.categoryId, '28');
  assert.ok(out.metadata.description.includes('Narrated with a synthetic voice.'));
  assert.deepEqual(out.metadata.titleAlternatives, [
    "Octopuses Have Three Hearts: What's Really Going On?",
    'Octopuses Have Three Hearts: 3 Things to Know',
    'Octopuses Have Three Hearts, Explained',
  ]);
  assert.equal(out.metadata.chapters.length, 3);
  assert.ok(out.metadata.hashtags.length >= 3, 'hashtags come from the script when there are no keywords');
});

test('a huge keyword list still fits in 500 tag characters, most important first', async () => {
  const input = frenchInput();
  input.keywords = Array.from({ length: 50 }, (_, i) => `mot-clé très long numéro ${i} sur les éléphants`);
  const out = await createStage({ env: {} }).execute(input, await context());
  assert.ok(tagsLength(out.metadata.tags) <= 500, `${tagsLength(out.metadata.tags)}`);
  assert.ok(tagsLength(out.metadata.tags) > 450, 'the budget is used, not wasted');
  assert.equal(out.metadata.tags[0], 'mot-clé très long numéro 0 sur les éléphants');
});

test('too few or too short segments: no chapters, and no chapter block', async () => {
  const input = frenchInput();
  input.segments = [{ heading: 'Intro', start: 0, end: 8 }, { heading: 'Tout', start: 8, end: 50 }, { heading: 'Outro', start: 50, end: 58 }];
  const out = await createStage({ env: {} }).execute(input, await context());
  assert.deepEqual(out.metadata.chapters, []);
  assert.ok(!out.metadata.description.includes('0:00'));
});

test('metadata a writer gets wrong beyond fitting is refused with LIMIT_EXCEEDED', async () => {
  const stage = createMetadataStage({
    categoryId: '27',
    writer: {
      name: 'broken',
      write: () => Promise.resolve({
        title: 'Fine', titleAlternatives: [], description: 'ok', tags: [], hashtags: [],
        chapters: [{ start: 0, title: 'A' }, { start: 5, title: 'B' }],
      }),
    },
  });
  await assert.rejects(stage.execute(frenchInput(), await context()), (err: Error & { code?: string; field?: string }) =>
    err.code === 'LIMIT_EXCEEDED' && err.field === 'chapters' && /at least 3/.test(err.message));
});

test('configuration: defaults with no env, every bad variable named at once', () => {
  assert.deepEqual(parseMetadataConfig({}), { METADATA_PROVIDER: 'rules', METADATA_CATEGORY_ID: '27' });
  assert.throws(
    () => parseMetadataConfig({ METADATA_PROVIDER: 'gpt', METADATA_CATEGORY_ID: 'education' }),
    (err: Error & { code?: string }) => err.code === 'INVALID_OPTION' && /METADATA_PROVIDER="gpt"/.test(err.message) && /METADATA_CATEGORY_ID="education"/.test(err.message),
  );
});
