import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { SpeechCreateParams } from 'openai/resources/audio/speech';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { FacelessError } from './errors.ts';

/** Request bodies as the SDK types them: chat completions, speech. */
export type OpenAiChatRequest = ChatCompletionCreateParamsNonStreaming;
export type OpenAiSpeechRequest = SpeechCreateParams;

export interface OpenAiClientOptions {
  /** Empty for a local server (Ollama, LM Studio, llama.cpp) that takes no key: no Authorization header is sent. */
  apiKey?: string;
  /** The server's root or its /v1 ("https://api.openai.com", "http://127.0.0.1:11434/v1"). */
  baseUrl: string;
  /** One request, until its answer is read. */
  timeoutMs: number;
}

/** The server's root without a trailing slash or /v1: the SDK's baseURL is this plus /v1. */
export function openAiApiRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/**
 * The openai SDK's client for any OpenAI-compatible server, set up for faceless:
 * - `maxRetries: 0`: the providers keep their own retry loop, because the SDK would also retry a 429
 *   `insufficient_quota` (which waiting never fixes) and would wait out any Retry-After up to a minute
 *   inside one stage run, where faceless hands a long wait back to the orchestrator;
 * - nothing read from the environment: the SDK would otherwise take OPENAI_BASE_URL, OPENAI_ORG_ID,
 *   OPENAI_PROJECT_ID and OPENAI_ADMIN_KEY from it and send them to whatever server the config names;
 * - its own logger off (`logLevel: 'off'`): faceless logs through pino with redaction, one format.
 */
export function createOpenAiClient(options: OpenAiClientOptions): OpenAI {
  return new OpenAI({
    // The SDK refuses to start without a key; a local server gets none (the header is removed below).
    apiKey: options.apiKey || 'no-key',
    ...(options.apiKey ? {} : { defaultHeaders: { Authorization: null } }),
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    baseURL: `${openAiApiRoot(options.baseUrl)}/v1`,
    timeout: options.timeoutMs,
    maxRetries: 0,
    logLevel: 'off',
  });
}

/** Retry-After in seconds or as an HTTP date, or OpenAI's retry-after-ms; undefined when absent. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.has('retry-after-ms') && Number.isFinite(ms)) return Math.max(0, ms);
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** Key-like words (sk-…, key_…) and the key itself, out of a server's message. */
export function redactApiKey(text: string, apiKey: string | undefined): string {
  const masked = text.replace(/\b(sk|key|api)[-_][\w*.-]{6,}/gi, '[redacted]');
  return apiKey ? masked.split(apiKey).join('[redacted]') : masked;
}

export interface OpenAiErrorContext {
  /** How messages name the API: "the chat API", "the speech API". */
  api: string;
  /** The endpoint's URL, for "could not reach". */
  endpoint: string;
  apiKey?: string;
  /** The caller's cancel signal: when it fired, the failure is CANCELLED. */
  signal: AbortSignal;
  timeoutMs: number;
  /** The variables a person fixes: the key, the base URL. */
  keyVar: string;
  baseUrlVar: string;
  /** Any other HTTP status (400, 404, 422…): the request itself was refused. */
  refused: (status: number, said: string) => FacelessError;
}

/** The server's error message (OpenAI's `{error: {message}}`, else the body's text), key-like words removed. */
function serverSaid(err: APIError, apiKey: string | undefined): string {
  const inner = err.error as { message?: unknown } | undefined;
  const message = typeof inner?.message === 'string' ? inner.message
    : inner === undefined ? err.message.replace(/^\d{3} /, '').replace(/^status code \(no body\)$/, '') : '';
  return message ? `: ${redactApiKey(message.slice(0, 300), apiKey)}` : '';
}

/**
 * An openai SDK failure as the FacelessError a person can act on, with the wait the server asked for
 * when retrying can help: cancelled, timed out or unreachable; 401/403 (never echoing the server's
 * message, which quotes part of a wrong key); 429 (not retryable when the account's quota is spent);
 * 5xx; anything else through `refused`. Errors that are not the SDK's pass through unchanged.
 */
export function openAiFailure(err: unknown, ctx: OpenAiErrorContext): { error: unknown; retryAfterMs?: number } {
  if (ctx.signal.aborted) return { error: new FacelessError('CANCELLED', `the request to ${ctx.api} was cancelled`, { cause: err }) };
  // Not cancelled by the caller: a timeout, the SDK's or the caller's own (AbortSignal.timeout).
  if (err instanceof APIConnectionTimeoutError || err instanceof APIUserAbortError
    || (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))) {
    return { error: new FacelessError('PROVIDER_UNAVAILABLE', `${ctx.api} at ${ctx.endpoint} did not answer within ${Math.round(ctx.timeoutMs / 1000)} s; retry later`, { retryable: true }) };
  }
  if (err instanceof APIConnectionError) {
    const reason = err.cause instanceof Error ? err.cause.message : err.message;
    return { error: new FacelessError('PROVIDER_UNAVAILABLE', `could not reach ${ctx.api} at ${ctx.endpoint}: ${reason}. Check ${ctx.baseUrlVar} and the network`, { retryable: true }) };
  }
  if (!(err instanceof APIError) || err.status === undefined) return { error: err };
  const status = err.status;
  const said = serverSaid(err, ctx.apiKey);
  const wait = err.headers ? retryAfterMs(err.headers) : undefined;
  if (status === 401 || status === 403) {
    return { error: new FacelessError('PROVIDER_AUTH', `${ctx.api} rejected the API key (HTTP ${status}). Check ${ctx.keyVar}, and ${ctx.baseUrlVar} if you use another provider`, { field: ctx.keyVar }) };
  }
  if (status === 429) {
    if (err.code === 'insufficient_quota' || err.type === 'insufficient_quota') {
      return { error: new FacelessError('PROVIDER_RATE_LIMITED', `${ctx.api} account has no quota left (HTTP 429${said}). Check the plan and billing; retrying will not help`, { retryable: false }) };
    }
    return { error: new FacelessError('PROVIDER_RATE_LIMITED', `${ctx.api} is rate limiting requests (HTTP 429${said}); retry later`, { retryable: true }), ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
  }
  if (status >= 500) {
    return { error: new FacelessError('PROVIDER_UNAVAILABLE', `${ctx.api} failed (HTTP ${status}${said}); retry later`, { retryable: true }), ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
  }
  return { error: ctx.refused(status, said) };
}
