import type { StageFactoryOptions } from '@faceless/runtime';
import { chooseProvider, parseTtsConfig } from './config.ts';
import type { TtsConfig } from './config.ts';
import { createElevenLabsProvider } from './providers/elevenlabs.ts';
import { createEspeakProvider } from './providers/espeak.ts';
import { createOpenAiSpeechProvider } from './providers/openai-speech.ts';
import type { VoiceInfo, VoiceProvider } from './providers/voice-provider.ts';
import { createTtsStage } from './stage.ts';
import type { TtsStage } from './stage.ts';

export { createTtsStage } from './stage.ts';
export type { TtsStage, TtsStageDeps } from './stage.ts';
export { parseTtsConfig, chooseProvider, TtsConfig } from './config.ts';
export type { ProviderName } from './config.ts';
export type { VoiceProvider, VoiceRequest, VoiceResult, VoiceInfo } from './providers/voice-provider.ts';
export { createEspeakProvider, checkEspeak, ESPEAK_DEFAULT_VOICES } from './providers/espeak.ts';
export type { EspeakProviderOptions } from './providers/espeak.ts';
export { createElevenLabsProvider, ELEVENLABS_DEFAULTS } from './providers/elevenlabs.ts';
export type { ElevenLabsOptions } from './providers/elevenlabs.ts';
export { createOpenAiSpeechProvider, OPENAI_SPEECH_DEFAULTS, OPENAI_VOICES } from './providers/openai-speech.ts';
export type { OpenAiSpeechOptions } from './providers/openai-speech.ts';
export { estimateWordTimings, alignWordsToIslands, parseSilenceDetect, speechIslands } from './timing-estimator.ts';
export { normalizeLoudness, measureLoudness, LOUDNESS_TARGET, VOICE_SAMPLE_RATE } from './loudness.ts';
export { splitWords, segmentWords } from './script-words.ts';
export { registerVoiceRoutes, createVoiceSampler, SAMPLE_TEXTS } from './voice-sample.ts';
export type { VoiceListing } from './voice-sample.ts';
export { normalizeWordTimings, segmentTimings, MIN_WORD_SEC } from './word-timing.ts';

/** The voice provider the configuration asks for. */
export function createProvider(config: TtsConfig): VoiceProvider {
  const name = chooseProvider(config);
  switch (name) {
    case 'espeak':
      return createEspeakProvider({ segmentPauseMs: config.TTS_SEGMENT_PAUSE_MS });
    case 'elevenlabs':
      return createElevenLabsProvider({
        // chooseProvider only picks elevenlabs with a key, and the config refuses TTS_PROVIDER=elevenlabs without one.
        apiKey: config.ELEVENLABS_API_KEY ?? '',
        baseUrl: config.ELEVENLABS_BASE_URL,
        model: config.ELEVENLABS_MODEL,
        defaultVoice: config.ELEVENLABS_VOICE_ID,
      });
    case 'openai':
      return createOpenAiSpeechProvider({
        apiKey: config.OPENAI_TTS_API_KEY ?? config.OPENAI_API_KEY ?? '',
        baseUrl: config.OPENAI_TTS_BASE_URL,
        model: config.OPENAI_TTS_MODEL,
        defaultVoice: config.OPENAI_TTS_VOICE,
        segmentPauseMs: config.TTS_SEGMENT_PAUSE_MS,
      });
  }
}

/** The tts-renderer stage with the provider the environment chooses (offline espeak-ng by default). */
export function createStage(options: StageFactoryOptions): TtsStage {
  return createTtsStage({ provider: createProvider(parseTtsConfig(options.env)) });
}

/** The voices of the configured provider, limited to `lang` when given. */
export function listVoices(env: Record<string, string | undefined>, lang?: string): Promise<VoiceInfo[]> {
  return createProvider(parseTtsConfig(env)).listVoices(lang);
}
