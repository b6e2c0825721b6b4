// Times a full render through the video-assembler stage (captions, music when the stage adds it):
//   node --import tsx bench/render.ts [seconds=60] [aspect=9:16] [--stills [--photos DIR]] [--clips [--clips-dir DIR]] [--media DIR] [--runs N] [--keep]
//     [--save FILE] [--reference FILE]
// Default visuals: generated motion backgrounds. --stills: six detailed 1920×1280 pictures with a
// Ken Burns move each (the recipe FACTS.md measured); with --photos DIR, the first six pictures of
// DIR instead (e.g. photographs). --clips: six 12 s test clips, three 1920×1080 and three 4K (made once
// into --clips-dir, default $TMPDIR/faceless-bench-clips). Env: VIDEO_ASSEMBLER_* (preset, CRF, concurrency).
// Prints one JSON line and one markdown row per run; wall time, speed (video s / wall s), CPU of
// the whole process tree and the peak of its summed resident memory (sampled every 200 ms); the CPU is
// also split into ffmpeg's (the children) and this process's (the stage's own work plus the sampler).
// --save FILE copies the video there (e.g. a reference made with the previous code or settings);
// --reference FILE compares the video with one saved so, frame by frame: SSIM (All) and PSNR (average).
import '@faceless/runtime/tracing-register'; // first: with OTEL_* set (bench/tracing.ts) the render is traced
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Aspect } from '@faceless/contracts';
import { FolderStore } from '@faceless/infra';
import { createLogger, ffprobe, runProcess } from '@faceless/runtime';
import { createStage, createVideoAssemblerStage, parseVideoAssemblerConfig, syntheticNarration, writeToneWav } from '@faceless/video-assembler';
import type { SegmentVisual, VideoAssemblerStage, VisualProvider } from '@faceless/video-assembler';
import { flag, loadAverage, readPhotos, texts, writeDetailedStills, writeTestClips } from './bench-inputs.ts';
import { treeCpuSeconds, watchProcessTreeMemory } from './process-tree-memory.ts';

const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !['--media', '--runs', '--photos', '--clips-dir'].includes(all[i - 1] ?? ''));
const seconds = Number(positional[0] ?? 60);
const aspect = (positional[1] ?? '9:16') as Aspect;
const keep = process.argv.includes('--keep');
const stills = process.argv.includes('--stills');
const mediaDir = flag('--media');
const photosDir = flag('--photos');
const clips = process.argv.includes('--clips');
const clipsDir = flag('--clips-dir') ?? join(tmpdir(), 'faceless-bench-clips');
const runs = Number(flag('--runs') ?? 1);
const saveAs = flag('--save');
const reference = flag('--reference');

/** SSIM (All) and average PSNR of `video` against `ref`, over every frame (both 1080×1920 here). */
async function compare(video: string, ref: string): Promise<{ ssim: number; psnr: number }> {
  // The summary lines are the last of stderr, which runProcess keeps the tail of.
  const { stderr: log } = await runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-nostats', '-i', video, '-i', ref, '-lavfi', '[0:v]split[a0][a1];[1:v]split[b0][b1];[a0][b0]ssim;[a1][b1]psnr', '-f', 'null', '-']);
  const ssim = /SSIM .*All:([\d.]+)/.exec(log)?.[1];
  const psnr = /PSNR .*average:([\d.inf]+)/.exec(log)?.[1];
  return { ssim: Number(ssim), psnr: psnr === 'inf' ? Infinity : Number(psnr) };
}

const root = await mkdtemp(join(tmpdir(), 'va-bench-'));
try {
  const store = new FolderStore(root);
  await writeToneWav(join(root, 'voice.wav'), seconds);
  const n = syntheticNarration(texts, seconds);
  let stage: VideoAssemblerStage;
  if (stills || clips) {
    const pictures: SegmentVisual[] = clips
      ? (await writeTestClips(clipsDir)).map((c) => ({ kind: 'clip', ...c }))
      : (photosDir ? await readPhotos(photosDir) : await writeDetailedStills(root)).map((p) => ({ kind: 'image', ...p }));
    const provider: VisualProvider = { name: 'bench-stills', plan: (briefs) => Promise.resolve(briefs.map((b) => pictures[b.segment % pictures.length] as SegmentVisual)) };
    const config = parseVideoAssemblerConfig(process.env);
    stage = createVideoAssemblerStage({
      encode: { preset: config.VIDEO_ASSEMBLER_X264_PRESET, crf: config.VIDEO_ASSEMBLER_CRF, x264Params: config.VIDEO_ASSEMBLER_X264_PARAMS },
      concurrency: config.VIDEO_ASSEMBLER_CONCURRENCY,
      chunkSec: config.VIDEO_ASSEMBLER_CHUNK_SEC,
      defaultVisuals: provider,
    });
  } else {
    stage = createStage({ env: process.env });
  }
  for (let run = 1; run <= runs; run++) {
    const load = loadAverage();
    // Every 200 ms: a sample reads /proc of every process (2.8 ms of CPU with 120 processes), 6 % of a core
    // at 50 ms, taken from the render on 2 cores; the renders it watches live for a second or more.
    const memory = watchProcessTreeMemory(200);
    const cpuStart = treeCpuSeconds();
    const selfStart = process.cpuUsage();
    const started = performance.now();
    const out = await stage.execute({
      outputPrefix: `run-${run}/`,
      audioPath: 'voice.wav', durationSec: seconds, words: n.words, segments: n.segments, sections: n.sections, aspect,
      ...(mediaDir ? { mediaDir } : {}),
    }, {
      store, log: createLogger({ level: 'warn' }), signal: new AbortController().signal, progress: () => {}, workDir: join(root, `work-${run}`),
    });
    const wall = (performance.now() - started) / 1000;
    const cpu = treeCpuSeconds() - cpuStart;
    const self = process.cpuUsage(selfStart);
    const selfSec = (self.user + self.system) / 1e6;
    const peak = memory.stop();
    const probe = await ffprobe(join(root, out.videoPath));
    const video = probe.streams.find((s) => s.codec_type === 'video');
    const videoFile = join(root, out.videoPath);
    if (saveAs) await copyFile(videoFile, saveAs);
    const quality = reference ? await compare(videoFile, reference) : undefined;
    const result = {
      run, seconds, aspect, size: `${out.width}x${out.height}`, visuals: [...new Set(out.visuals.map((v) => v.kind))].join('+'),
      music: out.music?.source ?? null,
      wallSec: Number(wall.toFixed(2)), speed: Number((seconds / wall).toFixed(2)), cpuSec: Number(cpu.toFixed(1)),
      ffmpegCpuSec: Number((cpu - selfSec).toFixed(1)), selfCpuSec: Number(selfSec.toFixed(1)),
      peakTreeRssMB: Math.round(peak.peakBytes / 1e6), peakProcesses: peak.peakProcesses, samples: peak.samples,
      sizeMB: Number((Number(probe.format.size) / 1e6).toFixed(2)), duration: Number(probe.format.duration), profile: video?.profile,
      videoDuration: Number(video?.duration),
      ...(quality ? { ssim: quality.ssim, psnrDb: Number.isFinite(quality.psnr) ? Number(quality.psnr.toFixed(2)) : 'inf' } : {}),
      loadBefore: load,
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('VIDEO_ASSEMBLER_'))),
    };
    console.log(JSON.stringify(result));
    const settings = [clips ? 'six clips (3 HD, 3 4K)' : stills ? (photosDir ? 'six photos, zoom/pan' : 'six stills, zoom/pan') : mediaDir ? `--media` : 'generated motion', ...Object.entries(result.env).map(([k, v]) => `${k.replace('VIDEO_ASSEMBLER_', '')}=${v}`)].join(', ');
    console.log(`| ${new Date().toISOString().slice(0, 10)} | ${aspect} ${result.size} | ${settings} | ${load.toFixed(2)} | ${result.wallSec} s | ${result.speed}× | ${result.cpuSec} s | ${result.peakTreeRssMB} MB | ${result.sizeMB} MB |${quality ? ` ${quality.ssim.toFixed(4)} / ${quality.psnr.toFixed(2)} dB |` : ''}`);
  }
  if (keep) console.log(root);
} finally {
  if (!keep) await rm(root, { recursive: true, force: true });
}
