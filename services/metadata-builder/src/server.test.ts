import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MetadataGenerateOutput, VideoMetadata, type MetadataGenerateInput } from '@faceless/contracts';
import { FolderStore } from '@faceless/infra';
import { buildApp } from './server.ts';

const input: MetadataGenerateInput = {
  outputPrefix: 'pipelines/srv/',
  lang: 'en',
  script: {
    lang: 'en',
    titleIdea: 'Why octopuses have three hearts',
    hook: 'An octopus has three hearts, and one of them stops when it swims.',
    sections: [
      { heading: 'Two hearts for the gills', narration: 'Two small hearts pump blood through the gills.', visualKeywords: ['octopus', 'gills'] },
      { heading: 'One heart for the body', narration: 'The third heart sends blood to the rest of the body.', visualKeywords: ['octopus swimming'] },
      { heading: 'Blue blood', narration: 'Their blood is blue because it carries oxygen with copper.', visualKeywords: ['blue blood'] },
    ],
    callToAction: 'Subscribe for more ocean facts.',
    wordCount: 60,
    estimatedDurationSec: 40,
  },
  keywords: ['octopus hearts', 'octopus facts', 'blue blood'],
  segments: [
    { heading: 'Intro', start: 0, end: 4 },
    { heading: 'Two hearts for the gills', start: 4, end: 16 },
    { heading: 'One heart for the body', start: 16, end: 28 },
    { heading: 'Blue blood', start: 28, end: 38 },
    { heading: 'Outro', start: 38, end: 41 },
  ],
  durationSec: 41,
  credits: [],
};

test('POST /metadata/generate returns metadata and writes metadata.json to the object store', async () => {
  const root = await mkdtemp(join(tmpdir(), 'metadata-server-'));
  const store = new FolderStore(root);
  const app = buildApp({ env: {}, store, logger: false });
  try {
    const res = await app.inject({ method: 'POST', url: '/metadata/generate', payload: input, headers: { 'x-pipeline-id': 'srv' } });
    assert.equal(res.statusCode, 200, res.body);
    const out = MetadataGenerateOutput.parse(res.json());
    assert.match(out.metadata.title, /octopus/i);
    assert.equal(out.metadata.defaultLanguage, 'en');
    assert.ok(out.metadata.chapters.length >= 3, `chapters: ${JSON.stringify(out.metadata.chapters)}`);
    assert.equal(out.metadataPath, 'pipelines/srv/metadata.json');
    const stored = VideoMetadata.parse(JSON.parse((await store.getBytes(out.metadataPath)).toString('utf8')));
    assert.equal(stored.title, out.metadata.title);
  } finally {
    await app.close();
    await rm(root, { recursive: true, force: true });
  }
});
