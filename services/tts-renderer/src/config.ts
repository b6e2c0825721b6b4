import { z } from 'zod';
import { FacelessError } from '@faceless/runtime';
import { ELEVENLABS_DEFAULTS } from './providers/elevenlabs.ts';
import { OPENAI_SPEECH_DEFAULTS } from './providers/openai-speech.ts';

export const TtsConfig = z.object({
  /** espeak (offline, default), elevenlabs (the default once ELEVENLABS_API_KEY is set) or openai (only when asked for). */
  TTS_PROVIDER: z.enum(['espeak', 'elevenlabs', 'openai']).optional(),
  ELEVENLABS_API_KEY: z.string().min(1).optional(),
  ELEVENLABS_BASE_URL: z.url({ protocol: /^https?$/ }).default(ELEVENLABS_DEFAULTS.baseUrl),
  ELEVENLABS_MODEL: z.string().min(1).default(ELEVENLABS_DEFAULTS.model),
  /** Voice used when a request names none. */
  ELEVENLABS_VOICE_ID: z.string().min(1).default(ELEVENLABS_DEFAULTS.voice),
  /** OpenAI or any OpenAI-compatible server with /v1/audio/speech. */
  OPENAI_TTS_BASE_URL: z.url({ protocol: /^https?$/ }).default(OPENAI_SPEECH_DEFAULTS.baseUrl),
  /** Falls back to OPENAI_API_KEY; a local compatible server may need none. */
  OPENAI_TTS_API_KEY: z.string().min(1).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_TTS_MODEL: z.string().min(1).default(OPENAI_SPEECH_DEFAULTS.model),
  OPENAI_TTS_VOICE: z.string().min(1).default(OPENAI_SPEECH_DEFAULTS.voice),
  /** Silence between the hook, each section and the call to action (espeak). */
  TTS_SEGMENT_PAUSE_MS: z.coerce.number().int().min(0).max(5000).default(350),
}).superRefine((c, ctx) => {
  if (c.TTS_PROVIDER === 'elevenlabs' && !c.ELEVENLABS_API_KEY) {
    ctx.addIssue({ code: 'custom', path: ['ELEVENLABS_API_KEY'], message: 'TTS_PROVIDER=elevenlabs needs an API key: set ELEVENLABS_API_KEY, or TTS_PROVIDER=espeak to stay offline' });
  }
  if (c.TTS_PROVIDER === 'openai' && !c.OPENAI_TTS_API_KEY && !c.OPENAI_API_KEY && new URL(c.OPENAI_TTS_BASE_URL).hostname === 'api.openai.com') {
    ctx.addIssue({ code: 'custom', path: ['OPENAI_TTS_API_KEY'], message: 'TTS_PROVIDER=openai needs an API key for api.openai.com: set OPENAI_TTS_API_KEY or OPENAI_API_KEY, or point OPENAI_TTS_BASE_URL at a local compatible server' });
  }
});
export type TtsConfig = z.infer<typeof TtsConfig>;

const SECRET_VARIABLES = new Set(['ELEVENLABS_API_KEY', 'OPENAI_TTS_API_KEY', 'OPENAI_API_KEY']);

/** Reads the tts-renderer's variables, naming every bad one at once (never echoing the key). */
export function parseTtsConfig(env: Record<string, string | undefined>): TtsConfig {
  const picked = Object.fromEntries(
    Object.keys(TtsConfig.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  const result = TtsConfig.safeParse(picked);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => {
    const name = String(i.path[0] ?? '');
    const shown = SECRET_VARIABLES.has(name) ? '' : `=${JSON.stringify(picked[name])}`;
    return `${name}${shown}: ${i.message}`;
  });
  throw new FacelessError('INVALID_OPTION', `invalid tts-renderer configuration: ${problems.join('; ')}`, {
    field: String(result.error.issues[0]?.path[0] ?? ''),
  });
}

export type ProviderName = 'espeak' | 'elevenlabs' | 'openai';

/** TTS_PROVIDER when set; otherwise elevenlabs if a key is there, espeak if not. */
export function chooseProvider(config: TtsConfig): ProviderName {
  return config.TTS_PROVIDER ?? (config.ELEVENLABS_API_KEY ? 'elevenlabs' : 'espeak');
}
