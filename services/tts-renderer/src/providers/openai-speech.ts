import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ENGINE_SPEED_RANGES, type WordTiming } from '@faceless/contracts';
import { FacelessError, runProcess, sleep, withRetry } from '@faceless/runtime';
import { createOpenAiClient, openAiApiRoot, openAiFailure, type OpenAiSpeechRequest } from '@faceless/runtime/openai';
import { splitWords } from '../script-words.ts';
import { estimateWordTimings } from '../timing-estimator.ts';
import { wavHeader } from '../wav-header.ts';
import { sentenceRanges } from './espeak-ssml.ts';
import type { VoiceInfo, VoiceProvider, VoiceRequest, VoiceResult } from './voice-provider.ts';

export const OPENAI_SPEECH_DEFAULTS = {
  baseUrl: 'https://api.openai.com',
  model: 'gpt-4o-mini-tts',
  voice: 'alloy',
  /** /v1/audio/speech refuses longer input. */
  maxInputChars: 4096,
} as const;

/** The documented built-in voices; they speak every language the model does. */
export const OPENAI_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse'] as const;

const SPEED_RANGE = ENGINE_SPEED_RANGES.openai;
const PCM_RATE = 24_000;

export function openAiSpeed(speed: number): number {
  return Math.min(SPEED_RANGE.max, Math.max(SPEED_RANGE.min, speed));
}

/** Splits a segment's words into inputs of at most maxChars, at sentence ends (at word ends for a longer sentence). */
export function speechInputs(words: readonly string[], maxChars: number): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let length = 0;
  const push = (w: string): void => {
    const add = (current.length > 0 ? 1 : 0) + w.length;
    if (current.length > 0 && length + add > maxChars) {
      out.push(current);
      current = [];
      length = 0;
    }
    length += (current.length > 0 ? 1 : 0) + w.length;
    current.push(w);
  };
  for (const [from, to] of sentenceRanges(words)) {
    const sentence = words.slice(from, to);
    const sentenceChars = sentence.join(' ').length;
    if (current.length > 0 && length + 1 + sentenceChars > maxChars) {
      out.push(current);
      current = [];
      length = 0;
    }
    sentence.forEach(push);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** True when the bytes start like an audio file ffmpeg reads (WAV, MP3, Ogg, FLAC, AAC/ADTS). */
export function looksLikeAudio(bytes: Uint8Array): boolean {
  const ascii = (from: number, to: number): string => Buffer.from(bytes.subarray(from, to)).toString('latin1');
  if (bytes.length < 12) return false;
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return true;
  if (['ID3', 'Ogg', 'fLa'].includes(ascii(0, 3))) return true;
  return bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0;
}

/** Decodes one response to raw mono 16-bit PCM, whose byte length gives its exact duration. */
export function decodeSpeechArgs(input: string, output: string): string[] {
  return ['-hide_banner', '-nostats', '-y', '-i', input, '-vn', '-ac', '1', '-ar', String(PCM_RATE), '-f', 's16le', '-c:a', 'pcm_s16le', output];
}

export interface OpenAiSpeechOptions {
  /** Empty for a local OpenAI-compatible server that needs none. */
  apiKey: string;
  baseUrl?: string;
  model?: string;
  defaultVoice?: string;
  /** Silence between two segments (hook, sections, call to action). */
  segmentPauseMs?: number;
  maxInputChars?: number;
  /** Attempts per request for 429, 5xx and network failures. */
  attempts?: number;
  retryBaseDelayMs?: number;
  /** Longest Retry-After honoured before the next attempt. */
  maxRetryAfterMs?: number;
  requestTimeoutMs?: number;
}

/**
 * OpenAI-compatible speech (/v1/audio/speech). The API returns audio only, so word timings are
 * estimated from the audio's pauses (timing-estimator), one request at a time.
 */
export function createOpenAiSpeechProvider(options: OpenAiSpeechOptions): VoiceProvider {
  const baseUrl = (options.baseUrl ?? OPENAI_SPEECH_DEFAULTS.baseUrl).replace(/\/+$/, '');
  const model = options.model ?? OPENAI_SPEECH_DEFAULTS.model;
  const pauseMs = options.segmentPauseMs ?? 350;
  const requestTimeoutMs = options.requestTimeoutMs ?? 180_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 10_000;
  const retry = { attempts: options.attempts ?? 4, baseDelayMs: options.retryBaseDelayMs ?? 1000, maxDelayMs: 20_000 };

  const client = createOpenAiClient({ baseUrl, timeoutMs: requestTimeoutMs, ...(options.apiKey ? { apiKey: options.apiKey } : {}) });
  const endpoint = `${openAiApiRoot(baseUrl)}/v1/audio/speech`;

  async function speak(body: OpenAiSpeechRequest, signal: AbortSignal): Promise<Buffer> {
    return withRetry(async (attempt) => {
      let bytes: Buffer;
      let contentType: string | null;
      try {
        // The SDK's timeout ends at the answer's headers for audio: this one covers reading the audio too.
        const res = await client.audio.speech.create(body, { signal: AbortSignal.any([signal, AbortSignal.timeout(requestTimeoutMs)]) });
        contentType = res.headers.get('content-type');
        bytes = Buffer.from(await res.arrayBuffer());
      } catch (err) {
        const failure = openAiFailure(err, {
          api: 'the speech API', endpoint, signal, timeoutMs: requestTimeoutMs, keyVar: 'OPENAI_TTS_API_KEY', baseUrlVar: 'OPENAI_TTS_BASE_URL',
          ...(options.apiKey ? { apiKey: options.apiKey } : {}),
          refused: (status, said) => new FacelessError('INVALID_INPUT', `the speech API refused the request (HTTP ${status}${said}); check OPENAI_TTS_MODEL and the voice`),
        });
        if (failure.retryAfterMs !== undefined && attempt < retry.attempts) await sleep(Math.min(failure.retryAfterMs, maxRetryAfterMs), signal);
        throw failure.error;
      }
      if (!looksLikeAudio(bytes)) {
        throw new FacelessError('PROVIDER_BAD_RESPONSE', `the speech API answered ${contentType ?? 'without a content type'} (${bytes.length} bytes) instead of audio: check OPENAI_TTS_BASE_URL points at an OpenAI-compatible server`);
      }
      return bytes;
    }, { ...retry, signal });
  }

  async function synthesize(request: VoiceRequest): Promise<VoiceResult> {
    const voice = request.voice ?? options.defaultVoice ?? OPENAI_SPEECH_DEFAULTS.voice;
    const pause = Buffer.alloc(Math.round((PCM_RATE * pauseMs) / 1000) * 2);
    const audio: Buffer[] = [];
    const words: WordTiming[] = [];
    let offset = 0;
    let call = 0;
    for (const [segment, text] of request.segments.entries()) {
      const segmentWords = splitWords(text);
      if (segmentWords.length === 0) continue;
      if (audio.length > 0) {
        audio.push(pause);
        offset += pauseMs / 1000;
      }
      for (const input of speechInputs(segmentWords, options.maxInputChars ?? OPENAI_SPEECH_DEFAULTS.maxInputChars)) {
        const n = call++;
        const bytes = await speak({ model, voice, input: input.join(' '), response_format: 'wav', speed: openAiSpeed(request.speed) }, request.signal);
        const file = join(request.workDir, `openai-speech-${n}.wav`);
        const pcmFile = join(request.workDir, `openai-speech-${n}.pcm`);
        await writeFile(file, bytes);
        await runProcess('ffmpeg', decodeSpeechArgs(file, pcmFile), { signal: request.signal }).catch((err: unknown) => {
          if (err instanceof FacelessError && err.code === 'MEDIA_FAILED') {
            throw new FacelessError('PROVIDER_BAD_RESPONSE', `the speech API returned audio that ffmpeg cannot decode (request ${n + 1})`, { cause: err });
          }
          throw err;
        });
        const pcm = await readFile(pcmFile);
        if (pcm.length === 0) throw new FacelessError('PROVIDER_BAD_RESPONSE', `the speech API returned audio with no samples (request ${n + 1})`);
        const durationSec = pcm.length / 2 / PCM_RATE;
        const spans = await estimateWordTimings({ audioFile: file, words: input, durationSec, lang: request.lang, signal: request.signal });
        spans.forEach((s, k) => words.push({ text: input[k]!, segment, start: offset + s.start, end: offset + s.end }));
        offset += durationSec;
        audio.push(pcm);
      }
    }
    if (audio.length === 0) throw new FacelessError('INVALID_INPUT', 'the script has no words to speak: give the hook, sections and call to action some text', { field: 'script' });
    const audioFile = join(request.workDir, 'openai-speech.wav');
    const dataBytes = audio.reduce((n, b) => n + b.length, 0);
    await writeFile(audioFile, Buffer.concat([wavHeader({ sampleRate: PCM_RATE, channels: 1, bitsPerSample: 16, dataBytes }), ...audio]));
    return { audioFile, voice, words };
  }

  return {
    name: 'openai-speech',
    speedRange: SPEED_RANGE,
    billed: true,
    synthesize,
    listVoices: (lang) => Promise.resolve(OPENAI_VOICES.map((id): VoiceInfo => ({ id, name: id[0]!.toUpperCase() + id.slice(1), languages: lang ? [lang] : [] }))),
  };
}
