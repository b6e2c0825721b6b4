/**
 * How far word timings estimated from audio alone (timing-estimator, used for OpenAI speech) fall
 * from the truth: espeak-ng speaks scripts with its own word events (true timings), the estimator
 * sees only the audio and the words.
 * Run: node --import tsx bench/caption-timing.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Language } from '@faceless/contracts';
import { ffprobe } from '@faceless/runtime';
import { createEspeakProvider } from '../services/tts-renderer/src/providers/espeak.ts';
import { segmentWords } from '../services/tts-renderer/src/script-words.ts';
import { estimateWordTimings } from '../services/tts-renderer/src/timing-estimator.ts';

const SCRIPTS: { name: string; lang: Language; segments: string[] }[] = [
  {
    name: 'en-ocean',
    lang: 'en',
    segments: [
      'Why is the ocean blue? The answer is not the sky.',
      'Water absorbs light. It soaks up the red, orange and yellow parts of sunlight first, and it does so a little more with every metre the light travels. What is left, after a few metres, is mostly blue. That is why a glass of water looks clear, but a deep lake looks dark blue, almost black.',
      'Scientists measured this in 1993, using lasers, pure water and long tubes. They found that the effect is small, but real. Tiny particles, plankton and dissolved matter change the colour too: coastal water looks green, and some bays look brown after a storm.',
      'So the next time someone tells you the sea reflects the sky, smile. The sky helps, on a calm day, but the water itself is blue. Follow for more science in sixty seconds!',
    ],
  },
  {
    name: 'en-sleep',
    lang: 'en',
    segments: [
      'You spend a third of your life asleep. Here is what your brain does all night.',
      'In the first hours, deep sleep washes the brain. Fluid flows between cells and carries away waste, including proteins linked to memory loss. Skip it, and that waste builds up, night after night.',
      'Later, dreams arrive. During this stage, your muscles are switched off, your eyes dart around, and your memories are sorted: what matters is kept, the rest fades. Students who sleep after learning remember more than students who stay up, by as much as twenty percent.',
      'Want better sleep? Keep the room cool, dark and quiet, and go to bed at the same time every day. Subscribe for more!',
    ],
  },
  {
    name: 'fr-ocean',
    lang: 'fr',
    segments: [
      "Pourquoi l'océan est-il bleu ? La réponse n'est pas le ciel.",
      "L'eau absorbe la lumière. Elle avale d'abord le rouge, l'orange et le jaune du soleil, un peu plus à chaque mètre parcouru. Ce qui reste, après quelques mètres, est surtout bleu. Voilà pourquoi un verre d'eau semble transparent, mais un lac profond paraît bleu foncé, presque noir.",
      "Des chercheurs l'ont mesuré en 1993, avec des lasers, de l'eau pure et de longs tubes. L'effet est faible, mais bien réel. Les particules, le plancton et les matières dissoutes changent aussi la couleur : l'eau des côtes paraît verte, et certaines baies deviennent brunes après une tempête.",
      "Alors, la prochaine fois qu'on vous dit que la mer reflète le ciel, souriez. Le ciel aide, par beau temps, mais l'eau elle-même est bleue. Abonnez-vous pour plus de science !",
    ],
  },
];

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

const dir = await mkdtemp(join(tmpdir(), 'caption-timing-'));
const provider = createEspeakProvider();
const allStart: number[] = [];
const allEnd: number[] = [];
const fmt = (x: number): string => `${Math.round(x * 1000)}`;
try {
  console.log('| script | words | audio | start median | start p95 | end median | end p95 |');
  console.log('|---|---|---|---|---|---|---|');
  for (const s of SCRIPTS) {
    const workDir = await mkdtemp(join(dir, `${s.name}-`));
    const voiced = await provider.synthesize({ segments: s.segments, lang: s.lang, speed: 1, workDir, signal: new AbortController().signal });
    const durationSec = Number((await ffprobe(voiced.audioFile)).format.duration);
    const words = segmentWords(s.segments).map((w) => w.text);
    const estimated = await estimateWordTimings({ audioFile: voiced.audioFile, words, durationSec });
    const startErr = voiced.words.map((w, i) => Math.abs(w.start - estimated[i]!.start)).sort((a, b) => a - b);
    const endErr = voiced.words.map((w, i) => Math.abs(w.end - estimated[i]!.end)).sort((a, b) => a - b);
    allStart.push(...startErr);
    allEnd.push(...endErr);
    console.log(`| ${s.name} | ${words.length} | ${durationSec.toFixed(1)} s | ${fmt(percentile(startErr, 50))} ms | ${fmt(percentile(startErr, 95))} ms | ${fmt(percentile(endErr, 50))} ms | ${fmt(percentile(endErr, 95))} ms |`);
  }
  allStart.sort((a, b) => a - b);
  allEnd.sort((a, b) => a - b);
  console.log(`| all | ${allStart.length} | | ${fmt(percentile(allStart, 50))} ms | ${fmt(percentile(allStart, 95))} ms | ${fmt(percentile(allEnd, 50))} ms | ${fmt(percentile(allEnd, 95))} ms |`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
