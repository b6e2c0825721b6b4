// What bench/render.ts and bench/recipe.ts both render: the same script, the same pictures.
import { readFileSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from '@faceless/runtime';

const sentence = 'Octopuses have three hearts, blue blood and a brain that reaches into every one of their eight arms.';
/** Six sections: a hook, four body sections twice as long, a call to action. */
export const texts = [
  { heading: 'Intro', text: sentence },
  ...['Three hearts', 'Blue blood', 'Thinking arms', 'Camouflage'].map((heading) => ({ heading, text: `${sentence} ${sentence}` })),
  { heading: 'Outro', text: 'Follow for more strange animal facts!' },
];

/** Six detailed pictures (fractal + test pattern): fine detail shows any stair-stepping of the motion. */
export async function writeDetailedStills(dir: string): Promise<{ path: string; source: string }[]> {
  const stills: { path: string; source: string }[] = [];
  for (let i = 0; i < texts.length; i++) {
    const path = join(dir, `still-${i}.jpg`);
    await runProcess('ffmpeg', [
      '-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi',
      '-i', `mandelbrot=s=1920x1280:start_scale=${0.3 + 0.2 * i},trim=end_frame=1[a];testsrc2=s=1920x1280,trim=end_frame=1,hue=h=${60 * i}[b];[a][b]blend=all_mode=average`,
      '-frames:v', '1', '-q:v', '2', path,
    ]);
    stills.push({ path, source: `still-${i}.jpg` });
  }
  return stills;
}

/**
 * Six test clips like stock footage, three 1920×1080 and three 3840×2160 (a Pexels search returns
 * both), 12 s at 30 fps, H.264 High: moving fractal, test pattern and cellular automaton with
 * film-grain noise, so that they cost as much to decode and encode as real footage. Made once into
 * `dir` (kept between runs: the 4K ones take minutes).
 */
export async function writeTestClips(dir: string): Promise<{ path: string; source: string; durationSec: number }[]> {
  await mkdir(dir, { recursive: true });
  const seconds = 12;
  const sources = [
    (s: string) => `mandelbrot=s=${s}:r=30:start_scale=2:end_scale=0.05:end_pts=${seconds * 30}`,
    (s: string) => `testsrc2=s=${s}:r=30`,
    (s: string) => `cellauto=s=${s}:r=30:rule=110:random_fill_ratio=0.5:scroll=1,format=yuv420p,hue=h=120:s=3,gblur=sigma=1.5`,
  ];
  const clips: { path: string; source: string; durationSec: number }[] = [];
  for (let i = 0; i < texts.length; i++) {
    const size = i % 2 === 0 ? '1920x1080' : '3840x2160';
    const make = sources[i % sources.length] as (s: string) => string;
    const name = `clip-${i}-${size}.mp4`;
    const path = join(dir, name);
    const exists = await stat(path).then((s) => s.size > 0, () => false);
    if (!exists) {
      await runProcess('ffmpeg', [
        '-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi',
        '-i', `${make(size)},format=yuv420p,noise=alls=6:allf=t,trim=end_frame=${seconds * 30}`,
        // Capped near stock footage's bit rates (Pexels: about 10 Mb/s in HD, 30 Mb/s in 4K).
        '-c:v', 'libx264', '-preset', 'superfast', '-crf', '20', '-maxrate', i % 2 === 0 ? '10M' : '30M', '-bufsize', i % 2 === 0 ? '20M' : '60M',
        '-profile:v', 'high', '-pix_fmt', 'yuv420p', `${path}.part.mp4`,
      ]);
      await runProcess('mv', [`${path}.part.mp4`, path]);
    }
    clips.push({ path, source: name, durationSec: seconds });
  }
  return clips;
}

/** The first six pictures of a folder, in name order (e.g. photographs). */
export async function readPhotos(dir: string): Promise<{ path: string; source: string }[]> {
  const names = (await readdir(dir)).filter((n) => /\.(jpe?g|png|webp)$/i.test(n)).sort().slice(0, texts.length);
  if (names.length < texts.length) throw new Error(`--photos ${dir}: needs ${texts.length} pictures (.jpg, .png, .webp), found ${names.length}`);
  return names.map((name) => ({ path: join(dir, name), source: name }));
}

/** The 1-minute load average, printed beside each result (a busy machine renders slower). */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/** The value after a `--name` argument. */
export function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}
