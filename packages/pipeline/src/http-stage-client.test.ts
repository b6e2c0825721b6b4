import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { after, test } from 'node:test';
import { z } from 'zod';
import { STAGE_KEYS, type StageKey } from '@faceless/contracts';
import { FolderStore } from '@faceless/infra';
import { FacelessError, buildStageApp, defineStage, sleep } from '@faceless/runtime';
import { HttpStageClient, errorFromResponse } from './http-stage-client.ts';
import { InstancePool } from './instance-pool.ts';

interface Received { method: string; path: string; headers: IncomingHttpHeaders; body: unknown }

async function fakeStage(handle: (res: ServerResponse, n: number) => void): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => { raw += c.toString(); });
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: JSON.parse(raw) as unknown });
      handle(res, received.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

const servers: Server[] = [];
after(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A URL nobody listens on: a server's port, closed. */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return `http://127.0.0.1:${port}`;
}

function clientFor(urls: string[], options: { shortTimeoutMs?: number } = {}): { client: HttpStageClient; pool: InstancePool } {
  const pool = new InstancePool(urls);
  const pools = Object.fromEntries(STAGE_KEYS.map((k) => [k, pool])) as Record<StageKey, InstancePool>;
  return { client: new HttpStageClient({ pools, ...options }), pool };
}

const call = { pipelineId: 'p-1', signal: new AbortController().signal };

test('a dead instance is routed around within one call; the request carries the route, ids and JSON', async () => {
  const live = await fakeStage((res) => json(res, 200, { topic: 't', keywords: [] }));
  const dead = await deadUrl();
  const { client, pool } = clientFor([dead, live.url]);
  const out = await client.call('keywords', { topic: 'octopus', lang: 'en' }, call);
  assert.deepEqual(out, { topic: 't', keywords: [] });
  assert.equal(live.received.length, 1);
  const r = live.received[0];
  assert.equal(r?.method, 'POST');
  assert.equal(r?.path, '/keywords/fetch');
  assert.equal(r?.headers['content-type'], 'application/json');
  assert.equal(r?.headers['x-pipeline-id'], 'p-1');
  assert.match(String(r?.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  assert.deepEqual(r?.body, { topic: 'octopus', lang: 'en' });
  assert.equal(pool.isUp(dead), false);
  // The next call goes straight to the live instance.
  await client.call('video', {}, call);
  assert.equal(live.received[1]?.path, '/videos/assemble');
});

test('every instance dead: STAGE_UNAVAILABLE, retryable, naming the service and its variable', async () => {
  const { client } = clientFor([await deadUrl(), await deadUrl()]);
  await assert.rejects(client.call('video', {}, call), (err: FacelessError) =>
    err.code === 'STAGE_UNAVAILABLE' && err.retryable && /video-assembler did not answer/.test(err.message) && /VIDEO_ASSEMBLER_URL/.test(err.message));
});

test('a 503 ErrorBody is a retryable error with its code', async () => {
  const s = await fakeStage((res) => json(res, 503, { error: { code: 'PROVIDER_UNAVAILABLE', message: 'SerpApi is down' } }));
  const { client } = clientFor([s.url]);
  await assert.rejects(client.call('keywords', {}, call), (err: FacelessError) =>
    err.code === 'PROVIDER_UNAVAILABLE' && err.retryable && err.message === 'SerpApi is down');
});

test('a 400 ErrorBody is not retryable and keeps its code and field', async () => {
  const s = await fakeStage((res) => json(res, 400, { error: { code: 'INVALID_INPUT', message: 'topic is empty', field: 'topic', requestId: 'r' } }));
  const { client } = clientFor([s.url]);
  await assert.rejects(client.call('script', {}, call), (err: FacelessError) =>
    err.code === 'INVALID_INPUT' && !err.retryable && err.field === 'topic');
  assert.equal(s.received.length, 1, 'a 4xx is not tried on another instance');
});

test('status and body mapping', () => {
  const media = errorFromResponse(500, JSON.stringify({ error: { code: 'MEDIA_FAILED', message: 'ffmpeg exploded' } }), 'x');
  assert.deepEqual([media.code, media.retryable], ['MEDIA_FAILED', false]);
  const internal = errorFromResponse(500, JSON.stringify({ error: { code: 'INTERNAL', message: 'oops' } }), 'x');
  assert.deepEqual([internal.code, internal.retryable], ['INTERNAL', true]);
  const proxy = errorFromResponse(502, '<html>Bad Gateway</html>', 'video-assembler at http://v');
  assert.deepEqual([proxy.code, proxy.retryable], ['STAGE_UNAVAILABLE', true]);
  assert.match(proxy.message, /video-assembler at http:\/\/v answered 502: <html>Bad Gateway/);
  const limited = errorFromResponse(429, 'slow down', 'x');
  assert.deepEqual([limited.code, limited.retryable], ['RATE_LIMITED', true]);
  const odd = errorFromResponse(404, 'nope', 'x');
  assert.deepEqual([odd.code, odd.retryable], ['INTERNAL', false]);
});

test('the retry decision comes from the body: an exhausted quota or a missing bucket is not retried, as in process', async () => {
  const quota = errorFromResponse(503, JSON.stringify({ error: { code: 'PROVIDER_RATE_LIMITED', message: 'insufficient_quota', retryable: false } }), 'x');
  assert.deepEqual([quota.code, quota.retryable], ['PROVIDER_RATE_LIMITED', false]);
  const bucket = errorFromResponse(503, JSON.stringify({ error: { code: 'STORAGE_FAILED', message: 'NoSuchBucket', retryable: false } }), 'x');
  assert.deepEqual([bucket.code, bucket.retryable], ['STORAGE_FAILED', false]);
  const internal = errorFromResponse(500, JSON.stringify({ error: { code: 'INTERNAL', message: 'oops', retryable: false } }), 'x');
  assert.deepEqual([internal.code, internal.retryable], ['INTERNAL', false]);
  const busy = errorFromResponse(422, JSON.stringify({ error: { code: 'LIMIT_EXCEEDED', message: 'busy', retryable: true } }), 'x');
  assert.deepEqual([busy.code, busy.retryable], ['LIMIT_EXCEEDED', true]);
  // Over a real call too: one attempt, and the instance stays up since retrying elsewhere cannot help.
  const s = await fakeStage((res) => json(res, 503, { error: { code: 'PROVIDER_RATE_LIMITED', message: 'insufficient_quota', retryable: false } }));
  const { client, pool } = clientFor([s.url]);
  await assert.rejects(client.call('script', {}, call), (err: FacelessError) => err.code === 'PROVIDER_RATE_LIMITED' && !err.retryable);
  assert.equal(pool.isUp(s.url), true);
});

const steps = defineStage({
  name: 'steps',
  input: z.object({ steps: z.number().int(), fail: z.boolean().default(false) }).loose(),
  output: z.strictObject({ done: z.number() }),
  async run(input, ctx) {
    for (let i = 1; i <= input.steps; i++) {
      await sleep(120);
      ctx.progress(i / input.steps, `frame ${i}`);
    }
    if (input.fail) throw new FacelessError('STORAGE_FAILED', 'the bucket does not exist', { retryable: false });
    return { done: input.steps };
  },
});

test('a stage service over real HTTP: the client receives rising fractions while it works, then the result', async () => {
  const app = buildStageApp({ stage: steps, route: '/videos/assemble', service: 'video-assembler', createContext: () => ({ store: new FolderStore(tmpdir()) }), logger: false });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const { client } = clientFor([url]);
    const seen: { fraction: number; note: string | undefined; at: number }[] = [];
    const started = Date.now();
    const out = await client.call('video', { steps: 10 }, { ...call, onProgress: (fraction, note) => seen.push({ fraction, note, at: Date.now() - started }) });
    const finished = Date.now() - started;
    assert.deepEqual(out, { done: 10 });
    assert.ok(seen.length >= 2, `got ${seen.length} reports`);
    assert.ok(seen.every((p, i) => i === 0 || p.fraction > (seen[i - 1]?.fraction ?? 0)), `rising: ${seen.map((p) => p.fraction).join(', ')}`);
    assert.match(String(seen[0]?.note), /^frame \d+$/);
    assert.ok((seen[0]?.at ?? Infinity) < finished - 500, 'the first report arrives while the stage works');
    await assert.rejects(client.call('video', { steps: 2, fail: true }, call), (err: FacelessError) =>
      err.code === 'STORAGE_FAILED' && !err.retryable && err.message === 'the bucket does not exist');
  } finally {
    await app.close();
  }
});

test('a progress stream cut before its result is an unreachable instance: STAGE_UNAVAILABLE, retryable', async () => {
  const s = await fakeStage((res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write('{"progress":0.3}\n');
    setTimeout(() => res.destroy(), 30);
  });
  const { client } = clientFor([s.url]);
  const fractions: number[] = [];
  await assert.rejects(client.call('video', {}, { ...call, onProgress: (f) => fractions.push(f) }), (err: FacelessError) =>
    err.code === 'STAGE_UNAVAILABLE' && err.retryable);
  assert.deepEqual(fractions, [0.3]);
  assert.equal(s.received[0]?.headers.accept, 'application/x-ndjson, application/json;q=0.9');
});

test('no answer within the timeout: STAGE_UNAVAILABLE after trying the other instance', async () => {
  const hang1 = await fakeStage(() => { /* never answers */ });
  const hang2 = await fakeStage(() => { /* never answers */ });
  const { client } = clientFor([hang1.url, hang2.url], { shortTimeoutMs: 150 });
  const started = Date.now();
  await assert.rejects(client.call('metadata', {}, call), (err: FacelessError) =>
    err.code === 'STAGE_UNAVAILABLE' && err.retryable && /no answer within/.test(err.message));
  assert.equal(hang1.received.length + hang2.received.length, 2);
  assert.ok(Date.now() - started < 2_000);
  assert.equal(client.timeoutFor('video'), 15 * 60_000);
  assert.equal(client.timeoutFor('metadata'), 150);
});

test('the caller\'s abort cancels the call at once, without marking the instance down', async () => {
  const hang = await fakeStage(() => { /* never answers */ });
  const { client, pool } = clientFor([hang.url]);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(client.call('video', {}, { pipelineId: 'p', signal: controller.signal }), (err: FacelessError) => err.code === 'CANCELLED');
  assert.equal(pool.isUp(hang.url), true);
});
