// FACTS.md's best recipe ("Measured on this kind of machine"), rebuilt with plain ffmpeg commands so
// that it can be timed beside bench/render.ts on the same machine, minutes apart, with the same
// pictures and captions (the VM's speed drifts between sessions, so a figure from another day is
// no baseline):
//   node --import tsx bench/recipe.ts [--photos DIR] [--runs N]
// 60 s of 1080×1920 at 30 fps: six stills, each scaled once to 2× the frame and moved by zoompan fed
// a single frame; a 0.4 s xfade into each section; ASS word captions (the stage's own file);
// x264 veryfast CRF 21; one segment per section, two rendered at a time, joined with
// `concat -c copy`; AAC 128k. No music (the recipe had none; bench/render.ts adds it).
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffprobe, runProcess } from '@faceless/runtime';
import { buildAssCaptions, montserratFontFiles, syntheticNarration, writeToneWav } from '@faceless/video-assembler';
import { flag, loadAverage, readPhotos, texts, writeDetailedStills } from './bench-inputs.ts';
import { treeCpuSeconds, watchProcessTreeMemory } from './process-tree-memory.ts';

const SECONDS = 60;
const FPS = 30;
const W = 1080;
const H = 1920;
const XFADE_FRAMES = 12;
const photosDir = flag('--photos');
const runs = Number(flag('--runs') ?? 1);

/** zoompan from 1 to 1.15 over `frames`, centred, continuing from frame `offset` of the move. */
const zoompan = (offset: number, frames: number, total: number): string =>
  `zoompan=z='1+0.15*(on+${offset})/${total}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=${frames}:s=${W}x${H}:fps=${FPS}`;
const still = (input: number, offset: number, frames: number, total: number): string =>
  `[${input}:v]scale=${2 * W}:${2 * H}:force_original_aspect_ratio=increase:flags=bicubic,crop=${2 * W}:${2 * H},setsar=1,format=yuv420p,${zoompan(offset, frames, total)},setsar=1,settb=1/${FPS},setpts=N`;

const root = await mkdtemp(join(tmpdir(), 'recipe-bench-'));
try {
  const pictures = photosDir ? await readPhotos(photosDir) : await writeDetailedStills(root);
  const voice = join(root, 'voice.wav');
  await writeToneWav(voice, SECONDS);
  const n = syntheticNarration(texts, SECONDS);
  const fonts = join(root, 'fonts');
  await mkdir(fonts);
  for (const font of montserratFontFiles()) await copyFile(font, join(fonts, font.split('/').pop() ?? 'font.woff2'));
  const captions = join(root, 'captions.ass');
  await writeFile(captions, buildAssCaptions(n.words, { aspect: '9:16', size: { width: W, height: H }, style: 'highlight' }));
  const cuts = [0, ...n.segments.slice(1).map((s) => Math.round(s.start * FPS)), SECONDS * FPS];
  const spans = n.segments.map((_, i) => ({ start: cuts[i] ?? 0, end: cuts[i + 1] ?? 0 }));

  for (let run = 1; run <= runs; run++) {
    const dir = join(root, `run-${run}`);
    await mkdir(dir);
    const load = loadAverage();
    const memory = watchProcessTreeMemory(50);
    const cpuStart = treeCpuSeconds();
    const started = performance.now();
    const segment = async (i: number): Promise<void> => {
      const span = spans[i];
      if (!span) return;
      const frames = span.end - span.start;
      const total = frames + XFADE_FRAMES;
      const previous = spans[i - 1];
      const inputs = ['-i', pictures[i]?.path ?? '', ...(previous ? ['-i', pictures[i - 1]?.path ?? ''] : [])];
      // The previous still's last 0.4 s (its move runs on) blends into this one, inside this segment.
      const picture = previous
        ? `${still(1, previous.end - previous.start, XFADE_FRAMES + 1, previous.end - previous.start + XFADE_FRAMES)}[from];${still(0, 0, frames, total)}[to];[from][to]xfade=transition=fade:duration=${XFADE_FRAMES / FPS}:offset=0`
        : still(0, 0, frames, total);
      const graph = `${picture},setpts=N+${span.start},ass=filename=${captions}:fontsdir=${fonts},setpts=PTS-STARTPTS[v]`;
      await runProcess('ffmpeg', [
        '-hide_banner', '-nostdin', '-y', '-v', 'error', ...inputs, '-filter_complex', graph, '-map', '[v]', '-frames:v', String(frames),
        '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '21', '-pix_fmt', 'yuv420p', '-r', String(FPS), '-an', join(dir, `seg-${i}.mp4`),
      ]);
    };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < spans.length) await segment(next++);
    };
    await Promise.all([worker(), worker()]);
    await writeFile(join(dir, 'list.txt'), spans.map((_, i) => `file '${join(dir, `seg-${i}.mp4`)}'`).join('\n'));
    const output = join(dir, 'video.mp4');
    await runProcess('ffmpeg', [
      '-hide_banner', '-nostdin', '-y', '-v', 'error', '-f', 'concat', '-safe', '0', '-i', join(dir, 'list.txt'), '-i', voice,
      '-map', '0:v:0', '-map', '1:a:0', '-c:v', 'copy', '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', output,
    ]);
    const wall = (performance.now() - started) / 1000;
    const cpu = treeCpuSeconds() - cpuStart;
    const peak = memory.stop();
    const probe = await ffprobe(output);
    const result = {
      run, wallSec: Number(wall.toFixed(2)), speed: Number((SECONDS / wall).toFixed(2)), cpuSec: Number(cpu.toFixed(1)),
      peakTreeRssMB: Math.round(peak.peakBytes / 1e6), sizeMB: Number((Number(probe.format.size) / 1e6).toFixed(2)), duration: Number(probe.format.duration), loadBefore: load,
    };
    console.log(JSON.stringify(result));
    const pictureSet = photosDir ? 'six photos' : 'six detailed stills';
    console.log(`| ${new Date().toISOString().slice(0, 10)} | 9:16 1080x1920 | FACTS.md recipe (bench/recipe.ts), ${pictureSet}, 5 xfades, no music | ${load.toFixed(2)} | ${result.wallSec} s | ${result.speed}× | ${result.cpuSec} s | ${result.peakTreeRssMB} MB | ${result.sizeMB} MB |`);
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
