import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ffprobe, runProcess } from '@faceless/runtime';
import { generatedVisuals } from './providers/generated.ts';
import { planChunkJobs, renderOrder, renderVideo } from './render.ts';
import type { RenderPlan } from './render.ts';
import { renderChunks } from './timeline.ts';
import type { SegmentVisual } from './visuals.ts';
import { writeToneWav } from './synthetic-narration.ts';

const size = { width: 144, height: 256 };
const fps = 30;
const spans = [
  { segment: 0, startFrame: 0, endFrame: 30 },
  { segment: 1, startFrame: 30, endFrame: 60 },
  { segment: 2, startFrame: 60, endFrame: 90 },
];
const briefs = ['Intro', 'Middle', 'Outro'].map((heading, segment) => ({ segment, heading, keywords: [] }));

async function setup(t: { after: (fn: () => Promise<void>) => void }): Promise<{ dir: string; plan: (visuals: SegmentVisual[], extra?: Partial<RenderPlan>) => RenderPlan }> {
  const dir = await mkdtemp(join(tmpdir(), 'va-render-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeToneWav(join(dir, 'voice.wav'), 3);
  const fallbacks = generatedVisuals(briefs);
  return {
    dir,
    plan: (visuals, extra = {}) => ({
      workDir: dir, audio: join(dir, 'voice.wav'), size, fps, visuals, spans, chunks: renderChunks(spans, 300),
      encode: { preset: 'ultrafast', crf: 30 }, audioBitrate: '128k', concurrency: 2,
      fallback: (segment) => fallbacks[segment] as SegmentVisual, ...extra,
    }),
  };
}

/** Mean luma of frame n. */
async function meanLuma(path: string, n: number): Promise<number> {
  const { stdout } = await runProcess('ffmpeg', ['-v', 'error', '-i', path, '-vf', `select='eq(n,${n})',format=gray,scale=1:1:flags=area`, '-frames:v', '1', '-f', 'rawvideo', 'pipe:1']);
  return Buffer.from(stdout, 'latin1')[0] ?? -1;
}

const hooks = (warnings: string[] = []): Parameters<typeof renderVideo>[1] => ({
  signal: new AbortController().signal, progress: () => {}, warn: (m) => warnings.push(m),
});

test('sections crossfade (default), fade in from black or cut, and the frame count is kept', async (t) => {
  const { dir, plan } = await setup(t);
  const black = join(dir, 'black.png');
  const white = join(dir, 'white.png');
  await runProcess('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=black:s=64x64', '-frames:v', '1', black]);
  await runProcess('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=white:s=64x64', '-frames:v', '1', white]);
  const visuals: SegmentVisual[] = [
    { kind: 'image', path: black, source: 'black.png' },
    { kind: 'image', path: white, source: 'white.png' },
    { kind: 'image', path: black, source: 'black.png' },
  ];
  const crossed = await renderVideo(plan(visuals), hooks());
  const probe = await ffprobe(crossed.videoPath);
  assert.equal(Number(probe.format.duration).toFixed(1), '3.0');
  const { stdout } = await runProcess('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', crossed.videoPath]);
  assert.equal(stdout.trim(), '90');
  // Segment 1 (white) dissolves in from segment 0 (black) over 12 frames: half-way grey, then white.
  assert.ok((await meanLuma(crossed.videoPath, 29)) < 30, 'still black before the cut');
  const middle = await meanLuma(crossed.videoPath, 36);
  assert.ok(middle > 60 && middle < 200, `grey half-way through the crossfade (${middle})`);
  assert.ok((await meanLuma(crossed.videoPath, 45)) > 220, 'white after it');
  // (segment 2's kind is smoothleft, a soft push: the first frames still show the white section.)
  assert.ok((await meanLuma(crossed.videoPath, 60)) > 200, 'the crossfade starts from the previous (white) section');
  assert.ok((await meanLuma(crossed.videoPath, 72)) < 30, 'and ends on the new (black) one');
  // The fade style starts each section from black.
  const faded = await renderVideo(plan(visuals, { transitionStyle: 'fade', workDir: await mkdtemp(join(dir, 'fade-')) }), hooks());
  const fadeMiddle = await meanLuma(faded.videoPath, 36);
  assert.ok(fadeMiddle > 60 && fadeMiddle < 200, `grey half-way through the fade (${fadeMiddle})`);
  assert.ok((await meanLuma(faded.videoPath, 60)) < 30, 'the fade style starts the next section from black');
  // Transitions off: a hard cut.
  const cut = await renderVideo(plan(visuals, { transitionStyle: 'cut', workDir: await mkdtemp(join(dir, 'cut-')) }), hooks());
  assert.ok((await meanLuma(cut.videoPath, 30)) > 220, 'white from the first frame of its segment');
});

/** Mean luma (signalstats YAVG) of every frame of a video. */
async function lumaPerFrame(path: string): Promise<number[]> {
  const { stdout } = await runProcess('ffmpeg', ['-v', 'error', '-i', path, '-vf', 'signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-', '-f', 'null', '-']);
  return [...stdout.matchAll(/YAVG=([\d.]+)/g)].map((m) => Number(m[1]));
}

test('the default render shows no black frame around any cut', async (t) => {
  const { dir, plan } = await setup(t);
  const pictures = ['testsrc2', 'smptebars', 'rgbtestsrc'].map((source) => join(dir, `${source}.png`));
  for (const [i, source] of ['testsrc2', 'smptebars', 'rgbtestsrc'].entries()) {
    await runProcess('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `${source}=s=320x480`, '-frames:v', '1', pictures[i] as string]);
  }
  const generated = generatedVisuals(briefs);
  // Images, and a generated background (dark, but never black) in the middle.
  const visuals: SegmentVisual[] = [
    { kind: 'image', path: pictures[0] as string, source: 'a.png' },
    generated[1] as SegmentVisual,
    { kind: 'image', path: pictures[2] as string, source: 'c.png' },
  ];
  const result = await renderVideo(plan(visuals), hooks());
  const luma = await lumaPerFrame(result.videoPath);
  assert.equal(luma.length, 90);
  for (const cut of [30, 60]) {
    for (let n = cut - 6; n < cut + 16; n++) assert.ok((luma[n] ?? 0) > 16, `frame ${n} (cut at ${cut}) is not black: mean luma ${luma[n]}`);
  }
  // The same pictures with the fade style do dip to black at each cut: the check can fail.
  const faded = await lumaPerFrame((await renderVideo(plan(visuals, { transitionStyle: 'fade', workDir: await mkdtemp(join(dir, 'fade-')) }), hooks())).videoPath);
  assert.ok((faded[30] ?? 255) <= 16.5 && (faded[60] ?? 255) <= 16.5, `fade dips: ${faded[30]}, ${faded[60]}`);
});

test('a broken image is replaced, and the next section fades from its replacement', async (t) => {
  const { dir, plan } = await setup(t);
  const generated = generatedVisuals(briefs);
  await writeFile(join(dir, 'broken.jpg'), 'not a jpeg');
  const visuals: SegmentVisual[] = [
    { kind: 'image', path: join(dir, 'broken.jpg'), source: 'broken.jpg' },
    generated[1] as SegmentVisual,
    generated[2] as SegmentVisual,
  ];
  const warnings: string[] = [];
  const result = await renderVideo(plan(visuals), hooks(warnings));
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0] ?? '', /segment 0: "broken\.jpg"/);
  assert.deepEqual(result.visuals.map((v) => v.kind), ['generated', 'generated', 'generated']);
  const probe = await ffprobe(result.videoPath);
  assert.ok(Math.abs(Number(probe.format.duration) - 3) < 0.05);
});

/** Luma PSNR (dB) of a picture against frame n of a video. */
async function psnrAgainstFrame(picture: string, video: string, n: number): Promise<number> {
  const { stderr } = await runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-i', picture, '-i', video, '-filter_complex', `[1:v]select='eq(n,${n})',format=yuv420p[f];[0:v]format=yuv420p[p];[p][f]psnr`, '-frames:v', '1', '-f', 'null', '-']);
  const y = /PSNR y:([\d.]+|inf)/.exec(stderr)?.[1];
  if (!y) throw new Error(`no PSNR in ${stderr.slice(-300)}`);
  return y === 'inf' ? 100 : Number(y);
}

test('the poster is the frame of the video at the poster position, rendered on its own', async (t) => {
  const { dir, plan } = await setup(t);
  const detailed = join(dir, 'detailed.png');
  const moving = join(dir, 'moving.mp4');
  await runProcess('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=320x480', '-frames:v', '1', detailed]);
  await runProcess('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=320x480:r=30', '-frames:v', '90', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', moving]);
  const image = { kind: 'image', path: detailed, source: 'detailed.png' } as const;
  const clip = { kind: 'clip', path: moving, source: 'moving.mp4', durationSec: 3 } as const;
  // A still with a pan, then a clip: the poster frame must come from the same place in each.
  for (const visual of [image, clip]) {
    const output = join(dir, `poster-${visual.kind}.jpg`);
    const workDir = await mkdtemp(join(dir, `${visual.kind}-`));
    const result = await renderVideo(plan([image, visual, image], { poster: { frame: 50, size, output }, workDir }), hooks());
    const atPoster = await psnrAgainstFrame(output, result.videoPath, 50);
    const earlier = await psnrAgainstFrame(output, result.videoPath, 40);
    assert.ok(atPoster > 30, `${visual.kind}: the poster matches frame 50 (${atPoster} dB)`);
    assert.ok(atPoster > earlier + 3, `${visual.kind}: the picture has moved on by frame 50 (${atPoster} dB vs ${earlier} dB at frame 40)`);
  }
});

test('a soundtrack that fails while the picture renders stops the render with its own error', async (t) => {
  const { plan } = await setup(t);
  const generated = generatedVisuals(briefs);
  const audio = new Promise<string>((_, reject) => setTimeout(() => reject(new Error('the music mix failed')), 50));
  await assert.rejects(renderVideo(plan(generated, { audio }), hooks()), /the music mix failed/);
});

test('a soundtrack that arrives after the picture is still muxed', async (t) => {
  const { dir, plan } = await setup(t);
  const generated = generatedVisuals(briefs);
  const audio = new Promise<string>((resolve) => setTimeout(() => resolve(join(dir, 'voice.wav')), 1500));
  const result = await renderVideo(plan(generated, { audio }), hooks());
  const probe = await ffprobe(result.videoPath);
  assert.deepEqual(probe.streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
  assert.ok(Math.abs(Number(probe.format.duration) - 3) < 0.05);
});

test('renderOrder: longest chunks first, one x264 thread except for the last long chunk of each worker', () => {
  const chunks = renderChunks([
    { segment: 0, startFrame: 0, endFrame: 198 },
    { segment: 1, startFrame: 198, endFrame: 581 },
    { segment: 2, startFrame: 581, endFrame: 964 },
    { segment: 3, startFrame: 964, endFrame: 1034 },
  ], 900);
  const order = renderOrder(chunks, 2);
  assert.deepEqual(order.map((q) => q.chunk.index), [1, 2, 0, 3]);
  assert.deepEqual(order.map((q) => q.x264Threads), [1, 1, undefined, undefined]);
  // Ties keep the timeline's order; one worker leaves x264 its threads.
  assert.deepEqual(renderOrder(renderChunks([{ segment: 0, startFrame: 0, endFrame: 90 }], 30), 1).map((q) => [q.chunk.index, q.x264Threads]), [[0, undefined], [1, undefined], [2, undefined]]);
  assert.deepEqual(renderOrder(chunks.slice(0, 2), 2).map((q) => q.x264Threads), [undefined, undefined]);
  // A crossfade-sized chunk keeps one thread even at the end.
  const withCrossfade = [...chunks, { index: 4, segment: 3, startFrame: 1034, endFrame: 1046, segmentOffsetFrames: 0 }];
  assert.deepEqual(renderOrder(withCrossfade, 2).map((q) => [q.chunk.index, q.x264Threads]), [[1, 1], [2, 1], [0, 1], [3, undefined], [4, 1]]);
});

test('planChunkJobs: a crossfade is a job of its own at the head of each later segment; fade and cut keep the chunks', () => {
  const chunks = renderChunks([
    { segment: 0, startFrame: 0, endFrame: 100 },
    { segment: 1, startFrame: 100, endFrame: 400 },
    { segment: 2, startFrame: 400, endFrame: 408 },
    { segment: 3, startFrame: 408, endFrame: 409 },
  ], 200);
  const crossfade = planChunkJobs(chunks, { style: 'crossfade', transitionFrames: 12 });
  assert.deepEqual(crossfade.map((j) => [j.chunk.index, j.chunk.segment, j.chunk.startFrame, j.chunk.endFrame, j.chunk.segmentOffsetFrames, j.crossfadeFrom]), [
    [0, 0, 0, 100, 0, undefined],
    [1, 1, 100, 112, 0, 0],
    [2, 1, 112, 250, 12, undefined],
    [3, 1, 250, 400, 150, undefined],
    [4, 2, 400, 408, 0, 1],
    [5, 3, 408, 409, 0, undefined],
  ]);
  // The jobs tile the timeline in order, as the concat list needs.
  for (let i = 1; i < crossfade.length; i++) assert.equal(crossfade[i]?.chunk.startFrame, crossfade[i - 1]?.chunk.endFrame);
  const fade = planChunkJobs(chunks, { style: 'fade', transitionFrames: 12 });
  assert.deepEqual(fade.map((j) => j.fadeInFrames), [undefined, 12, undefined, 8, undefined]);
  assert.deepEqual(planChunkJobs(chunks, { style: 'cut', transitionFrames: 12 }).map((j) => j.chunk), chunks);
});
