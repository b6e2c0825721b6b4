import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { createApiKey, createKeyVerifier, hashApiKey, parseApiKeysEnv, parseApiKeysFile } from './api-keys.ts';
import { TokenBucketLimiter } from './rate-limit.ts';

test('hashApiKey is the hex sha256 of the key; createApiKey returns a key matching its hash', () => {
  assert.equal(hashApiKey('abc'), createHash('sha256').update('abc').digest('hex'));
  const a = createApiKey();
  const b = createApiKey();
  assert.notEqual(a.key, b.key);
  assert.match(a.key, /^fk_[\w-]{43}$/);
  assert.equal(a.hash, hashApiKey(a.key));
});

test('the verifier finds the record of a right key and nothing for a wrong one', () => {
  const verify = createKeyVerifier([
    { id: 'alice', name: 'Alice', hash: hashApiKey('key-a') },
    { id: 'bob', name: 'Bob', hash: hashApiKey('key-b') },
  ]);
  assert.equal(verify('key-b')?.id, 'bob');
  assert.equal(verify('key-a')?.id, 'alice');
  assert.equal(verify('key-c'), undefined);
  assert.equal(verify(''), undefined);
});

test('API_KEYS pairs parse; bad entries are each named', () => {
  const ok = parseApiKeysEnv(` alice:${hashApiKey('x')} , bob:${hashApiKey('y').toUpperCase()}`);
  assert.deepEqual(ok.problems, []);
  assert.deepEqual(ok.records.map((r) => r.id), ['alice', 'bob']);
  assert.equal(ok.records[1]?.hash, hashApiKey('y'));
  const bad = parseApiKeysEnv('nohash,carol:1234');
  assert.equal(bad.records.length, 0);
  assert.equal(bad.problems.length, 2);
  assert.match(bad.problems[1] ?? '', /entry 2 \(id "carol"\).*64 hex/);
});

test('API_KEYS_FILE: records with rate limits parse; a key stored in clear is refused', () => {
  const good = parseApiKeysFile(JSON.stringify([{ id: 'ci', name: 'CI', hash: hashApiKey('k'), rateLimitPerMinute: 5 }]), 'keys.json');
  assert.equal(good.records[0]?.rateLimitPerMinute, 5);
  const clear = parseApiKeysFile(JSON.stringify([{ id: 'ci', name: 'CI', key: 'k' }]), 'keys.json');
  assert.equal(clear.records.length, 0);
  assert.ok(clear.problems.some((p) => p.includes('hash')));
  assert.match(parseApiKeysFile('{', 'keys.json').problems[0] ?? '', /not JSON/);
});

test('token bucket: perMinute requests pass, the next waits for a refill with a Retry-After', () => {
  let now = 1_000_000;
  const limiter = new TokenBucketLimiter({ now: () => now });
  for (let i = 0; i < 3; i++) assert.equal(limiter.take('k', 3).allowed, true);
  const denied = limiter.take('k', 3);
  assert.equal(denied.allowed, false);
  assert.equal(denied.retryAfterSec, 20);
  assert.equal(limiter.take('other', 3).allowed, true, 'buckets are per key');
  now += 19_000;
  assert.equal(limiter.take('k', 3).allowed, false);
  now += 1_000;
  const again = limiter.take('k', 3);
  assert.equal(again.allowed, true);
  assert.equal(again.remaining, 0);
});
