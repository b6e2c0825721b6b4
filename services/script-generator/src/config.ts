import { FacelessError } from '@faceless/runtime';
import { z } from 'zod';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com';

const ScriptEnv = z.object({
  SCRIPT_PROVIDER: z.enum(['offline', 'openai']).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/ }).default(OPENAI_DEFAULT_BASE_URL),
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  OPENAI_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(120_000),
  OPENAI_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
});

export interface ScriptConfig {
  provider: 'offline' | 'openai';
  apiKey?: string;
  baseUrl: string;
  model: string;
  timeoutMs: number;
  attempts: number;
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
    provider: e.SCRIPT_PROVIDER ?? (e.OPENAI_API_KEY ? 'openai' : 'offline'),
    ...(e.OPENAI_API_KEY ? { apiKey: e.OPENAI_API_KEY } : {}),
    baseUrl: e.OPENAI_BASE_URL,
    model: e.OPENAI_MODEL,
    timeoutMs: e.OPENAI_TIMEOUT_MS,
    attempts: e.OPENAI_MAX_ATTEMPTS,
  };
}
