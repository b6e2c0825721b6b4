import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { FacelessError } from '@faceless/runtime';
import { FolderStore } from './object-store.ts';
import type { ObjectStore } from './object-store.ts';
import { createObjectStore, readStorageConfig } from './object-store-from-env.ts';
import { S3ObjectStore } from './s3-object-store.ts';

test('no environment at all → a folder store in ./faceless-store', () => {
  assert.deepEqual(readStorageConfig({}), { kind: 'folder', dir: resolve('./faceless-store') });
  const store = createObjectStore({});
  assert.ok(store instanceof FolderStore);
  assert.equal(store.root, resolve('./faceless-store'));
  assert.equal((store as ObjectStore).signedUrl, undefined);
});

test('FACELESS_STORE_DIR picks the folder; blank S3 variables count as unset', () => {
  const store = createObjectStore({ FACELESS_STORE_DIR: '/tmp/fs-x', S3_BUCKET: '  ', S3_ENDPOINT: '' });
  assert.ok(store instanceof FolderStore);
  assert.equal(store.root, '/tmp/fs-x');
});

test('S3_BUCKET selects S3; an endpoint turns path-style on by default', async () => {
  const config = readStorageConfig({
    S3_BUCKET: 'faceless',
    S3_ENDPOINT: 'http://127.0.0.1:9000',
    S3_PUBLIC_ENDPOINT: 'https://files.example.com',
    S3_ACCESS_KEY_ID: 'minio',
    S3_SECRET_ACCESS_KEY: 'minio123',
    S3_KEY_PREFIX: 'dev/',
  });
  assert.deepEqual(config, {
    kind: 's3',
    options: { bucket: 'faceless', region: 'us-east-1', forcePathStyle: true, endpoint: 'http://127.0.0.1:9000', publicEndpoint: 'https://files.example.com', accessKeyId: 'minio', secretAccessKey: 'minio123', keyPrefix: 'dev/' },
  });
  const store = createObjectStore({ S3_BUCKET: 'faceless', S3_ENDPOINT: 'http://127.0.0.1:9000' });
  assert.ok(store instanceof S3ObjectStore);
  assert.equal(store.describe('pipelines/p/a.mp3'), 's3://faceless/pipelines/p/a.mp3');
  await store.close();
});

test('AWS (no endpoint) defaults to virtual-hosted style; S3_FORCE_PATH_STYLE overrides either way', () => {
  const aws = readStorageConfig({ S3_BUCKET: 'my.bucket', S3_REGION: 'eu-west-3' });
  assert.deepEqual(aws, { kind: 's3', options: { bucket: 'my.bucket', region: 'eu-west-3', forcePathStyle: false } });
  const forced = readStorageConfig({ S3_BUCKET: 'b12', S3_FORCE_PATH_STYLE: 'TRUE' });
  assert.equal(forced.kind === 's3' && forced.options.forcePathStyle, true);
  const off = readStorageConfig({ S3_BUCKET: 'b12', S3_ENDPOINT: 'https://acc.r2.cloudflarestorage.com', S3_FORCE_PATH_STYLE: '0' });
  assert.equal(off.kind === 's3' && off.options.forcePathStyle, false);
});

test('every bad variable is listed in one INVALID_OPTION error, without secret values', () => {
  assert.throws(
    () => readStorageConfig({
      S3_BUCKET: 'Bad_Bucket',
      S3_ENDPOINT: 'minio:9000',
      S3_PUBLIC_ENDPOINT: 'files.example.com',
      S3_REGION: 'US EAST',
      S3_FORCE_PATH_STYLE: 'maybe',
      S3_SECRET_ACCESS_KEY: 'super-secret-xyz',
      S3_KEY_PREFIX: '../escape',
    }),
    (err: unknown) => {
      assert.ok(err instanceof FacelessError);
      assert.equal(err.code, 'INVALID_OPTION');
      for (const name of ['S3_BUCKET', 'S3_ENDPOINT', 'S3_PUBLIC_ENDPOINT', 'S3_REGION', 'S3_FORCE_PATH_STYLE', 'S3_ACCESS_KEY_ID', 'S3_KEY_PREFIX']) {
        assert.match(err.message, new RegExp(`${name} `), `${name} missing from: ${err.message}`);
      }
      assert.doesNotMatch(err.message, /super-secret-xyz/);
      return true;
    },
  );
});
