import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { MemoryEventBus } from '@faceless/infra';
import { createLogger } from '@faceless/runtime';
import { hashApiKey } from './api-keys.ts';
import { buildGatewayApp } from './gateway-app.ts';
import { loadGatewayConfig } from './gateway-config.ts';

// The gateway's /api/channels routes against a fake uploader that records what reaches it.
const KEY = 'fk_channel-routes-test-key';
const auth = { authorization: `Bearer ${KEY}` };
const received: { method: string; url: string; body: string }[] = [];
const logLines: string[] = [];
let uploader: Server;
let app: FastifyInstance;
let answer: { status: number; body: unknown } = { status: 200, body: {} };

before(async () => {
  uploader = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => uploader.listen(0, '127.0.0.1', resolve));
  app = buildGatewayApp({
    config: loadGatewayConfig({
      API_KEYS: `t:${hashApiKey(KEY)}`, UPLOADER_URL: `http://127.0.0.1:${(uploader.address() as AddressInfo).port}`,
      PUBLIC_URL: 'https://faceless.example.com/', FACELESS_DATA_DIR: '/nonexistent-faceless',
    }),
    events: new MemoryEventBus(), logger: createLogger({ level: 'debug', write: (line) => logLines.push(line) }), webRoot: false,
  });
  await app.ready();
});
after(async () => {
  await app.close();
  await new Promise((resolve) => uploader.close(resolve));
});

test('GET /api/channels is the uploader\'s list; without a key it never reaches the uploader', async () => {
  answer = { status: 200, body: { channels: [{ name: 'local', kind: 'local', tokenHealth: 'none', warnings: [], nextSlots: [], quota: { usedToday: 0, limit: 0, day: '2026-03-10' } }] } };
  received.length = 0;
  assert.equal((await app.inject({ url: '/api/channels' })).statusCode, 401);
  assert.equal(received.length, 0);
  const res = await app.inject({ url: '/api/channels', headers: auth });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), answer.body);
  assert.deepEqual(received.map((r) => `${r.method} ${r.url}`), ['GET /channels']);
});

test('oauth/start sends the name and PUBLIC_URL\'s callback as redirect URI, and passes the consent URL back', async () => {
  answer = { status: 200, body: { consentUrl: 'https://accounts.google.com/o/oauth2/v2/auth?state=s', expiresAt: '2026-03-10T08:10:00.000Z' } };
  received.length = 0;
  const res = await app.inject({ method: 'POST', url: '/api/channels/oauth/start', headers: auth, payload: { name: 'science' } });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), answer.body);
  assert.deepEqual(JSON.parse(received[0]?.body ?? ''), { name: 'science', redirectUri: 'https://faceless.example.com/api/channels/oauth/callback' });
  const bad = await app.inject({ method: 'POST', url: '/api/channels/oauth/start', headers: auth, payload: { name: 'Science!' } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json<{ error: { field: string } }>().error.field, 'name');
  assert.equal(received.length, 1, 'a bad name never reaches the uploader');
});

test('the callback is public: state, code and error go to the uploader in a POST body; the browser goes back to the Channels page', async () => {
  const code = '4/secret-authorization-code';
  const state = 'S'.repeat(43);
  answer = { status: 200, body: { outcome: 'added', channel: 'science' } };
  received.length = 0;
  logLines.length = 0;
  const added = await app.inject({ url: `/api/channels/oauth/callback?state=${state}&code=${encodeURIComponent(code)}&scope=x&authuser=0` });
  assert.equal(added.statusCode, 303);
  assert.equal(added.headers.location, '/channels?added=science');
  assert.equal(added.headers['cache-control'], 'no-store');
  assert.deepEqual(received.map((r) => [r.method, r.url, JSON.parse(r.body)]), [['POST', '/channels/oauth/complete', { state, code }]]);

  answer = { status: 200, body: { outcome: 'denied', channel: 'science', error: 'access_denied' } };
  const denied = await app.inject({ url: `/api/channels/oauth/callback?state=${state}&error=access_denied` });
  assert.equal(denied.statusCode, 303);
  assert.equal(denied.headers.location, '/channels?denied=science');
  answer = { status: 200, body: { outcome: 'denied', channel: 'science', error: 'admin_policy_enforced' } };
  const refused = await app.inject({ url: `/api/channels/oauth/callback?state=${state}&error=admin_policy_enforced` });
  assert.equal(refused.headers.location, '/channels?denied=science&reason=admin_policy_enforced');
  answer = { status: 200, body: { outcome: 'denied', channel: 'science', error: '<script>' } };
  const odd = await app.inject({ url: `/api/channels/oauth/callback?state=${state}&error=x` });
  assert.equal(odd.headers.location, '/channels?denied=science', 'anything but plain words stays out of the address');

  answer = { status: 400, body: { error: { code: 'INVALID_INPUT', message: 'this OAuth state is unknown or was already used', field: 'state' } } };
  const replayed = await app.inject({ url: `/api/channels/oauth/callback?state=${state}&code=x` });
  assert.equal(replayed.statusCode, 400);
  assert.deepEqual({ ...replayed.json<{ error: Record<string, unknown> }>().error, requestId: 'r' }, { ...(answer.body as { error: object }).error, requestId: 'r' });

  answer = { status: 422, body: { error: { code: 'CHANNEL_AUTH', message: 'the consent page granted only part of the access faceless needs' } } };
  const partial = await app.inject({ url: `/api/channels/oauth/callback?state=${state}&code=x` });
  assert.equal(partial.statusCode, 303, 'past a good state, the person goes back to the page');
  assert.equal(partial.headers.location, '/channels?failed=CHANNEL_AUTH');

  answer = { status: 200, body: { outcome: 'added', channel: '/../evil' } };
  const bad = await app.inject({ url: `/api/channels/oauth/callback?state=${state}&code=x` });
  assert.equal(bad.statusCode, 502, 'an answer without a plain channel name is not turned into a redirect');
  assert.equal(bad.json<{ error: { code: string } }>().error.code, 'PROVIDER_BAD_RESPONSE');

  assert.ok(logLines.some((l) => l.includes('/api/channels/oauth/callback')));
  for (const line of logLines) assert.ok(!line.includes(code) && !line.includes(state), `secret in a log line: ${line}`);
});

test('without PUBLIC_URL the redirect URI is the address the request came to', async () => {
  const local = buildGatewayApp({
    config: loadGatewayConfig({ API_KEYS: `t:${hashApiKey(KEY)}`, UPLOADER_URL: `http://127.0.0.1:${(uploader.address() as AddressInfo).port}`, FACELESS_DATA_DIR: '/nonexistent-faceless' }),
    events: new MemoryEventBus(), logger: createLogger({ level: 'error' }), webRoot: false,
  });
  try {
    answer = { status: 200, body: { consentUrl: 'https://x', expiresAt: 'x' } };
    received.length = 0;
    await local.inject({ method: 'POST', url: '/api/channels/oauth/start', headers: { ...auth, host: '127.0.0.1:3000' }, payload: { name: 'science' } });
    assert.equal((JSON.parse(received[0]?.body ?? '{}') as { redirectUri: string }).redirectUri, 'http://127.0.0.1:3000/api/channels/oauth/callback');
  } finally {
    await local.close();
  }
});
