import type { Language, WordTiming } from '@faceless/contracts';

export interface VoiceRequest {
  /** The spoken segments' texts, in the order of scriptSegments(script). */
  segments: readonly string[];
  lang: Language;
  /** A provider-specific voice id; the provider's default for `lang` when absent. */
  voice?: string;
  /** Speaking rate as a factor of the voice's normal speed. */
  speed: number;
  /** Where the provider writes its audio. */
  workDir: string;
  signal: AbortSignal;
}

export interface VoiceResult {
  /** A file in workDir, in any format ffmpeg reads. */
  audioFile: string;
  /** The voice id actually used. */
  voice: string;
  /**
   * One entry per whitespace-separated word of the segments, in order, as written
   * (punctuation attached), timed in seconds from the start of audioFile.
   */
  words: WordTiming[];
}

export interface VoiceInfo {
  /** What to pass as `voice`. */
  id: string;
  name: string;
  languages: string[];
  /** When the provider says (ElevenLabs labels); espeak-ng and OpenAI do not. */
  gender?: string;
}

/**
 * Turns text into speech with per-word timings, so captions can follow the voice word by word.
 * One small interface so the stage runs the same on an offline engine and a paid API.
 */
export interface VoiceProvider {
  readonly name: string;
  /** The speed factors the engine honours; a request outside them is clamped. */
  readonly speedRange?: { min: number; max: number };
  /** Synthesis is paid for: the stage renders again to correct a length only as a last resort. */
  readonly billed?: boolean;
  synthesize(request: VoiceRequest): Promise<VoiceResult>;
  /** Voices, limited to those that speak `lang` (e.g. "fr") when given. */
  listVoices(lang?: string): Promise<VoiceInfo[]>;
}
