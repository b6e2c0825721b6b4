import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ffprobe } from '@faceless/runtime';
import { encodeWavMono16, wavHeader } from './wav-header.ts';

test('wavHeader writes a 44-byte RIFF/WAVE PCM header', () => {
  const h = wavHeader({ sampleRate: 22050, channels: 1, bitsPerSample: 16, dataBytes: 1000 });
  assert.equal(h.length, 44);
  assert.equal(h.toString('ascii', 0, 4), 'RIFF');
  assert.equal(h.readUInt32LE(4), 1036);
  assert.equal(h.toString('ascii', 8, 16), 'WAVEfmt ');
  assert.equal(h.readUInt32LE(16), 16);
  assert.equal(h.readUInt16LE(20), 1);
  assert.equal(h.readUInt16LE(22), 1);
  assert.equal(h.readUInt32LE(24), 22050);
  assert.equal(h.readUInt32LE(28), 44100);
  assert.equal(h.readUInt16LE(32), 2);
  assert.equal(h.readUInt16LE(34), 16);
  assert.equal(h.toString('ascii', 36, 40), 'data');
  assert.equal(h.readUInt32LE(40), 1000);
});

test('wavHeader computes byte rate and block align for stereo', () => {
  const h = wavHeader({ sampleRate: 48000, channels: 2, bitsPerSample: 16, dataBytes: 8 });
  assert.equal(h.readUInt32LE(28), 192000);
  assert.equal(h.readUInt16LE(32), 4);
});

test('encodeWavMono16 makes a file ffprobe reads with the right rate and duration', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wav-'));
  try {
    const samples = new Int16Array(11025).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 22050)));
    const bytes = encodeWavMono16(samples, 22050);
    assert.equal(bytes.length, 44 + 22050);
    assert.equal(bytes.readInt16LE(44 + 2 * 5), samples[5]);
    const file = join(dir, 'a.wav');
    await writeFile(file, bytes);
    const probe = await ffprobe(file);
    const stream = probe.streams[0]!;
    assert.equal(stream.codec_name, 'pcm_s16le');
    assert.equal(stream.sample_rate, '22050');
    assert.equal(stream.channels, 1);
    assert.ok(Math.abs(Number(probe.format.duration) - 0.5) < 0.001);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
