import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { ErrorBody } from '@faceless/contracts';
import { FolderStore, MemoryEventBus } from '@faceless/infra';
import { createLogger } from '@faceless/runtime';
import { hashApiKey } from './api-keys.ts';
import { artifactKeyProblem, artifactLinksFromEnv, createArtifactLinkSigner, registerArtifactContentRoute } from './artifact-links.ts';
import { buildGatewayApp } from './gateway-app.ts';
import { loadGatewayConfig } from './gateway-config.ts';
import { registerGatewayErrorHandler } from './gateway-errors.ts';

const T0 = Date.parse('2026-12-03T10:00:00Z');
let clock = T0;
const signer = createArtifactLinkSigner({ secret: randomBytes(32), now: () => clock });
const ID = 'p-42';
const VIDEO = `pipelines/${ID}/video.mp4`;
let root: string;
let videoBytes: Buffer;
let app: FastifyInstance;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'artifact-links-'));
  videoBytes = randomBytes(1000);
  await mkdir(join(root, 'pipelines', ID, 'thumbnails'), { recursive: true });
  await mkdir(join(root, 'pipelines', 'other'), { recursive: true });
  await writeFile(join(root, VIDEO), videoBytes);
  await writeFile(join(root, 'pipelines', ID, 'captions.srt'), '1\n00:00:00,000 --> 00:00:01,000\nhi\n');
  await writeFile(join(root, 'pipelines', ID, 'thumbnails', 'thumb 1.jpg'), randomBytes(10));
  await writeFile(join(root, 'pipelines', 'other', 'video.mp4'), randomBytes(10));
  app = Fastify({ logger: false });
  registerGatewayErrorHandler(app, { bodyLimitBytes: 1024, logger: createLogger({ level: 'error' }) });
  registerArtifactContentRoute(app, { signer, store: new FolderStore(root), public: true });
  await app.ready();
});

after(async () => {
  await app.close();
  await rm(root, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

function assertError(res: LightMyRequestResponse, status: number, code: string): ErrorBody['error'] {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = ErrorBody.parse(res.json());
  assert.equal(body.error.code, code);
  assert.ok(body.error.requestId);
  return body.error;
}

function linkParts(link: string): { path: string; key: string; exp: string; sig: string } {
  const url = new URL(link, 'http://gateway.test');
  return { path: url.pathname, key: url.searchParams.get('key') ?? '', exp: url.searchParams.get('exp') ?? '', sig: url.searchParams.get('sig') ?? '' };
}
const withQuery = (path: string, query: Record<string, string>) => `${path}?${new URLSearchParams(query).toString()}`;

test('sign → a path with key, exp and a base64url HMAC; verify accepts it until exp, then says expired', () => {
  const link = signer.sign(ID, VIDEO, 600);
  const { path, key, exp, sig } = linkParts(link);
  assert.equal(path, `/api/pipelines/${ID}/artifacts/content`);
  assert.equal(key, VIDEO);
  assert.equal(Number(exp), T0 / 1000 + 600);
  assert.match(sig, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(signer.verify(ID, key, Number(exp), sig), 'ok');
  assert.equal(signer.verify('p-43', key, Number(exp), sig), 'bad-signature');
  assert.equal(signer.verify(ID, `pipelines/${ID}/voice.wav`, Number(exp), sig), 'bad-signature');
  assert.equal(signer.verify(ID, key, Number(exp) + 1, sig), 'bad-signature');
  const flip = (c: string) => (c === 'A' ? 'B' : 'A');
  assert.equal(signer.verify(ID, key, Number(exp), `${flip(sig[0] ?? '')}${sig.slice(1)}`), 'bad-signature');
  // Every other spelling of the last character, including those that differ only in its 2 unused bits.
  for (const last of 'AEIMQUYcgkosw048BCD') {
    if (sig.endsWith(last)) continue;
    assert.equal(signer.verify(ID, key, Number(exp), `${sig.slice(0, -1)}${last}`), 'bad-signature', last);
  }
  assert.equal(signer.verify(ID, key, Number(exp), ''), 'bad-signature');
  const other = createArtifactLinkSigner({ secret: randomBytes(32), now: () => clock });
  assert.equal(other.verify(ID, key, Number(exp), sig), 'bad-signature', 'another secret does not accept the link');
  clock = T0 + 600_000;
  try {
    assert.equal(signer.verify(ID, key, Number(exp), sig), 'expired');
  } finally {
    clock = T0;
  }
});

test('sign refuses keys outside the pipeline folder and a non-positive ttl', () => {
  assert.throws(() => signer.sign(ID, 'pipelines/other/video.mp4', 60), /pipelines\/p-42\//);
  assert.throws(() => signer.sign(ID, `pipelines/${ID}/../other/video.mp4`, 60), /"\.\."/);
  assert.throws(() => signer.sign(ID, VIDEO, 0), /ttlSec/);
  assert.throws(() => createArtifactLinkSigner({ secret: Buffer.from('short') }), /16 bytes/);
  for (const key of ['/etc/passwd', `pipelines/${ID}/a\\b`, `pipelines/${ID}/a\0b`, `pipelines/${ID}/`, `pipelines/${ID}//x`, 'C:/x', `pipelines/${ID}/./x`]) {
    assert.ok(artifactKeyProblem(ID, key), key);
  }
  assert.equal(artifactKeyProblem(ID, `pipelines/${ID}/thumbnails/thumb-1.jpg`), undefined);
});

test('a signed link serves the whole file inline with its type, accept-ranges and a private cache of the remaining ttl', async () => {
  const res = await get(signer.sign(ID, VIDEO, 600));
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'video/mp4');
  assert.equal(res.headers['accept-ranges'], 'bytes');
  assert.equal(res.headers['content-disposition'], 'inline');
  assert.equal(res.headers['cache-control'], 'private, max-age=600');
  assert.equal(Number(res.headers['content-length']), videoBytes.length);
  assert.deepEqual(res.rawPayload, videoBytes);

  clock = T0 + 590_000;
  try {
    const later = await get(signer.sign(ID, VIDEO, 600).replace(/exp=\d+/, `exp=${T0 / 1000 + 600}`).replace(/sig=[^&]+/, `sig=${linkParts(signer.sign(ID, VIDEO, 10)).sig}`));
    assert.equal(later.headers['cache-control'], 'private, max-age=10');
  } finally {
    clock = T0;
  }
});

test('content types by extension; ?download=1 → attachment with the file name', async () => {
  const srt = await get(signer.sign(ID, `pipelines/${ID}/captions.srt`, 60));
  assert.equal(srt.statusCode, 200);
  assert.equal(srt.headers['content-type'], 'application/x-subrip');
  const thumb = await get(`${signer.sign(ID, `pipelines/${ID}/thumbnails/thumb 1.jpg`, 60)}&download=1`);
  assert.equal(thumb.statusCode, 200);
  assert.equal(thumb.headers['content-type'], 'image/jpeg');
  assert.equal(thumb.headers['content-disposition'], 'attachment; filename="thumb 1.jpg"; filename*=UTF-8\'\'thumb%201.jpg');
  assert.equal(thumb.rawPayload.length, 10);
});

test('Range: 0-99 → 206 with the first 100 bytes; a suffix range; past the end → 416 in the one error format', async () => {
  const link = signer.sign(ID, VIDEO, 600);
  const first = await get(link, { range: 'bytes=0-99' });
  assert.equal(first.statusCode, 206);
  assert.equal(first.headers['content-range'], `bytes 0-99/${videoBytes.length}`);
  assert.equal(Number(first.headers['content-length']), 100);
  assert.deepEqual(first.rawPayload, videoBytes.subarray(0, 100));
  assert.equal(first.headers['content-type'], 'video/mp4');

  const suffix = await get(link, { range: 'bytes=-50' });
  assert.equal(suffix.statusCode, 206);
  assert.equal(suffix.headers['content-range'], `bytes ${videoBytes.length - 50}-${videoBytes.length - 1}/${videoBytes.length}`);
  assert.deepEqual(suffix.rawPayload, videoBytes.subarray(-50));

  const open = await get(link, { range: 'bytes=900-' });
  assert.equal(open.statusCode, 206);
  assert.deepEqual(open.rawPayload, videoBytes.subarray(900));

  const outside = await get(link, { range: 'bytes=5000-6000' });
  assertError(outside, 416, 'INVALID_INPUT');
  assert.equal(outside.headers['content-range'], `bytes */${videoBytes.length}`);

  const head = await app.inject({ method: 'HEAD', url: link });
  assert.equal(head.statusCode, 200);
  assert.equal(Number(head.headers['content-length']), videoBytes.length);
  assert.equal(head.rawPayload.length, 0);
});

test('tampered key, exp or sig, a missing sig → 403; an expired link → 403 asking for a new link', async () => {
  const { path, key, exp, sig } = linkParts(signer.sign(ID, VIDEO, 600));
  const tampered = [
    withQuery(path, { key: `pipelines/${ID}/captions.srt`, exp, sig }),
    withQuery(path, { key, exp: String(Number(exp) + 3600), sig }),
    withQuery(path, { key, exp, sig: sig.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }),
    withQuery(path, { key, exp, sig: `${sig}=` }),
    withQuery(path, { key, exp }),
    withQuery(path, { key, exp: 'soon', sig }),
    withQuery(path, { key, sig }),
    withQuery(`/api/pipelines/p-43/artifacts/content`, { key: 'pipelines/p-43/video.mp4', exp, sig }),
  ];
  for (const url of tampered) {
    const error = assertError(await get(url), 403, 'UNAUTHORIZED');
    assert.match(error.message, /signature/, url);
    assert.doesNotMatch(error.message, /expired/);
  }

  clock = T0 + 601_000;
  try {
    const error = assertError(await get(withQuery(path, { key, exp, sig })), 403, 'UNAUTHORIZED');
    assert.match(error.message, /expired.*new link/);
    assert.equal(error.field, 'exp');
  } finally {
    clock = T0;
  }
});

test('keys outside the pipeline folder → 400 INVALID_INPUT naming key, whatever the signature; a missing file → 404', async () => {
  const { exp, sig } = linkParts(signer.sign(ID, VIDEO, 600));
  const path = `/api/pipelines/${ID}/artifacts/content`;
  const attempts = [
    `pipelines/${ID}/../other/video.mp4`, `pipelines/${ID}/sub/../../other/video.mp4`, '/etc/passwd', `pipelines/${ID}/..\\..\\x`,
    `pipelines/${ID}/x\0.mp4`, 'pipelines/other/video.mp4', `pipelines/${ID}`, '../../etc/passwd', `pipelines/${ID}/./video.mp4`,
  ];
  for (const key of attempts) {
    const error = assertError(await get(withQuery(path, { key, exp, sig })), 400, 'INVALID_INPUT');
    assert.equal(error.field, 'key', key);
  }
  assertError(await get(withQuery(path, { exp, sig })), 400, 'INVALID_INPUT');
  // A raw "../" in the URL's path never reaches a file either.
  const raw = await get(`/api/pipelines/${ID}/../other/artifacts/content?key=${encodeURIComponent('pipelines/other/video.mp4')}&exp=${exp}&sig=${sig}`);
  assert.ok(raw.statusCode >= 400 && raw.statusCode < 500, String(raw.statusCode));

  const missing = await get(signer.sign(ID, `pipelines/${ID}/gone.mp4`, 60));
  assert.match(assertError(missing, 404, 'NOT_FOUND').message, /gone\.mp4/);
  const folder = await get(signer.sign(ID, `pipelines/${ID}/thumbnails`, 60));
  assertError(folder, 404, 'NOT_FOUND');
});

test('the bytes served are the file\'s bytes, read from the store folder', async () => {
  const res = await get(signer.sign(ID, VIDEO, 60), { range: 'bytes=100-199' });
  assert.equal(res.statusCode, 206);
  assert.deepEqual(res.rawPayload, (await readFile(join(root, VIDEO))).subarray(100, 200));
});

test('wired into the gateway: the artifact list carries a signed url per artifact (S3 links kept), the link plays ranges without a key', async () => {
  const s3Link = 'https://s3.example/bucket/poster.jpg?X-Amz-Signature=abc';
  const artifacts = {
    pipelineId: ID, expiresInSec: 120,
    artifacts: [
      { name: 'video', key: VIDEO, location: VIDEO },
      { name: 'captions (SRT)', key: `pipelines/${ID}/captions.srt`, location: `pipelines/${ID}/captions.srt` },
      { name: 'poster', key: `pipelines/${ID}/poster.jpg`, location: `pipelines/${ID}/poster.jpg`, url: s3Link },
      { name: 'stray', key: 'pipelines/other/video.mp4', location: 'pipelines/other/video.mp4' },
    ],
  };
  const gateway = buildGatewayApp({
    config: loadGatewayConfig({ API_KEYS: `t:${hashApiKey('fk_links-test-key')}`, FACELESS_DATA_DIR: root, LOG_LEVEL: 'error' }),
    events: new MemoryEventBus(), logger: createLogger({ level: 'error' }), webRoot: false,
    callUpstream: async (call) => (call.path === `/pipelines/${ID}/artifacts` ? { status: 200, body: artifacts } : { status: 404, body: { error: { code: 'NOT_FOUND', message: 'no' } } }),
    artifactLinks: { signer, store: new FolderStore(root) },
  });
  try {
    const list = await gateway.inject({ url: `/api/pipelines/${ID}/artifacts`, headers: { authorization: 'Bearer fk_links-test-key' } });
    assert.equal(list.statusCode, 200, list.body);
    const body = list.json<{ expiresInSec: number; artifacts: { name: string; url?: string }[] }>();
    const url = (name: string) => body.artifacts.find((a) => a.name === name)?.url;
    assert.equal(url('poster'), s3Link, 'a link the store signed itself is kept');
    assert.equal(url('stray'), undefined, 'no link outside the pipeline folder');
    const video = url('video') ?? '';
    assert.match(video, /^\/api\/pipelines\/p-42\/artifacts\/content\?key=/);
    assert.equal(Number(linkParts(video).exp) - Math.floor(clock / 1000), 120, 'the link lives as long as the list says');

    // No Authorization: the signature is the credential. A seek is a Range request answered 206.
    const ranged = await gateway.inject({ url: video, headers: { range: 'bytes=500-' } });
    assert.equal(ranged.statusCode, 206, ranged.body);
    assert.equal(ranged.headers['content-range'], 'bytes 500-999/1000');
    assert.equal(ranged.headers['content-type'], 'video/mp4');
    assert.deepEqual(ranged.rawPayload, videoBytes.subarray(500));
    const srt = await gateway.inject({ url: `${url('captions (SRT)') ?? ''}&download=1` });
    assert.equal(srt.statusCode, 200);
    assert.match(String(srt.headers['content-disposition']), /^attachment; filename="captions\.srt"/);
    const forged = await gateway.inject({ url: video.replace(/sig=[^&]+/, `sig=${'A'.repeat(43)}`) });
    assert.equal(forged.statusCode, 403);
    // Without links configured the content route does not exist and the list is passed on as it is.
    const plain = buildGatewayApp({
      config: loadGatewayConfig({ API_KEYS: `t:${hashApiKey('fk_links-test-key')}`, FACELESS_DATA_DIR: root, LOG_LEVEL: 'error' }),
      events: new MemoryEventBus(), logger: createLogger({ level: 'error' }), webRoot: false,
      callUpstream: async () => ({ status: 200, body: artifacts }),
    });
    const passed = await plain.inject({ url: `/api/pipelines/${ID}/artifacts`, headers: { authorization: 'Bearer fk_links-test-key' } });
    assert.equal(passed.json<{ artifacts: { url?: string }[] }>().artifacts.filter((a) => a.url).length, 1);
    assert.equal((await plain.inject({ url: video })).statusCode, 401, 'without links the path is no public route');
    await plain.close();
  } finally {
    await gateway.close();
  }
});

test('artifactLinksFromEnv: links on a folder store, none on S3 (it signs its own), a short secret is refused by name', () => {
  const folder = artifactLinksFromEnv({ FACELESS_STORE_DIR: root });
  assert.equal(folder?.store.localPath(VIDEO), join(root, VIDEO));
  assert.equal(artifactLinksFromEnv({ S3_BUCKET: 'faceless-media' }), undefined);
  const shared = 'x'.repeat(32);
  const a = artifactLinksFromEnv({ FACELESS_STORE_DIR: root, ARTIFACT_LINK_SECRET: shared });
  const b = artifactLinksFromEnv({ FACELESS_STORE_DIR: root, ARTIFACT_LINK_SECRET: shared });
  const { exp, sig } = linkParts(a?.signer.sign(ID, VIDEO, 60) ?? '');
  assert.equal(b?.signer.verify(ID, VIDEO, Number(exp), sig), 'ok', 'two gateways with one secret accept each other\'s links');
  assert.throws(() => artifactLinksFromEnv({ FACELESS_STORE_DIR: root, ARTIFACT_LINK_SECRET: 'short' }), (err: Error & { field?: string }) => err.field === 'ARTIFACT_LINK_SECRET' && /32 characters/.test(err.message));
});
