import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FacelessError } from '@faceless/runtime';
import { MAX_PARTS, MIN_PART_SIZE, S3ObjectStore, mapS3Error, multipartPartSize, normalizeKeyPrefix } from './s3-object-store.ts';
import type { S3ObjectStoreOptions } from './s3-object-store.ts';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverInstance;
// s3rver ships no type declarations.
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverCtor;

const MiB = 1024 * 1024;
const suffix = randomBytes(4).toString('hex');
const bucket = `faceless-test-${suffix}`;
let dir: string;
let server: S3rverInstance;
let endpoint: string;
const stores: S3ObjectStore[] = [];

function makeStore(overrides: Partial<S3ObjectStoreOptions> = {}): S3ObjectStore {
  const store = new S3ObjectStore({ endpoint, bucket, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true, keyPrefix: `run-${suffix}`, ...overrides });
  stores.push(store);
  return store;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faceless-s3-'));
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3rver'), configureBuckets: [{ name: bucket }] });
  const addr = await server.run();
  endpoint = `http://127.0.0.1:${addr.port}`;
});

after(async () => {
  for (const s of stores) await s.close();
  server.httpServer?.closeAllConnections();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

test('putFile/getFile round-trips a 3 MB file byte for byte, under the key prefix', async () => {
  const store = makeStore();
  const bytes = randomBytes(3 * MiB + 17);
  const src = join(dir, 'in.bin');
  await writeFile(src, bytes);
  await store.putFile('pipelines/p1/video.mp4', src, 'video/mp4');
  assert.equal(await store.size('pipelines/p1/video.mp4'), bytes.length);
  const dest = join(dir, 'out', 'nested', 'video.mp4');
  await store.getFile('pipelines/p1/video.mp4', dest);
  assert.equal(sha256(await readFile(dest)), sha256(bytes));
  assert.equal(existsSync(`${dest}.part`), false);
  // The prefix is really applied on the server: the same key without it is absent.
  assert.equal(await makeStore({ keyPrefix: '' }).exists('pipelines/p1/video.mp4'), false);
  assert.equal(await makeStore({ keyPrefix: '' }).exists(`run-${suffix}/pipelines/p1/video.mp4`), true);
});

test('putBytes/getBytes, exists, size and delete', async () => {
  const store = makeStore();
  await store.putBytes('a/b.json', '{"x":1}', 'application/json');
  assert.equal((await store.getBytes('a/b.json')).toString(), '{"x":1}');
  const bin = randomBytes(1000);
  await store.putBytes('a/c.bin', bin);
  assert.deepEqual(await store.getBytes('a/c.bin'), bin);
  assert.equal(await store.exists('a/c.bin'), true);
  assert.equal(await store.size('a/c.bin'), 1000);
  await store.delete('a/c.bin');
  assert.equal(await store.exists('a/c.bin'), false);
  await store.delete('a/c.bin'); // deleting twice is fine
  assert.equal(store.describe('a/b.json'), `s3://${bucket}/run-${suffix}/a/b.json`);
});

test('readStream streams the object', async () => {
  const store = makeStore();
  const bytes = randomBytes(200_000);
  await store.putBytes('stream/x.bin', bytes);
  const chunks: Buffer[] = [];
  for await (const c of store.readStream('stream/x.bin') as AsyncIterable<Buffer>) chunks.push(c);
  assert.equal(sha256(Buffer.concat(chunks)), sha256(bytes));
  await assert.rejects(async () => {
    for await (const _ of store.readStream('stream/missing.bin') as AsyncIterable<Buffer>) { /* drain */ }
  }, (err: unknown) => err instanceof FacelessError && err.code === 'NOT_FOUND');
});

test('a missing key is NOT_FOUND on get, false on exists, and leaves no .part file', async () => {
  const store = makeStore();
  const dest = join(dir, 'missing.bin');
  await assert.rejects(store.getFile('nope/missing.bin', dest), (err: unknown) => {
    assert.ok(err instanceof FacelessError);
    assert.equal(err.code, 'NOT_FOUND');
    assert.equal(err.retryable, false);
    assert.match(err.message, /nope\/missing\.bin/);
    return true;
  });
  assert.equal(existsSync(dest), false);
  assert.equal(existsSync(`${dest}.part`), false);
  await assert.rejects(store.getBytes('nope/missing.bin'), (err: unknown) => err instanceof FacelessError && err.code === 'NOT_FOUND');
  await assert.rejects(store.size('nope/missing.bin'), (err: unknown) => err instanceof FacelessError && err.code === 'NOT_FOUND');
  assert.equal(await store.exists('nope/missing.bin'), false);
});

test('signedUrl is fetchable without credentials and returns the bytes', async () => {
  const store = makeStore();
  const bytes = randomBytes(4096);
  await store.putBytes('signed/t.png', bytes, 'image/png');
  const url = await store.signedUrl('signed/t.png', 60);
  const u = new URL(url);
  assert.equal(u.pathname, `/${bucket}/run-${suffix}/signed/t.png`);
  assert.equal(u.searchParams.get('X-Amz-Expires'), '60');
  assert.ok(u.searchParams.get('X-Amz-Signature'));
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(sha256(new Uint8Array(await res.arrayBuffer())), sha256(bytes));
  assert.equal(new URL(await store.signedUrl('signed/t.png')).searchParams.get('X-Amz-Expires'), '900');
});

test('ensureBucket creates a missing bucket once; ping fails on a missing bucket and passes after', async () => {
  const other = makeStore({ bucket: `faceless-new-${suffix}` });
  await assert.rejects(other.ping(), (err: unknown) => {
    assert.ok(err instanceof FacelessError);
    assert.equal(err.code, 'STORAGE_FAILED');
    assert.equal(err.retryable, false);
    assert.match(err.message, new RegExp(`faceless-new-${suffix}`));
    return true;
  });
  assert.equal(await other.ensureBucket(), true);
  assert.equal(await other.ensureBucket(), false);
  await other.ping();
  await other.putBytes('k.txt', 'hello');
  assert.equal((await other.getBytes('k.txt')).toString(), 'hello');
  assert.equal(await makeStore().ensureBucket(), false);
});

test('files above the multipart threshold go up in parts (lib-storage) and come back byte for byte', async () => {
  const store = makeStore({ multipartThreshold: MIN_PART_SIZE, partSize: MIN_PART_SIZE });
  const bytes = randomBytes(2 * MIN_PART_SIZE + 12345); // 3 parts
  const src = join(dir, 'big.bin');
  await writeFile(src, bytes);
  const seen: string[] = [];
  const watch = (req: { method?: string; url?: string }): void => { seen.push(`${req.method ?? ''} ${req.url ?? ''}`); };
  server.httpServer?.on('request', watch);
  await store.putFile('big/big.bin', src, 'application/octet-stream');
  server.httpServer?.off('request', watch);
  assert.equal(seen.filter((r) => r.startsWith('POST ') && r.includes('uploads')).length, 1, seen.join('\n'));
  // Parts go up several at a time: their order on the wire varies.
  assert.deepEqual(seen.filter((r) => r.startsWith('PUT ')).map((r) => /partNumber=(\d+)/.exec(r)?.[1]).sort(), ['1', '2', '3']);
  assert.equal(seen.filter((r) => r.startsWith('POST ') && r.includes('uploadId')).length, 1, seen.join('\n'));
  assert.equal(await store.size('big/big.bin'), bytes.length);
  const dest = join(dir, 'big-out.bin');
  await store.getFile('big/big.bin', dest);
  assert.equal(sha256(await readFile(dest)), sha256(bytes));
});

test('a multipart upload that fails is STORAGE_FAILED naming the bucket, and leaves no object', async () => {
  const store = makeStore({ bucket: `missing-${suffix}`, multipartThreshold: MIN_PART_SIZE, partSize: MIN_PART_SIZE, maxAttempts: 1 });
  const src = join(dir, 'big-missing.bin');
  await writeFile(src, randomBytes(MIN_PART_SIZE + 1));
  await assert.rejects(store.putFile('big/x.bin', src), (err: unknown) => {
    assert.ok(err instanceof FacelessError);
    assert.equal(err.code, 'STORAGE_FAILED');
    assert.match(err.message, new RegExp(`missing-${suffix}.*does not exist`));
    return true;
  });
  assert.equal(await makeStore().exists('big/x.bin'), false);
});

test('an unreachable endpoint is STORAGE_FAILED and retryable, naming the bucket but not the secret', async () => {
  const store = makeStore({ endpoint: 'http://127.0.0.1:1', maxAttempts: 1, secretAccessKey: 'very-secret-value' });
  for (const op of [() => store.getBytes('x'), () => store.exists('x'), () => store.putBytes('x', 'y'), () => store.ping()]) {
    await assert.rejects(op(), (err: unknown) => {
      assert.ok(err instanceof FacelessError);
      assert.equal(err.code, 'STORAGE_FAILED');
      assert.equal(err.retryable, true);
      assert.match(err.message, new RegExp(bucket));
      assert.doesNotMatch(err.message, /very-secret-value/);
      return true;
    });
  }
});

test('multipartPartSize keeps within S3 limits', () => {
  assert.equal(multipartPartSize(2 * MIN_PART_SIZE + 1, MIN_PART_SIZE), MIN_PART_SIZE);
  // A part size below S3's 5 MiB floor is raised to it.
  assert.equal(multipartPartSize(10 * MiB, 1 * MiB), MIN_PART_SIZE);
  // 100 GiB at 5 MiB would be 20,480 parts: the size grows to stay within 10,000.
  const huge = 100 * 1024 * MiB;
  const part = multipartPartSize(huge, MIN_PART_SIZE);
  assert.ok(Math.ceil(huge / part) <= MAX_PARTS);
  assert.ok(part > MIN_PART_SIZE);
  assert.throws(() => multipartPartSize(0), RangeError);
});

test('normalizeKeyPrefix and mapS3Error', () => {
  assert.equal(normalizeKeyPrefix(undefined), '');
  assert.equal(normalizeKeyPrefix('/a/b//'), 'a/b/');
  const ctx = { bucket: 'bkt', endpoint: 'http://minio:9000', action: 'get "k"', key: 'k' };
  const cases: [unknown, string, boolean][] = [
    [{ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }, 'NOT_FOUND', false],
    [{ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }, 'STORAGE_FAILED', false],
    [{ name: 'SlowDown', $metadata: { httpStatusCode: 503 } }, 'STORAGE_FAILED', true],
    [{ name: 'InternalError', $metadata: { httpStatusCode: 500 } }, 'STORAGE_FAILED', true],
    [{ name: 'Unknown', $metadata: { httpStatusCode: 429 } }, 'STORAGE_FAILED', true],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'STORAGE_FAILED', true],
    [{ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } }, 'STORAGE_FAILED', false],
    [{ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } }, 'STORAGE_FAILED', false],
  ];
  for (const [err, code, retryable] of cases) {
    const m = mapS3Error(err, ctx);
    assert.equal(m.code, code, JSON.stringify(err));
    assert.equal(m.retryable, retryable, JSON.stringify(err));
  }
  assert.match(mapS3Error({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }, ctx).message, /access denied to bucket "bkt"/);
});

test('with a public endpoint, signed URLs name that host and are valid there', async () => {
  // The same s3rver under another name. SigV4 signs the Host header, so the URL must be made for the
  // public name, not rewritten afterwards (s3rver does not check the host; S3 and MinIO do).
  const publicEndpoint = endpoint.replace('127.0.0.1', 'localhost');
  const store = makeStore({ publicEndpoint });
  const bytes = randomBytes(2048);
  await store.putBytes('signed/public.bin', bytes);
  const url = new URL(await store.signedUrl('signed/public.bin', 60));
  assert.equal(url.host, new URL(publicEndpoint).host);
  assert.equal(url.searchParams.get('X-Amz-SignedHeaders'), 'host');
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(sha256(new Uint8Array(await res.arrayBuffer())), sha256(bytes));
  assert.equal(new URL(await makeStore().signedUrl('signed/public.bin', 60)).host, new URL(endpoint).host, 'without one, the endpoint itself');
});
