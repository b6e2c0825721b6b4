import { join } from 'node:path';
import { scriptSegments, TtsRenderInput, TtsRenderOutput } from '@faceless/contracts';
import { defineStage, FacelessError, ffprobe } from '@faceless/runtime';
import type { Stage } from '@faceless/runtime';
import { normalizeLoudness } from './loudness.ts';
import { paceToTarget } from './pace-to-target.ts';
import type { VoiceProvider, VoiceResult } from './providers/voice-provider.ts';
import { segmentWords } from './script-words.ts';
import { normalizeWordTimings, segmentTimings } from './word-timing.ts';

export type TtsStage = Stage<typeof TtsRenderInput, typeof TtsRenderOutput>;

export interface TtsStageDeps {
  provider: VoiceProvider;
}

/** Script → loudness-normalised voice-over (48 kHz WAV) with every written word timed. */
export function createTtsStage(deps: TtsStageDeps): TtsStage {
  const { provider } = deps;
  return defineStage({
    name: 'tts-renderer',
    input: TtsRenderInput,
    output: TtsRenderOutput,
    async run(input, ctx) {
      const segments = scriptSegments(input.script);
      const texts = segments.map((s) => s.text);
      const expected = segmentWords(texts);
      if (expected.length === 0) throw new FacelessError('INVALID_INPUT', 'the script has no words to speak: give the hook, sections and call to action some text', { field: 'script' });

      ctx.progress(0.05, `synthesising ${expected.length} words with ${provider.name}`);
      const synthesize = async (speed: number): Promise<VoiceResult> => {
        const started = Date.now();
        const result = await provider.synthesize({
          segments: texts,
          lang: input.lang,
          ...(input.voice ? { voice: input.voice } : {}),
          speed,
          workDir: ctx.workDir,
          signal: ctx.signal,
        });
        const mismatch = result.words.length !== expected.length
          || result.words.some((w, i) => w.text !== expected[i]?.text || w.segment !== expected[i]?.segment);
        if (mismatch) {
          throw new FacelessError('PROVIDER_BAD_RESPONSE', `${provider.name} timed ${result.words.length} words but the script has ${expected.length}: the provider lost track of the script's words`);
        }
        ctx.log.debug('voice synthesised', { provider: provider.name, words: expected.length, speed, ms: Date.now() - started });
        return result;
      };
      let voiced = await synthesize(input.speed);
      if (input.targetDurationSec !== undefined) {
        ctx.progress(0.45, `pacing the voice-over to ${input.targetDurationSec} s`);
        const paced = await paceToTarget({
          provider, first: voiced, askedSpeed: input.speed, targetSec: input.targetDurationSec, resynthesize: synthesize,
          workDir: ctx.workDir, signal: ctx.signal, log: ctx.log,
        });
        ctx.log.info('voice-over paced', { targetSec: input.targetDurationSec, durationSec: paced.durationSec, speed: paced.speed, rerenders: paced.rerenders, pauseChangeSec: Math.round(paced.pauseChangeSec * 100) / 100 });
        voiced = paced;
      }

      ctx.progress(0.6, 'normalising loudness to -14 LUFS');
      const output = join(ctx.workDir, 'voice.wav');
      const { lufs } = await normalizeLoudness({ input: voiced.audioFile, output, signal: ctx.signal });
      const probe = await ffprobe(output, ctx.signal);
      const durationSec = Number(probe.format.duration ?? probe.streams[0]?.duration);
      if (!(durationSec > 0)) throw new FacelessError('MEDIA_FAILED', `the normalised voice ${output} has no duration (ffprobe said "${probe.format.duration}")`);

      const words = normalizeWordTimings(voiced.words, durationSec);
      ctx.progress(0.9, 'storing the voice-over');
      const audioPath = `${input.outputPrefix}voice.wav`;
      await ctx.store.putFile(audioPath, output, 'audio/wav');
      ctx.progress(1, `voice-over ${durationSec.toFixed(1)} s`);
      return {
        provider: provider.name,
        voice: voiced.voice,
        audioPath,
        durationSec,
        ...(lufs !== undefined ? { loudnessLufs: Math.round(lufs * 10) / 10 } : {}),
        words,
        segments: segmentTimings(segments.map((s) => s.heading), words),
      };
    },
  });
}
