import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { FolderStore, MemoryEventBus } from '@faceless/infra';
import { createLogger } from '@faceless/runtime';
import { hashApiKey } from './api-keys.ts';
import { createArtifactLinkSigner } from './artifact-links.ts';
import { buildGatewayApp } from './gateway-app.ts';
import { loadGatewayConfig } from './gateway-config.ts';
import type { UpstreamCall } from './upstream-client.ts';

const KEY = 'fk_deny-by-default-test-key';
const logLines: string[] = [];
const logger = createLogger({ level: 'debug', write: (line) => logLines.push(line) });
const dataDir = mkdtempSync(join(tmpdir(), 'faceless-deny-'));

/** Every upstream answers 200: if the gateway let a request through, the test would see a 2xx. */
const upstreamCalls: UpstreamCall[] = [];
async function permissiveUpstream(call: UpstreamCall) {
  upstreamCalls.push(call);
  if (call.path.includes('/events')) return { status: 200, body: { pipelineId: 'p-1', state: 'Completed', events: [] } };
  return { status: call.path === '/pipelines/start' ? 202 : 200, body: { pipelineId: 'p-1', state: 'Queued', pipelines: [], limit: 20, offset: 0 } };
}

let app: FastifyInstance;
let port: number;
const routes: { method: string; url: string; isPublic: boolean }[] = [];

before(async () => {
  const config = loadGatewayConfig({
    API_KEYS: `ci:${hashApiKey(KEY)}`, FACELESS_DATA_DIR: dataDir,
    // High limits: a 429 must not hide a request that auth let through.
    AUTH_FAILURES_PER_MINUTE: '10000', RATE_LIMIT_PER_MINUTE: '100000',
  });
  // With a folder store's signed links, as in `faceless serve`: the content route is walked too.
  const artifactLinks = { signer: createArtifactLinkSigner({ secret: randomBytes(32) }), store: new FolderStore(join(dataDir, 'store')) };
  app = buildGatewayApp({ config, events: new MemoryEventBus(), logger, callUpstream: permissiveUpstream, artifactLinks });
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'OPTIONS') routes.push({ method, url: route.url, isPublic: route.config?.public === true });
    }
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});

after(async () => {
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Sends a request target exactly as written (absolute-form, doubled slashes, escapes), reads only the status. */
function rawStatus(method: string, target: string, headers: Record<string, string> = {}, localAddress = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, localAddress, method, path: target, headers: { ...headers, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      resolve(res.statusCode ?? 0);
      res.destroy();
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`${method} ${target} timed out`)));
    req.end(method === 'POST' ? JSON.stringify({ topic: 'how octopuses think' }) : undefined);
  });
}

const encodeFirst = (path: string): string => path.replace(/\/([a-z])/g, (_m, c: string) => `/%${c.charCodeAt(0).toString(16)}`);
const encodeAll = (path: string): string => path.replace(/[a-z]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The ways a path has been spelt to slip past a check on the raw URL. */
function spellings(path: string): string[] {
  return [
    path,
    encodeFirst(path),
    encodeAll(path),
    path.replace(/\//g, '//'),
    `/${path}`,
    `${path}/`,
    path.replace('/api/', '/api/./'),
    path.replace('/api/', '/x/../api/'),
    path.toUpperCase(),
    `http://example.invalid${path}`,
    `http://127.0.0.1:${port}${encodeFirst(path)}`,
    `${path}?api_key=${KEY}`,
    `${path};jsessionid=1`,
    `${path}%00`,
    `${path}#fragment`,
  ];
}

const NO_KEYS: Record<string, string>[] = [
  {},
  { authorization: 'Bearer wrong-key' },
  { authorization: `Basic ${Buffer.from(`ci:${KEY}`).toString('base64')}` },
  { authorization: `Bearer ${KEY.slice(0, -1)}` },
  { authorization: 'Bearer' },
  { 'x-api-key': KEY },
  { cookie: `api_key=${KEY}` },
];

test('every route that is not flagged public refuses every spelling of its path without a valid key, for every method', async () => {
  await app.ready();
  const keyed = routes.filter((r) => !r.isPublic);
  assert.ok(keyed.length >= 8, `walked ${keyed.length} keyed routes`);
  const leaks: string[] = [];
  let sent = 0;
  for (const [index, route] of keyed.entries()) {
    // Each route's walk comes from its own loopback address: the failed-key limit per address (its own test
    // below) would otherwise close the door on the later routes with a 429 that proves nothing.
    const from = `127.0.${1 + Math.floor(index / 250)}.${1 + (index % 250)}`;
    const path = route.url.replace(/:(\w+)/g, 'p-1');
    for (const target of spellings(path)) {
      for (const method of new Set([route.method, 'GET', 'POST', 'PUT', 'DELETE', 'PATCH'])) {
        for (const headers of NO_KEYS) {
          const status = await rawStatus(method, target, headers, from);
          sent += 1;
          if (status >= 200 && status < 400) leaks.push(`${method} ${target} ${JSON.stringify(headers)} → ${status}`);
        }
      }
    }
  }
  assert.deepEqual(leaks, [], `requests let through without a key (${sent} sent)`);
  assert.equal(upstreamCalls.length, 0, 'nothing reached a service behind the gateway');
});

test('the same requests with the key are served, so the walk above tested real routes', async () => {
  const auth = { authorization: `Bearer ${KEY}` };
  assert.equal(await rawStatus('POST', '/api/pipelines/start', auth), 202);
  assert.equal(await rawStatus('POST', '/%61pi/pipelines/start', auth), 202, 'a percent-escaped path is the same route, with the same rule');
  assert.equal(await rawStatus('GET', 'http://example.invalid/api/pipelines', auth), 200);
  assert.equal(await rawStatus('GET', '/api/pipelines/status/p-1', auth), 200);
});

test('public routes are exactly the flagged ones', () => {
  const open = routes.filter((r) => r.isPublic).map((r) => `${r.method} ${r.url}`).sort();
  const expected = ['/', '/*', '/api/channels/oauth/callback', '/api/pipelines/:id/artifacts/content', '/assets/*', '/docs', '/health', '/metrics', '/openapi.json', '/ready'].flatMap((url) => [`GET ${url}`, `HEAD ${url}`]);
  assert.deepEqual(open, expected.sort());
});

test('failed keys are limited per address: past the limit even the right key waits, with Retry-After', async () => {
  const limited = buildGatewayApp({
    config: loadGatewayConfig({ API_KEYS: `ci:${hashApiKey(KEY)}`, FACELESS_DATA_DIR: dataDir, AUTH_FAILURES_PER_MINUTE: '3' }),
    events: new MemoryEventBus(), logger, callUpstream: permissiveUpstream,
  });
  try {
    for (let i = 0; i < 3; i++) {
      assert.equal((await limited.inject({ url: '/api/pipelines', headers: { authorization: `Bearer guess-${i}` } })).statusCode, 401);
    }
    const blocked = await limited.inject({ url: '/api/pipelines', headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(blocked.statusCode, 429);
    assert.equal(blocked.json<{ error: { code: string } }>().error.code, 'RATE_LIMITED');
    assert.ok(Number(blocked.headers['retry-after']) >= 1);
    const other = await limited.inject({ url: '/api/pipelines', headers: { authorization: `Bearer ${KEY}` }, remoteAddress: '127.0.0.9' });
    assert.equal(other.statusCode, 200, 'another address is not affected');
  } finally {
    await limited.close();
  }
});

test('answers Fastify and Node make themselves are in the one error format with x-request-id', async () => {
  const auth = { authorization: `Bearer ${KEY}` };
  const cases: { method: string; target: string; headers?: Record<string, string>; status: number | number[] }[] = [
    { method: 'GET', target: '/api/pipelines/status/%E0%A4%A', headers: auth, status: 400 },
    { method: 'GET', target: `/api/pipelines/status/${'a'.repeat(101)}`, headers: auth, status: 400 },
    // Past the router's parameter limit: 414, or 404 where the dashboard's catch-all route takes the path.
    { method: 'GET', target: `/api/pipelines/status/${'a'.repeat(600)}`, headers: auth, status: [414, 404] },
    { method: 'GET', target: '/no/such/route', headers: auth, status: 404 },
    { method: 'PROPFIND', target: '/api/pipelines', headers: auth, status: 404 },
    { method: 'GET', target: '/api/pipelines?limit=0', headers: auth, status: 400 },
  ];
  for (const c of cases) {
    const res = await fetchRaw(c.method, c.target, c.headers ?? {});
    assert.ok([c.status].flat().includes(res.status), `${c.method} ${c.target.slice(0, 60)} → ${res.status}`);
    assert.ok(res.headers['x-request-id'], `x-request-id on ${c.target.slice(0, 60)}`);
    const body = JSON.parse(res.body) as { error?: { code?: string; message?: string; requestId?: string } };
    assert.ok(body.error?.code && body.error.message && body.error.requestId, `one format: ${res.body.slice(0, 200)}`);
  }
  const headerFlood = await fetchRaw('GET', '/api/pipelines', { ...auth, 'x-big': 'a'.repeat(20_000), 'x-big2': 'b'.repeat(20_000), 'x-big3': 'c'.repeat(30_000) });
  assert.equal(headerFlood.status, 431);
  assert.equal((JSON.parse(headerFlood.body) as { error: { code: string } }).error.code, 'INVALID_INPUT');
});

test('a topic is checked as sent: 200 characters plus spaces is too long, a blank one is named', async () => {
  const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
  const long = await app.inject({ method: 'POST', url: '/api/pipelines/start', headers: auth, payload: { topic: `${'a'.repeat(200)}  ` } });
  assert.equal(long.statusCode, 400);
  assert.equal(long.json<{ error: { field: string } }>().error.field, 'topic');
  const blank = await app.inject({ method: 'POST', url: '/api/pipelines/start', headers: auth, payload: { topic: '   ' } });
  assert.equal(blank.statusCode, 400);
  assert.match(blank.json<{ error: { message: string } }>().error.message, /topic is empty/);
});

test('HTML answers carry a CSP without inline script, nosniff and frame-ancestors', async () => {
  const docs = await app.inject({ url: '/docs' });
  const csp = String(docs.headers['content-security-policy']);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(docs.headers['x-content-type-options'], 'nosniff');
  assert.doesNotMatch(docs.body, /<script/i);
});

test('a key added to or revoked from the keys file takes effect without a restart', async () => {
  const file = join(dataDir, 'api-keys.json');
  const other = 'fk_second-key-for-the-file';
  writeFileSync(file, JSON.stringify([{ id: 'second', name: 'second', hash: hashApiKey(other) }]));
  let clock = 0;
  const ring = buildGatewayApp({
    config: loadGatewayConfig({ FACELESS_DATA_DIR: dataDir }),
    events: new MemoryEventBus(), logger, callUpstream: permissiveUpstream, now: () => clock,
  });
  try {
    const get = async (key: string) => (await ring.inject({ url: '/api/pipelines', headers: { authorization: `Bearer ${key}` } })).statusCode;
    assert.equal(await get(other), 200);
    writeFileSync(file, JSON.stringify([]));
    clock += 2000;
    assert.equal(await get(other), 401, 'revoked');
    writeFileSync(file, JSON.stringify([{ id: 'third', name: 'third', hash: hashApiKey(`${other}-3`) }]));
    clock += 2000;
    assert.equal(await get(`${other}-3`), 200, 'created');
  } finally {
    await ring.close();
    rmSync(file, { force: true });
  }
});

test('no key reaches a log line, wherever a client puts it', async () => {
  const secret = 'fk_this-must-never-be-logged';
  const places: { url: string; headers: Record<string, string> }[] = [
    { url: '/api/pipelines', headers: { authorization: `Bearer ${secret}` } },
    { url: `/api/pipelines?api_key=${secret}`, headers: {} },
    { url: `/api/pipelines?token=${secret}&access_token=${secret}&code=${secret}&client_secret=${secret}`, headers: {} },
    { url: '/api/pipelines', headers: { 'x-api-key': secret, cookie: `session=${secret}` } },
    { url: `/no-route?key=${secret}`, headers: {} },
    { url: `/api/channels/oauth/callback?state=${secret}&code=${secret}`, headers: {} },
    { url: `/api/pipelines?api_key=${KEY}`, headers: { authorization: `Bearer ${KEY}` } },
  ];
  for (const p of places) await app.inject({ url: p.url, headers: p.headers });
  assert.ok(logLines.length >= places.length, 'the requests were logged');
  for (const line of logLines) {
    assert.ok(!line.includes(secret) && !line.includes(KEY), `secret in log line: ${line}`);
  }
});

function fetchRaw(method: string, target: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: target, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
