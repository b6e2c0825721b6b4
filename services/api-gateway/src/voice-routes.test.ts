import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { MemoryEventBus } from '@faceless/infra';
import { createLogger } from '@faceless/runtime';
import { hashApiKey } from './api-keys.ts';
import { buildGatewayApp } from './gateway-app.ts';
import { loadGatewayConfig } from './gateway-config.ts';

// The gateway's /api/voices routes against a fake tts-renderer that records what reaches it.
const KEY = 'fk_voice-routes-test-key';
const auth = { authorization: `Bearer ${KEY}` };
// Random bytes are not valid UTF-8: a body decoded as text on the way would not come back equal.
const SAMPLE = Buffer.concat([Buffer.from('RIFF'), randomBytes(48_000)]);
const received: { method: string; url: string; body: string }[] = [];
let answer: { status: number; type: string; body: Buffer } = { status: 200, type: 'audio/wav', body: SAMPLE };
let tts: Server;
let app: FastifyInstance;

before(async () => {
  tts = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => tts.listen(0, '127.0.0.1', resolve));
  app = buildGatewayApp({
    config: loadGatewayConfig({
      API_KEYS: `t:${hashApiKey(KEY)}`, TTS_RENDERER_URL: `http://127.0.0.1:${(tts.address() as AddressInfo).port}`, FACELESS_DATA_DIR: '/nonexistent-faceless',
    }),
    events: new MemoryEventBus(), logger: createLogger({ level: 'error', write: () => undefined }), webRoot: false,
  });
  await app.ready();
});
after(async () => {
  await app.close();
  await new Promise((resolve) => tts.close(resolve));
});

test('POST /api/voices/sample passes the tts-renderer\'s audio through byte for byte', async () => {
  answer = { status: 200, type: 'audio/wav', body: SAMPLE };
  received.length = 0;
  const res = await app.inject({ method: 'POST', url: '/api/voices/sample', headers: auth, payload: { lang: 'fr', voice: 'fr-be' } });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'audio/wav');
  assert.ok(res.rawPayload.equals(SAMPLE), `${res.rawPayload.length} bytes back for ${SAMPLE.length} sent`);
  assert.deepEqual(received.map((r) => [r.method, r.url, JSON.parse(r.body) as unknown]), [['POST', '/voices/sample', { lang: 'fr', voice: 'fr-be' }]]);
});

test('without a key, neither route reaches the tts-renderer', async () => {
  received.length = 0;
  assert.equal((await app.inject({ method: 'POST', url: '/api/voices/sample', payload: { lang: 'en' } })).statusCode, 401);
  assert.equal((await app.inject({ url: '/api/voices?lang=en' })).statusCode, 401);
  assert.equal(received.length, 0);
});

test('GET /api/voices forwards the language; a language outside the enum is 400 at the gateway', async () => {
  const voices = { voices: [{ id: 'fr', name: 'French (France)', lang: 'fr', provider: 'espeak-ng' }] };
  answer = { status: 200, type: 'application/json', body: Buffer.from(JSON.stringify(voices)) };
  received.length = 0;
  const res = await app.inject({ url: '/api/voices?lang=fr', headers: auth });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), voices);
  const bad = await app.inject({ url: '/api/voices?lang=xx', headers: auth });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json<{ error: { field: string } }>().error.field, 'lang');
  assert.deepEqual(received.map((r) => r.url), ['/voices?lang=fr']);
});

test('the tts-renderer\'s 400 on an unknown voice comes back as it is, with this request\'s id', async () => {
  const error = { error: { code: 'INVALID_INPUT', message: 'espeak-ng has no voice "zz": list the voices with GET /api/voices?lang=en', field: 'voice' } };
  answer = { status: 400, type: 'application/json', body: Buffer.from(JSON.stringify(error)) };
  const res = await app.inject({ method: 'POST', url: '/api/voices/sample', headers: auth, payload: { lang: 'en', voice: 'zz' } });
  assert.equal(res.statusCode, 400);
  const body = res.json<{ error: { field: string; requestId: string } }>();
  assert.equal(body.error.field, 'voice');
  assert.equal(body.error.requestId, res.headers['x-request-id']);
});

test('a sample answered with a type that is not audio is sent as octet-stream', async () => {
  answer = { status: 200, type: 'text/html', body: Buffer.from('<script>alert(1)</script>') };
  const res = await app.inject({ method: 'POST', url: '/api/voices/sample', headers: auth, payload: { lang: 'en' } });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'application/octet-stream');
});
