import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runProcess } from '@faceless/runtime';
import type { SegmentBrief, SegmentVisual, VideoFrame } from '../visuals.ts';
import { startFakePexels } from './fake-pexels.ts';
import type { FakePexels } from './fake-pexels.ts';
import { generatedVisuals } from './generated.ts';
import { createPexelsSource } from './pexels.ts';
import { createVisualChain } from './visual-chain.ts';

let root: string;
let fake: FakePexels;
let media: string;

const FRAME: VideoFrame = { aspect: '9:16', width: 270, height: 480 };

/** Hook, two sections, call to action; the sections last longer than the hook and the outro. */
const BRIEFS: SegmentBrief[] = [
  { segment: 0, heading: 'Intro', keywords: [], durationSec: 1 },
  { segment: 1, heading: 'Three hearts', keywords: ['octopus', 'heart'], durationSec: 1.5 },
  { segment: 2, heading: 'Blue blood', keywords: ['ocean', 'waves'], durationSec: 1.5 },
  { segment: 3, heading: 'Outro', keywords: [], durationSec: 1 },
];

const ff = (...args: string[]): Promise<unknown> => runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'va-chain-'));
  fake = await startFakePexels({ dir: root });
  media = join(root, 'media');
  await mkdir(media);
  await ff('-f', 'lavfi', '-i', 'testsrc2=s=160x90', '-frames:v', '1', join(media, 'octopus-heart.jpg'));
  // Long enough for the 1 s hook and outro, too short for the 1.5 s ocean section it matches.
  await ff('-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=25:d=1.2', '-pix_fmt', 'yuv420p', join(media, 'ocean-waves.mp4'));
  await writeFile(join(media, 'notes.txt'), 'shot list');
  await writeFile(join(media, 'broken.png'), 'not a png');
});

after(async () => {
  await fake.close();
  await rm(root, { recursive: true, force: true });
});

async function plan(options: { mediaDir?: string; pexels?: boolean; apiKey?: string }): Promise<{ visuals: SegmentVisual[]; warnings: string[] }> {
  const cacheDir = await mkdtemp(join(root, 'cache-'));
  const stock = options.pexels ? createPexelsSource({ apiKey: options.apiKey ?? fake.apiKey, baseUrl: fake.url, cacheDir, retryBaseDelayMs: 1 }) : undefined;
  const chain = createVisualChain({ ...(options.mediaDir ? { mediaDir: options.mediaDir } : {}), ...(stock ? { stock } : {}) });
  const warnings: string[] = [];
  const visuals = await chain.plan(BRIEFS, { signal: new AbortController().signal, warn: (m) => warnings.push(m), frame: FRAME });
  return { visuals, warnings };
}

const sources = (visuals: readonly SegmentVisual[]): string[] => visuals.map((v) => v.source);

test('the media folder first, then Pexels for the sections it cannot cover, the folder again for the hook and the outro', async () => {
  const { visuals, warnings } = await plan({ mediaDir: media, pexels: true });
  assert.deepEqual(sources(visuals), ['ocean-waves.mp4', 'octopus-heart.jpg', 'pexels:2003', 'octopus-heart.jpg']);
  const credit = visuals[2]?.kind === 'clip' ? visuals[2].credit : undefined;
  assert.equal(credit, 'Video by Cy Swell on Pexels: https://www.pexels.com/video/ocean-waves-sea-2003/');
  assert.equal(visuals[1]?.kind === 'image' ? visuals[1].credit : 'x', undefined, "the user's own files need no credit");
  assert.equal(warnings.length, 3, warnings.join('\n'));
  assert.ok(warnings.some((w) => w.includes('"notes.txt"')));
  assert.ok(warnings.some((w) => w.includes('"broken.png"')));
  assert.match(warnings.find((w) => w.includes('"ocean-waves.mp4"')) ?? '', /lasts 1\.2 s, less than the segment it matches: 2 \(1\.5 s\); not used there/);
});

test('without Pexels the folder covers everything it can, as before', async () => {
  const { visuals } = await plan({ mediaDir: media });
  // The ocean clip is too short for section 2: the folder's only other file fills it.
  assert.deepEqual(sources(visuals), ['ocean-waves.mp4', 'octopus-heart.jpg', 'octopus-heart.jpg', 'ocean-waves.mp4']);
});

test('Pexels alone: every segment gets a different clip, the hook and outro searched by the nearest section', async () => {
  const { visuals, warnings } = await plan({ pexels: true });
  assert.deepEqual(sources(visuals), ['pexels:2001', 'pexels:2002', 'pexels:2003', 'pexels:2004']);
  assert.ok(visuals.every((v) => v.kind === 'clip' && v.credit?.startsWith('Video by ')));
  assert.deepEqual(warnings, []);
});

test('a folder with nothing usable and a rejected key: generated backgrounds, with warnings naming the files and the key variable', async () => {
  const junk = join(root, 'junk');
  await mkdir(junk);
  await writeFile(join(junk, 'fake.jpg'), 'not a jpeg');
  await ff('-f', 'lavfi', '-i', 'testsrc2=s=64x64:r=25:d=0.5', '-pix_fmt', 'yuv420p', join(junk, 'tiny.mp4'));
  const { visuals, warnings } = await plan({ mediaDir: junk, pexels: true, apiKey: 'not-the-right-key-42' });
  assert.deepEqual(visuals, generatedVisuals(BRIEFS));
  assert.ok(warnings.some((w) => w.includes('"fake.jpg"')), warnings.join('\n'));
  assert.ok(warnings.some((w) => /skipped "tiny\.mp4": the clip lasts 0\.5 s, less than every segment/.test(w)), warnings.join('\n'));
  assert.ok(warnings.some((w) => w.includes(`mediaDir "${junk}" has no usable image or clip: using pexels clips or generated backgrounds`)), warnings.join('\n'));
  assert.equal(warnings.filter((w) => w.includes('PEXELS_API_KEY')).length, 1, 'one warning about the key, then no more searches');
});

test('no folder and no Pexels: the generated backgrounds, unchanged', async () => {
  const { visuals, warnings } = await plan({});
  assert.deepEqual(visuals, generatedVisuals(BRIEFS));
  assert.deepEqual(warnings, []);
});
