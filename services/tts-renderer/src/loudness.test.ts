import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ffprobe, runProcess } from '@faceless/runtime';
import {
  conditioningFilter, conditioningGainDb, LOUDNESS_TARGET, loudnormApplyArgs, loudnormMeasureArgs,
  measureLoudness, normalizeLoudness, parseLoudnormStats,
} from './loudness.ts';
import type { LoudnormStats } from './loudness.ts';

const STDERR = `[Parsed_loudnorm_0 @ 0x55] \n{\n\t"input_i" : "-22.92",\n\t"input_tp" : "-3.95",\n\t"input_lra" : "2.90",\n\t"input_thresh" : "-33.16",\n\t"output_i" : "-16.77",\n\t"output_tp" : "-1.50",\n\t"output_lra" : "1.60",\n\t"output_thresh" : "-26.86",\n\t"normalization_type" : "dynamic",\n\t"target_offset" : "2.77"\n}\n`;

test('parseLoudnormStats reads the JSON block loudnorm prints', () => {
  const s = parseLoudnormStats(`size=N/A time=00:00:05.00 {not this}\n${STDERR}`);
  assert.equal(s.input_i, -22.92);
  assert.equal(s.input_tp, -3.95);
  assert.equal(s.input_thresh, -33.16);
  assert.equal(s.output_i, -16.77);
  assert.equal(s.target_offset, 2.77);
  assert.equal(s.normalization_type, 'dynamic');
});

test('parseLoudnormStats turns silence into -Infinity and fails clearly without a block', () => {
  assert.equal(parseLoudnormStats(STDERR.replace('"-22.92"', '"-inf"')).input_i, -Infinity);
  assert.throws(() => parseLoudnormStats('no json here'), { code: 'MEDIA_FAILED' });
});

test('loudnormMeasureArgs measures with the target and discards the output', () => {
  assert.deepEqual(loudnormMeasureArgs('in.wav'), [
    '-hide_banner', '-nostats', '-i', 'in.wav', '-vn', '-af', 'loudnorm=I=-14:TP=-1.5:LRA=11:print_format=json', '-f', 'null', '-',
  ]);
  const args = loudnormMeasureArgs('in.wav', { before: 'volume=3dB' });
  assert.equal(args[args.indexOf('-af') + 1], 'volume=3dB,loudnorm=I=-14:TP=-1.5:LRA=11:print_format=json');
});

test('loudnormApplyArgs passes the measured values, linear=true, and writes 48 kHz mono pcm_s16le', () => {
  const measured = parseLoudnormStats(STDERR) satisfies LoudnormStats;
  const args = loudnormApplyArgs({ input: 'in.wav', output: 'out.wav', measured, before: 'volume=1dB' });
  assert.equal(
    args[args.indexOf('-af') + 1],
    'volume=1dB,loudnorm=I=-14:TP=-1.5:LRA=11:measured_I=-22.92:measured_TP=-3.95:measured_LRA=2.9:measured_thresh=-33.16:offset=2.77:linear=true:print_format=json',
  );
  assert.deepEqual(args.slice(-7), ['-ar', '48000', '-ac', '1', '-c:a', 'pcm_s16le', 'out.wav']);
});

test('conditioningGainDb reaches the target and pushes peaky voices into the limiter, at most 3 dB', () => {
  // PLR 19 dB (espeak-ng): 8.92 dB to the target + 3 dB push.
  assert.equal(conditioningGainDb({ input_i: -22.92, input_tp: -3.95 }), 11.92);
  // PLR 13 dB: half a dB over what a linear loudnorm allows.
  assert.equal(conditioningGainDb({ input_i: -20, input_tp: -7 }), 6.5);
  // PLR 10 dB: no push, and a loud input is turned down.
  assert.equal(conditioningGainDb({ input_i: -10, input_tp: 0 }), -4);
  assert.equal(LOUDNESS_TARGET.integrated, -14);
});

test('conditioningFilter resamples, applies gain and limits below the true-peak target', () => {
  assert.equal(conditioningFilter(6.5), 'aresample=48000,volume=6.5dB,alimiter=limit=0.7499:attack=0.5:release=5:level=false');
});

test('normalizeLoudness brings a quiet, peaky 22 kHz signal to -14 LUFS at 48 kHz', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'loud-'));
  try {
    const input = join(dir, 'in.wav');
    const output = join(dir, 'out.wav');
    // A 6 s pulse train (peak/loudness about like espeak-ng's voice), quiet.
    await runProcess('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', "aevalsrc='0.5*exp(-mod(t,0.008)*900)*sin(2*PI*700*t)':s=22050:d=6", '-c:a', 'pcm_s16le', input]);
    const before = await measureLoudness(input);
    assert.ok(before.input_tp - before.input_i > 12.5, `the fixture should be peaky, PLR ${before.input_tp - before.input_i}`);
    const { lufs } = await normalizeLoudness({ input, output });
    const after = await measureLoudness(output);
    assert.ok(Math.abs(after.input_i + 14) <= 1, `measured ${after.input_i} LUFS`);
    assert.ok(after.input_tp <= -1, `true peak ${after.input_tp}`);
    assert.ok(lufs !== undefined && Math.abs(lufs - after.input_i) < 0.5, `reported ${lufs}, measured ${after.input_i}`);
    const probe = await ffprobe(output);
    assert.equal(probe.streams[0]?.sample_rate, '48000');
    assert.equal(probe.streams[0]?.codec_name, 'pcm_s16le');
    assert.ok(Math.abs(Number(probe.format.duration) - 6) < 0.01);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('normalizeLoudness leaves silence silent and reports no loudness', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'loud-'));
  try {
    const input = join(dir, 'in.wav');
    const output = join(dir, 'out.wav');
    await runProcess('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'anullsrc=r=22050:cl=mono', '-t', '2', '-c:a', 'pcm_s16le', input]);
    assert.deepEqual(await normalizeLoudness({ input, output }), { lufs: undefined });
    const probe = await ffprobe(output);
    assert.equal(probe.streams[0]?.sample_rate, '48000');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
