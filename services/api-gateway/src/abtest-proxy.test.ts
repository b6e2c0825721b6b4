import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { FolderStore, MemoryEventBus } from '@faceless/infra';
import { createLogger } from '@faceless/runtime';
import { hashApiKey } from './api-keys.ts';
import { createArtifactLinkSigner } from './artifact-links.ts';
import { buildGatewayApp } from './gateway-app.ts';
import { loadGatewayConfig } from './gateway-config.ts';

// The gateway's /api/abtests routes against a fake ab-tester that records what reaches it.
const KEY = 'fk_abtest-proxy-test-key';
const auth = { authorization: `Bearer ${KEY}` };
interface Received { method: string; url: string; headers: IncomingHttpHeaders; body: string }
const received: Received[] = [];
let abtester: Server;
let app: FastifyInstance;
const signer = createArtifactLinkSigner({ secret: randomBytes(32) });

const report = {
  experiment: { id: 'exp-1234', pipelineId: 'p-9', videoId: 'local-1', status: 'running', rotationHours: 24, createdAt: 'x', updatedAt: 'x', endedAt: null, variants: [], rotations: [] },
  live: 'A',
  variants: [
    { id: 'v-a', label: 'A', title: 'One', thumbnailKey: 'pipelines/p-9/thumbnails/a.jpg' },
    { id: 'v-b', label: 'B', title: 'Two', thumbnailKey: '/etc/passwd' },
    // What faceless serve's in-process stage records: the file's path on this machine, inside the store folder.
    { id: 'v-c', label: 'C', title: 'Three', thumbnailKey: '/nonexistent-faceless/store/pipelines/p-9/thumbnails/c.jpg' },
  ],
};

before(async () => {
  abtester = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url === '/abtest/gone') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no experiment "gone"', field: 'id' } }));
        return;
      }
      const answer = req.url === '/abtest/exp-1234' ? report : { ok: true };
      // A slow experiment: like a stop that sets a thumbnail on YouTube.
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer)), req.url?.startsWith('/abtest/slow') ? 400 : 0);
    });
  });
  await new Promise<void>((resolve) => abtester.listen(0, '127.0.0.1', resolve));
  app = buildGatewayApp({
    config: loadGatewayConfig({ API_KEYS: `t:${hashApiKey(KEY)}`, AB_TESTER_URL: `http://127.0.0.1:${(abtester.address() as AddressInfo).port}`, UPSTREAM_TIMEOUT_MS: '200', FACELESS_DATA_DIR: '/nonexistent-faceless' }),
    events: new MemoryEventBus(), logger: createLogger({ level: 'error' }), webRoot: false,
    artifactLinks: { signer, store: new FolderStore('/nonexistent-faceless/store') },
  });
  await app.ready();
});

after(async () => {
  await app.close();
  await new Promise((resolve) => abtester.close(resolve));
});

const last = (): Received => received[received.length - 1] as Received;

test('list and show are forwarded; a variant\'s thumbnail in the pipeline folder gets a signed link, one outside it none', async () => {
  const list = await app.inject({ url: '/api/abtests?status=running', headers: auth });
  assert.equal(list.statusCode, 200);
  assert.equal(last().url, '/abtest?status=running');
  const shown = await app.inject({ url: '/api/abtests/exp-1234', headers: auth });
  assert.equal(shown.statusCode, 200);
  const variants = shown.json<{ variants: { label: string; thumbnailKey: string; thumbnailUrl?: string }[] }>().variants;
  const [a, b, c] = ['A', 'B', 'C'].map((label) => variants.find((v) => v.label === label));
  assert.equal(c?.thumbnailKey, 'pipelines/p-9/thumbnails/c.jpg', 'a path in the store folder is answered as its key');
  assert.match(c?.thumbnailUrl ?? '', /key=pipelines%2Fp-9%2Fthumbnails%2Fc\.jpg&/);
  assert.match(a?.thumbnailUrl ?? '', /^\/api\/pipelines\/p-9\/artifacts\/content\?key=pipelines%2Fp-9%2Fthumbnails%2Fa\.jpg&exp=\d+&sig=/);
  assert.equal(b?.thumbnailUrl, undefined);
  const gone = await app.inject({ url: '/api/abtests/gone', headers: auth });
  assert.equal(gone.statusCode, 404);
  assert.equal(gone.json<{ error: { field: string } }>().error.field, 'id', 'the ab-tester\'s error is passed on');
});

test('a CSV given as { csv } reaches the ab-tester as text/csv, byte for byte; JSON rows as JSON', async () => {
  const csv = 'variant,period_start,period_end,impressions,clicks\r\nA,2026-12-01T00:00:00Z,2026-12-02T00:00:00Z,1000,"51"\n';
  const res = await app.inject({ method: 'POST', url: '/api/abtests/exp-1234/metrics/csv', headers: auth, payload: { csv } });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(last().url, '/abtest/exp-1234/metrics/csv');
  assert.match(String(last().headers['content-type']), /^text\/csv/);
  assert.equal(last().body, csv);
  const rows = { rows: [{ variant: 'B', date: '2026-12-01', impressions: 900, clicks: 30 }] };
  assert.equal((await app.inject({ method: 'POST', url: '/api/abtests/exp-1234/metrics', headers: auth, payload: rows })).statusCode, 200);
  assert.deepEqual(JSON.parse(last().body), rows);
  const unknownField = await app.inject({ method: 'POST', url: '/api/abtests/exp-1234/metrics', headers: auth, payload: { rows: [{ impressions: 1, clicks: 0, ctr: 2 }] } });
  assert.equal(unknownField.statusCode, 400, 'an unknown column is refused at the gateway');
  const noCsv = await app.inject({ method: 'POST', url: '/api/abtests/exp-1234/metrics/csv', headers: auth, payload: { csv: '' } });
  assert.equal(noCsv.statusCode, 400);
  assert.equal(noCsv.json<{ error: { field: string } }>().error.field, 'csv');
});

test('stop forwards the winner; evaluate and rotate forward no body; every route needs the key', async () => {
  assert.equal((await app.inject({ method: 'POST', url: '/api/abtests/exp-1234/stop', headers: auth, payload: { winner: 'B' } })).statusCode, 200);
  assert.deepEqual(JSON.parse(last().body), { winner: 'B' });
  for (const action of ['evaluate', 'rotate']) {
    assert.equal((await app.inject({ method: 'POST', url: `/api/abtests/exp-1234/${action}`, headers: auth })).statusCode, 200);
    assert.equal(last().url, `/abtest/exp-1234/${action}`);
    assert.equal(last().body, '');
  }
  const bodiless = await app.inject({ method: 'POST', url: '/api/abtests/exp-1234/stop', headers: auth });
  assert.equal(bodiless.statusCode, 400);
  assert.match(bodiless.json<{ error: { message: string } }>().error.message, /\{\} to apply the leading variant, or \{ "winner": "B" \}/);
  const unknown = await app.inject({ method: 'POST', url: '/api/abtests/exp-1234/stop', headers: auth, payload: { winer: 'B' } });
  assert.equal(unknown.statusCode, 400);
  assert.match(unknown.json<{ error: { message: string } }>().error.message, /winer/);
  const count = received.length;
  for (const url of ['/api/abtests', '/api/abtests/exp-1234']) assert.equal((await app.inject({ url })).statusCode, 401);
  assert.equal((await app.inject({ method: 'POST', url: '/api/abtests/exp-1234/stop', payload: {} })).statusCode, 401);
  assert.equal(received.length, count, 'nothing reached the ab-tester without a key');
});

test('stop, evaluate and rotate wait longer than a read: they may set a thumbnail and a title on YouTube', async () => {
  const read = await app.inject({ url: '/api/abtests/slow', headers: auth });
  assert.equal(read.statusCode, 503, 'a read past UPSTREAM_TIMEOUT_MS is STAGE_UNAVAILABLE');
  const stop = await app.inject({ method: 'POST', url: '/api/abtests/slow/stop', headers: auth, payload: {} });
  assert.equal(stop.statusCode, 200, stop.body);
  assert.equal((await app.inject({ method: 'POST', url: '/api/abtests/slow/evaluate', headers: auth })).statusCode, 200);
});
