import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decryptSecret, encryptSecret, requireSecretKey } from './token-vault.ts';

const KEY = 'k9Vt3rQ1xZ8mW2pL7sY4bN6cD0fH5jA=';
const TOKEN = '1//0refresh-token-that-must-never-leak';

test('a token encrypts to a v1 AES-256-GCM record and decrypts back; two records of one token share nothing', async () => {
  const a = await encryptSecret(TOKEN, KEY);
  const b = await encryptSecret(TOKEN, KEY);
  assert.equal(a.v, 1);
  assert.equal(a.alg, 'aes-256-gcm');
  assert.equal(Buffer.from(a.salt, 'base64').length, 16);
  assert.equal(Buffer.from(a.iv, 'base64').length, 12);
  assert.equal(Buffer.from(a.tag, 'base64').length, 16);
  assert.notEqual(a.salt, b.salt);
  assert.notEqual(a.data, b.data);
  assert.doesNotMatch(JSON.stringify(a), /refresh-token/);
  assert.equal(await decryptSecret(a, KEY, { channel: 'science' }), TOKEN);
  assert.equal(await decryptSecret(b, KEY, { channel: 'science' }), TOKEN);
});

test('a missing or short key is an INVALID_OPTION naming FACELESS_SECRET_KEY and how to make one', async () => {
  await assert.rejects(() => encryptSecret(TOKEN, undefined), (err: Error & { code?: string; field?: string }) =>
    err.code === 'INVALID_OPTION' && err.field === 'FACELESS_SECRET_KEY' && /openssl rand -base64 32/.test(err.message));
  assert.throws(() => requireSecretKey('short'), /shorter than 16 characters/);
});

test('a wrong key or a tampered record is CHANNEL_AUTH saying the key changed, and the message holds neither token nor key', async () => {
  const record = await encryptSecret(TOKEN, KEY);
  const check = (err: Error & { code?: string }): boolean => {
    assert.equal(err.code, 'CHANNEL_AUTH');
    assert.match(err.message, /FACELESS_SECRET_KEY changed/);
    assert.match(err.message, /faceless channels add science/);
    assert.ok(!err.message.includes(TOKEN) && !err.message.includes(KEY) && !err.message.includes('other-key'));
    return true;
  };
  await assert.rejects(() => decryptSecret(record, 'other-key-of-16-chars', { channel: 'science' }), check);
  const data = Buffer.from(record.data, 'base64');
  data[0] = data[0]! ^ 1;
  await assert.rejects(() => decryptSecret({ ...record, data: data.toString('base64') }, KEY, { channel: 'science' }), check);
  await assert.rejects(() => decryptSecret({ ...record, iv: Buffer.alloc(8).toString('base64') }, KEY, { channel: 'science' }), check);
  await assert.rejects(() => decryptSecret({ ...record, tag: 'not base64!' }, KEY, { channel: 'science' }), check);
});
