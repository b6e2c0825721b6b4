import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ffprobe, runProcess } from '@faceless/runtime';
import { mixFilterGraph, mixNarrationOnly, mixNarrationWithMusic, parseEbur128Summaries } from './audio-mix.ts';
import { generateMusicBed } from './generated-music.ts';

let dir: string;
let voice: string;
let tone: string;
const DURATION = 8;
/** The "voice" pauses here. */
const GAP = [3, 5] as const;

async function ffmpeg(...args: string[]): Promise<void> {
  await runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'va-mix-'));
  voice = join(dir, 'voice.wav');
  tone = join(dir, 'tone.mp3');
  // A 3 kHz warble at 24 kHz mono (like a TTS voice) with a 2 s pause; a steady 200 Hz "music" shorter than the voice, so it loops.
  await ffmpeg('-f', 'lavfi', '-i', `aevalsrc='if(between(t,${GAP[0]},${GAP[1]}),0,0.3*sin(2*PI*3000*t)*(0.6+0.4*sin(2*PI*3.5*t)))':s=24000:d=${DURATION}`, '-c:a', 'pcm_s16le', voice);
  await ffmpeg('-f', 'lavfi', '-i', 'sine=f=200:r=44100:d=5', '-ac', '2', '-c:a', 'libmp3lame', tone);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An independent ebur128 measurement of a file. */
async function loudness(path: string): Promise<{ i: number; tp: number }> {
  const { stderr } = await runProcess('ffmpeg', ['-hide_banner', '-nostats', '-i', path, '-af', 'ebur128=peak=true:framelog=verbose', '-f', 'null', '-']);
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  return { i: Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)?.[1]), tp: Number(/Peak:\s+(-?[\d.]+) dBFS/.exec(summary)?.[1]) };
}

/** RMS (dBFS) of a window of the mix around 200 Hz, where only the music plays. */
async function musicBandRms(path: string, from: number, to: number): Promise<number> {
  const { stderr } = await runProcess('ffmpeg', [
    '-hide_banner', '-nostats', '-ss', String(from), '-t', String(to - from), '-i', path,
    '-af', 'bandpass=f=200:width_type=q:w=2,bandpass=f=200:width_type=q:w=2,astats=measure_perchannel=none', '-f', 'null', '-',
  ]);
  return Number(/RMS level dB: (-?[\d.]+)/.exec(stderr)?.[1]);
}

async function assertStereo48k(path: string, durationSec: number): Promise<void> {
  const probe = await ffprobe(path);
  const stream = probe.streams.find((s) => s.codec_type === 'audio');
  assert.equal(stream?.sample_rate, '48000');
  assert.equal(stream?.channels, 2);
  assert.ok(Math.abs(Number(probe.format.duration) - durationSec) < 0.05, `duration ${probe.format.duration}`);
}

test('the mix is −14 ±0.5 LUFS with true peak ≤ −1 dBTP, and the music ducks under the voice', async () => {
  const workDir = await mkdtemp(join(dir, 'tone-'));
  const warnings: string[] = [];
  const result = await mixNarrationWithMusic({
    narrationPath: voice, durationSec: DURATION, music: { path: tone, source: 'tone.mp3' }, workDir,
    signal: AbortSignal.timeout(60_000), warn: (m) => warnings.push(m),
  });
  assert.deepEqual(warnings, []);
  assert.equal(result.music?.source, 'tone.mp3');
  await assertStereo48k(result.audioPath, DURATION);
  const measured = await loudness(result.audioPath);
  assert.ok(Math.abs(measured.i + 14) <= 0.5, `integrated ${measured.i} LUFS`);
  assert.ok(measured.tp <= -1, `true peak ${measured.tp} dBTP`);
  assert.ok(Math.abs(result.loudness.integratedLufs - measured.i) <= 0.2, `reported ${result.loudness.integratedLufs}, measured ${measured.i}`);
  const underSpeech = await musicBandRms(result.audioPath, 1.8, 2.8);
  const inPause = await musicBandRms(result.audioPath, GAP[0] + 0.9, GAP[1] - 0.1);
  assert.ok(inPause - underSpeech >= 6, `music ${underSpeech.toFixed(1)} dBFS under speech vs ${inPause.toFixed(1)} dBFS in the pause: not ducked`);
  assert.ok(inPause > -45, `music in the pause at ${inPause} dBFS: inaudible`);
});

test('with the generated bed the mix meets the loudness target too', async () => {
  const workDir = await mkdtemp(join(dir, 'bed-'));
  const bed = await generateMusicBed({ output: join(workDir, 'bed.wav'), durationSec: DURATION, mood: 'calm', seed: 2 });
  const result = await mixNarrationWithMusic({ narrationPath: voice, durationSec: DURATION, music: bed, workDir, signal: AbortSignal.timeout(60_000), warn: () => {} });
  await assertStereo48k(result.audioPath, DURATION);
  const measured = await loudness(result.audioPath);
  assert.ok(Math.abs(measured.i + 14) <= 0.5 && measured.tp <= -1, `${measured.i} LUFS, ${measured.tp} dBTP`);
});

test('mixNarrationOnly normalises the voice alone to the target, as stereo', async () => {
  const workDir = await mkdtemp(join(dir, 'alone-'));
  const result = await mixNarrationOnly({ narrationPath: voice, durationSec: DURATION, workDir, signal: AbortSignal.timeout(60_000), warn: () => {} });
  assert.equal(result.music, undefined);
  await assertStereo48k(result.audioPath, DURATION);
  const measured = await loudness(result.audioPath);
  assert.ok(Math.abs(measured.i + 14) <= 0.5 && measured.tp <= -1, `${measured.i} LUFS, ${measured.tp} dBTP`);
});

test('parseEbur128Summaries keeps the last summary of each named meter', () => {
  const stderr = [
    '[ebur128@voice @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -70.0 LUFS\n  True peak:\n    Peak:       -inf dBFS',
    '[ebur128@voice @ 0x2] Summary:\n\n  Integrated loudness:\n    I:         -21.8 LUFS\n  True peak:\n    Peak:      -18.1 dBFS',
  ].join('\n');
  assert.deepEqual(parseEbur128Summaries(stderr).get('voice'), { integratedLufs: -21.8, truePeakDbtp: -18.1 });
});

test('the mix graph ducks the bed with the voice as key and sums without amix scaling', () => {
  const graph = mixFilterGraph({ durationSec: 30, voiceGainDb: 1, musicGainDb: -8 });
  assert.match(graph, /\[bed\]\[key\]sidechaincompress=/);
  assert.match(graph, /amix=inputs=2:duration=first:dropout_transition=0:normalize=0/);
  assert.match(graph, /afade=t=out:st=27\.000:d=3\.00/);
  assert.doesNotMatch(mixFilterGraph({ durationSec: 30, voiceGainDb: 1 }), /sidechaincompress|amix/);
});
