import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { startFakeYouTube } from './fake-youtube.ts';

const UNIT = 256 * 1024;
const AUTH = { authorization: 'Bearer fake-token' };

async function begin(url: string, total: number): Promise<string> {
  const res = await fetch(`${url}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json; charset=UTF-8', 'x-upload-content-length': String(total), 'x-upload-content-type': 'video/mp4' },
    body: JSON.stringify({ snippet: { title: 'A title', categoryId: '22' }, status: { privacyStatus: 'private', selfDeclaredMadeForKids: false } }),
  });
  assert.equal(res.status, 200);
  const location = res.headers.get('location');
  assert.ok(location);
  return location;
}

const put = (uri: string, range: string, body: Uint8Array = new Uint8Array(0)) =>
  fetch(uri, { method: 'PUT', headers: { ...AUTH, 'content-range': range }, body, redirect: 'manual' });

test('the fake speaks the resumable protocol: 308 + Range, status query, refusals of gaps and unaligned chunks, 201 then 200', async (t) => {
  const fake = await startFakeYouTube();
  t.after(() => fake.close());
  const data = randomBytes(UNIT + 1000);
  const uri = await begin(fake.url, data.length);

  const none = await put(uri, `bytes */${data.length}`);
  assert.equal(none.status, 308);
  assert.equal(none.headers.get('range'), null, 'nothing received yet: no Range');

  assert.equal((await put(uri, `bytes 0-99999/${data.length}`, data.subarray(0, 100_000))).status, 400, 'a non-final chunk must be a multiple of 256 KiB');
  assert.equal((await put(uri, `bytes ${UNIT}-${data.length - 1}/${data.length}`, data.subarray(UNIT))).status, 400, 'a gap is refused');

  const first = await put(uri, `bytes 0-${UNIT - 1}/${data.length}`, data.subarray(0, UNIT));
  assert.equal(first.status, 308);
  assert.equal(first.headers.get('range'), `bytes=0-${UNIT - 1}`);

  const last = await put(uri, `bytes ${UNIT}-${data.length - 1}/${data.length}`, data.subarray(UNIT));
  assert.equal(last.status, 201);
  const video = (await last.json()) as { id: string; snippet: { title: string }; status: { privacyStatus: string } };
  assert.equal(video.snippet.title, 'A title');
  assert.equal(video.status.privacyStatus, 'private');

  const again = await put(uri, `bytes */${data.length}`);
  assert.equal(again.status, 200, 'a completed session answers the status query with the video');
  assert.equal(((await again.json()) as { id: string }).id, video.id);

  assert.equal(fake.videos.length, 1);
  assert.equal(fake.videos[0]!.sha256, createHash('sha256').update(data).digest('hex'));
  assert.ok(fake.requests.every((r) => r.headers.authorization === 'Bearer'), 'tokens are not recorded');
});

test('the fake refuses a missing or invalid token with 401 and quota with 403 quotaExceeded', async (t) => {
  const fake = await startFakeYouTube({ isValidToken: (tok) => tok === 'good' });
  t.after(() => fake.close());
  const list = (token?: string) => fetch(`${fake.url}/youtube/v3/videos?part=snippet&id=x`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  assert.equal((await list()).status, 401);
  assert.equal((await list('bad')).status, 401);
  assert.equal((await list('good')).status, 200);
  fake.refuseQuota('quotaExceeded');
  const refused = await list('good');
  assert.equal(refused.status, 403);
  assert.equal(((await refused.json()) as { error: { errors: { reason: string }[] } }).error.errors[0]!.reason, 'quotaExceeded');
});

test('expireSession makes the session answer 410, and failNext answers the next requests with the status', async (t) => {
  const fake = await startFakeYouTube();
  t.after(() => fake.close());
  const uri = await begin(fake.url, 10);
  fake.failNext(503, 2);
  assert.equal((await put(uri, 'bytes */10')).status, 503);
  assert.equal((await put(uri, 'bytes */10')).status, 503);
  assert.equal((await put(uri, 'bytes */10')).status, 308);
  fake.expireSession(410);
  assert.equal((await put(uri, 'bytes */10')).status, 410);
  assert.equal((await put(uri, 'bytes 0-9/10', new Uint8Array(10))).status, 410);
  assert.equal(fake.videos.length, 0);
});

test('slowUploads reads a chunk at the given rate while uploadsInFlight shows it; a client that goes away leaves the whole 256 KiB units it sent', async (t) => {
  const fake = await startFakeYouTube();
  t.after(() => fake.close());
  fake.slowUploads(2 * UNIT);
  const data = randomBytes(3 * UNIT + 500);
  const uri = await begin(fake.url, data.length);

  const cut = new AbortController();
  const sending = fetch(uri, { method: 'PUT', headers: { ...AUTH, 'content-range': `bytes 0-${data.length - 1}/${data.length}` }, body: data, signal: cut.signal });
  const deadline = Date.now() + 5000;
  while ((fake.uploadsInFlight()[0]?.bytes ?? 0) <= UNIT && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const seen = fake.uploadsInFlight();
  assert.equal(seen.length, 1);
  assert.ok(seen[0]!.bytes > UNIT && seen[0]!.bytes < data.length, `mid-chunk: ${seen[0]!.bytes} of ${data.length} bytes read`);
  cut.abort();
  await assert.rejects(sending);
  while (fake.uploadsInFlight().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

  const status = await put(uri, `bytes */${data.length}`);
  assert.equal(status.status, 308);
  const kept = Number(/^bytes=0-(\d+)$/.exec(status.headers.get('range') ?? '')?.[1]) + 1;
  assert.ok(kept >= UNIT && kept % UNIT === 0 && kept < data.length, `kept ${kept} bytes: whole units of what arrived`);

  fake.slowUploads(undefined);
  const rest = await put(uri, `bytes ${kept}-${data.length - 1}/${data.length}`, data.subarray(kept));
  assert.equal(rest.status, 201);
  assert.equal(fake.videos[0]?.sha256, createHash('sha256').update(data).digest('hex'));
});
