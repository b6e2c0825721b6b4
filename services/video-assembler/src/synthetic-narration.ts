import type { ScriptSection, SegmentTiming, WordTiming } from '@faceless/contracts';
import { runProcess } from '@faceless/runtime';

/** A narration for tests and benchmarks: segments of text spoken at an even pace, with word timings. */
export interface SyntheticNarration {
  durationSec: number;
  words: WordTiming[];
  segments: SegmentTiming[];
  sections: ScriptSection[];
}

/**
 * Times each segment's words evenly over its share of `durationSec` (proportional to its word
 * count), with a short pause between segments. Segment 0 is the hook, the last the call to action.
 */
export function syntheticNarration(
  texts: readonly { heading: string; text: string; visualKeywords?: string[] }[],
  durationSec: number,
): SyntheticNarration {
  const pause = 0.3;
  const counts = texts.map((t) => t.text.split(/\s+/).filter(Boolean).length);
  const totalWords = counts.reduce((a, b) => a + b, 0);
  const speaking = durationSec - pause * texts.length;
  const perWord = speaking / Math.max(1, totalWords);
  const words: WordTiming[] = [];
  const segments: SegmentTiming[] = [];
  let t = pause / 2;
  texts.forEach((seg, segment) => {
    const start = t;
    for (const text of seg.text.split(/\s+/).filter(Boolean)) {
      words.push({ text, start: round(t), end: round(t + perWord * 0.85), segment });
      t += perWord;
    }
    segments.push({ heading: seg.heading, start: round(start), end: round(t) });
    t += pause;
  });
  const sections = texts.slice(1, -1).map((s) => ({ heading: s.heading, narration: s.text, visualKeywords: s.visualKeywords ?? [] }));
  return { durationSec, words, segments, sections };
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

/** Writes a WAV of a soft tone (mono 24 kHz, like a TTS voice) lasting `durationSec`. */
export async function writeToneWav(path: string, durationSec: number): Promise<void> {
  await runProcess('ffmpeg', [
    '-hide_banner', '-nostdin', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `sine=frequency=220:sample_rate=24000:duration=${durationSec}`,
    '-af', 'volume=0.3', '-c:a', 'pcm_s16le', path,
  ]);
}
