import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ffprobe } from '@faceless/runtime';
import { DECODE_RATE, envelope, FLOOR_DB, onsetRise, quietRuns, readPcm, speechLevel, syllableNuclei, valleyDepth } from './audio-envelope.ts';
import { concatSamples as concat, encodeWavMono16 } from './wav-header.ts';

/** `sec` seconds of a sine at `amplitude` (full scale 1), at `rate`. */
function sine(sec: number, amplitude: number, rate = DECODE_RATE, hz = 220): Int16Array {
  return Int16Array.from({ length: Math.round(sec * rate) }, (_, i) => Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * hz * i) / rate)));
}

test('frame levels are in dBFS every 10 ms; digital silence sits at the floor', () => {
  const samples = concat([sine(0.3, 0.5), new Int16Array(0.2 * DECODE_RATE), sine(0.3, 0.05)]);
  const { db, lowDb } = envelope({ samples, sampleRate: DECODE_RATE });
  assert.equal(db.length, 80);
  // A sine at amplitude a has power a²/2: 0.5 → −9 dB, 0.05 → −29 dB.
  assert.ok(Math.abs(db[15]! - -9.03) < 0.2, `loud frame ${db[15]}`);
  assert.ok(Math.abs(db[65]! - -29.03) < 0.2, `quiet frame ${db[65]}`);
  assert.equal(db[40], FLOOR_DB);
  // 220 Hz passes the 1 kHz low band almost untouched; 4 kHz does not.
  assert.ok(Math.abs(lowDb[15]! - db[15]!) < 1.5);
  const high = envelope({ samples: sine(0.3, 0.5, DECODE_RATE, 4000), sampleRate: DECODE_RATE });
  assert.ok(high.lowDb[15]! < high.db[15]! - 20, `4 kHz low band ${high.lowDb[15]} vs ${high.db[15]}`);
  assert.equal(speechLevel(db) > -10, true);
  // Silence from 0.30 s to 0.50 s: frames whose 25 ms window holds no tone.
  assert.deepEqual(quietRuns(db, -40, 12), [{ from: 32, to: 49 }]);
  assert.deepEqual(quietRuns(db, -40, 30), []);
});

test('valleys, onsets and syllable nuclei follow the shape of the level', () => {
  // Two bumps peaking at frames 10 and 30 with a dip at frame 20, then a flat stretch.
  const bumps = Float64Array.from({ length: 50 }, (_, t) => (t < 40 ? -32 + 12 * Math.abs(Math.sin((Math.PI * t) / 20)) : -32));
  const valley = valleyDepth(bumps, 8);
  assert.ok(valley[20]! > 10, `dip at 20 is ${valley[20]} dB deep`);
  assert.equal(valley[10], 0);
  const rise = onsetRise(bumps, 8);
  assert.ok(rise[20]! > 10 && rise[12]! === 0);
  const nuclei = syllableNuclei(bumps, 2, -40);
  assert.equal(nuclei[50], 2, 'two bumps, two nuclei');
  assert.equal(nuclei[11]! - nuclei[9]!, 1, 'one at frame 10');
  assert.equal(syllableNuclei(bumps, 2, -15)[50], 0, 'none above a floor they do not reach');
  assert.equal(syllableNuclei(new Float64Array(50).fill(-20), 2, -40)[50], 0, 'a flat level has none');
});

test('readPcm decodes any rate to 16 kHz mono in memory', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'audio-envelope-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'tone.wav');
  await writeFile(file, encodeWavMono16(sine(1.5, 0.5, 24_000), 24_000));
  const probe = await ffprobe(file);
  assert.equal(probe.streams[0]!.sample_rate, '24000');
  const audio = await readPcm(file);
  assert.equal(audio.sampleRate, DECODE_RATE);
  assert.ok(Math.abs(audio.samples.length - 1.5 * DECODE_RATE) <= 32, `${audio.samples.length} samples`);
  const { db } = envelope(audio);
  assert.ok(Math.abs(db[75]! - -9.03) < 0.3, `level after resampling ${db[75]}`);
  await assert.rejects(readPcm(join(dir, 'missing.wav')), (err: Error & { code?: string }) => err.code === 'MEDIA_FAILED');
});
