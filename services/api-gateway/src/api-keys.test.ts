import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  createApiKey, createKeyVerifier, hashApiKey, parseApiKeysEnv, parseApiKeysFile, readKeysFile, updateKeysFile, writeKeysFile,
} from './api-keys.ts';

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

test('keys file: written 0600 and read back with createdAt; missing is empty; an unchanged update writes nothing; a bad record is refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'api-keys-'));
  try {
    const file = join(dir, 'sub', 'api-keys.json');
    assert.deepEqual(await readKeysFile(file), []);
    assert.equal(await updateKeysFile(file, (records) => ({ records, result: 'same' })), 'same');
    await assert.rejects(stat(file), { code: 'ENOENT' });
    const record = { id: 'ci', name: 'ci', hash: hashApiKey('k'), createdAt: '2026-03-01T12:00:00.000Z', rateLimitPerMinute: 9 };
    await writeKeysFile(file, [record]);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await readKeysFile(file), [record]);
    assert.deepEqual(parseApiKeysFile(await readFile(file, 'utf8'), file).records, [record], 'the gateway reads what the command writes');
    await assert.rejects(writeKeysFile(file, [{ ...record, hash: 'k' }]), /64 hex/);
    await writeFile(file, '[{"id":"ci","name":"ci","key":"fk_clear"}]');
    await assert.rejects(readKeysFile(file), (err: Error & { code?: string }) => err.code === 'INVALID_OPTION' && err.message.includes(file));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
