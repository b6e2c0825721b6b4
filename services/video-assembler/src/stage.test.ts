import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Aspect, VideoAssembleOutput } from '@faceless/contracts';
import { FolderStore } from '@faceless/infra';
import type { ObjectStore } from '@faceless/infra';
import { createCollectingLogger, FacelessError, ffprobe, runProcess } from '@faceless/runtime';
import type { StageContext } from '@faceless/runtime';
import { startFakePexels } from './providers/fake-pexels.ts';
import type { FakePexels } from './providers/fake-pexels.ts';
import { createPexelsSource } from './providers/pexels.ts';
import { createVideoAssemblerStage } from './stage.ts';
import type { RenderReport, VideoAssemblerDeps } from './stage.ts';
import { syntheticNarration, writeToneWav } from './synthetic-narration.ts';
import type { SyntheticNarration } from './synthetic-narration.ts';

let root: string;
let narration8: SyntheticNarration;
let narration4: SyntheticNarration;
let pexels: FakePexels;

const TEXTS = [
  { heading: 'Intro', text: 'Did you know octopuses have three hearts?' },
  { heading: 'Three hearts', text: 'Two pump blood to the gills, and a third one pumps it to the body.', visualKeywords: ['octopus', 'heart'] },
  { heading: 'Blue blood', text: 'Their blood is blue because it carries copper, not iron.', visualKeywords: ['ocean', 'waves'] },
  { heading: 'Outro', text: 'Follow for more ocean facts!' },
];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'va-stage-'));
  await mkdir(join(root, 'store', 'p'), { recursive: true });
  await writeToneWav(join(root, 'store', 'p', 'voice8.wav'), 8);
  await writeToneWav(join(root, 'store', 'p', 'voice4.wav'), 4);
  narration8 = syntheticNarration([TEXTS[0], TEXTS[1], TEXTS[3]].filter((t) => t !== undefined), 8);
  narration4 = syntheticNarration(TEXTS, 4);
  pexels = await startFakePexels({ dir: root });
});

after(async () => {
  await pexels.close();
  await rm(root, { recursive: true, force: true });
});

interface Harness {
  ctx: StageContext;
  warnings: string[];
  progress: number[];
  controller: AbortController;
}

async function harness(options: { store?: ObjectStore; workDirName?: string } = {}): Promise<Harness> {
  const warnings: string[] = [];
  const progress: number[] = [];
  const controller = new AbortController();
  const workDir = await mkdtemp(join(root, options.workDirName ?? 'work-'));
  const ctx: StageContext = {
    store: options.store ?? new FolderStore(join(root, 'store')),
    log: createCollectingLogger((msg) => warnings.push(msg)),
    signal: controller.signal,
    progress: (fraction) => progress.push(fraction),
    workDir,
  };
  return { ctx, warnings, progress, controller };
}

function input(n: SyntheticNarration, audio: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    outputPrefix: `p/${Math.random().toString(36).slice(2)}/`,
    audioPath: `p/${audio}`,
    durationSec: n.durationSec,
    words: n.words,
    segments: n.segments,
    sections: n.sections,
    ...extra,
  };
}

/** Top-level MP4 box types in file order. */
function topLevelBoxes(bytes: Buffer): string[] {
  const types: string[] = [];
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    let size = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    if (size === 1) size = Number(bytes.readBigUInt64BE(offset + 8));
    else if (size === 0) size = bytes.length - offset;
    if (size < 8) break;
    types.push(type);
    offset += size;
  }
  return types;
}

async function checkMp4(path: string, expected: { width: number; height: number; audioSec: number }): Promise<void> {
  const probe = await ffprobe(path);
  const video = probe.streams.find((s) => s.codec_type === 'video');
  const audio = probe.streams.find((s) => s.codec_type === 'audio');
  assert.ok(video && audio, 'one video and one audio stream');
  assert.equal(video.codec_name, 'h264');
  assert.equal(video.profile, 'High');
  assert.equal(video.pix_fmt, 'yuv420p');
  assert.equal(video.width, expected.width);
  assert.equal(video.height, expected.height);
  assert.equal(audio.codec_name, 'aac');
  assert.equal(audio.profile, 'LC');
  assert.equal(audio.sample_rate, '48000');
  assert.equal(audio.channels, 2);
  const duration = Number(probe.format.duration);
  assert.ok(Math.abs(duration - expected.audioSec) <= 0.2, `video lasts ${duration} s, narration ${expected.audioSec} s`);
  assert.ok(Number(video.duration) >= expected.audioSec - 0.034, `the picture (${video.duration} s) covers the narration`);
  const boxes = topLevelBoxes(await readFile(path));
  assert.ok(boxes.includes('moov') && boxes.includes('mdat'));
  assert.ok(boxes.indexOf('moov') < boxes.indexOf('mdat'), `moov before mdat (faststart): ${boxes.join(' ')}`);
}

/** Frame rate, and the longest run of frames between two keyframes. */
async function frameRateAndLongestGop(path: string): Promise<{ rate: string; longestGop: number; frames: number }> {
  const { stdout } = await runProcess('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=r_frame_rate:packet=flags', '-of', 'json', path]);
  const json = JSON.parse(stdout) as { packets: { flags: string }[]; streams: { r_frame_rate: string }[] };
  let longest = 0;
  let run = 0;
  for (const p of json.packets) {
    run = p.flags.startsWith('K') ? 1 : run + 1;
    longest = Math.max(longest, run);
  }
  return { rate: json.streams[0]?.r_frame_rate ?? '', longestGop: longest, frames: json.packets.length };
}

async function render(deps: VideoAssemblerDeps, raw: Record<string, unknown>, h: Harness): Promise<VideoAssembleOutput> {
  return createVideoAssemblerStage(deps).execute(raw, h.ctx);
}

test('renders a real 1080×1920 Short with generated backgrounds, captions and a poster', async () => {
  const h = await harness();
  const out = await render({}, input(narration8, 'voice8.wav'), h);
  assert.equal(out.width, 1080);
  assert.equal(out.height, 1920);
  assert.ok(out.videoPath.endsWith('video.mp4') && out.posterPath?.endsWith('poster.jpg'));
  const store = h.ctx.store;
  await checkMp4(store.localPath?.(out.videoPath) ?? '', { width: 1080, height: 1920, audioSec: 8 });
  assert.ok(Math.abs(out.durationSec - 8) <= 0.2);
  const gop = await frameRateAndLongestGop(store.localPath?.(out.videoPath) ?? '');
  assert.equal(gop.rate, '30/1');
  assert.equal(gop.frames, 240);
  assert.ok(gop.longestGop <= 15, `keyframe at least every 15 frames (longest run ${gop.longestGop})`);
  assert.deepEqual(out.visuals.map((v) => [v.segment, v.kind]), [[0, 'generated'], [1, 'generated'], [2, 'generated']]);
  assert.ok(out.visuals.every((v) => v.source.startsWith('gradient:')));
  const poster = await ffprobe(store.localPath?.(out.posterPath ?? '') ?? '');
  assert.equal(poster.streams[0]?.codec_name, 'mjpeg');
  assert.deepEqual([poster.streams[0]?.width, poster.streams[0]?.height], [1080, 1920]);
  assert.ok(h.progress.length > 3 && h.progress.at(-1) === 1);
  assert.ok(h.progress.every((p, i) => i === 0 || p >= (h.progress[i - 1] ?? 0) - 1e-9), 'progress only moves forward');
  assert.deepEqual(h.warnings, []);
  // Music under the voice by default (a generated bed), and the finished file at YouTube's loudness.
  assert.match(out.music?.source ?? '', /generated/);
  const measured = await loudnessOf(store.localPath?.(out.videoPath) ?? '');
  assert.ok(Math.abs(measured.integrated + 14) <= 1, `integrated ${measured.integrated} LUFS`);
  assert.ok(measured.truePeak <= -1, `true peak ${measured.truePeak} dBTP`);
  assert.ok(out.loudness && Math.abs(out.loudness.integratedLufs - measured.integrated) <= 0.5);
});

/** Integrated loudness and true peak of a file's audio, measured by ffmpeg's ebur128 filter. */
async function loudnessOf(path: string): Promise<{ integrated: number; truePeak: number }> {
  const { stderr } = await runProcess('ffmpeg', ['-hide_banner', '-nostats', '-i', path, '-map', '0:a', '-af', 'ebur128=peak=true', '-f', 'null', '-']);
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  return { integrated: Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)?.[1]), truePeak: Number(/Peak:\s+(-?[\d.]+) dBFS/.exec(summary)?.[1]) };
}

test('the generated background pans and the captions are burned in, the spoken word in yellow', async () => {
  const h = await harness();
  const stage = createVideoAssemblerStage({ resolutionScale: 0.25 });
  const withCaptions = await stage.execute(input(narration8, 'voice8.wav'), h.ctx);
  const without = await stage.execute(input(narration8, 'voice8.wav', { captionStyle: 'none' }), h.ctx);
  const rgb = async (key: string, sec: number, crop: string): Promise<Buffer> => {
    const { stdout } = await runProcess('ffmpeg', ['-v', 'error', '-ss', String(sec), '-i', h.ctx.store.localPath?.(key) ?? '', '-frames:v', '1', '-vf', `${crop},format=rgb24`, '-f', 'rawvideo', 'pipe:1']);
    return Buffer.from(stdout, 'latin1');
  };
  const bottom = 'crop=iw:ih*0.2:0:ih*0.8';
  assert.notDeepEqual(await rgb(without.videoPath, 3, bottom), await rgb(without.videoPath, 4.5, bottom), 'the background pans');
  // A word is being spoken at 2 s: the caption band holds white and yellow text only when captions are on.
  const band = 'crop=iw:ih*0.15:0:ih*0.52';
  const yellow = (px: Buffer): number => {
    let n = 0;
    for (let i = 0; i + 2 < px.length; i += 3) if ((px[i] ?? 0) > 200 && (px[i + 1] ?? 0) > 160 && (px[i + 2] ?? 0) < 90) n++;
    return n;
  };
  const white = (px: Buffer): number => {
    let n = 0;
    for (let i = 0; i + 2 < px.length; i += 3) if ((px[i] ?? 0) > 230 && (px[i + 1] ?? 0) > 230 && (px[i + 2] ?? 0) > 230) n++;
    return n;
  };
  const on = await rgb(withCaptions.videoPath, 2, band);
  const off = await rgb(without.videoPath, 2, band);
  assert.ok(yellow(on) > 20 && white(on) > 20, `caption pixels: ${yellow(on)} yellow, ${white(on)} white`);
  assert.equal(yellow(off) + white(off), 0);
});

test('writes captions.srt and captions.vtt beside the video, and draws the captions at the top in the colour asked', async () => {
  const h = await harness();
  const captions = { position: 'top', color: '#00FF00', highlightColor: '#FF00FF', size: 'large' };
  const out = await render({ resolutionScale: 0.25 }, input(narration8, 'voice8.wav', { captions }), h);
  const prefix = out.videoPath.slice(0, -'video.mp4'.length);
  assert.equal(out.captionsSrtPath, `${prefix}captions.srt`);
  assert.equal(out.captionsVttPath, `${prefix}captions.vtt`);
  const srt = (await h.ctx.store.getBytes(out.captionsSrtPath)).toString('utf8');
  const vtt = (await h.ctx.store.getBytes(out.captionsVttPath)).toString('utf8');
  const cueText = (text: string): string => text.trim().split('\n\n')
    .flatMap((block) => block.split('\n').filter((l) => l !== 'WEBVTT' && !/^\d+$/.test(l) && !l.includes(' --> ')))
    .join(' ');
  const words = narration8.words.map((w) => w.text).join(' ');
  assert.equal(cueText(srt), words);
  assert.equal(cueText(vtt), words);
  assert.match(srt, /^1\n00:00:\d\d,\d{3} --> 00:00:\d\d,\d{3}\n/);
  assert.match(vtt, /^WEBVTT\n\n00:00:\d\d\.\d{3} --> /);

  const green = async (sec: number, crop: string): Promise<number> => {
    const { stdout } = await runProcess('ffmpeg', ['-v', 'error', '-ss', String(sec), '-i', h.ctx.store.localPath?.(out.videoPath) ?? '', '-frames:v', '1', '-vf', `${crop},format=rgb24`, '-f', 'rawvideo', 'pipe:1']);
    const px = Buffer.from(stdout, 'latin1');
    let n = 0;
    for (let i = 0; i + 2 < px.length; i += 3) if ((px[i] ?? 0) < 90 && (px[i + 1] ?? 0) > 190 && (px[i + 2] ?? 0) < 90) n++;
    return n;
  };
  // Shorts' safe area starts 10% down: the captions are in the band below it, none lower down.
  for (const sec of [1, 2, 5]) {
    const top = await green(sec, 'crop=iw:ih*0.15:0:ih*0.1');
    const rest = await green(sec, 'crop=iw:ih*0.75:0:ih*0.25');
    const above = await green(sec, 'crop=iw:ih*0.1:0:0');
    assert.ok(top > 20 && rest === 0 && above === 0, `at ${sec} s: ${top} green pixels at the top, ${rest} below, ${above} above the safe area`);
  }
});

test('renders 16:9 at 1920×1080 with a 1280×720 poster', async () => {
  const h = await harness();
  const reports: RenderReport[] = [];
  const out = await render({ onRendered: (r) => reports.push(r) }, input(narration4, 'voice4.wav', { aspect: '16:9' satisfies Aspect }), h);
  assert.deepEqual([out.width, out.height], [1920, 1080]);
  assert.equal(reports.length, 1, 'onRendered is told once per render');
  assert.deepEqual([reports[0]?.videoSec, reports[0]?.width, reports[0]?.height], [out.durationSec, 1920, 1080]);
  assert.ok((reports[0]?.wallSec ?? 0) > 0.1, `the render took ${reports[0]?.wallSec} s of wall time`);
  await checkMp4(h.ctx.store.localPath?.(out.videoPath) ?? '', { width: 1920, height: 1080, audioSec: 4 });
  const poster = await ffprobe(h.ctx.store.localPath?.(out.posterPath ?? '') ?? '');
  assert.deepEqual([poster.streams[0]?.width, poster.streams[0]?.height], [1280, 720]);
  assert.equal(out.visuals.length, 4);
});

test('uses a media folder: images and clips matched by keyword, bad files named in warnings', async () => {
  const media = join(root, 'media');
  await mkdir(media, { recursive: true });
  const ff = (...args: string[]): Promise<unknown> => runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
  await ff('-f', 'lavfi', '-i', 'testsrc2=s=640x360', '-frames:v', '1', join(media, 'octopus-heart.jpg'));
  await ff('-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=1.5', '-pix_fmt', 'yuv420p', join(media, 'ocean-waves.mp4'));
  // Shorter than every segment (about 0.9 s each): never shown, named in a warning.
  await ff('-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=0.4', '-pix_fmt', 'yuv420p', join(media, 'octopus-blink.mp4'));
  await writeFile(join(media, 'notes.txt'), 'shot list');
  await writeFile(join(media, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 2, 3]));
  // A work folder whose name needs escaping inside a filter graph, and a store with no local paths.
  const folder = new FolderStore(join(root, 'store'));
  const remoteLike: ObjectStore = {
    putFile: (k, p) => folder.putFile(k, p), putBytes: (k, b) => folder.putBytes(k, b), getFile: (k, p) => folder.getFile(k, p),
    getBytes: (k) => folder.getBytes(k), exists: (k) => folder.exists(k), size: (k) => folder.size(k), delete: (k) => folder.delete(k),
    describe: (k) => `remote:${k}`,
  };
  const h = await harness({ store: remoteLike, workDirName: "it's a: test, [x] " });
  const out = await render({ resolutionScale: 0.25 }, input(narration4, 'voice4.wav', { mediaDir: media }), h);
  // Sections first (by keyword), then the hook and the call to action round-robin, never repeating a neighbour.
  assert.deepEqual(out.visuals.map((v) => [v.segment, v.kind, v.source]), [
    [0, 'clip', 'ocean-waves.mp4'],
    [1, 'image', 'octopus-heart.jpg'],
    [2, 'clip', 'ocean-waves.mp4'],
    [3, 'image', 'octopus-heart.jpg'],
  ]);
  await checkMp4(folder.localPath(out.videoPath), { width: 270, height: 480, audioSec: 4 });
  assert.ok(h.warnings.some((w) => w.includes('"notes.txt"')), h.warnings.join('\n'));
  assert.ok(h.warnings.some((w) => w.includes('"broken.jpg"')), h.warnings.join('\n'));
  assert.ok(h.warnings.some((w) => w.includes('skipped "octopus-blink.mp4": the clip lasts 0.4 s, less than every segment')), h.warnings.join('\n'));
  assert.equal(h.warnings.length, 3);
  assert.deepEqual(out.credits, []);
});

test('with Pexels configured, the sections show stock clips in the video orientation, credited', async () => {
  const h = await harness();
  const cacheDir = join(root, 'pexels-cache');
  const stock = createPexelsSource({ apiKey: pexels.apiKey, baseUrl: pexels.url, cacheDir, retryBaseDelayMs: 1 });
  const searchesBefore = pexels.searches().length;
  const out = await render({ resolutionScale: 0.25, stock }, input(narration4, 'voice4.wav'), h);
  await checkMp4(h.ctx.store.localPath?.(out.videoPath) ?? '', { width: 270, height: 480, audioSec: 4 });
  assert.deepEqual(out.visuals.map((v) => [v.segment, v.kind, v.source]), [
    [0, 'clip', 'pexels:2001'],
    [1, 'clip', 'pexels:2002'],
    [2, 'clip', 'pexels:2003'],
    [3, 'clip', 'pexels:2004'],
  ]);
  assert.deepEqual(out.credits, [
    'Video by Ana Reef on Pexels: https://www.pexels.com/video/octopus-ocean-sea-2001/',
    'Video by Bo Tide on Pexels: https://www.pexels.com/video/octopus-heart-ocean-2002/',
    'Video by Cy Swell on Pexels: https://www.pexels.com/video/ocean-waves-sea-2003/',
    'Video by Di Spray on Pexels: https://www.pexels.com/video/ocean-waves-blue-2004/',
  ]);
  const searches = pexels.searches().slice(searchesBefore);
  assert.ok(searches.length >= 2 && searches.every((r) => r.query.get('orientation') === 'portrait'));
  assert.deepEqual(searches.slice(0, 2).map((r) => r.query.get('query')), ['octopus heart', 'ocean waves']);
  assert.deepEqual(h.warnings, []);
  // The 270×480 test frame takes the 360×640 rendition, the smallest that is not much smaller.
  assert.ok(pexels.downloads().slice(-4).every((r) => r.path.endsWith('4/octopus.mp4') || r.path.endsWith('4/ocean.mp4')), pexels.downloads().map((r) => r.path).join(' '));
});

test('falls back to generated backgrounds when the media folder has nothing usable', async () => {
  const media = join(root, 'junk-media');
  await mkdir(media, { recursive: true });
  await writeFile(join(media, 'readme.md'), '# nothing here');
  await writeFile(join(media, 'fake.png'), 'not a png');
  const h = await harness();
  const out = await render({ resolutionScale: 0.25 }, input(narration4, 'voice4.wav', { mediaDir: media }), h);
  assert.ok(out.visuals.every((v) => v.kind === 'generated'));
  assert.ok(h.warnings.some((w) => w.includes('"readme.md"')));
  assert.ok(h.warnings.some((w) => w.includes('"fake.png"')));
  assert.ok(h.warnings.some((w) => w.includes('no usable image or clip')));
});

test('a visual that fails to render is replaced by a generated one, with a warning', async () => {
  const h = await harness();
  const deps: VideoAssemblerDeps = {
    resolutionScale: 0.25,
    mediaVisuals: () => ({
      name: 'vanishing',
      plan: (briefs) => Promise.resolve(briefs.map((b) => ({ kind: 'image' as const, path: join(root, 'deleted.jpg'), source: `deleted-${b.segment}.jpg` }))),
    }),
  };
  const out = await render(deps, input(narration4, 'voice4.wav', { mediaDir: root }), h);
  assert.ok(out.visuals.every((v) => v.kind === 'generated'));
  assert.equal(h.warnings.filter((w) => w.includes('could not be rendered')).length, 4);
  await checkMp4(h.ctx.store.localPath?.(out.videoPath) ?? '', { width: 270, height: 480, audioSec: 4 });
});

test('rejects a missing media folder, a missing narration, unreadable audio and an unknown caption style', async () => {
  const h = await harness();
  const stage = createVideoAssemblerStage({ resolutionScale: 0.25 });
  const expectError = async (raw: Record<string, unknown>, code: string, field: string): Promise<void> => {
    await assert.rejects(stage.execute(raw, h.ctx), (err: unknown) => {
      assert.ok(err instanceof FacelessError, String(err));
      assert.equal(err.code, code, err.message);
      assert.equal(err.field, field);
      return true;
    });
  };
  await expectError(input(narration4, 'voice4.wav', { mediaDir: join(root, 'no-such-folder') }), 'INVALID_INPUT', 'mediaDir');
  await expectError(input(narration4, 'missing.wav'), 'NOT_FOUND', 'audioPath');
  await writeFile(join(root, 'store', 'p', 'text.wav'), 'hello');
  await expectError(input(narration4, 'text.wav'), 'INVALID_INPUT', 'audioPath');
  await expectError(input(narration4, 'voice4.wav', { captionStyle: 'karaoke' }), 'INVALID_INPUT', 'captionStyle');
  await expectError(input(narration4, 'voice4.wav', { captions: { color: 'green' } }), 'INVALID_INPUT', 'captions.color');
  await expectError(input(narration4, 'voice4.wav', { captions: { font: join(root, 'no-font.ttf') } }), 'INVALID_INPUT', 'captions.font');
});

test('stops when cancelled', async () => {
  const h = await harness();
  const stage = createVideoAssemblerStage({ resolutionScale: 0.25 });
  const ctx = { ...h.ctx, progress: (f: number) => { if (f > 0.05) h.controller.abort(); } };
  await assert.rejects(stage.execute(input(narration8, 'voice8.wav'), ctx), (err: unknown) => {
    assert.ok(err instanceof FacelessError);
    assert.equal(err.code, 'CANCELLED');
    return true;
  });
});
