import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { RunnerHooks, StageRecord } from '@faceless/pipeline';
import { runStep } from '@faceless/runtime';
import { formatSeconds, formatWaterfall, sharesOf, timingsRecorder, type StageTiming } from './timings-view.ts';

const TIMINGS: StageTiming[] = [
  { stage: 'keywords', resumed: true },
  { stage: 'script', resumed: true },
  { stage: 'audio', resumed: false, seconds: 4.25, steps: 3, slowest: { name: 'ffmpeg', summary: '- ← voice.wav: -af … -f null', seconds: 1.5, failed: false } },
  { stage: 'video', resumed: false, seconds: 14.2, steps: 6, slowest: { name: 'ffmpeg', summary: 'chunk-003.mp4: -filter_complex … -frames:v 450 -c:v libx264 -preset veryfast -crf 23', seconds: 3.9, failed: false } },
  { stage: 'thumbnail', resumed: false, seconds: 1.05, steps: 0 },
  { stage: 'metadata', resumed: false, seconds: 0.04, steps: 0 },
];

test('shares are whole percentages of the stages that ran and add up to 100', () => {
  assert.deepEqual(sharesOf([1, 1, 1]), [34, 33, 33]);
  assert.deepEqual(sharesOf([4.25, 14.2, 1.05, 0.04]), [22, 73, 5, 0]);
  assert.deepEqual(sharesOf([0, 0]), [0, 0]);
  assert.equal(formatSeconds(0.04), '0.0 s');
  assert.equal(formatSeconds(14.2), '14.2 s');
  assert.equal(formatSeconds(125.4), '2 m 05 s');
});

test('the waterfall: a row per stage, resumed ones marked, shares, bars in run order and the slowest step', () => {
  const text = formatWaterfall(TIMINGS, { width: 120, ansi: false });
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[0], '');
  assert.match(lines[1] ?? '', /^stage\s+wall\s+share\s+slowest step$/);
  assert.match(lines[2] ?? '', /^keywords\s+resumed$/);
  assert.match(lines[3] ?? '', /^script\s+resumed$/);
  assert.match(lines[4] ?? '', /^audio\s+4\.3 s\s+22 %\s+█+\s+ffmpeg 1\.5 s \(- ← voice\.wav: -af … -f null\)$/);
  // The summary is cut to the width, the step's name and time kept.
  assert.match(lines[5] ?? '', /^video\s+14\.2 s\s+73 %\s+█+\s+ffmpeg 3\.9 s \(chunk-003\.mp4: -filter_complex … -frames:v 450 \S*…\)$/);
  assert.equal(lines[5]?.length, 120);
  assert.match(lines[6] ?? '', /^thumbnail\s+1\.1 s\s+5 %\s+\S+\s+–$/);
  assert.match(lines[7] ?? '', /^metadata\s+0\.0 s\s+0 %\s+▏\s+–$/);
  assert.match(lines[8] ?? '', /^total\s+19\.5 s\s+100 %$/);
  // The bars follow one another: each starts where the one before ended, the video's is the longest.
  const bar = (line: string): { from: number; length: number } => {
    const cells = line.slice(line.indexOf('%') + 3);
    const from = cells.search(/[█▏]/);
    return { from, length: /^[█▏]+/.exec(cells.slice(from))?.[0].length ?? 0 };
  };
  const [audio, video, thumbnail] = [bar(lines[4] ?? ''), bar(lines[5] ?? ''), bar(lines[6] ?? '')];
  assert.equal(audio.from, 0);
  assert.equal(video.from, audio.from + audio.length);
  assert.equal(thumbnail.from, video.from + video.length);
  assert.ok(video.length > 3 * audio.length, `video ${video.length} cells, audio ${audio.length}`);
  assert.ok(!text.includes('\x1b['), 'no ANSI codes when not a terminal');
  for (const line of lines) assert.ok(line.length <= 120, line);
});

test('in a narrow terminal no line is wider than it, and the slowest step moves under its stage', () => {
  for (const width of [80, 60, 40]) {
    const lines = formatWaterfall(TIMINGS, { width, ansi: false }).trimEnd().split('\n');
    for (const line of lines) assert.ok(line.length <= width, `${width}: "${line}" is ${line.length} long`);
    assert.ok(lines.some((l) => /ffmpeg 3\.9 s/.test(l)), `${width}: the video's slowest step is shown`);
  }
  const narrow = formatWaterfall(TIMINGS, { width: 40, ansi: false }).split('\n');
  const video = narrow.findIndex((l) => l.startsWith('video'));
  assert.equal(narrow[video + 1], '    ffmpeg 3.9 s (chunk-003.mp4: -filt…)');
  assert.match(narrow[video] ?? '', /^video\s+14\.2 s\s+73 %$/);
  assert.ok(formatWaterfall(TIMINGS, { width: 120, ansi: true }).includes('\x1b[1mstage'), 'a bold header on a terminal');
});

test('the recorder times each stage from its hooks and keeps the slowest step run under each stage\'s call', async () => {
  const recorder = timingsRecorder();
  const seen: string[] = [];
  const next: RunnerHooks = {
    onStageStart: (stage) => { seen.push(`start ${stage}`); },
    onStageSkipped: (stage) => { seen.push(`skip ${stage}`); },
  };
  const hooks = recorder.hooks(next);
  const client = recorder.client({
    call: async (stage) => {
      if (stage === 'video') {
        // Overlapping steps, as the video's chunks render side by side; a failed one counts too.
        // Chunk 2 starts with the others and ends 80 ms after both: it is the slowest, however loaded the machine.
        const chunk1 = runStep('ffmpeg', 'chunk 1', () => sleep(20));
        const chunk3 = runStep('ffmpeg', 'chunk 3', () => sleep(10).then(() => { throw new Error('broken'); })).catch(() => undefined);
        const chunk2 = runStep('ffmpeg', 'chunk 2', () => Promise.all([chunk1, chunk3]).then(() => sleep(80)));
        await Promise.all([chunk1, chunk2, chunk3]);
      }
      await runStep('ffprobe', `${stage} probe`, () => sleep(5));
      return {};
    },
  });
  const record = {} as StageRecord;
  const signal = new AbortController().signal;
  await runStep('ffmpeg', 'before any stage', () => Promise.resolve());
  await recorder.during(async () => {
    hooks.onStageSkipped?.('keywords', record);
    for (const stage of ['audio', 'video'] as const) {
      hooks.onStageStart?.(stage, { resumed: true });
      await client.call(stage, {}, { pipelineId: 'p', signal });
      hooks.onStageDone?.(stage, record);
    }
  });
  await runStep('ffmpeg', 'after the run', () => sleep(100));
  assert.deepEqual(seen, ['skip keywords', 'start audio', 'start video']);
  const [keywords, audio, video] = recorder.timings();
  assert.deepEqual(keywords, { stage: 'keywords', resumed: true });
  assert.ok(audio && !audio.resumed && video && !video.resumed);
  assert.equal(audio.steps, 1);
  assert.equal(audio.slowest?.summary, 'audio probe');
  assert.equal(video.steps, 4);
  assert.equal(video.slowest?.summary, 'chunk 2');
  assert.ok(video.slowest.seconds >= 0.07 && video.seconds >= video.slowest.seconds, `video ${video.seconds} s, slowest ${video.slowest.seconds} s`);
  assert.equal(recorder.timings().length, 3);
});
