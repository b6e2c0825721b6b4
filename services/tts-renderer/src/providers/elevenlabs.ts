import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ENGINE_SPEED_RANGES, type WordTiming } from '@faceless/contracts';
import { FacelessError, runProcess, withRetry } from '@faceless/runtime';
import { segmentWords } from '../script-words.ts';
import { wavHeader } from '../wav-header.ts';
import { chunkWords, groupCharactersIntoWords } from './elevenlabs-alignment.ts';
import type { VoiceInfo, VoiceProvider, VoiceRequest, VoiceResult } from './voice-provider.ts';

export const ELEVENLABS_DEFAULTS = {
  baseUrl: 'https://api.elevenlabs.io',
  model: 'eleven_multilingual_v2',
  /** "George", a premade voice every account has. */
  voice: 'JBFqnCBsd6RMkjVDRZzb',
  /** Below the ~10,000-character request limit of multilingual v2, leaving room for the context fields. */
  maxChunkChars: 9000,
} as const;

/** Rate the MP3 chunks are decoded at (mp3_44100_128). */
const PCM_RATE = 44_100;

/** Decodes a chunk to raw mono 16-bit PCM, whose byte length gives its exact duration. */
export function decodeToPcmArgs(input: string, output: string): string[] {
  return ['-hide_banner', '-nostats', '-y', '-i', input, '-vn', '-ac', '1', '-ar', String(PCM_RATE), '-f', 's16le', '-c:a', 'pcm_s16le', output];
}

/** ElevenLabs accepts voice_settings.speed only in this range. */
const SPEED_RANGE = ENGINE_SPEED_RANGES.elevenlabs;

export interface ElevenLabsOptions {
  apiKey: string;
  baseUrl?: string;
  model?: string;
  defaultVoice?: string;
  maxChunkChars?: number;
  /** Attempts per request for 429, 5xx and network failures. */
  attempts?: number;
  retryBaseDelayMs?: number;
  /** One request's limit; a 9,000-character chunk takes ElevenLabs well under a minute. */
  requestTimeoutMs?: number;
}

const WithTimestamps = z.object({
  audio_base64: z.string().min(1),
  alignment: z.object({
    characters: z.array(z.string()),
    character_start_times_seconds: z.array(z.number()),
    character_end_times_seconds: z.array(z.number()),
  }),
});

const VoicesResponse = z.object({
  voices: z.array(z.object({
    voice_id: z.string(),
    name: z.string(),
    labels: z.record(z.string(), z.string().nullable()).nullable().optional(),
    verified_languages: z.array(z.object({ language: z.string() })).nullable().optional(),
  })),
});

/** Only these models take language_code; the others reject a request that has it. */
export function acceptsLanguageCode(model: string): boolean {
  return /(turbo|flash)_v2_5|eleven_v3/.test(model);
}

export function elevenLabsSpeed(speed: number): number {
  return Math.min(SPEED_RANGE.max, Math.max(SPEED_RANGE.min, speed));
}

async function describeFailure(res: Response): Promise<string> {
  const body = await res.text().catch(() => '');
  try {
    const parsed = JSON.parse(body) as { detail?: { status?: string; message?: string } | string };
    const d = parsed.detail;
    if (typeof d === 'string') return d.slice(0, 300);
    if (d) return [d.status, d.message].filter(Boolean).join(': ').slice(0, 300);
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 300);
}

/** Maps an ElevenLabs HTTP failure to the error a user can act on. */
export async function elevenLabsError(res: Response, voice: string): Promise<FacelessError> {
  const detail = await describeFailure(res);
  const what = `ElevenLabs answered HTTP ${res.status}${detail ? ` (${detail})` : ''}`;
  if (res.status === 401 || res.status === 403) return new FacelessError('PROVIDER_AUTH', `${what}: check ELEVENLABS_API_KEY and the account's quota`);
  if (res.status === 429) return new FacelessError('PROVIDER_RATE_LIMITED', `${what}: too many requests or concurrent jobs; retry later`, { retryable: true });
  if (res.status >= 500) return new FacelessError('PROVIDER_UNAVAILABLE', `${what}: the service is failing; retry later`, { retryable: true });
  if (res.status === 404) return new FacelessError('INVALID_INPUT', `${what}: no voice "${voice}"; use a voice_id from your ElevenLabs voice library or set ELEVENLABS_VOICE_ID`, { field: 'voice' });
  return new FacelessError('INVALID_INPUT', `${what}: the request was refused`);
}

/** ElevenLabs text-to-speech with character timestamps, grouped into the script's words. */
export function createElevenLabsProvider(options: ElevenLabsOptions): VoiceProvider {
  const baseUrl = (options.baseUrl ?? ELEVENLABS_DEFAULTS.baseUrl).replace(/\/+$/, '');
  const model = options.model ?? ELEVENLABS_DEFAULTS.model;
  const requestTimeoutMs = options.requestTimeoutMs ?? 180_000;
  const retry = { attempts: options.attempts ?? 4, baseDelayMs: options.retryBaseDelayMs ?? 1000, maxDelayMs: 20_000 };

  async function call(url: string, init: RequestInit, voice: string, signal: AbortSignal): Promise<unknown> {
    return withRetry(async () => {
      let res: Response;
      try {
        res = await fetch(url, { ...init, signal: AbortSignal.any([signal, AbortSignal.timeout(requestTimeoutMs)]) });
      } catch (err) {
        if (signal.aborted) throw new FacelessError('CANCELLED', 'the ElevenLabs request was cancelled', { cause: err });
        throw new FacelessError('PROVIDER_UNAVAILABLE', `ElevenLabs at ${baseUrl} could not be reached: ${(err as Error).message}; check ELEVENLABS_BASE_URL and the network`, { retryable: true, cause: err });
      }
      if (!res.ok) throw await elevenLabsError(res, voice);
      try {
        return (await res.json()) as unknown;
      } catch (err) {
        throw new FacelessError('PROVIDER_BAD_RESPONSE', `ElevenLabs sent a body that is not JSON from ${new URL(url).pathname}`, { cause: err });
      }
    }, { ...retry, signal });
  }

  async function synthesize(request: VoiceRequest): Promise<VoiceResult> {
    const voice = request.voice ?? options.defaultVoice ?? ELEVENLABS_DEFAULTS.voice;
    const chunks = chunkWords(segmentWords(request.segments), options.maxChunkChars ?? ELEVENLABS_DEFAULTS.maxChunkChars);
    const url = `${baseUrl}/v1/text-to-speech/${encodeURIComponent(voice)}/with-timestamps?output_format=mp3_44100_128`;
    const audio: Buffer[] = [];
    const words: WordTiming[] = [];
    let offset = 0;
    for (const [i, chunk] of chunks.entries()) {
      const body = {
        text: chunk.text,
        model_id: model,
        voice_settings: { stability: 0.5, similarity_boost: 0.75, style: 0, use_speaker_boost: true, speed: elevenLabsSpeed(request.speed) },
        ...(acceptsLanguageCode(model) ? { language_code: request.lang } : {}),
        ...(i > 0 ? { previous_text: chunks[i - 1]!.text } : {}),
        ...(i < chunks.length - 1 ? { next_text: chunks[i + 1]!.text } : {}),
      };
      const raw = await call(url, {
        method: 'POST',
        headers: { 'xi-api-key': options.apiKey, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      }, voice, request.signal);
      const parsed = WithTimestamps.safeParse(raw);
      if (!parsed.success) throw new FacelessError('PROVIDER_BAD_RESPONSE', `ElevenLabs' with-timestamps answer lacks audio_base64 or alignment: ${parsed.error.issues[0]?.message ?? ''}`);
      const chunkFile = join(request.workDir, `elevenlabs-${i}.mp3`);
      const pcmFile = join(request.workDir, `elevenlabs-${i}.pcm`);
      await writeFile(chunkFile, Buffer.from(parsed.data.audio_base64, 'base64'));
      await runProcess('ffmpeg', decodeToPcmArgs(chunkFile, pcmFile), { signal: request.signal }).catch((err: unknown) => {
        if (err instanceof FacelessError && err.code === 'MEDIA_FAILED') {
          throw new FacelessError('PROVIDER_BAD_RESPONSE', `ElevenLabs returned audio that ffmpeg cannot decode (request ${i + 1} of ${chunks.length})`, { cause: err });
        }
        throw err;
      });
      const pcm = await readFile(pcmFile);
      if (pcm.length === 0) throw new FacelessError('PROVIDER_BAD_RESPONSE', `ElevenLabs returned audio with no samples (request ${i + 1} of ${chunks.length})`);
      const spans = groupCharactersIntoWords(chunk.words.map((w) => w.text), parsed.data.alignment);
      spans.forEach((s, k) => words.push({ ...chunk.words[k]!, start: offset + s.start, end: offset + s.end }));
      offset += pcm.length / 2 / PCM_RATE;
      audio.push(pcm);
    }
    const audioFile = join(request.workDir, 'elevenlabs.wav');
    const dataBytes = audio.reduce((n, b) => n + b.length, 0);
    await writeFile(audioFile, Buffer.concat([wavHeader({ sampleRate: PCM_RATE, channels: 1, bitsPerSample: 16, dataBytes }), ...audio]));
    return { audioFile, voice, words };
  }

  async function listVoices(lang?: string): Promise<VoiceInfo[]> {
    const raw = await call(`${baseUrl}/v1/voices`, { headers: { 'xi-api-key': options.apiKey, accept: 'application/json' } }, '', AbortSignal.timeout(30_000));
    const parsed = VoicesResponse.safeParse(raw);
    if (!parsed.success) throw new FacelessError('PROVIDER_BAD_RESPONSE', 'ElevenLabs /v1/voices answered without a voices list');
    return parsed.data.voices
      .map((v) => {
        const languages = [...new Set([...(v.verified_languages ?? []).map((l) => l.language), ...(v.labels?.language ? [v.labels.language] : [])])];
        return { id: v.voice_id, name: v.name, languages, ...(v.labels?.gender ? { gender: v.labels.gender } : {}) };
      })
      // Voices with no declared language speak every language of the multilingual models.
      .filter((v) => !lang || v.languages.length === 0 || v.languages.some((l) => l === lang || l.startsWith(`${lang}-`)));
  }

  return { name: 'elevenlabs', speedRange: SPEED_RANGE, billed: true, synthesize, listVoices };
}
