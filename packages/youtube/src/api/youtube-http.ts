import type { z } from 'zod';
import { FacelessError, sleep as runtimeSleep, toFacelessError } from '@faceless/runtime';
import type { AccessTokenSource } from '../ports.ts';
import { failedResponseError } from './google-error.ts';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** How failures that may pass (5xx, 429, network) are retried: exponential backoff with jitter. */
export interface RetryPolicy {
  /** Retries after the first attempt; for an upload, consecutive failures without progress. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: Sleep;
  /** In [0, 1); injectable so tests can pin the jitter. */
  random: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 6, baseDelayMs: 1000, maxDelayMs: 64_000, sleep: runtimeSleep, random: Math.random };

/** The wait before retry number `failure` (1-based): half the exponential cap, plus up to half again at random. */
export function backoffDelay(failure: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failure - 1));
  return Math.round(cap / 2 + policy.random() * (cap / 2));
}

/** Runs `fn` again after a backoff while it throws a retryable FacelessError, at most `maxRetries` times. */
export async function withBackoff<T>(fn: () => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  for (let failure = 0; ; failure++) {
    try {
      return await fn();
    } catch (err) {
      const error = toFacelessError(err);
      if (!error.retryable || failure >= policy.maxRetries || signal?.aborted) throw error;
      await policy.sleep(backoffDelay(failure + 1, policy), signal);
    }
  }
}

export interface AuthorizedRequest {
  /** As YouTube's docs name the call (`videos.update`); used in messages instead of the URL. */
  operation: string;
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  /** Built again for the retry after a 401, since a body can be sent only once. */
  body?: () => Uint8Array | string | undefined;
  /** `manual` for the upload protocol, whose 308 means "resume incomplete", not a redirect. */
  redirect?: 'follow' | 'manual';
  signal?: AbortSignal;
  timeoutMs: number;
}

export interface AuthorizedResponse {
  res: Response;
  /** The token the request went out with, to keep it out of messages. */
  token: string;
}

/**
 * Sends one request with the channel's bearer token. A 401 invalidates the token and is tried once
 * more with a fresh one; a second 401 is CHANNEL_AUTH. Every other status is the caller's to judge.
 */
export async function sendAuthorized(tokens: AccessTokenSource, req: AuthorizedRequest): Promise<AuthorizedResponse> {
  for (let attempt = 1; ; attempt++) {
    const token = await tokens.token(req.signal);
    const res = await sendOnce(req, token);
    if (res.status !== 401) return { res, token };
    if (attempt >= 2) throw await failedResponseError(res, { operation: req.operation, secrets: [token] });
    await res.body?.cancel().catch(() => undefined);
    tokens.invalidate();
  }
}

async function sendOnce(req: AuthorizedRequest, token: string): Promise<Response> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  try {
    return await fetch(req.url, {
      method: req.method,
      headers: { ...req.headers, authorization: `Bearer ${token}` },
      body: req.body?.(),
      redirect: req.redirect ?? 'follow',
      signal,
    });
  } catch (err) {
    if (req.signal?.aborted) throw new FacelessError('CANCELLED', `YouTube ${req.operation} was cancelled`, { cause: err });
    const host = new URL(req.url).host;
    if (timeout.aborted) {
      throw new FacelessError('PROVIDER_UNAVAILABLE', `YouTube ${req.operation} at ${host} did not answer within ${Math.round(req.timeoutMs / 1000)} s: retry later`, { retryable: true, cause: err });
    }
    const reason = err instanceof Error ? describeNetworkError(err) : String(err);
    throw new FacelessError('PROVIDER_UNAVAILABLE', `YouTube ${req.operation} at ${host} failed on the network (${reason}): check the connection and YOUTUBE_*_URL, then retry`, { retryable: true, cause: err });
  }
}

function describeNetworkError(err: Error): string {
  const cause = err.cause;
  if (cause instanceof Error) return `${err.message}: ${(cause as Error & { code?: string }).code ?? cause.message}`;
  return err.message;
}

/** Parses a JSON success body against `schema`, or says which call sent what. */
export async function readJson<T>(res: Response, schema: z.ZodType<T>, operation: string): Promise<T> {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FacelessError('PROVIDER_BAD_RESPONSE', `YouTube ${operation} answered HTTP ${res.status} with a body that is not JSON: "${text.slice(0, 120)}"`, { cause: err });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FacelessError('PROVIDER_BAD_RESPONSE', `YouTube ${operation} answered an unexpected body (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'})`);
  }
  return parsed.data;
}
