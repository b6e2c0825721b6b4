import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ffprobe, runProcess } from '@faceless/runtime';
import { audioEncodeArgs, chunkRenderArgs, concatList, muxArgs, posterRenderArgs, probeVisualArgs, visualInputArgs, x264Args } from './ffmpeg-args.ts';
import { PALETTES } from './providers/generated.ts';

/** The value following a flag (the last occurrence: ffmpeg applies options to the output that follows them). */
function valueOf(args: readonly string[], flag: string, from = 0): string | undefined {
  const i = args.indexOf(flag, from);
  return i < 0 ? undefined : args[i + 1];
}

const encode = { preset: 'veryfast', crf: 21 };

test('x264Args asks for what YouTube recommends: High profile, yuv420p, closed GOP of half the frame rate', () => {
  const args = x264Args(encode, 30);
  assert.equal(valueOf(args, '-c:v'), 'libx264');
  assert.equal(valueOf(args, '-profile:v'), 'high');
  assert.equal(valueOf(args, '-pix_fmt'), 'yuv420p');
  assert.equal(valueOf(args, '-r'), '30');
  assert.equal(valueOf(args, '-g'), '15');
  assert.equal(valueOf(args, '-sc_threshold'), '0');
  assert.equal(valueOf(args, '-flags'), '+cgop');
  assert.equal(valueOf(args, '-preset'), 'veryfast');
  assert.equal(valueOf(args, '-crf'), '21');
  assert.ok(!args.includes('-x264-params'));
  assert.equal(valueOf(x264Args({ ...encode, x264Params: 'subme=1:me=dia' }, 30), '-x264-params'), 'subme=1:me=dia');
});

test('x264Args really encodes H.264 High, yuv420p, a keyframe every 15 frames, closed GOPs', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'va-x264-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = join(dir, 'gop.mp4');
  // Scene cuts every few frames would add keyframes if scene-cut detection were on.
  await runProcess('ffmpeg', [
    '-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=128x96:r=30,hue=H=t*40',
    '-frames:v', '45', ...x264Args(encode, 30), out,
  ]);
  const probe = await ffprobe(out);
  const video = probe.streams.find((s) => s.codec_type === 'video');
  assert.equal(video?.codec_name, 'h264');
  assert.equal(video?.profile, 'High');
  assert.equal(video?.pix_fmt, 'yuv420p');
  const { stdout } = await runProcess('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', out]);
  const keyframes = stdout.trim().split('\n').map((l) => l.split(',')).filter(([, flags]) => flags?.startsWith('K')).map(([time]) => Math.round(Number(time) * 30));
  assert.deepEqual(keyframes, [0, 15, 30]);
  // x264 writes its settings into the stream: closed GOPs, no scene-cut keyframes, keyint 15.
  const settings = (await readFile(out)).toString('latin1');
  assert.match(settings, / open_gop=0 /);
  assert.match(settings, / keyint=15 /);
  assert.match(settings, / scenecut=0 /);
});

test('chunkRenderArgs renders an exact number of silent frames, with progress on stdout and no poster', () => {
  const args = chunkRenderArgs({ inputs: ['-i', 'a.jpg'], graph: 'G', frames: 123, fps: 30, encode, output: '/w/chunk-0001.mp4' });
  assert.equal(valueOf(args, '-progress'), 'pipe:1');
  assert.ok(args.includes('-nostdin') && args.includes('-y') && args.includes('-an'));
  assert.equal(valueOf(args, '-filter_complex'), 'G');
  assert.equal(valueOf(args, '-map'), '[v]');
  assert.equal(valueOf(args, '-frames:v'), '123');
  assert.ok(args.indexOf('-i') < args.indexOf('-filter_complex'));
  assert.equal(args.at(-1), '/w/chunk-0001.mp4');

  assert.ok(!args.includes('[poster]'));
  assert.ok(!args.includes('-threads'), 'x264 chooses its threads unless told');
  const single = chunkRenderArgs({ inputs: ['-i', 'a.jpg'], graph: 'G', frames: 123, fps: 30, encode, output: '/w/c.mp4', x264Threads: 1 });
  assert.equal(valueOf(single, '-threads'), '1');
  assert.ok(single.indexOf('-threads') > single.indexOf('-c:v'), 'an output option, for the encoder');
});

test('posterRenderArgs takes one frame of [poster] and stops', () => {
  const args = posterRenderArgs({ inputs: ['-i', 'a.jpg'], graph: 'P', output: 'p.jpg' });
  assert.equal(valueOf(args, '-filter_complex'), 'P');
  assert.equal(valueOf(args, '-map'), '[poster]');
  assert.equal(valueOf(args, '-frames:v'), '1');
  assert.equal(args.filter((a) => a === '-map').length, 1, 'a single output');
  assert.equal(args.at(-1), 'p.jpg');
});

test('visualInputArgs: nothing to read for a generated background, the file for an image', () => {
  const palette = PALETTES[0];
  assert.ok(palette);
  assert.deepEqual(visualInputArgs({ kind: 'generated', palette, seed: 1, source: 'g' }, { offsetSec: 0, durationSec: 5 }), []);
  assert.deepEqual(visualInputArgs({ kind: 'image', path: '/m/a.jpg', source: 'a.jpg' }, { offsetSec: 3, durationSec: 5 }), ['-i', '/m/a.jpg']);
});

test('visualInputArgs loops a clip shorter than its chunk and continues where the previous chunk stopped', () => {
  const clip = { kind: 'clip', path: '/m/c.mp4', durationSec: 4, source: 'c.mp4' } as const;
  assert.deepEqual(visualInputArgs(clip, { offsetSec: 0, durationSec: 3 }), ['-threads', '2', '-i', '/m/c.mp4']);
  assert.deepEqual(visualInputArgs(clip, { offsetSec: 0, durationSec: 10 }), ['-threads', '2', '-stream_loop', '-1', '-i', '/m/c.mp4']);
  assert.deepEqual(visualInputArgs(clip, { offsetSec: 9, durationSec: 4 }), ['-threads', '2', '-stream_loop', '-1', '-ss', '1.000', '-i', '/m/c.mp4']);
  assert.deepEqual(visualInputArgs(clip, { offsetSec: 1, durationSec: 2 }), ['-threads', '2', '-ss', '1.000', '-i', '/m/c.mp4']);
  // A seek rounded up would skip the frame it lands on (20 frames at 30 fps is 0.6667 s).
  assert.deepEqual(visualInputArgs(clip, { offsetSec: 20 / 30, durationSec: 1 }), ['-threads', '2', '-ss', '0.666', '-i', '/m/c.mp4']);
  assert.deepEqual(visualInputArgs(clip, { offsetSec: 0, durationSec: 3, decoderThreads: 1 }), ['-threads', '1', '-i', '/m/c.mp4']);
});

test('audioEncodeArgs makes AAC-LC 48 kHz stereo at the given bitrate', () => {
  const args = audioEncodeArgs({ input: '/w/mix.wav', output: '/w/audio.m4a', audioBitrate: '160k' });
  assert.deepEqual(args.filter((_, i) => args[i - 1] === '-i'), ['/w/mix.wav']);
  assert.equal(valueOf(args, '-c:a'), 'aac');
  assert.equal(valueOf(args, '-profile:a'), 'aac_low');
  assert.equal(valueOf(args, '-b:a'), '160k');
  assert.equal(valueOf(args, '-ar'), '48000');
  assert.equal(valueOf(args, '-ac'), '2');
  assert.equal(args.at(-1), '/w/audio.m4a');
});

test('muxArgs joins the chunks and the encoded soundtrack without re-encoding either, moov first', () => {
  const args = muxArgs({ concatListPath: '/w/chunks.txt', audioPath: '/w/audio.m4a', output: '/w/video.mp4' });
  assert.equal(valueOf(args, '-f'), 'concat');
  assert.equal(valueOf(args, '-safe'), '0');
  assert.deepEqual(args.filter((_, i) => args[i - 1] === '-i'), ['/w/chunks.txt', '/w/audio.m4a']);
  assert.deepEqual(args.filter((_, i) => args[i - 1] === '-map'), ['0:v:0', '1:a:0']);
  assert.equal(valueOf(args, '-c'), 'copy');
  assert.ok(!args.some((a) => a.startsWith('-c:')), 'nothing is re-encoded');
  assert.equal(valueOf(args, '-movflags'), '+faststart');
  assert.ok(!args.includes('-shortest'), 'the video must cover the whole narration');
  assert.equal(args.at(-1), '/w/video.mp4');
});

test('concatList quotes paths the way the concat demuxer reads them', () => {
  assert.equal(concatList(['/w/a.mp4', "/w/it's.mp4"]), "file '/w/a.mp4'\nfile '/w/it'\\''s.mp4'\n");
});

test('probeVisualArgs decodes the first frame of the first video stream', () => {
  const args = probeVisualArgs('/m/x.jpg');
  assert.equal(valueOf(args, '-select_streams'), 'v:0');
  assert.ok(args.includes('-count_frames'));
  assert.equal(valueOf(args, '-read_intervals'), '%+#1');
  assert.equal(args.at(-1), '/m/x.jpg');
});
