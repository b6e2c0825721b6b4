import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ChannelStore, createChannelRecord } from './channel-store.ts';
import { decryptSecret } from './token-vault.ts';

const KEY = 'a-secret-key-for-tests-0123456789';
let dir: string;
let store: ChannelStore;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'channels-'));
  store = new ChannelStore(dir);
});
after(async () => { await rm(dir, { recursive: true, force: true }); });

test('a new channel gets the documented defaults and an encrypted refresh token', async () => {
  const record = await createChannelRecord({ name: 'science-en', refreshToken: '1//tok', secretKey: KEY, now: new Date('2025-06-01T10:00:00Z') });
  assert.equal(record.appStatus, 'testing');
  assert.equal(record.tokenIssuedAt, '2025-06-01T10:00:00.000Z');
  assert.deepEqual(record.defaults, { language: 'en', categoryId: '27', privacyStatus: 'private', madeForKids: false, slots: ['15:00'] });
  assert.equal(await decryptSecret(record.refreshToken, KEY, { channel: 'science-en' }), '1//tok');
});

test('save writes <dataDir>/youtube/channels/<name>.json with mode 0600 and no temp files; get reads it back', async () => {
  const record = await createChannelRecord({
    name: 'history_fr', refreshToken: '1//fr', secretKey: KEY, channelId: 'UC123', channelTitle: 'Histoire',
    defaults: { language: 'fr', slots: ['09:30', '18:00'] },
  });
  await store.save(record);
  const file = join(dir, 'youtube', 'channels', 'history_fr.json');
  assert.equal(store.file('history_fr'), file);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.deepEqual(await readdir(join(dir, 'youtube', 'channels')), ['history_fr.json']);
  assert.doesNotMatch(await readFile(file, 'utf8'), /1\/\/fr/);
  const back = await store.get('history_fr');
  assert.deepEqual(back, record);
  assert.deepEqual(back.defaults.slots, ['09:30', '18:00']);
  assert.equal(back.defaults.categoryId, '27');
});

test('re-authorizing keeps the previous ids, status and defaults', async () => {
  const previous = await store.get('history_fr');
  const renewed = await createChannelRecord({ name: 'history_fr', refreshToken: '1//fr2', secretKey: KEY, previous: { ...previous, appStatus: 'production' } });
  assert.equal(renewed.channelId, 'UC123');
  assert.equal(renewed.appStatus, 'production');
  assert.equal(renewed.defaults.language, 'fr');
  assert.notDeepEqual(renewed.refreshToken, previous.refreshToken);
});

test('list returns every channel sorted; remove deletes one', async () => {
  await store.save(await createChannelRecord({ name: 'a-first', refreshToken: 'x', secretKey: KEY }));
  assert.deepEqual((await store.list()).map((c) => c.name), ['a-first', 'history_fr']);
  await store.remove('a-first');
  assert.deepEqual(await store.names(), ['history_fr']);
});

test('an unknown channel is NOT_FOUND on field channel, listing the known ones and the add command', async () => {
  await assert.rejects(() => store.get('cooking'), (err: Error & { code?: string; field?: string }) =>
    err.code === 'NOT_FOUND' && err.field === 'channel' && /known channels: history_fr/.test(err.message) && /faceless channels add cooking/.test(err.message));
  await assert.rejects(() => store.remove('cooking'), { code: 'NOT_FOUND' });
  await assert.rejects(() => new ChannelStore(join(dir, 'empty')).get('x'), /no channels are set up yet/);
});

test('bad names and bad records are refused before touching the disk', async () => {
  await assert.rejects(() => store.get('../etc/passwd'), { code: 'INVALID_INPUT', field: 'channel' });
  await assert.rejects(() => createChannelRecord({ name: 'Upper', refreshToken: 'x', secretKey: KEY }), { code: 'INVALID_INPUT' });
  const record = await store.get('history_fr');
  await assert.rejects(() => store.save({ ...record, defaults: { ...record.defaults, slots: ['25:00'] } }), (err: Error) => /defaults\.slots\.0 must be HH:MM/.test(err.message));
});

test('a corrupt channel file is an error naming the file and the fix', async () => {
  const file = join(dir, 'youtube', 'channels', 'broken.json');
  await writeFile(file, '{"name": "broken",');
  await assert.rejects(() => store.get('broken'), (err: Error & { code?: string }) =>
    err.code === 'INVALID_INPUT' && err.message.includes(file) && /not valid JSON/.test(err.message) && /faceless channels add broken/.test(err.message));
  await writeFile(file, JSON.stringify({ name: 'broken', refreshToken: { v: 2 } }));
  await assert.rejects(() => store.get('broken'), (err: Error) => err.message.includes(file) && /refreshToken/.test(err.message));
  const other = await store.get('history_fr');
  await writeFile(file, JSON.stringify(other));
  await assert.rejects(() => store.get('broken'), /holds channel "history_fr"/);
  await rm(file);
});
