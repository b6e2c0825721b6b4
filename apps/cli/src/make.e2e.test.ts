import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, open, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '@faceless/infra';
import type { PipelineCheckpoint } from '@faceless/pipeline';
import { ffprobe, runProcess } from '@faceless/runtime';
import { startFakeGoogle } from '@faceless/youtube/testing';

const BIN = fileURLToPath(new URL('../bin/faceless.js', import.meta.url));
const temps: string[] = [];
after(async () => { await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true }))); });

async function tempDir(name: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), `faceless-e2e-${name}-`));
  temps.push(d);
  return d;
}

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function runCli(args: string[], env: Record<string, string>, onStart?: (pid: number) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    if (child.pid) onStart?.(child.pid);
  });
}

async function readCheckpoint(outDir: string): Promise<PipelineCheckpoint | undefined> {
  try {
    return JSON.parse(await readFile(join(outDir, 'pipeline.json'), 'utf8')) as PipelineCheckpoint;
  } catch {
    return undefined;
  }
}

/** The order of the top-level MP4 boxes: faststart puts moov before mdat. */
async function topLevelBoxes(path: string): Promise<string[]> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const boxes: string[] = [];
    let at = 0;
    const head = Buffer.alloc(16);
    while (at < size && boxes.length < 20) {
      await fh.read(head, 0, 16, at);
      let len = head.readUInt32BE(0);
      if (len === 1) len = Number(head.readBigUInt64BE(8));
      boxes.push(head.toString('latin1', 4, 8));
      if (len < 8) break;
      at += len;
    }
    return boxes;
  } finally {
    await fh.close();
  }
}

async function assertDeliverables(outDir: string, dataDir: string): Promise<PipelineCheckpoint> {
  const cp = await readCheckpoint(outDir);
  assert.ok(cp, 'pipeline.json is there');
  assert.equal(cp.state, 'Completed');
  const audio = cp.stages.audio?.output as { durationSec: number; words: { text: string }[] };
  const video = cp.stages.video?.output as { videoPath: string };

  const probe = await ffprobe(join(outDir, video.videoPath));
  const v = probe.streams.find((s) => s.codec_type === 'video');
  const a = probe.streams.find((s) => s.codec_type === 'audio');
  assert.equal(v?.codec_name, 'h264');
  assert.equal(v?.profile, 'High');
  assert.equal(v?.pix_fmt, 'yuv420p');
  assert.deepEqual([v?.width, v?.height], [1080, 1920]);
  assert.equal(a?.codec_name, 'aac');
  const duration = Number(probe.format.duration);
  assert.ok(duration >= 20 && duration <= 90, `video lasts ${duration} s`);
  assert.ok(Math.abs(duration - audio.durationSec) <= 1, `video ${duration} s vs narration ${audio.durationSec} s`);
  const boxes = await topLevelBoxes(join(outDir, video.videoPath));
  assert.ok(boxes.indexOf('moov') >= 0 && boxes.indexOf('moov') < boxes.indexOf('mdat'), `boxes ${boxes.join(',')}`);
  // Music under the voice, the finished file at YouTube's loudness, and visuals that change per section.
  const made = cp.stages.video?.output as { music?: { source: string }; visuals: { source: string }[] };
  assert.match(made.music?.source ?? '', /generated/);
  assert.ok(new Set(made.visuals.map((x) => x.source)).size >= 3, 'each section has its own visual');
  const { stderr } = await runProcess('ffmpeg', ['-hide_banner', '-nostats', '-i', join(outDir, video.videoPath), '-map', '0:a', '-af', 'ebur128=peak=true', '-f', 'null', '-']);
  const loudness = stderr.slice(stderr.lastIndexOf('Summary:'));
  const integrated = Number(/I:\s+(-?[\d.]+) LUFS/.exec(loudness)?.[1]);
  const truePeak = Number(/Peak:\s+(-?[\d.]+) dBFS/.exec(loudness)?.[1]);
  assert.ok(Math.abs(integrated + 14) <= 1, `integrated loudness ${integrated} LUFS`);
  assert.ok(truePeak <= -1, `true peak ${truePeak} dBTP`);

  // The captions travel: SubRip and WebVTT beside the video, whose cues read the narration's words in order.
  const files = cp.stages.video?.output as { captionsSrtPath?: string; captionsVttPath?: string };
  assert.deepEqual([files.captionsSrtPath, files.captionsVttPath], ['captions.srt', 'captions.vtt']);
  const spoken = audio.words.map((w) => w.text).join(' ');
  for (const [file, format] of [['captions.srt', 'srt'], ['captions.vtt', 'vtt']] as const) {
    const blocks = (await readFile(join(outDir, file), 'utf8')).trim().split('\n\n');
    if (format === 'vtt') assert.equal(blocks.shift(), 'WEBVTT');
    let last = -1;
    const text = blocks.flatMap((block, i) => {
      const lines = block.split('\n');
      if (format === 'srt') assert.equal(lines.shift(), String(i + 1));
      const m = /^(\d\d):(\d\d):(\d\d)[,.](\d{3}) --> (\d\d):(\d\d):(\d\d)[,.](\d{3})$/.exec(lines.shift() ?? '');
      assert.ok(m, `${file} cue ${i + 1} has a timing line`);
      const [start, end] = [1, 5].map((k) => ((Number(m[k]) * 60 + Number(m[k + 1])) * 60 + Number(m[k + 2])) * 1000 + Number(m[k + 3])) as [number, number];
      assert.ok(start >= last && end > start && end <= duration * 1000 + 50, `${file} cue ${i + 1}: ${start}-${end} ms in order, inside the video`);
      last = end;
      return lines;
    }).join(' ');
    assert.equal(format === 'vtt' ? text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') : text, spoken, `${file} holds the narration's words`);
  }

  const thumbs = cp.stages.thumbnail?.output as { variants: { path: string }[] };
  assert.ok(thumbs.variants.length >= 2);
  for (const t of thumbs.variants) {
    const p = await ffprobe(join(outDir, t.path));
    assert.deepEqual([p.streams[0]?.width, p.streams[0]?.height], [1280, 720]);
    assert.ok((await stat(join(outDir, t.path))).size <= 2 * 1024 * 1024);
  }

  const meta = JSON.parse(await readFile(join(outDir, 'metadata.json'), 'utf8')) as { title: string; description: string; tags: string[] };
  assert.ok(meta.title.length > 0 && [...meta.title].length <= 100);
  assert.ok(Buffer.byteLength(meta.description) <= 5000);

  const record = JSON.parse(await readFile(join(outDir, 'publish-record.json'), 'utf8')) as { videoId: string; title: string; publishAt: string };
  assert.equal(record.title, meta.title);
  assert.ok(!Number.isNaN(Date.parse(record.publishAt)));

  const abtest = cp.stages.abtest?.output as { testId: string };
  const db = await openDatabase({ dataDir: join(dataDir, 'db') });
  try {
    const { rows } = await db.query<{ id: string; video_id: string }>('SELECT id, video_id FROM experiments WHERE pipeline_id = $1', [cp.pipelineId]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.id, abtest.testId);
    assert.equal(rows[0]?.video_id, record.videoId);
    const variants = await db.query<{ thumbnail_key: string | null }>('SELECT thumbnail_key FROM variants WHERE experiment_id = $1', [abtest.testId]);
    assert.equal(variants.rows.length, thumbs.variants.length);
    // Recorded by absolute path, so that "faceless abtest rotate" finds them from any directory.
    for (const { thumbnail_key: key } of variants.rows) {
      assert.ok(key && isAbsolute(key) && key.startsWith(outDir), `thumbnail recorded as ${key}`);
      await access(key);
    }
  } finally {
    await db.close();
  }
  return cp;
}

test('killed while the video renders, the same command resumes without redoing keywords, script or voice', { timeout: 300_000 }, async () => {
  const work = await tempDir('en');
  const outDir = join(work, 'out');
  const env = { FACELESS_DATA_DIR: join(work, 'data'), LOCAL_CHANNEL_DIR: join(work, 'channels'), FACELESS_CACHE_DIR: join(work, 'cache') };
  const args = ['make', 'How octopuses think', '--duration', '40', '--out', outDir];

  let poll: NodeJS.Timeout | undefined;
  const first = await runCli(args, env, (pid) => {
    poll = setInterval(() => {
      void readCheckpoint(outDir).then((cp) => {
        if (cp?.state === 'Video') {
          clearInterval(poll);
          setTimeout(() => { try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ } }, 1500);
        }
      });
    }, 100);
  });
  clearInterval(poll);
  assert.equal(first.signal, 'SIGKILL', `the first run should have been killed, got ${first.code}: ${first.stderr}`);
  const killed = await readCheckpoint(outDir);
  assert.equal(killed?.state, 'Video');
  const before = { keywords: killed?.stages.keywords?.finishedAt, script: killed?.stages.script?.finishedAt, audio: killed?.stages.audio?.finishedAt };
  assert.ok(before.keywords && before.script && before.audio);
  assert.equal(killed?.stages.video, undefined);

  const second = await runCli(args, env);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /Resuming the run/);
  for (const label of ['Keywords', 'Script', 'Voice-over']) assert.match(second.stdout, new RegExp(`✓ \\[\\d/8\\] ${label}\\s+done earlier, kept`));
  assert.match(second.stdout, /video\s+\S*video\.mp4/);
  assert.match(second.stdout, /A\/B test\s+experiment [0-9a-f-]{36} with \d variants/);

  const cp = await assertDeliverables(outDir, env.FACELESS_DATA_DIR);
  assert.deepEqual({ keywords: cp.stages.keywords?.finishedAt, script: cp.stages.script?.finishedAt, audio: cp.stages.audio?.finishedAt }, before);
  assert.equal(cp.runs, 2);
});

test('a French topic keeps its accents in the script, captions, thumbnail and metadata', { timeout: 300_000 }, async () => {
  const work = await tempDir('fr');
  const outDir = join(work, 'out');
  const env = { FACELESS_DATA_DIR: join(work, 'data'), LOCAL_CHANNEL_DIR: join(work, 'channels'), FACELESS_CACHE_DIR: join(work, 'cache') };
  const run = await runCli(['make', 'Pourquoi les éléphants ont peur des abeilles', '--lang', 'fr', '--duration', '30', '--out', outDir], env);
  assert.equal(run.code, 0, run.stderr);
  const cp = await assertDeliverables(outDir, env.FACELESS_DATA_DIR);
  const accented = /[éèêàçùôî]/;
  const words = (cp.stages.audio?.output as { words: { text: string }[] }).words.map((w) => w.text).join(' ');
  assert.match(words, /éléphants/, 'caption words keep the accents of the script');
  const thumbs = cp.stages.thumbnail?.output as { variants: { text: string }[] };
  assert.ok(thumbs.variants.some((t) => /ÉLÉPHANTS/.test(t.text)), thumbs.variants.map((t) => t.text).join(' | '));
  const meta = JSON.parse(await readFile(join(outDir, 'metadata.json'), 'utf8')) as { title: string; description: string };
  assert.match(meta.title, accented);
  assert.match(meta.description, accented);
  const description = await readFile(join(outDir, 'description.txt'), 'utf8');
  assert.equal(description.trimEnd(), meta.description.trimEnd(), 'description.txt is UTF-8 and identical to the metadata');
});

test('bad input stops before any work with one message naming the option', { timeout: 60_000 }, async () => {
  const work = await tempDir('bad');
  const env = { FACELESS_DATA_DIR: join(work, 'data') };
  const cases: [string[], RegExp][] = [
    [['make', ''], /<topic>: topic is empty/],
    [['make', 'x'.repeat(500)], /<topic>: is 500 characters/],
    [['make', 't', '--duration', '0'], /--duration: 0 is out of range/],
    [['make', 't', '--duration', '3h'], /--duration: 3h is out of range/],
    [['make', 't', '--aspect', '4:3'], /--aspect: "4:3" is not supported/],
    [['make', 't', '--lang', 'xx'], /--lang: "xx" is not supported/],
    [['make', 't', '--media-dir', join(work, 'nope')], /--media-dir: .* does not exist/],
    [['make', 't', '--out', '/proc/faceless-test'], /--out: .* cannot be written/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli([...args, '--out', args.includes('--out') ? args[args.indexOf('--out') + 1] ?? '' : join(work, 'out')], env);
    assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
  assert.equal(await readCheckpoint(join(work, 'out')), undefined, 'nothing was started');
});

test('make --publish uploads the finished video to the YouTube channel once, and the A/B test runs on that video', { timeout: 300_000 }, async () => {
  const work = await tempDir('publish');
  const outDir = join(work, 'out');
  const dataDir = join(work, 'data');
  const fake = await startFakeGoogle({ dataDir });
  try {
    await fake.addChannel('science', { defaults: { slots: ['15:00'] } });
    const env = { ...fake.env, LOCAL_CHANNEL_DIR: join(work, 'channels'), FACELESS_CACHE_DIR: join(work, 'cache') };
    const args = ['make', 'Why do cats purr', '--duration', '20', '--out', outDir, '--publish', 'science'];
    const run = await runCli(args, env);
    assert.equal(run.code, 0, run.stderr);

    const cp = await readCheckpoint(outDir);
    const upload = cp?.stages.upload?.output as { target: string; videoId: string; publishAt?: string };
    assert.equal(upload.target, 'youtube');
    const [video, ...more] = fake.youtube.videos;
    assert.equal(more.length, 0, 'one video on the channel');
    assert.equal(video?.id, upload.videoId);
    const file = await readFile(join(outDir, 'video.mp4'));
    assert.equal(video?.sha256, createHash('sha256').update(file).digest('hex'), 'YouTube holds the rendered file');
    const meta = JSON.parse(await readFile(join(outDir, 'metadata.json'), 'utf8')) as { title: string };
    assert.equal(video?.snippet.title, meta.title);
    assert.equal(video?.status.privacyStatus, 'private');
    assert.equal(video?.status.publishAt, upload.publishAt);
    assert.match(upload.publishAt ?? '', /T15:00:00(\.000)?Z$/, 'in the channel\'s own slot');
    assert.ok(video?.thumbnail, 'the thumbnail was set');
    const tracks = fake.youtube.captions.filter((c) => c.videoId === video?.id);
    assert.deepEqual(tracks.map((c) => [c.language, c.body.toString('utf8')]), [['en', await readFile(join(outDir, 'captions.srt'), 'utf8')]], 'one caption track, the SRT beside the video');

    const db = await openDatabase({ dataDir: join(dataDir, 'db') });
    try {
      const { rows } = await db.query<{ video_id: string }>('SELECT video_id FROM experiments WHERE pipeline_id = $1', [cp?.pipelineId]);
      assert.deepEqual(rows.map((r) => r.video_id), [upload.videoId], 'the A/B test runs on the YouTube video');
    } finally {
      await db.close();
    }

    const uploadsBefore = fake.youtube.requests.filter((r) => r.method === 'POST' || r.method === 'PUT').length;
    const again = await runCli(args, env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(fake.youtube.requests.filter((r) => r.method === 'POST' || r.method === 'PUT').length, uploadsBefore, 'the same command again uploads nothing');
    assert.equal(fake.youtube.videos.length, 1);
    assert.equal(fake.youtube.captions.length, 1, 'still one caption track');
  } finally {
    await fake.close();
  }
});
