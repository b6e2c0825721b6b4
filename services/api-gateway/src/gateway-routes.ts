import type { z } from 'zod';
import {
  KeywordsFetchInput, KeywordsFetchOutput, PipelineEvent, PipelineRequest, PipelineStatus, ScriptGenerateInput,
  ScriptGenerateOutput, StartPipelineResponse,
} from '@faceless/contracts';

/** One public route, described once for the OpenAPI document and the docs page. */
export interface GatewayRouteDoc {
  method: 'GET' | 'POST';
  /** OpenAPI path template, `{id}` style. */
  path: string;
  summary: string;
  /** Requires `Authorization: Bearer <key>`. */
  auth: boolean;
  body?: { name: string; schema: z.ZodType };
  response: { status: number; description: string; name?: string; schema?: z.ZodType; contentType?: string };
  /** Error statuses this route can answer, besides 401/429 for authenticated routes. */
  errors: number[];
}

export const GATEWAY_ROUTES: readonly GatewayRouteDoc[] = [
  {
    method: 'POST', path: '/api/pipelines/start', auth: true,
    summary: 'Queue a pipeline for a topic (forwarded to the orchestrator); answers 202 with its id.',
    body: { name: 'PipelineRequest', schema: PipelineRequest },
    response: { status: 202, description: 'queued', name: 'StartPipelineResponse', schema: StartPipelineResponse },
    errors: [400, 413, 415, 503],
  },
  {
    method: 'GET', path: '/api/pipelines', auth: true,
    summary: 'List pipelines, newest first (forwarded to the orchestrator; query string passed through).',
    response: { status: 200, description: 'the orchestrator\'s list of pipelines' },
    errors: [400, 503],
  },
  {
    method: 'GET', path: '/api/pipelines/status/{id}', auth: true,
    summary: 'State of one pipeline: current stage, each stage\'s output and timing, error.',
    response: { status: 200, description: 'the pipeline', name: 'PipelineStatus', schema: PipelineStatus },
    errors: [400, 404, 503],
  },
  {
    method: 'GET', path: '/api/pipelines/{id}/artifacts', auth: true,
    summary: 'What a pipeline has made: each artifact\'s object-store key and, on S3, a short-lived signed download URL.',
    response: { status: 200, description: '{ pipelineId, expiresInSec, artifacts: [{ name, key, location, url? }] }' },
    errors: [400, 404, 503],
  },
  {
    method: 'POST', path: '/api/pipelines/{id}/retry', auth: true,
    summary: 'Retry a failed pipeline from the stage that failed.',
    response: { status: 202, description: 'queued again' },
    errors: [400, 404, 409, 503],
  },
  {
    method: 'POST', path: '/api/pipelines/{id}/cancel', auth: true,
    summary: 'Cancel a queued or running pipeline.',
    response: { status: 200, description: 'cancelled' },
    errors: [400, 404, 409, 503],
  },
  {
    method: 'GET', path: '/api/pipelines/{id}/events', auth: true,
    summary: 'Server-sent events of one pipeline (id: seq, event: name, data: the event); closes after pipeline.completed or pipeline.failed.',
    response: { status: 200, description: 'an event stream; each data line is a PipelineEvent', name: 'PipelineEvent', schema: PipelineEvent, contentType: 'text/event-stream' },
    errors: [400, 404, 503],
  },
  {
    method: 'POST', path: '/api/keywords/fetch', auth: true,
    summary: 'Keyword candidates for a topic (forwarded to keyword-fetcher).',
    body: { name: 'KeywordsFetchInput', schema: KeywordsFetchInput },
    response: { status: 200, description: 'keywords', name: 'KeywordsFetchOutput', schema: KeywordsFetchOutput },
    errors: [400, 413, 415, 503],
  },
  {
    method: 'POST', path: '/api/scripts/generate', auth: true,
    summary: 'A narration script for a topic (forwarded to script-generator).',
    body: { name: 'ScriptGenerateInput', schema: ScriptGenerateInput },
    response: { status: 200, description: 'the script', name: 'ScriptGenerateOutput', schema: ScriptGenerateOutput },
    errors: [400, 413, 415, 503],
  },
  { method: 'GET', path: '/health', auth: false, summary: 'Alive.', response: { status: 200, description: '{ status: "ok" }' }, errors: [] },
  { method: 'GET', path: '/ready', auth: false, summary: 'Ready: the orchestrator answers its /health.', response: { status: 200, description: '{ status: "ready" }' }, errors: [503] },
  { method: 'GET', path: '/metrics', auth: false, summary: 'Request counts in Prometheus text format.', response: { status: 200, description: 'metrics', contentType: 'text/plain' }, errors: [] },
  { method: 'GET', path: '/openapi.json', auth: false, summary: 'This API as an OpenAPI 3.1 document.', response: { status: 200, description: 'the document' }, errors: [] },
  { method: 'GET', path: '/docs', auth: false, summary: 'This page: the routes, their methods and descriptions.', response: { status: 200, description: 'HTML', contentType: 'text/html' }, errors: [] },
];

/** `/api/pipelines/status/{id}` → `/api/pipelines/status/:id` (Fastify's syntax). */
export function toFastifyPath(openApiPath: string): string {
  return openApiPath.replace(/\{(\w+)\}/g, ':$1');
}
