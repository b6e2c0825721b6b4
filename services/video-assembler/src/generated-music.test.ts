import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ffprobe, runProcess } from '@faceless/runtime';
import { canonicalMood, generateMusicBed, musicBedArgs, planMusicBed } from './generated-music.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'va-bed-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** astats' overall peak and RMS (dBFS) and ebur128's integrated loudness. */
async function levels(path: string): Promise<{ peak: number; rms: number; lufs: number }> {
  const { stderr } = await runProcess('ffmpeg', ['-hide_banner', '-nostats', '-i', path, '-af', 'astats=measure_perchannel=none,ebur128=framelog=verbose', '-f', 'null', '-']);
  const num = (re: RegExp): number => Number(re.exec(stderr)?.[1]);
  return { peak: num(/Peak level dB: (-?[\d.]+)/), rms: num(/RMS level dB: (-?[\d.]+)/), lufs: num(/I:\s+(-?[\d.]+) LUFS\s+Threshold/) };
}

test('canonicalMood maps mood words to the three beds and leaves others out', () => {
  assert.equal(canonicalMood('Chill'), 'calm');
  assert.equal(canonicalMood('epic'), 'dramatic');
  assert.equal(canonicalMood('happy'), 'upbeat');
  assert.equal(canonicalMood('piano 01'), undefined);
});

test('the same seed gives the same bed; the bed is synthesised once per cycle and looped', () => {
  const a = musicBedArgs(planMusicBed({ mood: 'calm', durationSec: 60, seed: 7, output: 'x.wav' }));
  const b = musicBedArgs(planMusicBed({ mood: 'calm', durationSec: 60, seed: 7, output: 'x.wav' }));
  assert.deepEqual(a, b);
  const graph = a[a.indexOf('-i') + 1] ?? '';
  assert.match(graph, /^aevalsrc='.*':s=16000:d=19\.200,aloop=loop=-1:size=307200,/);
  assert.match(graph, /atrim=duration=60\.000/);
});

for (const mood of ['upbeat', 'dramatic'] as const) {
  test(`a ${mood} bed lasts the requested time, is 48 kHz stereo, audible and not clipping`, async () => {
    const output = join(dir, `${mood}.wav`);
    const bed = await generateMusicBed({ output, durationSec: 6, mood, seed: 1 });
    assert.equal(bed.source, `generated:${mood}`);
    const probe = await ffprobe(output);
    const stream = probe.streams.find((s) => s.codec_type === 'audio');
    assert.equal(stream?.sample_rate, '48000');
    assert.equal(stream?.channels, 2);
    assert.ok(Math.abs(Number(probe.format.duration) - 6) < 0.01, `duration ${probe.format.duration}`);
    const l = await levels(output);
    assert.ok(l.rms > -40, `RMS ${l.rms} dBFS: the bed is (nearly) silent`);
    assert.ok(l.peak < -3, `peak ${l.peak} dBFS: the bed is too hot`);
    assert.ok(l.lufs > -35 && l.lufs < -15, `integrated ${l.lufs} LUFS`);
  });
}

test('an unknown mood plays a calm bed and says so', async () => {
  const warnings: string[] = [];
  const bed = await generateMusicBed({ output: join(dir, 'odd.wav'), durationSec: 2, mood: 'bossa nova', warn: (m) => warnings.push(m) });
  assert.equal(bed.mood, 'calm');
  assert.match(warnings.join('\n'), /"bossa nova"/);
  assert.ok(Math.abs(Number((await ffprobe(bed.path)).format.duration) - 2) < 0.01);
});
