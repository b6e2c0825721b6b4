import type { ExperimentStatus, PipelineRequestInput, PipelineReviewRequest, PipelineState, PipelineStatus } from '@faceless/contracts';
// Types only: erased from the bundle, so the page ships none of the orchestrator.
import type { PipelineSummary } from '@faceless/pipeline';

export type { PipelineSummary };

export interface PipelineList {
  pipelines: PipelineSummary[];
  limit: number;
  offset: number;
}

export interface Artifact {
  /** 'video', 'voice', 'poster', 'thumbnail <id>', 'metadata', 'captions srt'… */
  name: string;
  key: string;
  /** Short-lived signed URL: usable in <video src> and download links without the API key. */
  url?: string;
}

export interface PipelineArtifacts {
  pipelineId: string;
  expiresInSec: number;
  artifacts: Artifact[];
}

/** The gateway's error body turned into an exception the pages can show. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const KEY_NAME = 'faceless.apiKey';
const unauthorizedListeners = new Set<(err: ApiError) => void>();

/** The key lives in sessionStorage only: it leaves with the tab, and never goes into a URL. */
export function storedKey(): string | undefined {
  return sessionStorage.getItem(KEY_NAME) ?? undefined;
}

export function storeKey(key: string): void {
  sessionStorage.setItem(KEY_NAME, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(KEY_NAME);
}

/** Called whenever a call answers 401, so the app can ask for a key again. */
export function onUnauthorized(listener: (err: ApiError) => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function authHeaders(): Record<string, string> {
  const key = storedKey();
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** Turns a non-2xx answer into an ApiError (and tells the listeners about a 401). */
export async function errorOf(res: Response): Promise<ApiError> {
  let body: { error?: { code?: string; message?: string; field?: string; requestId?: string } } | undefined;
  try {
    body = (await res.json()) as typeof body;
  } catch {
    body = undefined;
  }
  const e = body?.error;
  const err = new ApiError(
    res.status,
    e?.code ?? `HTTP_${res.status}`,
    e?.message ?? `the server answered ${res.status} ${res.statusText}`,
    e?.field,
    e?.requestId ?? res.headers.get('x-request-id') ?? undefined,
  );
  if (res.status === 401) for (const listener of unauthorizedListeners) listener(err);
  return err;
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { accept: 'application/json', ...authHeaders(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204 || res.headers.get('content-length') === '0') return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  startPipeline: (request: PipelineRequestInput) => call<{ pipelineId: string; state: PipelineState }>('POST', '/api/pipelines/start', request),
  listPipelines: (options: { limit: number; offset: number }, signal?: AbortSignal) =>
    call<PipelineList>('GET', `/api/pipelines?limit=${options.limit}&offset=${options.offset}`, undefined, signal),
  status: (id: string, signal?: AbortSignal) => call<PipelineStatus>('GET', `/api/pipelines/status/${encodeURIComponent(id)}`, undefined, signal),
  artifacts: (id: string, signal?: AbortSignal) => call<PipelineArtifacts>('GET', `/api/pipelines/${encodeURIComponent(id)}/artifacts`, undefined, signal),
  retry: (id: string) => call<unknown>('POST', `/api/pipelines/${encodeURIComponent(id)}/retry`),
  cancel: (id: string) => call<unknown>('POST', `/api/pipelines/${encodeURIComponent(id)}/cancel`),
  review: (id: string, body: PipelineReviewRequest) => call<{ pipelineId: string; state: PipelineState }>('POST', `/api/pipelines/${encodeURIComponent(id)}/review`, body),
  channels: (signal?: AbortSignal) => call<{ channels: ChannelSummary[] }>('GET', '/api/channels', undefined, signal),
  voices: (lang: string, signal?: AbortSignal) => call<{ voices: VoiceSummary[] }>('GET', `/api/voices?lang=${encodeURIComponent(lang)}`, undefined, signal),
  voiceSample,
};

/** One voice of GET /api/voices (the tts-renderer's provider). */
export interface VoiceSummary {
  id: string;
  name: string;
  lang: string;
  gender?: string;
  provider: string;
}

/** POST /api/voices/sample: a few seconds of the voice, as audio bytes for an <audio> (the one answer that is not JSON). */
async function voiceSample(body: { lang: string; voice?: string }, signal?: AbortSignal): Promise<Blob> {
  const res = await fetch('/api/voices/sample', {
    method: 'POST',
    headers: { accept: 'audio/*, application/json', 'content-type': 'application/json', ...authHeaders() },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) throw await errorOf(res);
  return res.blob();
}

/** The part of GET /api/channels the make form uses (the Channels page reads the rest). */
export interface ChannelSummary {
  name: string;
  kind?: 'local' | 'youtube';
  title?: string;
}

export type AbTestStatus = ExperimentStatus;

/** GET /api/abtests: what the ab-tester keeps of each experiment. */
export interface AbTestSummary {
  id: string;
  pipelineId: string;
  videoId: string;
  status: AbTestStatus;
  rotationHours: number;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
  variantCount: number;
}

export interface AbTestVariantReport {
  id: string;
  label: string;
  title: string | null;
  thumbnailKey: string | null;
  /** The gateway's signed link to the thumbnail (folder store). */
  thumbnailUrl?: string;
  periods: number;
  impressions: number;
  clicks: number;
  ctr: number | null;
  posterior: { alpha: number; beta: number; mean: number; lower: number; upper: number };
  probabilityBest: number;
  expectedLoss: number;
  live: boolean;
}

export interface AbTestVerdict {
  status: 'continue' | 'winner';
  metric: string;
  winner: string | null;
  leader: string;
  lift: number | null;
  probabilityBest: Record<string, number>;
  reason: string;
}

export interface AbTestDecision {
  winner: string | null;
  probabilityBest: number | null;
  reason: string;
  decidedAt: string;
}

/** GET /api/abtests/:id (services/ab-tester ExperimentReport, plus thumbnailUrl). */
export interface AbTestReport {
  experiment: Omit<AbTestSummary, 'variantCount'> & {
    variants: { id: string; label: string; position: number; title: string | null; thumbnailKey: string | null }[];
    rotations: { id: string; variantId: string; startedAt: string; endedAt: string | null }[];
  };
  live: string | null;
  variants: AbTestVariantReport[];
  evaluation: AbTestVerdict;
  plan: string[];
  decision: AbTestDecision | null;
  nextRotation: { at: string; variant: string } | null;
}

export interface AbTestImportResult {
  testId: string;
  imported: number;
  replaced: number;
  skipped: { where: string; reason: string }[];
  source: 'rows' | 'csv' | 'reach-report';
}

export interface AbTestEvaluateResult {
  testId: string;
  status: AbTestStatus;
  evaluation: AbTestVerdict;
  decision: AbTestDecision | null;
}

const abtestPath = (id: string, rest = ''): string => `/api/abtests/${encodeURIComponent(id)}${rest}`;

export const abtestApi = {
  list: (signal?: AbortSignal) => call<{ experiments: AbTestSummary[] }>('GET', '/api/abtests', undefined, signal),
  show: (id: string, signal?: AbortSignal) => call<AbTestReport>('GET', abtestPath(id), undefined, signal),
  importCsv: (id: string, csv: string) => call<AbTestImportResult>('POST', abtestPath(id, '/metrics/csv'), { csv }),
  evaluate: (id: string) => call<AbTestEvaluateResult>('POST', abtestPath(id, '/evaluate')),
  stop: (id: string, winner?: string) => call<AbTestEvaluateResult>('POST', abtestPath(id, '/stop'), winner ? { winner } : {}),
};
