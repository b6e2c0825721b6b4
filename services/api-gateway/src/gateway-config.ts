import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { FacelessError } from '@faceless/runtime';
import { defaultKeysFilePath, parseApiKeysEnv, parseApiKeysFile, type ApiKeyRecord } from './api-keys.ts';

const int = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);
const url = (fallback: string) => z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:3001' }).default(fallback);
const flag = z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).default('false').transform((v) => v === 'true' || v === '1');

export const GatewayEnv = z.object({
  PORT: int(3000, 0, 65_535),
  HOST: z.string().min(1).default('0.0.0.0'),
  ORCHESTRATOR_URL: url('http://127.0.0.1:3001'),
  KEYWORD_FETCHER_URL: url('http://127.0.0.1:3002'),
  SCRIPT_GENERATOR_URL: url('http://127.0.0.1:3003'),
  AB_TESTER_URL: url('http://127.0.0.1:3009'),
  UPLOADER_URL: url('http://127.0.0.1:3008'),
  TTS_RENDERER_URL: url('http://127.0.0.1:3004'),
  /** The gateway's address as browsers reach it (behind a TLS proxy): the OAuth redirect URI starts with it. */
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be the http(s) address browsers open, such as https://faceless.example.com' }).optional(),
  API_KEYS: z.string().optional(),
  API_KEYS_FILE: z.string().min(1).optional(),
  AUTH_DISABLED: flag,
  FACELESS_DATA_DIR: z.string().min(1).optional(),
  RATE_LIMIT_PER_MINUTE: int(120, 1, 100_000),
  AUTH_FAILURES_PER_MINUTE: int(10, 1, 10_000),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL such as redis://127.0.0.1:6379' }).optional(),
  BODY_LIMIT_BYTES: int(64 * 1024, 1024, 64 * 1024 * 1024),
  CORS_ORIGINS: z.string().optional(),
  UPSTREAM_TIMEOUT_MS: int(10_000, 100, 600_000),
  SSE_HEARTBEAT_MS: int(15_000, 10, 600_000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export interface GatewayConfig {
  port: number;
  host: string;
  upstreams: { orchestrator: string; keywordFetcher: string; scriptGenerator: string; abTester: string; uploader: string; ttsRenderer: string };
  /** PUBLIC_URL without a trailing slash; absent, the callback URL is built from the request's own Host. */
  publicUrl?: string;
  /** Keys from API_KEYS and, when given, API_KEYS_FILE as read at start. */
  apiKeys: ApiKeyRecord[];
  /** The keys file read again on change: API_KEYS_FILE, else the data folder's api-keys.json that `faceless keys` writes. */
  keysFile: string;
  /** The API_KEYS part of apiKeys: fixed for the process's life. */
  envKeyIds: string[];
  /** Open access with no key (local `faceless serve`); only when AUTH_DISABLED=true. */
  authDisabled: boolean;
  rateLimitPerMinute: number;
  /** Failed key attempts a client address may make in a minute before every keyed request from it waits. */
  authFailuresPerMinute: number;
  /** Rate-limit counters shared by replicas; memory when absent. */
  redisUrl?: string;
  bodyLimitBytes: number;
  /** Allowed CORS origins; empty → no CORS headers at all; ['*'] → any origin. */
  corsOrigins: string[];
  upstreamTimeoutMs: number;
  sseHeartbeatMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/**
 * Reads the gateway's env, listing every bad variable at once. Without any key configured it refuses
 * to start unless AUTH_DISABLED=true.
 */
export function loadGatewayConfig(
  env: Record<string, string | undefined>,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): GatewayConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = GatewayEnv.safeParse(present);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const firstField = parsed.success ? undefined : parsed.error.issues[0]?.path.join('.');

  const apiKeys: ApiKeyRecord[] = [];
  const envKeyIds: string[] = [];
  if (present.API_KEYS) {
    const fromEnv = parseApiKeysEnv(present.API_KEYS);
    apiKeys.push(...fromEnv.records);
    envKeyIds.push(...fromEnv.records.map((r) => r.id));
    problems.push(...fromEnv.problems);
  }
  // API_KEYS_FILE must be readable; the data folder's api-keys.json (what `faceless keys` writes) is read when it exists.
  const keysFile = defaultKeysFilePath(present);
  if (present.API_KEYS_FILE || existsSync(keysFile)) {
    let text: string | undefined;
    try {
      text = readFile(keysFile);
    } catch (err) {
      problems.push(`${present.API_KEYS_FILE ? 'API_KEYS_FILE' : 'keys file'}: cannot read ${keysFile}: ${(err as Error).message}`);
    }
    if (text !== undefined) {
      const fromFile = parseApiKeysFile(text, keysFile);
      apiKeys.push(...fromFile.records);
      problems.push(...fromFile.problems);
    }
  }
  const seen = new Set<string>();
  for (const key of apiKeys) {
    if (seen.has(key.id)) problems.push(`API_KEYS: key id "${key.id}" is configured twice`);
    seen.add(key.id);
  }
  const authDisabled = parsed.success && parsed.data.AUTH_DISABLED;
  if (apiKeys.length === 0 && !authDisabled && !present.API_KEYS && !present.API_KEYS_FILE) {
    problems.push(`API_KEYS: no API key configured: create one with "faceless keys create <name>" (kept in ${keysFile}), set API_KEYS=id:sha256hex[,…] or API_KEYS_FILE, or AUTH_DISABLED=true for open local access`);
  }

  if (!parsed.success || problems.length > 0) {
    throw new FacelessError('INVALID_OPTION', `invalid api-gateway configuration: ${problems.join('; ')}`, {
      field: firstField ?? problems[0]?.split(':')[0],
    });
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    upstreams: { orchestrator: e.ORCHESTRATOR_URL, keywordFetcher: e.KEYWORD_FETCHER_URL, scriptGenerator: e.SCRIPT_GENERATOR_URL, abTester: e.AB_TESTER_URL, uploader: e.UPLOADER_URL, ttsRenderer: e.TTS_RENDERER_URL },
    ...(e.PUBLIC_URL ? { publicUrl: e.PUBLIC_URL.replace(/\/+$/, '') } : {}),
    apiKeys,
    keysFile,
    envKeyIds,
    authDisabled: e.AUTH_DISABLED,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    authFailuresPerMinute: e.AUTH_FAILURES_PER_MINUTE,
    ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}),
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    corsOrigins: (e.CORS_ORIGINS ?? '').split(',').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean),
    upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS,
    sseHeartbeatMs: e.SSE_HEARTBEAT_MS,
    logLevel: e.LOG_LEVEL,
  };
}
