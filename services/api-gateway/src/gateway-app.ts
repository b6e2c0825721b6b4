import { randomUUID } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { z } from 'zod';
import {
  ErrorBody, KeywordsFetchInput, PipelineRequest, ScriptGenerateInput, type PipelineEvent,
} from '@faceless/contracts';
import { FacelessError, createLogger, type Logger } from '@faceless/runtime';
import { createKeyVerifier, type ApiKeyRecord } from './api-keys.ts';
import { renderDocsPage } from './docs-page.ts';
import { loadGatewayConfig, type GatewayConfig } from './gateway-config.ts';
import { registerGatewayErrorHandler, sendError, validateBody } from './gateway-errors.ts';
import { GATEWAY_ROUTES, toFastifyPath } from './gateway-routes.ts';
import { buildOpenApiDocument } from './openapi-document.ts';
import { TokenBucketLimiter } from './rate-limit.ts';
import { SSE_HEARTBEAT, formatSseEvent, isFinalEvent } from './sse-format.ts';
import { callUpstream, type UpstreamAnswer, type UpstreamCall } from './upstream-client.ts';

/** Where the gateway hears pipeline events: RabbitMQ in the services mode, the in-process bus in `faceless serve`. */
export interface PipelineEventSource {
  subscribe(listener: (event: PipelineEvent) => void): () => void;
}

export interface GatewayAppOptions {
  /** Parsed config; when absent it is read from `env` (process.env by default). */
  config?: GatewayConfig;
  env?: Record<string, string | undefined>;
  events: PipelineEventSource;
  logger?: Logger;
  /** Replaces HTTP calls to the services behind the gateway (e.g. in-process in `faceless serve`). */
  callUpstream?: (call: UpstreamCall) => Promise<UpstreamAnswer>;
  /** Clock of the rate limiter. */
  now?: () => number;
  version?: string;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const PIPELINE_ID = /^[\w.-]{1,128}$/;
const PUBLIC_PATHS = new Set(['/health', '/ready', '/metrics', '/openapi.json', '/docs']);

function pipelineIdParam(request: FastifyRequest): string {
  const id = (request.params as { id?: string }).id ?? '';
  if (!PIPELINE_ID.test(id)) {
    throw new FacelessError('INVALID_INPUT', `pipeline id "${id.slice(0, 140)}" is not valid: use the pipelineId returned by POST /api/pipelines/start`, { field: 'id' });
  }
  return id;
}

/** The only public entry of the stack: auth, limits, validation, then forwarding to the services. */
export function buildGatewayApp(options: GatewayAppOptions): FastifyInstance {
  const config = options.config ?? loadGatewayConfig(options.env ?? process.env);
  const logger = options.logger ?? createLogger({ level: config.logLevel, base: { service: 'api-gateway' } });
  const upstream = options.callUpstream ?? callUpstream;
  const verifyKey = createKeyVerifier(config.apiKeys);
  const limiter = new TokenBucketLimiter(options.now ? { now: options.now } : {});
  const keyOf = new WeakMap<FastifyRequest, ApiKeyRecord>();
  const requestCounts = new Map<string, number>();
  const openStreams = new Set<() => void>();
  const openApi = buildOpenApiDocument(GATEWAY_ROUTES, { version: options.version ?? '0.1.0' });
  const docsPage = renderDocsPage(GATEWAY_ROUTES);

  if (config.authDisabled) logger.warn('AUTH_DISABLED=true: /api/* is open to anyone who can reach this port');

  const app = Fastify({
    logger: false,
    bodyLimit: config.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  // JSON only: a text/plain body answers 415 instead of reaching a handler as a string.
  app.removeContentTypeParser('text/plain');
  registerGatewayErrorHandler(app, { bodyLimitBytes: config.bodyLimitBytes, logger });

  // Every route must be in GATEWAY_ROUTES, so /openapi.json and /docs never drift from what is served.
  const documented = new Set(GATEWAY_ROUTES.map((r) => `${r.method} ${toFastifyPath(r.path)}`));
  const undocumented: string[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'OPTIONS' && method !== 'HEAD' && !documented.has(`${method} ${route.url}`)) undocumented.push(`${method} ${route.url}`);
    }
  });
  app.addHook('onReady', async () => {
    if (undocumented.length > 0) throw new Error(`routes missing from GATEWAY_ROUTES: ${undocumented.join(', ')}`);
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    applyCors(request, reply, config.corsOrigins);
    const path = request.url.split('?')[0] ?? '';
    if (request.method === 'OPTIONS' || PUBLIC_PATHS.has(path) || !path.startsWith('/api/')) return;

    let record: ApiKeyRecord | undefined;
    if (!config.authDisabled) {
      const match = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
      if (!match?.[1]) return sendError(reply, { code: 'UNAUTHORIZED', message: 'missing Authorization: Bearer <key>' });
      record = verifyKey(match[1]);
      if (!record) return sendError(reply, { code: 'UNAUTHORIZED', message: 'the API key in Authorization is not valid: check it or ask for a new key' });
      keyOf.set(request, record);
    }
    const decision = limiter.take(record ? `key:${record.id}` : `ip:${request.ip}`, record?.rateLimitPerMinute ?? config.rateLimitPerMinute);
    reply.header('x-ratelimit-limit', String(decision.limit));
    reply.header('x-ratelimit-remaining', String(decision.remaining));
    if (!decision.allowed) {
      reply.header('retry-after', String(decision.retryAfterSec));
      return sendError(reply, {
        code: 'RATE_LIMITED',
        message: `rate limit of ${decision.limit} requests a minute reached${record ? ` for key "${record.id}"` : ''}: retry in ${decision.retryAfterSec} s`,
      });
    }
    return undefined;
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const key = `${request.method} ${route} ${reply.statusCode}`;
    requestCounts.set(key, (requestCounts.get(key) ?? 0) + 1);
    logger.info('request', {
      requestId: request.id, method: request.method, url: request.url, status: reply.statusCode,
      ms: Math.round(reply.elapsedTime), client: keyOf.get(request)?.id,
    });
  });

  app.addHook('preClose', async () => {
    for (const close of [...openStreams]) close();
  });

  const call = (request: FastifyRequest, target: 'orchestrator' | 'keyword-fetcher' | 'script-generator', rest: { method: 'GET' | 'POST'; path: string; body?: unknown }) => {
    const where = {
      orchestrator: { baseUrl: config.upstreams.orchestrator, envName: 'ORCHESTRATOR_URL' },
      'keyword-fetcher': { baseUrl: config.upstreams.keywordFetcher, envName: 'KEYWORD_FETCHER_URL' },
      'script-generator': { baseUrl: config.upstreams.scriptGenerator, envName: 'SCRIPT_GENERATOR_URL' },
    }[target];
    return upstream({ service: target, ...where, ...rest, requestId: String(request.id), timeoutMs: config.upstreamTimeoutMs });
  };

  const reply = (res: FastifyReply, request: FastifyRequest, answer: UpstreamAnswer): FastifyReply => {
    if (answer.body === undefined) return res.code(answer.status).send();
    const error = ErrorBody.safeParse(answer.body);
    const body = error.success ? { error: { ...error.data.error, requestId: error.data.error.requestId ?? String(request.id) } } : answer.body;
    return res.code(answer.status).type('application/json').send(body);
  };

  const forwardBody = <S extends z.ZodType>(options: { path: string; target: 'orchestrator' | 'keyword-fetcher' | 'script-generator'; upstreamPath: string; schema: S; what: string }) => {
    app.post(options.path, async (request, res) => {
      validateBody(options.schema, request.body, options.what);
      // The validated body is forwarded as sent: the service applies the contract's defaults itself.
      return reply(res, request, await call(request, options.target, { method: 'POST', path: options.upstreamPath, body: request.body }));
    });
  };

  forwardBody({ path: '/api/pipelines/start', target: 'orchestrator', upstreamPath: '/pipelines/start', schema: PipelineRequest, what: 'pipeline request' });
  forwardBody({ path: '/api/keywords/fetch', target: 'keyword-fetcher', upstreamPath: '/keywords/fetch', schema: KeywordsFetchInput, what: 'keywords request' });
  forwardBody({ path: '/api/scripts/generate', target: 'script-generator', upstreamPath: '/scripts/generate', schema: ScriptGenerateInput, what: 'script request' });

  app.get('/api/pipelines', async (request, res) => {
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    return reply(res, request, await call(request, 'orchestrator', { method: 'GET', path: `/pipelines${query}` }));
  });
  app.get('/api/pipelines/status/:id', async (request, res) => {
    const id = pipelineIdParam(request);
    return reply(res, request, await call(request, 'orchestrator', { method: 'GET', path: `/pipelines/status/${encodeURIComponent(id)}` }));
  });
  app.get('/api/pipelines/:id/artifacts', async (request, res) => {
    const id = pipelineIdParam(request);
    return reply(res, request, await call(request, 'orchestrator', { method: 'GET', path: `/pipelines/${encodeURIComponent(id)}/artifacts` }));
  });
  for (const action of ['retry', 'cancel'] as const) {
    app.post(`/api/pipelines/:id/${action}`, async (request, res) => {
      const id = pipelineIdParam(request);
      return reply(res, request, await call(request, 'orchestrator', { method: 'POST', path: `/pipelines/${encodeURIComponent(id)}/${action}` }));
    });
  }

  app.get('/api/pipelines/:id/events', async (request, res) => {
    const id = pipelineIdParam(request);
    // Subscribe before asking for the status so no event falls between the two.
    const pending: PipelineEvent[] = [];
    const sink: { deliver?: (event: PipelineEvent) => void } = {};
    const unsubscribe = options.events.subscribe((event) => {
      if (event.pipelineId !== id) return;
      if (sink.deliver) sink.deliver(event);
      else pending.push(event);
    });
    let answer: UpstreamAnswer;
    try {
      answer = await call(request, 'orchestrator', { method: 'GET', path: `/pipelines/status/${encodeURIComponent(id)}` });
    } catch (err) {
      unsubscribe();
      throw err;
    }
    if (answer.status >= 400) {
      unsubscribe();
      return reply(res, request, answer);
    }

    res.hijack();
    const raw = res.raw;
    raw.writeHead(200, {
      ...(res.getHeaders() as OutgoingHttpHeaders),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write(': connected\n\n');
    const lastEventId = Number(request.headers['last-event-id']);
    let lastSeq = Number.isInteger(lastEventId) && lastEventId > 0 ? lastEventId : 0;
    let closed = false;
    const heartbeat = setInterval(() => raw.write(SSE_HEARTBEAT), config.sseHeartbeatMs);
    const close = (): void => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      openStreams.delete(close);
      if (!raw.writableEnded) raw.end();
    };
    openStreams.add(close);
    raw.on('close', close);
    const deliver = (event: PipelineEvent): void => {
      // A broker may redeliver: the pipeline's own sequence number drops repeats.
      if (closed || event.seq <= lastSeq) return;
      lastSeq = event.seq;
      raw.write(formatSseEvent(event));
      if (isFinalEvent(event)) close();
    };
    for (const event of pending.sort((a, b) => a.seq - b.seq)) deliver(event);
    sink.deliver = deliver;
    const state = (answer.body as { state?: unknown } | undefined)?.state;
    if (!closed && (state === 'Completed' || state === 'Failed')) {
      raw.write(`: pipeline already ${state}\n\n`);
      close();
    }
    return res;
  });

  app.options('/*', async (_request, res) => res.code(204).send());

  app.get('/health', async () => ({ status: 'ok', service: 'api-gateway' }));
  app.get('/ready', async (request, res) => {
    const answer = await call(request, 'orchestrator', { method: 'GET', path: '/health' });
    if (answer.status >= 400) return sendError(res, { code: 'STAGE_UNAVAILABLE', message: `orchestrator /health answered ${answer.status}` });
    return { status: 'ready' };
  });
  app.get('/metrics', async (_request, res) => {
    const lines = ['# HELP faceless_gateway_requests_total Requests answered by the api-gateway.', '# TYPE faceless_gateway_requests_total counter'];
    for (const [key, count] of requestCounts) {
      const [method, route, status] = key.split(' ');
      lines.push(`faceless_gateway_requests_total{method="${method}",route="${route}",status="${status}"} ${count}`);
    }
    return res.type('text/plain; version=0.0.4').send(`${lines.join('\n')}\n`);
  });
  app.get('/openapi.json', async () => openApi);
  app.get('/docs', async (_request, res) => res.type('text/html; charset=utf-8').send(docsPage));

  return app;
}

function applyCors(request: FastifyRequest, reply: FastifyReply, origins: readonly string[]): void {
  const origin = request.headers.origin;
  if (origins.length === 0 || !origin) return;
  const any = origins.includes('*');
  if (!any && !origins.includes(origin)) return;
  reply.header('access-control-allow-origin', any ? '*' : origin);
  if (!any) reply.header('vary', 'Origin');
  reply.header('access-control-expose-headers', 'x-request-id, retry-after, x-ratelimit-limit, x-ratelimit-remaining');
  if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
    reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
    reply.header('access-control-allow-headers', 'authorization, content-type, x-request-id, last-event-id');
    reply.header('access-control-max-age', '600');
  }
}
