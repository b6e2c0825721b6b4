// Times a full render: `node --import tsx bench/render.ts [seconds] [aspect]`
// [--media DIR] [--keep] (generated backgrounds, or a media folder, + word captions at the real output size).
// Env: VIDEO_ASSEMBLER_*.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Aspect } from '@faceless/contracts';
import { FolderStore } from '@faceless/infra';
import { createLogger, ffprobe } from '@faceless/runtime';
import { createStage, syntheticNarration, writeToneWav } from '@faceless/video-assembler';

const seconds = Number(process.argv[2] ?? 60);
const aspect = (process.argv[3] ?? '9:16') as Aspect;
const keep = process.argv.includes('--keep');
const mediaFlag = process.argv.indexOf('--media');
const mediaDir = mediaFlag > 0 ? process.argv[mediaFlag + 1] : undefined;
const root = await mkdtemp(join(tmpdir(), 'va-bench-'));
const store = new FolderStore(root);
await writeToneWav(join(root, 'voice.wav'), seconds);
const sentence = 'Octopuses have three hearts, blue blood and a brain that reaches into every one of their eight arms.';
const texts = [
  { heading: 'Intro', text: sentence },
  ...['Three hearts', 'Blue blood', 'Thinking arms', 'Camouflage'].map((heading) => ({ heading, text: `${sentence} ${sentence}` })),
  { heading: 'Outro', text: 'Follow for more strange animal facts!' },
];
const n = syntheticNarration(texts, seconds);
const stage = createStage({ env: process.env });
const started = performance.now();
const cpuStart = process.cpuUsage();
const out = await stage.execute({
  audioPath: 'voice.wav', durationSec: seconds, words: n.words, segments: n.segments, sections: n.sections, aspect,
  ...(mediaDir ? { mediaDir } : {}),
}, {
  store, log: createLogger({ level: 'warn' }), signal: new AbortController().signal, progress: () => {}, workDir: root,
});
const wall = (performance.now() - started) / 1000;
const probe = await ffprobe(join(root, out.videoPath));
console.log(JSON.stringify({
  seconds, aspect, visuals: out.visuals.map((v) => v.kind).join(','), wallSec: Number(wall.toFixed(2)), realtime: Number((seconds / wall).toFixed(2)),
  nodeCpuSec: Number(((process.cpuUsage(cpuStart).user) / 1e6).toFixed(2)),
  sizeMB: Number((Number(probe.format.size) / 1e6).toFixed(2)), duration: probe.format.duration,
  env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('VIDEO_ASSEMBLER_'))),
}));
if (keep) console.log(root);
else await rm(root, { recursive: true, force: true });
