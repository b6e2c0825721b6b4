import { z } from 'zod';
import { ARTIFACT_MEDIA_TYPES } from './artifact-media-types.ts';
import {
  EXPERIMENT_STATUSES, ErrorBody, Language, KeywordsFetchInput, KeywordsFetchOutput, PipelineEvent, PipelineRequest, PipelineReviewRequest, PipelineState, PipelineStatus,
  ScriptGenerateInput, ScriptGenerateOutput, StartPipelineResponse,
} from '@faceless/contracts';

/** Longest pipeline id the routes accept (the orchestrator makes UUIDs). */
export const PIPELINE_ID_MAX = 100;
/** The router's own limit on one path parameter; past it the answer is 414 in the one error format. */
export const ROUTER_MAX_PARAM_LENGTH = 512;

export const PipelineIdParams = z.strictObject({
  id: z.string().regex(
    new RegExp(`^[A-Za-z0-9_.-]{1,${PIPELINE_ID_MAX}}$`),
    `must be 1-${PIPELINE_ID_MAX} letters, digits, "_", "." or "-": use the pipelineId returned by POST /api/pipelines/start`,
  ),
});

export const PipelineListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('pipelines per page, 1-100'),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0).describe('pipelines to skip'),
});

export const PipelineSummary = z.object({
  pipelineId: z.string(),
  state: PipelineState,
  topic: z.string(),
  currentStage: z.string().optional(),
  completedStages: z.number().int(),
  error: z.object({ stage: z.string(), code: z.string(), message: z.string() }).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const PipelineList = z.object({ pipelines: z.array(PipelineSummary), limit: z.number().int(), offset: z.number().int() });

export const PipelineArtifacts = z.object({
  pipelineId: z.string(),
  expiresInSec: z.number().int(),
  artifacts: z.array(z.object({
    name: z.string(),
    key: z.string().describe('object-store key'),
    location: z.string().optional().describe('the key, or the store URL of it; never a server path'),
    url: z.string().optional().describe('short-lived download URL (signed); usable in <video src>'),
  })),
});

export const ArtifactContentQuery = z.object({
  key: z.string().min(1).max(1024),
  exp: z.coerce.number().int().min(0),
  sig: z.string().min(1).max(200),
  download: z.enum(['0', '1']).optional(),
});

export const PipelineEventsQuery = z.object({
  after: z.coerce.number().int().min(0).optional().describe('replay only events after this sequence number (same as Last-Event-ID)'),
});

const Health = z.object({ status: z.string(), service: z.string().optional() });

// ---- A/B tests: forwarded to the ab-tester's experiment routes (services/ab-tester/src/abtest-routes.ts).

export const AbTestIdParams = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.-]{4,100}$/, 'must be 4-100 letters, digits, "_", "." or "-": an experiment id (or its first characters) from GET /api/abtests'),
});
export const AbTestListQuery = z.object({
  status: z.enum(EXPERIMENT_STATUSES).optional().describe('only experiments in this state'),
});
const AbTestExperiment = z.looseObject({
  id: z.string(), pipelineId: z.string(), videoId: z.string(), status: z.enum(EXPERIMENT_STATUSES), rotationHours: z.number(),
  createdAt: z.string(), updatedAt: z.string(), endedAt: z.string().nullable(),
});
export const AbTestList = z.object({ experiments: z.array(AbTestExperiment.extend({ variantCount: z.number().int() })) });
const AbTestDecision = z.looseObject({ winner: z.string().nullable(), probabilityBest: z.number().nullable(), reason: z.string(), decidedAt: z.string() });
const AbTestVerdict = z.looseObject({
  status: z.enum(['continue', 'winner']), winner: z.string().nullable(), leader: z.string(), probabilityBest: z.record(z.string(), z.number()), reason: z.string(),
});
export const AbTestReport = z.looseObject({
  experiment: AbTestExperiment.extend({
    variants: z.array(z.looseObject({ id: z.string(), label: z.string(), position: z.number().int(), title: z.string().nullable(), thumbnailKey: z.string().nullable() })),
    rotations: z.array(z.looseObject({ variantId: z.string(), startedAt: z.string(), endedAt: z.string().nullable() })),
  }),
  live: z.string().nullable(),
  variants: z.array(z.looseObject({
    id: z.string(), label: z.string(), title: z.string().nullable(), thumbnailKey: z.string().nullable(),
    thumbnailUrl: z.string().optional().describe('short-lived signed link to the thumbnail (folder store)'),
    impressions: z.number(), clicks: z.number(), ctr: z.number().nullable(),
    posterior: z.looseObject({ alpha: z.number(), beta: z.number(), mean: z.number(), lower: z.number(), upper: z.number() }),
    probabilityBest: z.number(), live: z.boolean(),
  })),
  evaluation: AbTestVerdict,
  plan: z.array(z.string()).describe('the planned order of the rotation periods: the launch, then counterbalanced blocks'),
  decision: AbTestDecision.nullable(),
  nextRotation: z.object({ at: z.string(), variant: z.string() }).nullable(),
  chart: z.string().describe('the posterior as text, for a terminal'),
});
const MetricRow = z.strictObject({
  variant: z.string().min(1).max(100).optional(),
  date: z.string().max(40).optional(),
  periodStart: z.iso.datetime({ offset: true }).optional(),
  periodEnd: z.iso.datetime({ offset: true }).optional(),
  impressions: z.number().int().min(0),
  clicks: z.number().int().min(0),
  views: z.number().int().min(0).optional(),
  avgViewDurationSec: z.number().min(0).optional(),
});
export const AbTestMetricsBody = z.strictObject({ rows: z.array(MetricRow).min(1).max(10_000) });
export const AB_TEST_CSV_MAX = 48 * 1024;
export const AbTestCsvBody = z.strictObject({
  csv: z.string().min(1).max(AB_TEST_CSV_MAX).describe('our metrics CSV (variant,period_start,period_end,impressions,clicks,views,avg_view_duration_sec) or a channel_reach_basic_a1 report'),
});
export const AbTestImportResult = z.looseObject({
  testId: z.string(), imported: z.number().int(), replaced: z.number().int(),
  skipped: z.array(z.looseObject({ where: z.string(), reason: z.string() })), source: z.enum(['rows', 'csv', 'reach-report']),
});
export const AbTestStopBody = z.strictObject(
  { winner: z.string().min(1).max(100).optional().describe('the variant to keep (label or id); the leader when left out') },
  { error: 'send a JSON object: {} to apply the leading variant, or { "winner": "B" } to choose one' },
);
export const AbTestEvaluateResult = z.looseObject({ testId: z.string(), status: z.enum(EXPERIMENT_STATUSES), evaluation: AbTestVerdict, decision: AbTestDecision.nullable() });
export const AbTestRotation = z.looseObject({ testId: z.string(), action: z.enum(['kept', 'rotated', 'failed']), live: z.string() });

// ---- Channels: forwarded to the uploader's channel routes (services/uploader/src/channel-routes.ts).

export const ChannelList = z.object({
  channels: z.array(z.looseObject({
    name: z.string(),
    kind: z.enum(['local', 'youtube']),
    title: z.string().optional(),
    tokenHealth: z.enum(['ok', 'expiring', 'expired', 'revoked', 'none']).describe('none for a local channel'),
    tokenExpiresAt: z.string().optional().describe('when Google drops the refresh token (apps in Testing status)'),
    warnings: z.array(z.string()),
    nextSlots: z.array(z.string()).describe('the next three free publish slots, ISO times in UTC'),
    quota: z.object({ usedToday: z.number(), limit: z.number(), day: z.string().describe('the Pacific day YouTube counts in') })
      .describe('the Cloud project\'s YouTube quota today; 0 of 0 for a local channel'),
  })),
});
/** A channel's name here (the uploader's CHANNEL_NAME): it becomes a folder and a config key. */
export const CHANNEL_NAME = /^[a-z0-9_-]{1,64}$/;
export const ChannelOAuthStartBody = z.strictObject({
  name: z.string().regex(CHANNEL_NAME, 'must be 1-64 characters of a-z 0-9 _ - (e.g. "science-en")').describe('the channel\'s name here'),
});
export const ChannelOAuthStart = z.object({
  consentUrl: z.string().describe('Google\'s consent page: open it in the browser'),
  expiresAt: z.string().describe('the consent must be answered before this'),
});
export const ChannelOAuthCallbackQuery = z.object({
  state: z.string().max(200).optional(),
  code: z.string().max(2000).optional(),
  error: z.string().max(200).optional(),
});

// ---- Voices: forwarded to the tts-renderer's voice routes (services/tts-renderer/src/voice-sample.ts).

export const VoiceListQuery = z.object({ lang: Language.optional().describe('only the voices that speak this language') });
export const VoiceList = z.object({
  voices: z.array(z.looseObject({
    id: z.string().describe('what to pass as the pipeline\'s voice'),
    name: z.string(),
    lang: z.string().describe('the language of the voice that matched ?lang= (e.g. fr-be), else its first'),
    gender: z.string().optional(),
    provider: z.string().describe('espeak-ng, elevenlabs or openai-speech: the tts-renderer\'s configured provider'),
  })),
});
export const VoiceSampleBody = z.strictObject({
  voice: z.string().trim().min(1).max(64).optional().describe('a voice id from GET /api/voices; the language\'s default when absent'),
  lang: Language,
  text: z.string().trim().min(1).max(200).optional().describe('what to say (cut to about five seconds); a short sentence in the language when absent'),
});

/** Fastify's per-route config: a route is public only when its definition says so. */
export interface GatewayRouteConfig {
  public?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set from GATEWAY_ROUTES: reachable without a key. */
    public?: boolean;
  }
}

/** One route of the gateway, declared once: it feeds the router, the validation, /openapi.json and /docs. */
export interface GatewayRouteDoc {
  method: 'GET' | 'POST';
  /** OpenAPI path template, `{id}` style. */
  path: string;
  summary: string;
  /** Reachable without a key; every other route needs `Authorization: Bearer <key>`. */
  public?: true;
  /** Left out of /openapi.json (the dashboard's pages and files are not API). */
  hidden?: true;
  /** Served only where the gateway reaches the store itself (`faceless serve`); on S3 the store signs its own links. */
  onlyWithFolderStore?: true;
  params?: z.ZodType;
  querystring?: z.ZodType;
  body?: z.ZodType;
  response: {
    status: number; description: string; schema?: z.ZodType; contentType?: string;
    /** Every media type the answer can have, when there are several (a file route); contentType is the fallback. */
    mediaTypes?: readonly string[];
  };
  /** A file: answers a Range with 206 and a matching If-None-Match / If-Modified-Since with 304. */
  ranged?: true;
  /** Error statuses this route can answer, besides 401/429 on keyed routes and 400 wherever input is validated. */
  errors: number[];
}

export const GATEWAY_ROUTES: readonly GatewayRouteDoc[] = [
  {
    method: 'POST', path: '/api/pipelines/start',
    summary: 'Queue a pipeline for a topic (forwarded to the orchestrator); answers 202 with its id.',
    body: PipelineRequest,
    response: { status: 202, description: 'queued', schema: StartPipelineResponse },
    errors: [413, 415, 503],
  },
  {
    method: 'GET', path: '/api/pipelines',
    summary: 'List pipelines, newest first.',
    querystring: PipelineListQuery,
    response: { status: 200, description: 'one page of pipelines', schema: PipelineList },
    errors: [503],
  },
  {
    method: 'GET', path: '/api/pipelines/status/{id}',
    summary: 'State of one pipeline: current stage, each stage\'s output and timing, error.',
    params: PipelineIdParams,
    response: { status: 200, description: 'the pipeline', schema: PipelineStatus },
    errors: [404, 414, 503],
  },
  {
    method: 'GET', path: '/api/pipelines/{id}/artifacts',
    summary: 'What a pipeline has made: each artifact\'s object-store key and a short-lived signed download URL.',
    params: PipelineIdParams,
    response: { status: 200, description: 'the artifacts', schema: PipelineArtifacts },
    errors: [404, 414, 503],
  },
  {
    method: 'GET', path: '/api/pipelines/{id}/artifacts/content', public: true, onlyWithFolderStore: true,
    summary: 'One artifact\'s bytes (Range requests supported), through a signed URL from /artifacts: the signature is the credential.',
    params: PipelineIdParams,
    querystring: ArtifactContentQuery,
    response: { status: 200, description: 'the file (206 for a range)', contentType: 'application/octet-stream', mediaTypes: ARTIFACT_MEDIA_TYPES },
    ranged: true,
    errors: [403, 404, 412, 414, 416],
  },
  {
    method: 'POST', path: '/api/pipelines/{id}/retry',
    summary: 'Retry a failed pipeline from the stage that failed.',
    params: PipelineIdParams,
    response: { status: 202, description: 'queued again', schema: StartPipelineResponse },
    errors: [404, 409, 413, 414, 415, 503],
  },
  {
    method: 'POST', path: '/api/pipelines/{id}/cancel',
    summary: 'Cancel a queued or running pipeline; it ends Failed (CANCELLED) and publishes pipeline.failed.',
    params: PipelineIdParams,
    response: { status: 202, description: 'cancel accepted; the state after it', schema: StartPipelineResponse },
    errors: [404, 409, 413, 414, 415, 503],
  },
  {
    method: 'POST', path: '/api/pipelines/{id}/review',
    summary: 'Decide on a pipeline waiting in Review before its upload: approve (optionally with an edited title, description and the index of the thumbnail to use) or reject (with a reason); 409 NOT_IN_REVIEW when it is not waiting.',
    params: PipelineIdParams, body: PipelineReviewRequest,
    response: { status: 202, description: 'decided; the state after it: Queued (approved, it goes on to the upload) or Failed (rejected, REVIEW_REJECTED)', schema: StartPipelineResponse },
    errors: [404, 409, 413, 414, 415, 503],
  },
  {
    method: 'GET', path: '/api/pipelines/{id}/events',
    summary: 'Server-sent events of one pipeline from its start (id: seq, event: name, data: the event); Last-Event-ID or ?after= resumes; closes after pipeline.completed or pipeline.failed. Between them, at most two a second, `event: progress` without an id: {pipelineId, stage, percent, note} of the running stage.',
    params: PipelineIdParams,
    querystring: PipelineEventsQuery,
    response: { status: 200, description: 'an event stream; each data line is a PipelineEvent', schema: PipelineEvent, contentType: 'text/event-stream' },
    errors: [404, 414, 503],
  },
  {
    method: 'GET', path: '/api/abtests',
    summary: 'A/B tests of thumbnails and titles, newest first (forwarded to the ab-tester).',
    querystring: AbTestListQuery,
    response: { status: 200, description: 'the experiments', schema: AbTestList },
    errors: [503],
  },
  {
    method: 'GET', path: '/api/abtests/{id}',
    summary: 'One experiment: its variants with impressions, clicks, CTR, posterior and P(best), the verdict so far, the rotation plan and the next rotation.',
    params: AbTestIdParams,
    response: { status: 200, description: 'the report', schema: AbTestReport },
    errors: [404, 409, 414, 503],
  },
  {
    method: 'POST', path: '/api/abtests/{id}/metrics',
    summary: 'Import metrics as JSON rows, one per variant per period (a row for a period already imported replaces it).',
    params: AbTestIdParams, body: AbTestMetricsBody,
    response: { status: 200, description: 'what was imported and skipped', schema: AbTestImportResult },
    errors: [404, 409, 413, 414, 415, 503],
  },
  {
    method: 'POST', path: '/api/abtests/{id}/metrics/csv',
    summary: 'Import metrics from a CSV given as { csv }: our metrics CSV or YouTube\'s channel_reach_basic_a1 report.',
    params: AbTestIdParams, body: AbTestCsvBody,
    response: { status: 200, description: 'what was imported and skipped', schema: AbTestImportResult },
    errors: [404, 409, 413, 414, 415, 503],
  },
  {
    method: 'POST', path: '/api/abtests/{id}/evaluate',
    summary: 'Decide on the data so far; when a variant wins, it is applied and the experiment ends.',
    params: AbTestIdParams,
    response: { status: 200, description: 'the verdict', schema: AbTestEvaluateResult },
    errors: [404, 409, 413, 414, 415, 503],
  },
  {
    method: 'POST', path: '/api/abtests/{id}/stop',
    summary: 'Stop a running experiment and apply the winner given (or the leader).',
    params: AbTestIdParams, body: AbTestStopBody,
    response: { status: 200, description: 'the experiment as it ended', schema: AbTestEvaluateResult },
    errors: [404, 409, 413, 414, 415, 503],
  },
  {
    method: 'POST', path: '/api/abtests/{id}/rotate',
    summary: 'Apply the variant the rotation plan has live now (what the ab-tester\'s tick does).',
    params: AbTestIdParams,
    response: { status: 200, description: 'kept, rotated or failed', schema: AbTestRotation },
    errors: [404, 409, 413, 414, 415, 503],
  },
  {
    method: 'GET', path: '/api/channels',
    summary: 'The channels the uploader publishes to: token health and expiry warnings, the next free slots, today\'s quota (forwarded to the uploader).',
    response: { status: 200, description: 'the channels, local ones first', schema: ChannelList },
    errors: [503],
  },
  {
    method: 'POST', path: '/api/channels/oauth/start',
    summary: 'Add (or re-authorize) a YouTube channel from a browser: answers Google\'s consent URL, whose redirect comes back to /api/channels/oauth/callback.',
    body: ChannelOAuthStartBody,
    response: { status: 200, description: 'the consent URL', schema: ChannelOAuthStart },
    errors: [413, 415, 503],
  },
  {
    method: 'GET', path: '/api/channels/oauth/callback', public: true,
    summary: 'Google\'s redirect after the consent page: the single-use state is the credential (a missing, unknown, used or expired one is 400). Stores the channel and answers 303 to /channels?added=<name>, ?denied=<name> (with &reason= for an error other than Cancel) or ?failed=<code> when Google refused the code.',
    querystring: ChannelOAuthCallbackQuery,
    response: { status: 303, description: 'back to the dashboard\'s Channels page' },
    errors: [502, 503],
  },
  {
    method: 'GET', path: '/api/voices',
    summary: 'The voices of the tts-renderer\'s provider, limited to a language (forwarded to the tts-renderer).',
    querystring: VoiceListQuery,
    response: { status: 200, description: 'the voices', schema: VoiceList },
    errors: [503],
  },
  {
    method: 'POST', path: '/api/voices/sample',
    summary: 'A short sample (about five seconds) of a voice saying a sentence in the language, to listen to before making a video; an unknown voice is 400 with error.field "voice".',
    body: VoiceSampleBody,
    response: { status: 200, description: 'the sample, as a WAV file', contentType: 'audio/wav' },
    errors: [413, 415, 503],
  },
  {
    method: 'POST', path: '/api/keywords/fetch',
    summary: 'Keyword candidates for a topic (forwarded to keyword-fetcher).',
    body: KeywordsFetchInput,
    response: { status: 200, description: 'keywords', schema: KeywordsFetchOutput },
    errors: [413, 415, 503],
  },
  {
    method: 'POST', path: '/api/scripts/generate',
    summary: 'A narration script for a topic (forwarded to script-generator).',
    body: ScriptGenerateInput,
    response: { status: 200, description: 'the script', schema: ScriptGenerateOutput },
    errors: [413, 415, 503],
  },
  { method: 'GET', path: '/health', public: true, summary: 'Alive.', response: { status: 200, description: 'alive', schema: Health }, errors: [] },
  { method: 'GET', path: '/ready', public: true, summary: 'Ready: the orchestrator answers its /health.', response: { status: 200, description: 'ready', schema: Health }, errors: [503] },
  { method: 'GET', path: '/metrics', public: true, summary: 'Request counts in Prometheus text format.', response: { status: 200, description: 'metrics', contentType: 'text/plain' }, errors: [] },
  { method: 'GET', path: '/openapi.json', public: true, summary: 'This API as an OpenAPI 3.1 document.', response: { status: 200, description: 'the document', contentType: 'application/json' }, errors: [] },
  { method: 'GET', path: '/', public: true, hidden: true, summary: 'The dashboard.', response: { status: 200, description: 'HTML', contentType: 'text/html' }, errors: [] },
  { method: 'GET', path: '/*', public: true, hidden: true, summary: 'The dashboard at its client-side routes (a browser asking for HTML).', response: { status: 200, description: 'HTML', contentType: 'text/html' }, errors: [404] },
  { method: 'GET', path: '/assets/*', public: true, hidden: true, summary: 'The dashboard\'s hashed files.', response: { status: 200, description: 'a file', contentType: 'application/octet-stream' }, errors: [404] },
  { method: 'GET', path: '/docs', public: true, summary: 'The routes, their methods and descriptions, as a page.', response: { status: 200, description: 'HTML', contentType: 'text/html' }, errors: [] },
];

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'INVALID_INPUT: malformed JSON, wrong type, unknown field, bad parameter (error.field names it)',
  401: 'UNAUTHORIZED: missing or wrong API key',
  403: 'UNAUTHORIZED: a download link that is expired or not signed by this gateway (ask /artifacts for a new one)',
  404: 'NOT_FOUND',
  409: 'CONFLICT; NOT_IN_REVIEW for a review decision on a pipeline that is not waiting in Review',
  412: 'CONFLICT: the file changed since the If-Match / If-Unmodified-Since given',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'INVALID_INPUT: a path parameter longer than the router accepts',
  415: 'UNSUPPORTED_MEDIA_TYPE: send application/json',
  416: 'INVALID_INPUT: the Range is outside the file',
  502: 'PROVIDER_BAD_RESPONSE / PROVIDER_AUTH: Google refused the exchange or answered something unreadable',
  429: 'RATE_LIMITED: see the Retry-After header',
  503: 'STAGE_UNAVAILABLE: the service behind the gateway is down or timed out',
};

/** Every status a route can answer besides its success: what /openapi.json documents. */
export function errorStatuses(route: GatewayRouteDoc): number[] {
  const validated = route.params || route.querystring || route.body ? [400] : [];
  return [...new Set([...route.errors, ...validated, ...(route.public ? [] : [401, 429])])].sort((a, b) => a - b);
}

type JsonResponses = Record<number, z.ZodType>;

/** Fastify route schema of a documented route (zod, for the validator and @fastify/swagger). */
export function fastifySchema(route: GatewayRouteDoc): Record<string, unknown> {
  const response: JsonResponses = {};
  const { status, schema, contentType, description } = route.response;
  // A non-JSON answer is documented as a string here; documentTextAnswers gives it its media type.
  response[status] = contentType && contentType !== 'application/json' ? z.string().describe(description) : (schema ?? z.unknown()).describe(description);
  if (route.ranged) {
    response[206] = z.string().describe('the bytes of the Range asked for (content-range says which)');
    response[304] = z.string().describe('not modified since the ETag / date the client holds: no body');
  }
  for (const code of errorStatuses(route)) response[code] = ErrorBody.describe(ERROR_DESCRIPTIONS[code] ?? 'error');
  return {
    ...(route.hidden ? { hide: true } : {}),
    summary: route.summary,
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    ...(route.public ? { security: [] } : { security: [{ bearer: [] }] }),
    ...(route.params ? { params: route.params } : {}),
    ...(route.querystring ? { querystring: route.querystring } : {}),
    ...(route.body ? { body: route.body } : {}),
    response,
  };
}

type OpenApiDoc = { paths?: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>> };

/**
 * @fastify/swagger's `transformObject` step: the routes that answer something other than JSON (an event
 * stream, a file, HTML, Prometheus text) get their own media type, with the event schema for SSE.
 */
export function documentTextAnswers<T>(document: T): T {
  const doc = document as OpenApiDoc;
  for (const route of GATEWAY_ROUTES) {
    const { contentType, schema, status, mediaTypes } = route.response;
    if (!contentType || contentType === 'application/json') continue;
    const { $schema: _drop, ...jsonSchema } = schema
      ? z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>
      : { type: 'string' };
    const responses = doc.paths?.[route.path]?.[route.method.toLowerCase()]?.responses;
    for (const code of route.ranged ? [status, 206] : [status]) {
      const answer = responses?.[String(code)];
      if (answer) answer.content = Object.fromEntries((mediaTypes ?? [contentType]).map((type) => [type, { schema: jsonSchema }]));
    }
    // A 304 has no body.
    if (route.ranged && responses?.['304']) delete responses['304'].content;
  }
  return document;
}

/** `/api/pipelines/status/{id}` → `/api/pipelines/status/:id` (Fastify's syntax). */
export function toFastifyPath(openApiPath: string): string {
  return openApiPath.replace(/\{(\w+)\}/g, ':$1');
}

export function findRoute(method: string, openApiPath: string): GatewayRouteDoc {
  const route = GATEWAY_ROUTES.find((r) => r.method === method && r.path === openApiPath);
  if (!route) throw new Error(`${method} ${openApiPath} is not in GATEWAY_ROUTES`);
  return route;
}
