import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FolderStore } from '@faceless/infra';
import { createLogger, ffprobe, runProcess } from '@faceless/runtime';
import type { StageContext } from '@faceless/runtime';
import { MIN_CONTRAST } from './contrast.ts';
import { createStage, parseThumbnailConfig } from './index.ts';
import { LAYOUT_ORDER, paletteFor } from './layouts.ts';
import { createCanvasRenderer } from './providers/canvas.ts';
import { MAX_THUMBNAIL_BYTES } from './stage.ts';

let root: string;
let store: FolderStore;

async function context(warnings: string[] = []): Promise<StageContext> {
  return {
    store,
    log: createLogger({ level: 'warn', write: (line) => warnings.push(line) }),
    signal: new AbortController().signal,
    progress: () => {},
    workDir: await mkdtemp(join(root, 'work-')),
  };
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'thumbnail-maker-'));
  store = new FolderStore(root);
  // A portrait poster frame, as the video assembler grabs from a 9:16 video.
  await runProcess('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=1080x1920', '-frames:v', '1', join(root, 'poster.jpg')]);
  await writeFile(join(root, 'not-an-image.jpg'), 'this is text, not a JPEG');
});
after(async () => { await rm(root, { recursive: true, force: true }); });

async function checkVariants(out: { thumbnailPath: string; variants: { path: string; bytes: number; width: number; height: number; layout: string }[] }): Promise<void> {
  assert.equal(out.thumbnailPath, out.variants[0]?.path);
  const hashes = new Set<string>();
  for (const v of out.variants) {
    const file = join(root, v.path);
    const probe = await ffprobe(file);
    const video = probe.streams.find((s) => s.codec_type === 'video');
    assert.equal(video?.codec_name, 'mjpeg', v.path);
    assert.equal(video?.width, 1280);
    assert.equal(video?.height, 720);
    const bytes = await readFile(file);
    assert.equal(bytes.length, v.bytes);
    assert.ok(v.bytes <= MAX_THUMBNAIL_BYTES && v.bytes > 20_000, `${v.path} is ${v.bytes} bytes`);
    hashes.add(createHash('sha256').update(bytes).digest('hex'));
  }
  assert.equal(hashes.size, out.variants.length, 'every variant is a different image');
}

test('an English title over a portrait poster: 3 variants, mjpeg 1280×720, all different', async () => {
  const stage = createStage({ env: {} });
  const out = await stage.execute({
    title: 'Why Octopuses Have Three Hearts', lang: 'en', outputPrefix: 'pipelines/en/', backgroundPath: 'poster.jpg',
  }, await context());
  assert.equal(out.variants.length, 3);
  assert.deepEqual(out.variants.map((v) => v.id), ['A', 'B', 'C']);
  assert.deepEqual(out.variants.map((v) => v.layout), LAYOUT_ORDER.slice(0, 3));
  assert.deepEqual(out.variants.map((v) => v.path), [1, 2, 3].map((n) => `pipelines/en/thumbnails/thumb-${n}.jpg`));
  assert.equal(out.variants[0]?.text, 'OCTOPUSES HAVE THREE HEARTS');
  await checkVariants(out);
});

test('a French title on generated backgrounds: 5 variants keep the accented word', async () => {
  const stage = createStage({ env: {} });
  const out = await stage.execute({
    title: 'Pourquoi les éléphants ont peur des abeilles ?', lang: 'fr', outputPrefix: 'pipelines/fr/', variants: 5,
  }, await context());
  assert.equal(out.variants.length, 5);
  assert.deepEqual(out.variants.map((v) => v.layout), LAYOUT_ORDER);
  for (const v of out.variants) {
    assert.ok(v.text.split(' ').includes('ÉLÉPHANTS'), v.text);
    assert.ok(v.text.split(' ').length >= 3 && v.text.split(' ').length <= 5);
  }
  await checkVariants(out);
});

test('an unreadable background falls back to a generated one with a warning', async () => {
  const warnings: string[] = [];
  const stage = createStage({ env: {} });
  const out = await stage.execute({ title: 'The Secret Life of Bees', backgroundPath: 'not-an-image.jpg', variants: 2, outputPrefix: 'bad/' }, await context(warnings));
  assert.equal(out.variants.length, 2);
  assert.ok(warnings.some((w) => w.includes('background image unreadable') && w.includes('not-an-image.jpg')), warnings.join('\n'));
  const missing: string[] = [];
  await stage.execute({ title: 'The Secret Life of Bees', backgroundPath: 'nowhere/poster.jpg', variants: 2, outputPrefix: 'missing/' }, await context(missing));
  assert.ok(missing.some((w) => w.includes('nowhere/poster.jpg')));
  await checkVariants(out);
});

test('every layout reaches 4.5:1 text contrast even over a bright picture', async () => {
  const renderer = createCanvasRenderer();
  const brightFile = join(root, 'bright.png');
  await runProcess('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=white:s=1280x720', '-frames:v', '1', brightFile]);
  const bright = await renderer.loadBackground(brightFile);
  for (const [i, layout] of LAYOUT_ORDER.entries()) {
    const r = await renderer.render({
      layout, words: ['SNOW', 'BLIND', 'TEST'], highlight: 2, palette: paletteFor('snow', i), background: bright, seed: 1,
      question: false, jpegQuality: 88, maxBytes: MAX_THUMBNAIL_BYTES,
    });
    assert.ok(r.contrast >= MIN_CONTRAST, `${layout}: ${r.contrast}`);
    assert.ok(r.fontSize >= 80, `${layout}: three short words should be big, got ${r.fontSize}px`);
  }
});

test('a JPEG over the byte limit is re-encoded at lower quality until it fits', async () => {
  const renderer = createCanvasRenderer();
  const noisy = join(root, 'noise.png');
  await runProcess('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'nullsrc=s=1280x720,geq=random(1)*255:128:128', '-frames:v', '1', noisy]);
  const spec = {
    layout: 'bold-left' as const, words: ['NOISE'], palette: paletteFor('noise', 0), background: await renderer.loadBackground(noisy),
    seed: 1, question: false, jpegQuality: 95,
  };
  const big = await renderer.render({ ...spec, maxBytes: MAX_THUMBNAIL_BYTES });
  const limit = Math.round(big.bytes.length * 0.6);
  const small = await renderer.render({ ...spec, maxBytes: limit });
  assert.ok(small.bytes.length <= limit, `${small.bytes.length} > ${limit}`);
  assert.ok(small.quality < 95);
  await assert.rejects(renderer.render({ ...spec, maxBytes: 1000 }), { code: 'LIMIT_EXCEEDED' });
});

test('configuration lists every bad variable at once', () => {
  assert.deepEqual(parseThumbnailConfig({}), { THUMBNAIL_RENDERER: 'canvas', THUMBNAIL_JPEG_QUALITY: 88 });
  assert.equal(parseThumbnailConfig({ THUMBNAIL_JPEG_QUALITY: '75' }).THUMBNAIL_JPEG_QUALITY, 75);
  assert.throws(
    () => parseThumbnailConfig({ THUMBNAIL_RENDERER: 'sharp', THUMBNAIL_JPEG_QUALITY: '150' }),
    (err: Error & { code?: string }) => err.code === 'INVALID_OPTION' && /THUMBNAIL_RENDERER="sharp"/.test(err.message) && /THUMBNAIL_JPEG_QUALITY="150"/.test(err.message),
  );
});

test('input outside the contract is rejected before rendering', async () => {
  const stage = createStage({ env: {} });
  await assert.rejects(stage.execute({ title: 'x', variants: 6 }, await context()), { code: 'INVALID_INPUT', field: 'variants' });
  await assert.rejects(stage.execute({ title: '' }, await context()), { code: 'INVALID_INPUT' });
});
