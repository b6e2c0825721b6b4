// Renders one spec with faceless, Remotion and editly, one after another, and times each from outside:
//   bash bench/peers/setup.sh                       (once: installs the peers into bench/peers/)
//   node --import tsx bench/peers/run.ts [seconds=60] [--only faceless,remotion,editly] [--faceless-x264 A,B] [--remotion-concurrency N] [--no-record] [--keep]
// The spec: the six 1920×1280 pictures of bench-inputs.ts (made with ffmpeg), the words and timings of
// syntheticNarration over bench-inputs' texts, faceless's caption states (lines, lit word, times), a
// slow zoom per picture and a 0.4 s crossfade at each cut, a tone for the voice, 1080×1920 at 30 fps,
// x264 veryfast CRF 21. Each tool runs as a child process; wall time, CPU seconds (user+sys of the
// child and every process it waited for) and the peak summed RSS of its process tree (sampled every
// 50 ms) are measured the same way for all three; the output's duration comes from ffprobe.
// Prints one JSON line and one markdown row per tool, and appends the rows to bench/RESULTS.md.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ffprobe } from '@faceless/runtime';
import { captionEvents, captionLayout, chunkWords, syntheticNarration, writeToneWav } from '@faceless/video-assembler';
import { flag, loadAverage, texts, writeDetailedStills } from '../bench-inputs.ts';
import { treeCpuSeconds, watchProcessTreeMemory } from '../process-tree-memory.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const peersBin = join(here, 'node_modules', '.bin');
const CHROMIUM = '/usr/bin/chromium';
const FPS = 30;
const SIZE = { width: 1080, height: 1920 };
const TRANSITION_FRAMES = 12;
const ZOOM = 0.1;
/** video-assembler's timeline cuts this long before a section's first word (timeline.ts CUT_LEAD_SEC). */
const CUT_LEAD_SEC = 0.1;

const seconds = Number(process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && !['--only', '--remotion-concurrency', '--faceless-x264'].includes(all[i - 1] ?? '')) ?? 60);
const only = (flag('--only') ?? 'faceless,remotion,editly').split(',');
/** x264 options for faceless's rows: the preset's own, and faceless's default. */
const facelessX264 = (flag('--faceless-x264') ?? 'subme=2:me=hex,subme=1:me=dia').split(',');
const remotionConcurrency = flag('--remotion-concurrency') ?? '2';
const record = !process.argv.includes('--no-record');
const keep = process.argv.includes('--keep');

interface Run {
  tool: string;
  version: string;
  command: string;
  wallSec?: number;
  speed?: number;
  cpuSec?: number;
  /** The tree's CPU summed from samples of each process: counts processes the tool never waited for. */
  sampledCpuSec?: number;
  peakTreeRssMB?: number;
  durationSec?: number;
  sizeMB?: number;
  load: number;
  uptime: string;
  error?: string;
}

/** Runs a command as a child, measured from outside; the output's stdout is returned. */
async function measure(tool: string, version: string, cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; output?: () => Promise<string | undefined> } = {}): Promise<Run & { stdout: string }> {
  const load = loadAverage();
  const uptime = (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
  const command = [...Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v ?? ''}`), cmd, ...args].map((a) => (/[\s'"]/.test(a) ? `'${a}'` : a)).join(' ');
  const cpuStart = treeCpuSeconds();
  const started = performance.now();
  const child = spawn(cmd, args, { cwd: options.cwd ?? repo, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const memory = watchProcessTreeMemory(50, child.pid ?? process.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-4000); });
  const code = await new Promise<number | null>((resolve) => {
    child.on('close', resolve);
    child.on('error', (err) => { stderr += String(err); resolve(-1); });
  });
  const wall = (performance.now() - started) / 1000;
  const peak = memory.stop();
  const cpu = treeCpuSeconds() - cpuStart;
  const base: Run & { stdout: string } = {
    tool, version, command, load, uptime, stdout,
    wallSec: Number(wall.toFixed(2)), speed: Number((seconds / wall).toFixed(2)), cpuSec: Number(cpu.toFixed(1)),
    sampledCpuSec: Number(peak.sampledCpuSeconds.toFixed(1)), peakTreeRssMB: Math.round(peak.peakBytes / 1e6),
  };
  if (code !== 0) return { ...base, error: `exit ${code}: ${(stderr || stdout).trim().split('\n').slice(-6).join(' | ')}` };
  const out = await options.output?.();
  if (out) {
    const probe = await ffprobe(out);
    base.durationSec = Number(Number(probe.format.duration).toFixed(2));
    base.sizeMB = Number(((await stat(out)).size / 1e6).toFixed(2));
  }
  return base;
}

async function packageVersion(name: string): Promise<string> {
  try {
    return (JSON.parse(await readFile(join(here, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed (bash bench/peers/setup.sh)';
  }
}

const work = await mkdtemp(join(tmpdir(), 'peers-bench-'));
const runs: Run[] = [];
try {
  const pub = join(work, 'public');
  await mkdir(pub);
  const stills = await writeDetailedStills(pub);
  await writeToneWav(join(pub, 'voice.wav'), seconds);
  const narration = syntheticNarration(texts, seconds);
  const layout = captionLayout('9:16', SIZE);
  const events = captionEvents(chunkWords(narration.words, layout, 'en'), { highlight: true });
  // A picture per section, cut where faceless cuts (just before the section's first word).
  const total = Math.round(seconds * FPS);
  const cuts = [0, ...narration.segments.slice(1).map((s, i) => Math.round(Math.max(narration.segments[i]?.end ?? 0, s.start - CUT_LEAD_SEC) * FPS)), total];
  const pictures = stills.map((s) => basename(s.path));
  const spec = {
    fps: FPS, ...SIZE, pictures, cuts, events, transitionFrames: TRANSITION_FRAMES, zoom: ZOOM,
    fontSize: layout.fontSize, captionBottom: SIZE.height - layout.anchorY, audio: 'voice.wav',
  };
  const specPath = join(work, 'remotion-props.json');
  await writeFile(specPath, JSON.stringify(spec));
  console.error(`spec: ${pictures.length} pictures, ${narration.words.length} words, ${events.length} caption states, ${seconds} s; work dir ${work}`);

  if (only.includes('faceless')) {
    // The stage through bench/render.ts on the same pictures (--photos): x264 veryfast CRF 21 with the
    // preset's own subme/me, then with faceless's default VIDEO_ASSEMBLER_X264_PARAMS.
    for (const params of facelessX264) {
      const r = await measure(`faceless (x264 ${params})`, 'HEAD', process.execPath, ['--import', 'tsx', 'bench/render.ts', String(seconds), '9:16', '--stills', '--photos', pub], {
        env: { VIDEO_ASSEMBLER_X264_PRESET: 'veryfast', VIDEO_ASSEMBLER_CRF: '21', VIDEO_ASSEMBLER_X264_PARAMS: params },
      });
      const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        const out = JSON.parse(line) as { duration: number; sizeMB: number };
        r.durationSec = Number(out.duration.toFixed(2));
        r.sizeMB = out.sizeMB;
      }
      runs.push(r);
      console.log(JSON.stringify({ ...r, stdout: undefined }));
    }
  }

  if (only.includes('remotion')) {
    const out = join(work, 'remotion.mp4');
    const version = await packageVersion('remotion');
    const r = await measure(`Remotion ${version}`, version, join(peersBin, 'remotion'), [
      'render', join(here, 'remotion', 'index.jsx'), 'Bench', out,
      `--props=${specPath}`, `--public-dir=${pub}`, `--browser-executable=${CHROMIUM}`,
      '--codec=h264', '--crf=21', '--x264-preset=veryfast', `--concurrency=${remotionConcurrency}`, '--log=error',
    ], { cwd: here, output: () => Promise.resolve(out) });
    runs.push(r);
    console.log(JSON.stringify({ ...r, stdout: undefined }));
  }

  if (only.includes('editly')) {
    const out = join(work, 'editly.mp4');
    const version = await packageVersion('editly');
    const font = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
    const clips = pictures.map((picture, i) => {
      const from = (cuts[i] ?? 0) / FPS;
      const to = (cuts[i + 1] ?? total) / FPS;
      const last = i === pictures.length - 1;
      // editly overlaps a transition with the end of the outgoing clip: each clip but the last runs
      // 0.4 s longer, so that the next one starts at its cut and the video lasts `seconds`.
      const duration = to - from + (last ? 0 : TRANSITION_FRAMES / FPS);
      const captions = events
        .filter((e) => e.startCs / 100 >= from && e.startCs / 100 < to)
        .map((e) => ({
          type: 'subtitle', text: e.lines.map((l) => l.join(' ')).join('\n'), fontPath: font, textColor: '#ffffff',
          start: e.startCs / 100 - from, stop: Math.min(e.endCs / 100, to) - from,
        }));
      return {
        duration,
        transition: last ? null : { name: 'fade', duration: TRANSITION_FRAMES / FPS },
        layers: [{ type: 'image', path: join(pub, picture), resizeMode: 'cover', zoomDirection: 'in', zoomAmount: ZOOM }, ...captions],
      };
    });
    const editlySpec = {
      outPath: out, width: SIZE.width, height: SIZE.height, fps: FPS, fast: false, allowRemoteRequests: false,
      audioFilePath: join(pub, 'voice.wav'), keepSourceAudio: false, clips,
      // editly's own output arguments with the spec's encoder settings (they replace all of them, audio too).
      customOutputArgs: ['-c:a', 'aac', '-b:a', '128k', '-vf', 'format=yuv420p', '-c:v', 'libx264', '-profile:v', 'high', '-preset:v', 'veryfast', '-crf', '21', '-movflags', 'faststart'],
    };
    const editlyPath = join(work, 'editly.json');
    await writeFile(editlyPath, JSON.stringify(editlySpec, null, 1));
    // headless-gl (editly's transitions) needs an X display: a virtual one, started and stopped with it.
    const r = await measure(`editly ${version}`, version, 'xvfb-run', ['-a', '-s', '-screen 0 1280x1024x24', join(peersBin, 'editly'), '--json', editlyPath], {
      cwd: here, output: () => Promise.resolve(existsSync(out) ? out : undefined),
    });
    runs.push(r);
    console.log(JSON.stringify({ ...r, stdout: undefined }));
  }
} finally {
  if (keep) console.error(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}

const ref = runs.find((r) => r.tool.startsWith('faceless') && !r.error)?.wallSec;
const header = '| tool | load (1/5/15 min) | wall | × real time | CPU waited / sampled | peak tree RSS | output | size | vs faceless (wall) |\n|---|---|---|---|---|---|---|---|---|';
const rows = runs.map((r) => (r.error
  ? `| ${r.tool} | ${r.uptime} | failed | | | | | | \`${r.error.replace(/\|/g, '/').slice(0, 300)}\` |`
  : `| ${r.tool} | ${r.uptime} | ${r.wallSec} s | ${r.speed}× | ${r.cpuSec} s / ${r.sampledCpuSec} s | ${r.peakTreeRssMB} MB | ${r.durationSec} s | ${r.sizeMB} MB | ${ref && r.wallSec ? `${(r.wallSec / ref).toFixed(2)}×` : ''} |`));
const commands = runs.map((r) => `- ${r.tool}: \`${r.command.replaceAll(tmpdir(), '$TMPDIR').replaceAll(`${repo}/`, '')}\``).join('\n');
const block = `\n### ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${seconds} s (\`node --import tsx bench/peers/run.ts ${process.argv.slice(2).join(' ')}\`)\n\n${header}\n${rows.join('\n')}\n\nCommands (temporary paths shortened):\n${commands}\n`;
console.log(block);
if (record) await appendFile(join(repo, 'bench', 'RESULTS.md'), block);
