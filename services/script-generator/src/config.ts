import { voiceEngineOf, type VoiceEngine } from '@faceless/contracts';
import { FacelessError } from '@faceless/runtime';
import { z } from 'zod';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com';
/** Where Ollama and LM Studio listen by default; both serve the OpenAI chat API under /v1. */
export const LOCAL_SERVER_DEFAULTS = { ollama: 'http://127.0.0.1:11434', lmstudio: 'http://127.0.0.1:1234', probeTimeoutMs: 300 } as const;

const ScriptEnv = z.object({
  SCRIPT_PROVIDER: z.enum(['auto', 'offline', 'openai']).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/ }).default(OPENAI_DEFAULT_BASE_URL),
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  OPENAI_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(120_000),
  OPENAI_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  OLLAMA_BASE_URL: z.url({ protocol: /^https?$/ }).default(LOCAL_SERVER_DEFAULTS.ollama),
  LMSTUDIO_BASE_URL: z.url({ protocol: /^https?$/ }).default(LOCAL_SERVER_DEFAULTS.lmstudio),
  LOCAL_LLM_MODEL: z.string().min(1).optional(),
  LOCAL_LLM_PROBE_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(LOCAL_SERVER_DEFAULTS.probeTimeoutMs),
  VOICE_WORDS_PER_MINUTE: z.coerce.number().min(60).max(400).optional(),
});

export interface ScriptConfig {
  /** auto: the chat API when a key is set, else a local server (Ollama, LM Studio) that answers, else the templates. */
  provider: 'auto' | 'offline' | 'openai';
  apiKey?: string;
  baseUrl: string;
  model: string;
  timeoutMs: number;
  attempts: number;
  local: { ollamaUrl: string; lmStudioUrl: string; probeTimeoutMs: number; model?: string };
  /** The voice the same environment chooses, whose pace sizes the script. */
  voiceEngine: VoiceEngine;
  /** A pace that overrides SPEAKING_RATES (a custom voice), in words a minute at speed 1. */
  wordsPerMinute?: number;
}

/** Reads script-generator's variables; an empty value counts as unset. Lists every bad variable at once. */
export function readScriptConfig(env: Record<string, string | undefined>): ScriptConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const r = ScriptEnv.safeParse(present);
  const issues = r.success ? [] : r.error.issues.map((i) => ({ name: String(i.path[0] ?? ''), message: i.message }));
  // Local servers (Ollama, LM Studio) need no key; api.openai.com does.
  const base = (present.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL).replace(/\/+$/, '').replace(/\/v1$/, '');
  if (present.SCRIPT_PROVIDER === 'openai' && !present.OPENAI_API_KEY && base === OPENAI_DEFAULT_BASE_URL) {
    issues.push({ name: 'OPENAI_API_KEY', message: `is required when SCRIPT_PROVIDER=openai with ${OPENAI_DEFAULT_BASE_URL} (set it, point OPENAI_BASE_URL at a local server, or use SCRIPT_PROVIDER=offline)` });
  }
  if (!r.success || issues.length > 0) {
    throw new FacelessError('INVALID_OPTION', `script-generator configuration: ${issues.map((i) => `${i.name} ${i.message}`).join('; ')}`, { field: issues[0]?.name });
  }
  const e = r.data;
  return {
    provider: e.SCRIPT_PROVIDER ?? 'auto',
    ...(e.OPENAI_API_KEY ? { apiKey: e.OPENAI_API_KEY } : {}),
    baseUrl: e.OPENAI_BASE_URL,
    model: e.OPENAI_MODEL,
    timeoutMs: e.OPENAI_TIMEOUT_MS,
    attempts: e.OPENAI_MAX_ATTEMPTS,
    local: {
      ollamaUrl: e.OLLAMA_BASE_URL,
      lmStudioUrl: e.LMSTUDIO_BASE_URL,
      probeTimeoutMs: e.LOCAL_LLM_PROBE_TIMEOUT_MS,
      ...(e.LOCAL_LLM_MODEL ? { model: e.LOCAL_LLM_MODEL } : {}),
    },
    voiceEngine: voiceEngineOf(env),
    ...(e.VOICE_WORDS_PER_MINUTE !== undefined ? { wordsPerMinute: e.VOICE_WORDS_PER_MINUTE } : {}),
  };
}
