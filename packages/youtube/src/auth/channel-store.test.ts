import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createChannelRecord, validChannelRecord } from './channel-store.ts';
import { decryptSecret } from './token-vault.ts';

// Where channels are kept (the database's ChannelTable) is tested in ../state/state-suite.ts.
const KEY = 'a-secret-key-for-tests-0123456789';

test('a new channel gets the documented defaults and an encrypted refresh token', async () => {
  const record = await createChannelRecord({ name: 'science-en', refreshToken: '1//tok', secretKey: KEY, now: new Date('2025-06-01T10:00:00Z') });
  assert.equal(record.appStatus, 'testing');
  assert.equal(record.tokenIssuedAt, '2025-06-01T10:00:00.000Z');
  assert.deepEqual(record.defaults, { language: 'en', categoryId: '27', privacyStatus: 'private', madeForKids: false, slots: ['15:00'] });
  assert.equal(await decryptSecret(record.refreshToken, KEY, { channel: 'science-en' }), '1//tok');
  assert.doesNotMatch(JSON.stringify(record), /1\/\/tok/);
});

test('re-authorizing keeps the previous ids, status and defaults', async () => {
  const previous = await createChannelRecord({
    name: 'history_fr', refreshToken: '1//fr', secretKey: KEY, channelId: 'UC123', channelTitle: 'Histoire', appStatus: 'production',
    defaults: { language: 'fr', slots: ['09:30', '18:00'] },
  });
  const renewed = await createChannelRecord({ name: 'history_fr', refreshToken: '1//fr2', secretKey: KEY, previous });
  assert.equal(renewed.channelId, 'UC123');
  assert.equal(renewed.appStatus, 'production');
  assert.equal(renewed.defaults.language, 'fr');
  assert.deepEqual(renewed.defaults.slots, ['09:30', '18:00']);
  assert.notDeepEqual(renewed.refreshToken, previous.refreshToken);
});

test('bad names and bad records are refused, naming the field', async () => {
  await assert.rejects(() => createChannelRecord({ name: 'Upper', refreshToken: 'x', secretKey: KEY }), { code: 'INVALID_INPUT', field: 'channel' });
  await assert.rejects(() => createChannelRecord({ name: '../etc/passwd', refreshToken: 'x', secretKey: KEY }), { code: 'INVALID_INPUT', field: 'channel' });
  const record = await createChannelRecord({ name: 'ok', refreshToken: 'x', secretKey: KEY });
  assert.throws(() => validChannelRecord({ ...record, defaults: { ...record.defaults, slots: ['25:00'] } }), (err: Error & { code?: string; field?: string }) =>
    err.code === 'INVALID_INPUT' && err.field === 'defaults.slots.0' && /defaults\.slots\.0 must be HH:MM/.test(err.message));
});
