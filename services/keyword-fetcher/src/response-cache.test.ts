import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createResponseCache, requestCacheKey } from './response-cache.ts';

test('cache keys ignore the API key and parameter order', () => {
  assert.equal(requestCacheKey('youtube', { b: '2', a: '1', api_key: 'secret' }), requestCacheKey('youtube', { a: '1', b: '2' }));
  assert.notEqual(requestCacheKey('youtube', { a: '1' }), requestCacheKey('google_trends', { a: '1' }));
});

test('entries expire after the TTL, in memory and on disk', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cache-test-'));
  try {
    let clock = 1_000;
    const cache = createResponseCache({ dir, ttlMs: 100, now: () => clock });
    await cache.set('k', { a: 1 });
    assert.deepEqual(await cache.get('k'), { a: 1 });
    const [file] = await readdir(dir);
    assert.deepEqual(JSON.parse(await readFile(join(dir, file!), 'utf8')), { savedAt: 1_000, key: 'k', value: { a: 1 } });
    const reopened = createResponseCache({ dir, ttlMs: 100, now: () => clock });
    assert.deepEqual(await reopened.get('k'), { a: 1 });
    clock += 100;
    assert.equal(await cache.get('k'), undefined);
    assert.equal(await reopened.get('k'), undefined);
    assert.equal(await cache.get('missing'), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
