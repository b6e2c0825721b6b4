import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { PipelineEvent } from '@faceless/contracts';
import { MemoryEventBus } from '@faceless/infra';
import { createLogger, FacelessError } from '@faceless/runtime';
import { hashApiKey } from './api-keys.ts';
import { buildGatewayApp } from './gateway-app.ts';
import { loadGatewayConfig } from './gateway-config.ts';
import { GATEWAY_ROUTES, toFastifyPath } from './gateway-routes.ts';

interface Received { method: string; url: string; headers: IncomingMessage['headers']; body: unknown }
type Answer = { status: number; body?: unknown };

async function startFake(handle: (r: Received) => Answer): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) as unknown : undefined };
      received.push(r);
      const answer = handle(r);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

const KEY = 'alice-secret-key';
const SLOW_KEY = 'ci-secret-key';
const auth = { authorization: `Bearer ${KEY}` };
const logger = createLogger({ level: 'error' });
const status = (id: string, state = 'Running') => ({
  pipelineId: id, state, request: { topic: 'octopus' }, stages: [], createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
});

let orchestrator: Awaited<ReturnType<typeof startFake>>;
let keywords: Awaited<ReturnType<typeof startFake>>;
let scripts: Awaited<ReturnType<typeof startFake>>;
let app: FastifyInstance;
let downUrl: string;
/** What the fake orchestrator holds as p-sse's stored event history. */
const sseHistory: PipelineEvent[] = [];

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    API_KEYS: `alice:${hashApiKey(KEY)}`,
    API_KEYS_FILE: '/keys.json',
    ORCHESTRATOR_URL: orchestrator.url,
    KEYWORD_FETCHER_URL: keywords.url,
    SCRIPT_GENERATOR_URL: scripts.url,
    BODY_LIMIT_BYTES: '2048',
    CORS_ORIGINS: 'https://studio.example',
    ...extra,
  };
}
const readKeys = () => JSON.stringify([{ id: 'ci', name: 'CI', hash: hashApiKey(SLOW_KEY), rateLimitPerMinute: 3 }]);

before(async () => {
  orchestrator = await startFake((r) => {
    if (r.method === 'POST' && r.url === '/pipelines/start') return { status: 202, body: { pipelineId: 'p-1', state: 'Queued' } };
    if (r.method === 'GET' && r.url === '/health') return { status: 200, body: { status: 'ok' } };
    const m = /^\/pipelines\/status\/(.+)$/.exec(r.url);
    if (m?.[1] === 'p-1' || m?.[1] === 'p-sse') return { status: 200, body: status(m[1]) };
    if (m?.[1] === 'p-done') return { status: 200, body: status('p-done', 'Completed') };
    if (r.url.startsWith('/pipelines?')) return { status: 200, body: { pipelines: [status('p-1')] } };
    if (r.url === '/pipelines/p-1/cancel') return { status: 202, body: { pipelineId: 'p-1', state: 'Failed' } };
    if (r.url === '/pipelines/p-1/review') {
      return { status: 202, body: { pipelineId: 'p-1', state: (r.body as { decision?: string }).decision === 'reject' ? 'Failed' : 'Queued' } };
    }
    if (r.url === '/pipelines/p-done/review') return { status: 409, body: { error: { code: 'NOT_IN_REVIEW', message: 'pipeline p-done is Completed, not waiting for review', field: 'id' } } };
    const history = /^\/pipelines\/([^/]+)\/events\?after=(\d+)$/.exec(r.url);
    if (history?.[1] === 'p-sse') return { status: 200, body: { pipelineId: 'p-sse', state: 'Running', events: sseHistory.filter((e) => e.seq > Number(history[2])) } };
    if (history?.[1] === 'p-done') return { status: 200, body: { pipelineId: 'p-done', state: 'Completed', events: [] } };
    return { status: 404, body: { error: { code: 'NOT_FOUND', message: `no pipeline at ${r.url}` } } };
  });
  keywords = await startFake(() => ({ status: 200, body: { topic: 'octopus', provider: 'offline', keywords: [{ keyword: 'octopus', score: 90, reason: 'topic', source: 'offline' }] } }));
  scripts = await startFake(() => ({ status: 503, body: { error: { code: 'PROVIDER_UNAVAILABLE', message: 'llm is down', requestId: 'upstream-id' } } }));
  const gone = createServer();
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
  downUrl = `http://127.0.0.1:${(gone.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => gone.close(() => resolve()));
  app = buildGatewayApp({ config: loadGatewayConfig(env(), readKeys), events: new MemoryEventBus(), logger });
  await app.ready();
});

after(async () => {
  await app.close();
  for (const fake of [orchestrator, keywords, scripts]) await new Promise<void>((resolve) => fake.server.close(() => resolve()));
});

test('POST /api/pipelines/start validates, forwards with the request id and answers the orchestrator\'s 202', async () => {
  const before = orchestrator.received.length;
  const res = await app.inject({ method: 'POST', url: '/api/pipelines/start', headers: { ...auth, 'x-request-id': 'req-42' }, payload: { topic: 'how octopuses think', durationSec: 45 } });
  assert.equal(res.statusCode, 202);
  assert.deepEqual(res.json(), { pipelineId: 'p-1', state: 'Queued' });
  assert.equal(res.headers['x-request-id'], 'req-42');
  const got = orchestrator.received[before];
  assert.equal(got?.method, 'POST');
  assert.equal(got?.url, '/pipelines/start');
  assert.equal(got?.headers['x-request-id'], 'req-42');
  assert.equal(got?.headers.authorization, undefined, 'the client key is not passed on');
  // The body as validated: trimmed, with the contract's defaults, exactly what the schema accepted.
  assert.deepEqual(got?.body, { topic: 'how octopuses think', lang: 'en', durationSec: 45, aspect: '9:16', channel: 'local', captionStyle: 'highlight', music: true, review: false });
});

test('status, list and cancel are forwarded', async () => {
  const s = await app.inject({ method: 'GET', url: '/api/pipelines/status/p-1', headers: auth });
  assert.equal(s.statusCode, 200);
  assert.equal(s.json<{ pipelineId: string; state: string }>().state, 'Running');
  const list = await app.inject({ method: 'GET', url: '/api/pipelines?limit=5', headers: auth });
  assert.equal(list.statusCode, 200);
  assert.equal(orchestrator.received.at(-1)?.url, '/pipelines?limit=5&offset=0', 'only the validated parameters are passed on');
  const cancel = await app.inject({ method: 'POST', url: '/api/pipelines/p-1/cancel', headers: auth });
  assert.equal(cancel.statusCode, 202);
  assert.equal(orchestrator.received.at(-1)?.method, 'POST');
});

test('POST /api/pipelines/:id/review: the decision is validated here and forwarded; 202, 409 and 404 pass through; it is documented with every status', async () => {
  const before = orchestrator.received.length;
  const approve = await app.inject({ method: 'POST', url: '/api/pipelines/p-1/review', headers: auth, payload: { decision: 'approve', title: '  Octopuses  ', thumbnail: 2 } });
  assert.equal(approve.statusCode, 202, approve.body);
  assert.deepEqual(approve.json(), { pipelineId: 'p-1', state: 'Queued' });
  assert.deepEqual([orchestrator.received[before]?.method, orchestrator.received[before]?.url], ['POST', '/pipelines/p-1/review']);
  assert.deepEqual(orchestrator.received[before]?.body, { decision: 'approve', title: 'Octopuses', thumbnail: 2 }, 'the body as validated');
  const reject = await app.inject({ method: 'POST', url: '/api/pipelines/p-1/review', headers: auth, payload: { decision: 'reject', reason: 'off-topic' } });
  assert.deepEqual([reject.statusCode, reject.json<{ state: string }>().state], [202, 'Failed']);

  const sent = orchestrator.received.length;
  for (const [payload, field] of [[{ decision: 'publish' }, 'decision'], [{ decision: 'approve', thumbnail: -1 }, 'thumbnail'], [{ decision: 'approve', title: 'x'.repeat(101) }, 'title'], [{ decision: 'approve', extra: true }, 'extra']] as const) {
    const bad = await app.inject({ method: 'POST', url: '/api/pipelines/p-1/review', headers: auth, payload });
    assert.equal(bad.statusCode, 400, JSON.stringify(payload));
    assert.deepEqual([bad.json<{ error: { code: string; field: string } }>().error.code, bad.json<{ error: { field: string } }>().error.field], ['INVALID_INPUT', field]);
  }
  assert.equal(orchestrator.received.length, sent, 'a bad decision is not forwarded');
  const conflict = await app.inject({ method: 'POST', url: '/api/pipelines/p-done/review', headers: auth, payload: { decision: 'approve' } });
  assert.deepEqual([conflict.statusCode, conflict.json<{ error: { code: string } }>().error.code], [409, 'NOT_IN_REVIEW']);
  const unknown = await app.inject({ method: 'POST', url: '/api/pipelines/nope/review', headers: auth, payload: { decision: 'approve' } });
  assert.deepEqual([unknown.statusCode, unknown.json<{ error: { code: string } }>().error.code], [404, 'NOT_FOUND']);
  const keyless = await app.inject({ method: 'POST', url: '/api/pipelines/p-1/review', payload: { decision: 'approve' } });
  assert.equal(keyless.statusCode, 401);

  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>> }>();
  const op = doc.paths['/api/pipelines/{id}/review']?.post;
  assert.deepEqual(Object.keys(op?.responses ?? {}).sort(), ['202', '400', '401', '404', '409', '413', '414', '415', '429', '503']);
  assert.match(JSON.stringify(op?.requestBody), /"approve","reject"/);
});

test('unknown pipeline id: the orchestrator\'s 404 ErrorBody passes through with our request id', async () => {
  const res = await app.inject({ method: 'GET', url: '/api/pipelines/status/nope', headers: { ...auth, 'x-request-id': 'r-404' } });
  assert.equal(res.statusCode, 404);
  const body = res.json<{ error: { code: string; message: string; requestId: string } }>();
  assert.equal(body.error.code, 'NOT_FOUND');
  assert.match(body.error.message, /nope/);
  assert.equal(body.error.requestId, 'r-404');
  const bad = await app.inject({ method: 'GET', url: '/api/pipelines/status/a%20b', headers: auth });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json<{ error: { field: string } }>().error.field, 'id');
});

test('an upstream ErrorBody keeps its status and code; direct routes forward to their services', async () => {
  const kw = await app.inject({ method: 'POST', url: '/api/keywords/fetch', headers: auth, payload: { topic: 'octopus', limit: 10 } });
  assert.equal(kw.statusCode, 200);
  assert.equal(keywords.received.at(-1)?.url, '/keywords/fetch');
  assert.deepEqual(keywords.received.at(-1)?.body, { topic: 'octopus', lang: 'en', region: 'us', limit: 10 });
  const sg = await app.inject({ method: 'POST', url: '/api/scripts/generate', headers: auth, payload: { topic: 'octopus' } });
  assert.equal(sg.statusCode, 503);
  assert.deepEqual(sg.json(), { error: { code: 'PROVIDER_UNAVAILABLE', message: 'llm is down', requestId: 'upstream-id' } });
  assert.equal(scripts.received.at(-1)?.url, '/scripts/generate');
});

test('missing or wrong key → 401 UNAUTHORIZED; public routes need none', async () => {
  const missing = await app.inject({ method: 'GET', url: '/api/pipelines/status/p-1' });
  assert.equal(missing.statusCode, 401);
  const body = missing.json<{ error: { code: string; message: string; requestId: string } }>();
  assert.equal(body.error.code, 'UNAUTHORIZED');
  assert.equal(body.error.message, 'missing Authorization: Bearer <key>');
  assert.ok(body.error.requestId);
  const wrong = await app.inject({ method: 'POST', url: '/api/pipelines/start', headers: { authorization: 'Bearer not-the-key' }, payload: { topic: 'x' } });
  assert.equal(wrong.statusCode, 401);
  assert.equal(wrong.json<{ error: { code: string } }>().error.code, 'UNAUTHORIZED');
  assert.doesNotMatch(wrong.body, /not-the-key/);
  for (const url of ['/health', '/openapi.json', '/docs', '/metrics']) {
    assert.equal((await app.inject({ method: 'GET', url })).statusCode, 200, url);
  }
  // The shared runtime metrics, so the Services dashboard has the gateway's rows.
  assert.match((await app.inject({ method: 'GET', url: '/metrics' })).body, /^http_requests_total\{[^}]*route="\/api\/pipelines\/start"[^}]*status="401"[^}]*service="api-gateway"\} \d+$/m);
  const ready = await app.inject({ method: 'GET', url: '/ready' });
  assert.deepEqual(ready.json(), { status: 'ready' });
});

test('per-key rate limit: the 4th request of a 3/minute key → 429 with Retry-After; other keys unaffected', async () => {
  const headers = { authorization: `Bearer ${SLOW_KEY}` };
  for (let i = 0; i < 3; i++) {
    assert.equal((await app.inject({ method: 'GET', url: '/api/pipelines/status/p-1', headers })).statusCode, 200);
  }
  const limited = await app.inject({ method: 'GET', url: '/api/pipelines/status/p-1', headers });
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.json<{ error: { code: string } }>().error.code, 'RATE_LIMITED');
  const retryAfter = Number(limited.headers['retry-after']);
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  assert.equal((await app.inject({ method: 'GET', url: '/api/pipelines/status/p-1', headers: auth })).statusCode, 200);
});

test('bad input answers 4xx with a code and the field, never 500', async () => {
  const post = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/api/pipelines/start', headers: { ...auth, 'content-type': contentType }, payload });
  const err = (r: { json: <T>() => T }) => r.json<{ error: { code: string; message: string; field?: string } }>().error;

  const big = await post(JSON.stringify({ topic: 'x'.repeat(3000) }));
  assert.equal(big.statusCode, 413);
  assert.equal(err(big).code, 'PAYLOAD_TOO_LARGE');

  const text = await post('topic=octopus', 'text/plain');
  assert.equal(text.statusCode, 415);
  assert.equal(err(text).code, 'UNSUPPORTED_MEDIA_TYPE');

  const malformed = await post('{"topic": "octo');
  assert.equal(malformed.statusCode, 400);
  assert.equal(err(malformed).code, 'INVALID_INPUT');
  assert.match(err(malformed).message, /malformed JSON/);

  const unknown = await post(JSON.stringify({ topic: 'octopus', colour: 'red' }));
  assert.equal(unknown.statusCode, 400);
  assert.equal(err(unknown).code, 'INVALID_INPUT');
  assert.equal(err(unknown).field, 'colour');
  assert.match(err(unknown).message, /unknown field "colour"/);

  const wrongType = await post(JSON.stringify({ topic: 'octopus', durationSec: 'sixty' }));
  assert.equal(wrongType.statusCode, 400);
  assert.equal(err(wrongType).field, 'durationSec');

  const noBody = await app.inject({ method: 'POST', url: '/api/keywords/fetch', headers: auth });
  assert.equal(noBody.statusCode, 400);
  assert.equal(err(noBody).code, 'INVALID_INPUT');

  const proto = await post('{"topic":"x","__proto__":{"admin":true}}');
  assert.equal(proto.statusCode, 400);

  const route = await app.inject({ method: 'GET', url: '/api/nothing-here', headers: auth });
  assert.equal(route.statusCode, 404);
  assert.equal(err(route).code, 'NOT_FOUND');
  assert.equal(orchestrator.received.filter((r) => r.url === '/pipelines/start').length, 1, 'nothing invalid was forwarded');
});

test('an orchestrator that is down → 503 STAGE_UNAVAILABLE naming ORCHESTRATOR_URL; /ready fails', async () => {
  const down = buildGatewayApp({ config: loadGatewayConfig(env({ ORCHESTRATOR_URL: downUrl, API_KEYS_FILE: '' }), readKeys), events: new MemoryEventBus(), logger });
  try {
    const res = await down.inject({ method: 'POST', url: '/api/pipelines/start', headers: auth, payload: { topic: 'octopus' } });
    assert.equal(res.statusCode, 503);
    const body = res.json<{ error: { code: string; message: string } }>();
    assert.equal(body.error.code, 'STAGE_UNAVAILABLE');
    assert.match(body.error.message, /orchestrator.*ORCHESTRATOR_URL/);
    assert.equal((await down.inject({ method: 'GET', url: '/ready' })).statusCode, 503);
  } finally {
    await down.close();
  }
});

test('CORS: a preflight from an allowed origin gets the allow headers; others get none', async () => {
  const preflight = await app.inject({
    method: 'OPTIONS', url: '/api/pipelines/start',
    headers: { origin: 'https://studio.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
  assert.equal(preflight.statusCode, 204);
  assert.equal(preflight.headers['access-control-allow-origin'], 'https://studio.example');
  assert.match(String(preflight.headers['access-control-allow-headers']), /authorization/);
  assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);
  const other = await app.inject({ method: 'OPTIONS', url: '/api/pipelines/start', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
  assert.equal(other.headers['access-control-allow-origin'], undefined);
  const simple = await app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://studio.example' } });
  assert.equal(simple.headers['access-control-allow-origin'], 'https://studio.example');
});

test('openapi.json is OpenAPI 3.1 with every registered route, zod-generated bodies and bearer security', async () => {
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  type Schema = { properties?: Record<string, unknown>; additionalProperties?: unknown };
  const doc = res.json<{ openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> }; security: unknown[] }>>; components: { securitySchemes: Record<string, { scheme: string }> } }>();
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.components.securitySchemes.bearer?.scheme, 'bearer');
  // The reverse (every served route is documented) is checked by the app itself when it gets ready.
  for (const route of GATEWAY_ROUTES.filter((r) => !r.onlyWithFolderStore && !r.hidden)) {
    assert.ok(doc.paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path} documented`);
    assert.ok(app.hasRoute({ method: route.method, url: toFastifyPath(route.path) }), `${route.method} ${route.path} registered`);
  }
  const extra = buildGatewayApp({ env: { AUTH_DISABLED: 'true' }, events: new MemoryEventBus(), logger });
  extra.get('/api/secret-undocumented', async () => ({}));
  await assert.rejects(async () => { await extra.ready(); }, /GET \/api\/secret-undocumented/);
  await extra.close().catch(() => undefined);
  const start = doc.paths['/api/pipelines/start']?.post;
  assert.ok(start?.requestBody);
  assert.equal(start?.security.length, 1);
  assert.deepEqual(doc.paths['/health']?.get?.security, []);
  const request = start?.requestBody?.content['application/json']?.schema;
  assert.ok(request?.properties?.topic && request.properties.durationSec);
  assert.equal(request?.additionalProperties, false, 'strict contracts reject unknown fields');
  const docs = await app.inject({ method: 'GET', url: '/docs' });
  assert.match(String(docs.headers['content-type']), /text\/html/);
  for (const route of GATEWAY_ROUTES.filter((r) => !r.hidden)) assert.ok(docs.body.includes(route.path), route.path);
  assert.doesNotMatch(docs.body, /https?:\/\/(?!127)/, 'no external assets');
});

test('SSE: only this pipeline\'s events, in order, once each, with heartbeats; closed after pipeline.completed', async () => {
  const bus = new MemoryEventBus();
  const sse = buildGatewayApp({ config: loadGatewayConfig(env({ SSE_HEARTBEAT_MS: '40' }), readKeys), events: bus, logger });
  await sse.listen({ port: 0, host: '127.0.0.1' });
  try {
    const base = `http://127.0.0.1:${(sse.server.address() as AddressInfo).port}`;
    const res = await fetch(`${base}/api/pipelines/p-sse/events`, { headers: auth });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const event = (name: PipelineEvent['name'], seq: number, pipelineId = 'p-sse'): PipelineEvent =>
      ({ id: `e${seq}-${pipelineId}`, name, pipelineId, seq, at: new Date().toISOString(), data: {} });
    const readAll = (async () => {
      let text = '';
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
      return text;
    })();
    await new Promise((resolve) => setTimeout(resolve, 120));
    await bus.publish(event('pipeline.started', 1));
    await bus.publish(event('pipeline.started', 1, 'p-other'));
    await bus.publish(event('pipeline.keywords.completed', 2));
    await bus.publish(event('pipeline.keywords.completed', 2));
    await bus.publish(event('pipeline.completed', 3));
    await bus.publish(event('pipeline.failed', 4));
    const text = await Promise.race([readAll, new Promise<string>((_r, reject) => setTimeout(() => reject(new Error('stream did not close')), 5000))]);
    assert.match(text, /: heartbeat\n\n/);
    const frames = text.split('\n\n').filter((f) => f.startsWith('id:'));
    assert.deepEqual(frames.map((f) => f.split('\n').slice(0, 2).join('|')), [
      'id: 1|event: pipeline.started', 'id: 2|event: pipeline.keywords.completed', 'id: 3|event: pipeline.completed',
    ]);
    const data = JSON.parse(frames[2]?.split('\n')[2]?.slice('data: '.length) ?? '') as PipelineEvent;
    assert.equal(data.pipelineId, 'p-sse');
    assert.equal(data.seq, 3);

    const unknown = await fetch(`${base}/api/pipelines/ghost/events`, { headers: auth });
    assert.equal(unknown.status, 404);
    assert.equal((await unknown.json() as { error: { code: string } }).error.code, 'NOT_FOUND');
    const done = await fetch(`${base}/api/pipelines/p-done/events`, { headers: auth });
    assert.match(await done.text(), /pipeline already Completed/);
  } finally {
    await sse.close();
  }
});

test('config: no key without AUTH_DISABLED refuses to start naming API_KEYS; bad variables are listed together', () => {
  assert.throws(() => loadGatewayConfig({}), (err: unknown) =>
    err instanceof FacelessError && err.code === 'INVALID_OPTION' && /API_KEYS/.test(err.message) && /AUTH_DISABLED=true/.test(err.message));
  const open = loadGatewayConfig({ AUTH_DISABLED: 'true' });
  assert.equal(open.authDisabled, true);
  assert.equal(open.port, 3000);
  assert.equal(open.upstreams.orchestrator, 'http://127.0.0.1:3001');
  assert.equal(open.bodyLimitBytes, 65_536);
  assert.deepEqual(open.corsOrigins, []);
  assert.throws(() => loadGatewayConfig({ AUTH_DISABLED: 'yes', PORT: 'abc', ORCHESTRATOR_URL: 'ftp://x', RATE_LIMIT_PER_MINUTE: '0' }), (err: unknown) =>
    err instanceof Error && ['AUTH_DISABLED', 'PORT', 'ORCHESTRATOR_URL', 'RATE_LIMIT_PER_MINUTE'].every((name) => err.message.includes(name)));
});

test('AUTH_DISABLED=true: /api/* is open and rate limited per client address', async () => {
  const open = buildGatewayApp({ env: { AUTH_DISABLED: 'true', ORCHESTRATOR_URL: orchestrator.url, RATE_LIMIT_PER_MINUTE: '2' }, events: new MemoryEventBus(), logger });
  try {
    assert.equal((await open.inject({ method: 'GET', url: '/api/pipelines/status/p-1' })).statusCode, 200);
    assert.equal((await open.inject({ method: 'GET', url: '/api/pipelines/status/p-1' })).statusCode, 200);
    assert.equal((await open.inject({ method: 'GET', url: '/api/pipelines/status/p-1' })).statusCode, 429);
  } finally {
    await open.close();
  }
});
