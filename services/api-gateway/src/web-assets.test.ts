import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { DASHBOARD_CSP, registerWebAssets } from './web-assets.ts';

let dir: string;
let app: FastifyInstance;
const INDEX = '<!doctype html><title>faceless</title><script type="module" src="/assets/index-abc123.js"></script>';

async function appFor(root: string): Promise<FastifyInstance> {
  const a = Fastify();
  a.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no route' } }));
  a.get('/api/pipelines', async () => ({ pipelines: [] }));
  a.get('/health', async () => ({ status: 'ok' }));
  registerWebAssets(a, { root });
  await a.ready();
  return a;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faceless-web-assets-'));
  await mkdir(join(dir, 'dist', 'assets'), { recursive: true });
  await writeFile(join(dir, 'dist', 'index.html'), INDEX);
  await writeFile(join(dir, 'dist', 'assets', 'index-abc123.js'), 'console.log("dashboard")');
  app = await appFor(join(dir, 'dist'));
});
after(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

test('/ answers index.html with the CSP, nosniff, no-referrer and no-cache', async () => {
  const res = await app.inject({ method: 'GET', url: '/', headers: html });
  assert.equal(res.statusCode, 200);
  assert.equal(res.body, INDEX);
  assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
  assert.equal(res.headers['content-security-policy'], DASHBOARD_CSP);
  assert.match(DASHBOARD_CSP, /script-src 'self';/);
  assert.doesNotMatch(DASHBOARD_CSP, /unsafe-inline|unsafe-eval|https?:/);
  assert.match(DASHBOARD_CSP, /frame-ancestors 'none'/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['referrer-policy'], 'no-referrer');
  assert.equal(res.headers['cache-control'], 'no-cache');
  // Even without an Accept header (curl), / is the page.
  assert.equal((await app.inject({ method: 'GET', url: '/' })).statusCode, 200);
  const head = await app.inject({ method: 'HEAD', url: '/', headers: html });
  assert.equal(head.statusCode, 200);
  assert.equal(head.body, '');
});

test('client-side routes answer index.html to a browser, and 404 to a client that does not ask for HTML', async () => {
  for (const url of ['/pipelines', '/pipelines/p-123', '/batch', '/make?x=1']) {
    const res = await app.inject({ method: 'GET', url, headers: html });
    assert.equal(res.statusCode, 200, url);
    assert.equal(res.body, INDEX, url);
    assert.equal(res.headers['content-security-policy'], DASHBOARD_CSP, url);
  }
  const json = await app.inject({ method: 'GET', url: '/pipelines/p-123', headers: { accept: 'application/json' } });
  assert.equal(json.statusCode, 404);
  assert.equal(json.json<{ error: { code: string } }>().error.code, 'NOT_FOUND');
});

test('the gateway\'s own paths never answer the page, even to a browser', async () => {
  for (const url of ['/api/nope', '/api/pipelines/x/unknown', '/docs/x', '/openapi.json', '/ready', '/metrics', '/health/x']) {
    const res = await app.inject({ method: 'GET', url, headers: html });
    assert.equal(res.statusCode, 404, url);
    assert.notEqual(res.body, INDEX, url);
  }
  const api = await app.inject({ method: 'GET', url: '/api/pipelines', headers: html });
  assert.deepEqual(api.json(), { pipelines: [] });
  assert.equal(api.headers['content-security-policy'], undefined);
  assert.deepEqual((await app.inject({ method: 'GET', url: '/health', headers: html })).json(), { status: 'ok' });
});

test('hashed assets are served with a year-long immutable cache; a missing one is a 404', async () => {
  const res = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
  assert.equal(res.statusCode, 200);
  assert.equal(res.body, 'console.log("dashboard")');
  assert.match(String(res.headers['content-type']), /javascript/);
  assert.match(String(res.headers['cache-control']), /max-age=31536000/);
  assert.match(String(res.headers['cache-control']), /immutable/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  const ranged = await app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { range: 'bytes=0-6' } });
  assert.equal(ranged.statusCode, 206);
  assert.equal(ranged.body, 'console');
  const missing = await app.inject({ method: 'GET', url: '/assets/index-nope.js', headers: html });
  assert.equal(missing.statusCode, 404);
  assert.notEqual(missing.body, INDEX);
  const escape = await app.inject({ method: 'GET', url: '/assets/..%2findex.html' });
  assert.equal(escape.statusCode, 404);
});

test('without a build, the page answers 503 with the command that builds it', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'faceless-web-unbuilt-'));
  const bare = await appFor(join(empty, 'dist'));
  try {
    const res = await bare.inject({ method: 'GET', url: '/', headers: html });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /npm run build -w apps\/web/);
    assert.equal(res.headers['content-security-policy'], DASHBOARD_CSP);
    // Built after the start: the next request finds it.
    await mkdir(join(empty, 'dist'), { recursive: true });
    await writeFile(join(empty, 'dist', 'index.html'), INDEX);
    assert.equal((await bare.inject({ method: 'GET', url: '/pipelines', headers: html })).body, INDEX);
  } finally {
    await bare.close();
    await rm(empty, { recursive: true, force: true });
  }
});
