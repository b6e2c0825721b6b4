import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ffprobe } from '@faceless/runtime';
import { envelope } from './audio-envelope.ts';
import { alignWordsToEnvelope, alignWordsToIslands, breakAfter, BREAK, estimateWordTimings, parseSilenceDetect, speechIslands, syllableCount, wordWeight } from './timing-estimator.ts';
import { encodeWavMono16 } from './wav-header.ts';

/**
 * Speech-like audio with known word starts. A word is [syllables, consonant sounds]: each syllable
 * is 45 ms of consonant noise per consonant it carries, then a 120 ms vowel (harmonics of 140 Hz
 * under a raised-cosine envelope); words are joined by a 60 ms closure (too short to be a pause),
 * sentences by 400 ms of silence. A word's true start is the middle of the closure before it.
 */
function syntheticSpeech(sentences: readonly (readonly (readonly [number, number])[])[], rate: number): { samples: Int16Array; starts: number[]; durationSec: number } {
  const out: number[] = [];
  const starts: number[] = [];
  let seed = 7;
  const noise = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 1073741824 - 1;
  };
  const push = (sec: number, sample: (i: number, len: number) => number): void => {
    const len = Math.round(sec * rate);
    for (let i = 0; i < len; i++) out.push(Math.round(32767 * sample(i, len)));
  };
  const vowel = (i: number, len: number): number => {
    const env = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / len);
    const t = i / rate;
    return env * 0.25 * (Math.sin(2 * Math.PI * 140 * t) + 0.6 * Math.sin(2 * Math.PI * 280 * t) + 0.3 * Math.sin(2 * Math.PI * 560 * t));
  };
  push(0.2, () => 0);
  for (const [s, words] of sentences.entries()) {
    if (s > 0) push(0.4, () => 0);
    for (const [w, [syllables, consonants]] of words.entries()) {
      if (w > 0) {
        starts.push(out.length / rate + 0.03);
        push(0.06, () => 0.004 * noise());
      } else starts.push(out.length / rate);
      for (let k = 0; k < syllables; k++) {
        const carried = Math.floor(consonants / syllables) + (k < consonants % syllables ? 1 : 0);
        push(0.045 * carried, () => 0.05 * noise());
        push(0.12, vowel);
      }
    }
  }
  push(0.2, () => 0);
  return { samples: Int16Array.from(out), starts, durationSec: out.length / rate };
}

const WORDS = ['The', 'extraordinary', 'cat', 'is', 'remarkably', 'calm.', 'It', 'sleeps', 'all', 'afternoon.'];
const SPOKEN = [
  [[1, 1], [5, 7], [1, 2], [1, 1], [4, 6], [1, 3]],
  [[1, 1], [1, 4], [1, 1], [3, 4]],
] as const;

function maxStartError(spans: readonly { start: number }[], starts: readonly number[]): number {
  return Math.max(...starts.map((t, i) => Math.abs(spans[i]!.start - t)));
}

test('parses silencedetect log lines and ametadata lines; an open silence closes at the end', () => {
  const log = [
    '[silencedetect @ 0x55] silence_start: 0',
    '[silencedetect @ 0x55] silence_end: 0.25 | silence_duration: 0.25',
    '[silencedetect @ 0x55] silence_start: 1.5',
    '[silencedetect @ 0x55] silence_end: 1.9 | silence_duration: 0.4',
    '[silencedetect @ 0x55] silence_start: 3.2',
  ].join('\n');
  assert.deepEqual(parseSilenceDetect(log, 3.5), [{ start: 0, end: 0.25 }, { start: 1.5, end: 1.9 }, { start: 3.2, end: 3.5 }]);
  const meta = 'frame:1 pts:0\nlavfi.silence_start=0.999955\nframe:2\nlavfi.silence_end=1.50007\nlavfi.silence_duration=0.5';
  assert.deepEqual(parseSilenceDetect(meta, 3), [{ start: 0.999955, end: 1.50007 }]);
  assert.deepEqual(speechIslands(parseSilenceDetect(log, 3.5), 3.5), [{ start: 0.25, end: 1.5 }, { start: 1.9, end: 3.2 }]);
});

test('punctuation sets the break strength; longer words weigh more; syllables drop silent endings', () => {
  assert.equal(breakAfter('blue?'), BREAK.sentence);
  assert.equal(breakAfter('déçu.»'), BREAK.sentence);
  assert.equal(breakAfter('red,'), BREAK.clause);
  assert.equal(breakAfter('ocean'), BREAK.none);
  assert.ok(wordWeight('sunlight') > wordWeight('the'));
  assert.ok(wordWeight('1993') > wordWeight('sunlight'));
  // "th" is one sound; a word before a full stop is said longer.
  assert.ok(wordWeight('the') < wordWeight('tan'));
  assert.ok(wordWeight('sky.') > wordWeight('sky'));
  assert.equal(syllableCount('makes', 'en'), 1);
  assert.equal(syllableCount('little', 'en'), 2);
  assert.equal(syllableCount('dansent.', 'fr'), 1);
  assert.equal(syllableCount('ruche', 'fr'), 1);
  assert.equal(syllableCount('ruche', 'es'), 2);
  assert.equal(syllableCount('1980', 'en'), 6);
});

test('word starts snap to the acoustic boundaries of speech-like audio, not to an even spread', () => {
  const rate = 16_000;
  const { samples, starts, durationSec } = syntheticSpeech(SPOKEN, rate);
  const out = alignWordsToEnvelope(WORDS, envelope({ samples, sampleRate: rate }), durationSec, { lang: 'en' });
  assert.equal(out.length, WORDS.length);
  const err = maxStartError(out, starts);
  assert.ok(err < 0.04, `largest start error ${Math.round(err * 1000)} ms`);
  for (const [i, w] of out.entries()) {
    assert.ok(w.end - w.start >= 0.04 - 1e-9 && w.start >= 0 && w.end <= durationSec);
    if (i > 0) assert.ok(w.start >= out[i - 1]!.end - 1e-9);
  }
  // The sentence-final word ends where the pause starts, not inside it.
  assert.ok(Math.abs(out[5]!.end - (starts[6]! - 0.4)) < 0.03, `"calm." ends at ${out[5]!.end}`);
  // The fixture tells estimators apart: spreading each sentence evenly over its speech is far off.
  const even = (from: number, to: number, first: number, count: number): number[] => Array.from({ length: count }, (_, k) => from + ((to - from) * k) / count).map((t, k) => Math.abs(t - starts[first + k]!));
  const sentenceOneEnd = starts[6]! - 0.4;
  const evenErr = Math.max(...even(starts[0]!, sentenceOneEnd, 0, 6), ...even(starts[6]!, durationSec - 0.2, 6, 4));
  assert.ok(evenErr > 0.15, `an even spread is off by ${Math.round(evenErr * 1000)} ms`);
});

test('tokens with nothing to say take no time and sit where the word before ends', () => {
  const rate = 16_000;
  const { samples, starts, durationSec } = syntheticSpeech(SPOKEN, rate);
  const words = ['The', 'extraordinary', 'cat', 'is', 'remarkably', 'calm', '.', 'It', 'sleeps', 'all', 'afternoon', '!'];
  const out = alignWordsToEnvelope(words, envelope({ samples, sampleRate: rate }), durationSec, { lang: 'en' });
  assert.equal(out.length, words.length);
  assert.ok(Math.abs(out[6]!.start - out[5]!.end) < 1e-9 && Math.abs(out[6]!.end - out[6]!.start - 0.04) < 1e-9, `"." spans ${JSON.stringify(out[6])}`);
  const spoken = out.filter((_, i) => i !== 6 && i !== 11);
  const err = maxStartError(spoken, starts);
  assert.ok(err < 0.04, `largest start error ${Math.round(err * 1000)} ms`);
  assert.ok(out[11]!.end <= durationSec && out[11]!.start >= out[10]!.end - 1e-9);
});

test('estimateWordTimings decodes a 24 kHz WAV with ffmpeg and times its words', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'timing-estimator-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const rate = 24_000;
  const { samples, starts } = syntheticSpeech(SPOKEN, rate);
  const file = join(dir, 'speech.wav');
  await writeFile(file, encodeWavMono16(samples, rate));
  const durationSec = Number((await ffprobe(file)).format.duration);
  assert.ok(Math.abs(durationSec - samples.length / rate) < 0.01);
  const out = await estimateWordTimings({ audioFile: file, words: WORDS, durationSec, lang: 'en' });
  const err = maxStartError(out, starts);
  assert.ok(err < 0.04, `largest start error ${Math.round(err * 1000)} ms`);
  assert.ok(out.at(-1)!.end <= durationSec);
  await assert.rejects(estimateWordTimings({ audioFile: join(dir, 'missing.wav'), words: WORDS, durationSec: 1 }), (err: Error & { code?: string }) => err.code === 'MEDIA_FAILED');
});

test('sentence starts land on island starts, even with an extra pause inside a sentence', () => {
  const words = ['Why', 'is', 'the', 'ocean', 'blue?', 'Water', 'absorbs', 'light,', 'mostly', 'red.'];
  // Three islands: sentence one, "Water absorbs light," and "mostly red."
  const islands = [{ start: 0.1, end: 1.1 }, { start: 1.7, end: 2.8 }, { start: 3.0, end: 3.8 }];
  const out = alignWordsToIslands(words, islands, 4);
  assert.equal(out.length, words.length);
  assert.ok(Math.abs(out[0]!.start - 0.1) < 1e-9);
  assert.ok(Math.abs(out[5]!.start - 1.7) < 1e-9, `"Water" starts at ${out[5]!.start}`);
  assert.ok(Math.abs(out[8]!.start - 3.0) < 1e-9, `"mostly" starts at ${out[8]!.start}`);
  assert.ok(Math.abs(out[4]!.end - 1.1) < 1e-9);
  // Not a uniform spread: "the" is shorter than "ocean".
  assert.ok(out[2]!.end - out[2]!.start < out[3]!.end - out[3]!.start);
  for (const [i, w] of out.entries()) {
    assert.ok(w.end - w.start >= 0.04 - 1e-9);
    if (i > 0) assert.ok(w.start >= out[i - 1]!.end - 1e-9);
  }
});

test('no islands or more islands than words still give ordered timings within the duration', () => {
  const none = alignWordsToIslands(['one', 'two', 'three'], [], 2);
  assert.equal(none.length, 3);
  assert.ok(none.at(-1)!.end <= 2 && none[0]!.start >= 0);
  const many = Array.from({ length: 8 }, (_, i) => ({ start: i * 0.5, end: i * 0.5 + 0.3 }));
  const out = alignWordsToIslands(['Hello', 'there.'], many, 4);
  assert.equal(out.length, 2);
  assert.ok(out[0]!.start >= 0 && out[1]!.end <= 4 && out[1]!.start >= out[0]!.end);
});
