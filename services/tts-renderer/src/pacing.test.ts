import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WordTiming } from '@faceless/contracts';
import { correctedSpeed } from './pace-to-target.ts';
import { applyPauseChanges, findPauses, PAUSE_BOUNDS, planPauseChanges, shiftTime, shiftWordTimings, type Pause } from './pacing.ts';

const RATE = 1000;

/** Audio of 1 kHz "speech" (a square wave) for each word's span, silence elsewhere. */
function speech(words: readonly WordTiming[], totalSec: number): Int16Array {
  const out = new Int16Array(Math.round(totalSec * RATE));
  for (const w of words) for (let i = Math.round(w.start * RATE); i < Math.round(w.end * RATE); i++) out[i] = i % 2 ? 8000 : -8000;
  return out;
}

const word = (text: string, start: number, end: number, segment = 0): WordTiming => ({ text, start, end, segment });

test('pauses are found at sentence ends and section changes, from the audio, not between ordinary words', () => {
  const words = [
    word('Hello', 0, 0.4), word('there.', 0.45, 0.9), // sentence end, 0.4 s quiet
    word('This', 1.3, 1.6), word('is', 1.65, 1.9, 0), word('it.', 1.95, 2.3), // section change after, 0.6 s quiet
    word('Next', 2.9, 3.3, 1), word('part', 3.35, 3.8, 1),
  ];
  // The estimator's end of "there." is late (1.2 s): the quiet run still starts where the audio goes quiet.
  const timed = words.map((w, i) => (i === 1 ? { ...w, end: 1.2 } : w));
  const pauses = findPauses({ samples: speech(words, 4), sampleRate: RATE, words: timed });
  assert.deepEqual(pauses.map((p) => [p.kind, Number(p.start.toFixed(2)), Number(p.end.toFixed(2))]), [['sentence', 0.9, 1.3], ['segment', 2.3, 2.9]]);
});

test('each pause moves the same share of its room toward its bound; what the bounds cannot hold is the residual', () => {
  const pauses: Pause[] = [{ kind: 'sentence', start: 1, end: 1.35 }, { kind: 'segment', start: 3, end: 3.4 }];
  const roomLonger = (PAUSE_BOUNDS.sentence.max - 0.35) + (PAUSE_BOUNDS.segment.max - 0.4);
  const half = planPauseChanges(pauses, roomLonger / 2);
  assert.equal(half.residualSec, 0);
  assert.ok(Math.abs(half.changes[0]!.seconds - (PAUSE_BOUNDS.sentence.max - 0.35) / 2) < 1e-9);
  assert.ok(Math.abs(half.changes[1]!.seconds - (PAUSE_BOUNDS.segment.max - 0.4) / 2) < 1e-9);
  assert.equal(half.changes[1]!.at, 3.2, 'silence goes into the middle of the pause');

  const tooMuch = planPauseChanges(pauses, 5);
  assert.ok(Math.abs(tooMuch.residualSec - (5 - roomLonger)) < 1e-9);

  const shorter = planPauseChanges(pauses, -1);
  const roomShorter = (0.35 - PAUSE_BOUNDS.sentence.min) + (0.4 - PAUSE_BOUNDS.segment.min);
  assert.ok(Math.abs(shorter.residualSec + (1 - roomShorter)) < 1e-9);
  for (const [i, c] of shorter.changes.entries()) {
    const p = pauses[i]!;
    assert.ok(c.seconds < 0 && c.at >= p.start && c.at - c.seconds <= p.end, 'only the middle of the pause is taken out');
  }
});

test('changes are made in the samples and the word timings follow them', () => {
  const words = [word('One.', 0, 0.5), word('Two.', 1, 1.5), word('Three.', 2, 2.5)];
  const samples = speech(words, 2.5);
  const changes = [{ at: 0.75, seconds: 0.3 }, { at: 1.6, seconds: -0.2 }];
  const out = applyPauseChanges(samples, RATE, changes);
  assert.equal(out.length, samples.length + 100);
  const moved = shiftWordTimings(words, changes);
  assert.deepEqual(moved.map((w) => [w.start, w.end].map((t) => Number(t.toFixed(3)))), [[0, 0.5], [1.3, 1.8], [2.1, 2.6]]);
  // The moved words are where the sound is.
  for (const w of moved) assert.notEqual(out[Math.round((w.start + 0.05) * RATE)], 0, `${w.text} at ${w.start}`);
  assert.equal(Number(shiftTime(1.7, changes).toFixed(6)), 1.9, 'a time inside a removed stretch lands at its start (1.6 + the 0.3 inserted before)');
});

test('a corrected speed follows the length, within the engine\'s range and a quarter of the asked speed', () => {
  assert.equal(correctedSpeed({ speed: 1, askedSpeed: 1, durationSec: 66, targetSec: 60 }), 1.1);
  assert.equal(correctedSpeed({ speed: 1, askedSpeed: 1, durationSec: 90, targetSec: 60 }), 1.25);
  assert.equal(correctedSpeed({ speed: 1.1, askedSpeed: 1.1, durationSec: 72, targetSec: 60, range: { min: 0.7, max: 1.2 } }), 1.2);
  assert.equal(correctedSpeed({ speed: 1, askedSpeed: 1, durationSec: 50, targetSec: 60 }), 0.833);
});
