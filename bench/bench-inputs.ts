// What bench/render.ts and bench/recipe.ts both render: the same script, the same pictures.
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
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
