import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { Language } from '@faceless/contracts';
import { FacelessError, isFacelessError, parseInput, type StageApp } from '@faceless/runtime';
import { splitWords } from './script-words.ts';
import type { VoiceInfo, VoiceProvider } from './providers/voice-provider.ts';

/** One voice as the dashboard lists it (GET /voices). */
export interface VoiceListing {
  id: string;
  name: string;
  /** The language of the voice that matched the query (e.g. "fr-be" for ?lang=fr), else its first one. */
  lang: string;
  gender?: string;
  provider: string;
}

/** What the sample says when the request gives no text: one short sentence per language. */
export const SAMPLE_TEXTS = {
  en: 'This is how your video will sound.',
  fr: 'Voici comment votre vidéo va sonner.',
  es: 'Así es como sonará tu vídeo.',
  de: 'So wird dein Video klingen.',
  it: 'Ecco come suonerà il tuo video.',
  pt: 'É assim que o seu vídeo vai soar.',
} as const satisfies Record<Language, string>;

/** About five seconds at a normal speaking rate: a sample is a taste, not a render (a paid provider bills it). */
export const SAMPLE_MAX_WORDS = 14;
/** Samples kept in memory, so a second click on Listen answers at once (a WAV sample is ~150 KB). */
const CACHE_ENTRIES = 24;
const SAMPLE_TIMEOUT_MS = 30_000;

export const VoiceListQuery = z.object({ lang: Language.optional() });
export const VoiceSampleBody = z.strictObject({
  voice: z.string().trim().min(1).max(64).optional(),
  lang: Language,
  text: z.string().trim().min(1).max(200).optional(),
});
export type VoiceSampleBody = z.infer<typeof VoiceSampleBody>;

function listing(voice: VoiceInfo, provider: string, lang?: string): VoiceListing {
  const matched = lang ? voice.languages.find((l) => l === lang || l.startsWith(`${lang}-`)) : undefined;
  return {
    id: voice.id, name: voice.name, lang: matched ?? voice.languages[0] ?? lang ?? '', provider,
    ...(voice.gender ? { gender: voice.gender } : {}),
  };
}

/** A voice id as a request may write it: case aside, and without an espeak variant ("en-us+f3" → "en-us"). */
function voiceKey(voice: string): string {
  return (voice.split('+')[0] ?? voice).trim().toLowerCase();
}

/** The voices of one provider and short samples of them, the samples kept in a small LRU. */
export function createVoiceSampler(provider: VoiceProvider) {
  const cache = new Map<string, Buffer>();
  let known: Promise<Set<string>> | undefined;
  const knownVoices = (): Promise<Set<string>> => {
    known ??= provider.listVoices().then(
      (voices) => new Set(voices.flatMap((v) => [voiceKey(v.id), voiceKey(v.name)])),
      (err: unknown) => { known = undefined; throw err; },
    );
    return known;
  };

  async function synthesize(body: VoiceSampleBody, text: string): Promise<Buffer> {
    const workDir = await mkdtemp(join(tmpdir(), 'faceless-voice-sample-'));
    try {
      const result = await provider.synthesize({
        segments: [text], lang: body.lang, speed: 1, workDir, signal: AbortSignal.timeout(SAMPLE_TIMEOUT_MS),
        ...(body.voice ? { voice: body.voice } : {}),
      });
      return await readFile(result.audioFile);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  return {
    async list(lang?: Language): Promise<VoiceListing[]> {
      return (await provider.listVoices(lang)).map((v) => listing(v, provider.name, lang));
    },

    /** A WAV of the sample sentence (or `text`, cut to SAMPLE_MAX_WORDS words) in the voice asked for. */
    async sample(input: unknown): Promise<Buffer> {
      const body = parseInput(VoiceSampleBody, input, 'request body');
      const unknownVoice = (): FacelessError => new FacelessError(
        'INVALID_INPUT',
        `${provider.name} has no voice "${body.voice}": list the voices with GET /api/voices?lang=${body.lang} (or "faceless voices --lang ${body.lang}") and send one of their ids`,
        { field: 'voice' },
      );
      if (body.voice && !(await knownVoices()).has(voiceKey(body.voice))) throw unknownVoice();
      const text = splitWords(body.text ?? SAMPLE_TEXTS[body.lang]).slice(0, SAMPLE_MAX_WORDS).join(' ');
      const key = JSON.stringify([provider.name, body.voice?.toLowerCase() ?? '', body.lang, text]);
      const cached = cache.get(key);
      if (cached) {
        cache.delete(key);
        cache.set(key, cached);
        return cached;
      }
      let audio: Buffer;
      try {
        audio = await synthesize(body, text);
      } catch (err) {
        if (isFacelessError(err) && err.field === 'voice') throw unknownVoice();
        throw err;
      }
      cache.set(key, audio);
      if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value ?? key);
      return audio;
    },
  };
}

/** GET /voices?lang=xx and POST /voices/sample beside the tts stage, for the dashboard's voice choice. */
export function registerVoiceRoutes(app: StageApp, provider: VoiceProvider): void {
  const sampler = createVoiceSampler(provider);
  app.get('/voices', async (request) => {
    const { lang } = parseInput(VoiceListQuery, request.query, 'query');
    return { voices: await sampler.list(lang) };
  });
  app.post('/voices/sample', async (request, reply) => {
    const audio = await sampler.sample(request.body);
    return reply.type('audio/wav').header('cache-control', 'private, max-age=3600').send(audio);
  });
}
