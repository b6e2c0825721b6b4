import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WordTiming } from '@faceless/contracts';
import { runProcess, type Logger } from '@faceless/runtime';
import { VOICE_SAMPLE_RATE } from './loudness.ts';
import { applyPauseChanges, findPauses, planPauseChanges, shiftWordTimings } from './pacing.ts';
import type { VoiceProvider, VoiceResult } from './providers/voice-provider.ts';
import { encodeWavMono16 } from './wav-header.ts';

/**
 * How close the stage brings a voice-over to its target before pauses finish the job. A free engine
 * (espeak-ng) is re-rendered at a corrected rate while pauses alone would leave it over 1 % off, or would
 * have to move over 3 % of its length (every pause near its bound sounds rushed or slow, a rate 3 % off
 * does not); a billed one only when pauses would leave it over 4 % off (the length promised is ±5 %), once.
 */
export const PACING = {
  freeTolerance: 0.01,
  freePauseShare: 0.03,
  billedTolerance: 0.04,
  maxRerenders: { free: 2, billed: 1 },
  /** A re-render changes the asked speed by at most this fraction: the script, sized for it, is close. */
  maxSpeedChange: 0.25,
} as const;

export interface PacedVoice extends VoiceResult {
  /** The speed the kept rendering was made at. */
  speed: number;
  durationSec: number;
  rerenders: number;
  /** Seconds of pause added (positive) or taken out (negative). */
  pauseChangeSec: number;
}

/** Raw mono 16-bit PCM at 48 kHz from any audio file ffmpeg reads. */
export function decodePcmArgs(input: string, output: string): string[] {
  return ['-hide_banner', '-nostats', '-y', '-i', input, '-vn', '-ac', '1', '-ar', String(VOICE_SAMPLE_RATE), '-f', 's16le', '-c:a', 'pcm_s16le', output];
}

async function decodePcm(file: string, workDir: string, signal: AbortSignal): Promise<Int16Array> {
  const pcmFile = join(workDir, 'pacing.pcm');
  await runProcess('ffmpeg', decodePcmArgs(file, pcmFile), { signal });
  const bytes = await readFile(pcmFile);
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length - (bytes.length % 2)));
}

/** The next speed to try: in proportion to how long the audio is against its target, within the engine's range and near the asked speed. */
export function correctedSpeed(options: { speed: number; askedSpeed: number; durationSec: number; targetSec: number; range?: { min: number; max: number } }): number {
  const { askedSpeed } = options;
  const wanted = options.speed * (options.durationSec / options.targetSec);
  const lo = Math.max(options.range?.min ?? 0, askedSpeed * (1 - PACING.maxSpeedChange));
  const hi = Math.min(options.range?.max ?? Infinity, askedSpeed * (1 + PACING.maxSpeedChange));
  return Math.round(Math.min(hi, Math.max(lo, wanted)) * 1000) / 1000;
}

/**
 * Brings a voice-over to `targetSec` without padding the end or dropping a word: the pauses between
 * sentences and sections are lengthened or shortened within PAUSE_BOUNDS, and when that cannot absorb
 * the difference the voice is rendered again at a corrected speed (see PACING).
 */
export async function paceToTarget(options: {
  provider: VoiceProvider;
  first: VoiceResult;
  askedSpeed: number;
  targetSec: number;
  resynthesize: (speed: number) => Promise<VoiceResult>;
  workDir: string;
  signal: AbortSignal;
  log: Logger;
}): Promise<PacedVoice> {
  const { provider, targetSec, signal } = options;
  const billed = provider.billed ?? false;
  const tolerance = billed ? PACING.billedTolerance : PACING.freeTolerance;
  const maxRerenders = billed ? PACING.maxRerenders.billed : PACING.maxRerenders.free;
  let voiced = options.first;
  let speed = options.askedSpeed;
  for (let rerenders = 0; ; rerenders++) {
    const samples = await decodePcm(voiced.audioFile, options.workDir, signal);
    const durationSec = samples.length / VOICE_SAMPLE_RATE;
    const pauses = findPauses({ samples, sampleRate: VOICE_SAMPLE_RATE, words: voiced.words });
    const plan = planPauseChanges(pauses, targetSec - durationSec);
    const off = Math.abs(plan.residualSec) / targetSec;
    const pausesMoveTooMuch = !billed && Math.abs(targetSec - durationSec) / targetSec > PACING.freePauseShare;
    if ((off > tolerance || pausesMoveTooMuch) && rerenders < maxRerenders) {
      const next = correctedSpeed({ speed, askedSpeed: options.askedSpeed, durationSec, targetSec, ...(provider.speedRange ? { range: provider.speedRange } : {}) });
      if (Math.abs(next - speed) >= 0.005) {
        options.log.info('voice-over too far from its length for pauses alone; rendering again at another speed', { durationSec, targetSec, speed, next });
        speed = next;
        voiced = await options.resynthesize(speed);
        continue;
      }
    }
    if (off > 0.05) {
      options.log.warn('the voice-over cannot reach the length asked by pauses and speed within their bounds', { durationSec, targetSec, speed, residualSec: plan.residualSec });
    }
    const paced = applyPauseChanges(samples, VOICE_SAMPLE_RATE, plan.changes);
    const audioFile = join(options.workDir, 'voice-paced.wav');
    await writeFile(audioFile, encodeWavMono16(paced, VOICE_SAMPLE_RATE));
    const words: WordTiming[] = shiftWordTimings(voiced.words, plan.changes);
    return {
      audioFile, voice: voiced.voice, words, speed, rerenders,
      durationSec: paced.length / VOICE_SAMPLE_RATE,
      pauseChangeSec: plan.changes.reduce((n, c) => n + c.seconds, 0),
    };
  }
}
