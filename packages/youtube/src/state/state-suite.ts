import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Database } from '@faceless/runtime';
import { createChannelRecord } from '../auth/channel-store.ts';
import { QUOTA_COST_TABLES } from '../auth/quota-costs.ts';
import { decryptSecret } from '../auth/token-vault.ts';
import { QuotaTable } from './quota-table.ts';
import { openYouTubeState, type YouTubeState } from './youtube-state.ts';

const KEY = 'a-secret-key-for-tests-0123456789';
/** The key the fixtures under ./fixtures/data-dir were written with (by the file stores of the version before the database). */
const FIXTURE_KEY = 'fixture-secret-key-0123456789';
const FIXTURES = join(import.meta.dirname, 'fixtures', 'data-dir');
const at = (iso: string): Date => new Date(iso);

/** The publishing state's behaviour, run on PGlite and on PostgreSQL by the two test files. */
export function stateSuite(backend: string, openDb: () => Promise<{ db: Database; cleanup(): Promise<void> }>): void {
  let handle: { db: Database; cleanup(): Promise<void> };
  let dataDir: string;
  let state: YouTubeState;

  before(async () => {
    handle = await openDb();
    dataDir = await mkdtemp(join(tmpdir(), 'youtube-state-'));
    await cp(FIXTURES, dataDir, { recursive: true });
  });
  after(async () => {
    await handle.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  test(`${backend}: the first open imports today's JSON files once, nothing lost, and leaves them in place`, async () => {
    state = await openYouTubeState(handle.db, { dataDir });
    assert.deepEqual(state.imported.map((i) => i.path).sort(), [
      'youtube/channels/history.json', 'youtube/channels/science.json', 'youtube/quota/36c3176931246c20.json',
      'youtube/schedule/history.json', 'youtube/schedule/science.json', 'youtube/slots/science.json',
    ]);
    assert.ok(state.imported.every((i) => !i.skipped), JSON.stringify(state.imported));
    const science = await state.channels.get('science');
    assert.deepEqual([science.channelId, science.appStatus, science.defaults.slots, science.defaults.language], ['UCscience', 'production', ['09:00', '15:00'], 'de']);
    assert.equal(await decryptSecret(science.refreshToken, FIXTURE_KEY, { channel: 'science' }), 'refresh-science');
    assert.deepEqual(await state.channels.names(), ['history', 'science']);
    const usage = await state.ledger({ clientId: 'fixture-client.apps.googleusercontent.com', dailyQuota: 10_000, quotaCosts: 'legacy' }).usage(at('2026-11-25T20:00:00Z'));
    assert.deepEqual([usage.day, usage.unitsUsed, usage.remainingUnits], ['2026-11-25', 3300, 6700]);
    assert.deepEqual((await state.videos.list('science')).map((v) => [v.pipelineId, v.videoId, v.publishAt]), [
      ['pipe-a', 'vidScienceA', '2026-11-26T09:00:00.000Z'], ['pipe-b', 'vidScienceB', '2026-11-26T15:00:00.000Z'],
    ]);
    assert.equal(await state.videos.channelOf('vidHistoryC'), 'history');
    assert.deepEqual(await state.slots.list('youtube', 'science'), [
      { pipelineId: 'pipe-a', publishAt: '2026-11-26T09:00:00.000Z' },
      { pipelineId: 'pipe-b', publishAt: '2026-11-26T15:00:00.000Z' },
      { pipelineId: 'pipe-d', publishAt: '2026-11-27T09:00:00.000Z' },
    ]);
    // An imported reservation is kept when its pipeline runs again.
    const again = await state.slots.reserve({ target: 'youtube', channel: 'science', pipelineId: 'pipe-d', now: at('2026-11-25T20:00:00Z'), planned: async () => [], choose: () => at('2030-01-01T00:00:00Z') });
    assert.equal(again.toISOString(), '2026-11-27T09:00:00.000Z');

    const second = await openYouTubeState(handle.db, { dataDir });
    assert.deepEqual(second.imported, [], 'a second start imports nothing');
    assert.match(await readFile(join(dataDir, 'youtube', 'channels', 'science.json'), 'utf8'), /"channelId": "UCscience"/);
    const { rows } = await handle.db.query<{ n: string }>('SELECT count(*) AS n FROM state_imports');
    assert.equal(Number(rows[0]?.n), 6, 'each imported file is recorded');

    // A file an older CLI changed afterwards is merged again: the larger spend wins, nothing is counted twice.
    const quotaFile = join(dataDir, 'youtube', 'quota', '36c3176931246c20.json');
    const ledgerFile = JSON.parse(await readFile(quotaFile, 'utf8')) as Record<string, unknown>;
    await writeFile(quotaFile, JSON.stringify({ ...ledgerFile, unitsUsed: 4950 }));
    const third = await openYouTubeState(handle.db, { dataDir });
    assert.deepEqual(third.imported.map((i) => i.path), ['youtube/quota/36c3176931246c20.json']);
    assert.equal((await third.ledger({ clientId: 'fixture-client.apps.googleusercontent.com', dailyQuota: 10_000, quotaCosts: 'legacy' }).usage(at('2026-11-25T20:00:00Z'))).unitsUsed, 4950);
  });

  test(`${backend}: channels are saved with the refresh token encrypted, listed, and an unknown one is NOT_FOUND naming the fix`, async () => {
    const record = await createChannelRecord({ name: 'cooking-fr', refreshToken: '1//secret-token', secretKey: KEY, channelId: 'UCcook', defaults: { language: 'fr' } });
    await state.channels.save(record);
    const { rows } = await handle.db.query<{ record: unknown }>(`SELECT record FROM youtube_channels WHERE name = 'cooking-fr'`);
    assert.doesNotMatch(JSON.stringify(rows[0]?.record), /1\/\/secret-token/);
    const back = await state.channels.get('cooking-fr');
    assert.deepEqual(back, JSON.parse(JSON.stringify(record)));
    assert.equal(await decryptSecret(back.refreshToken, KEY, { channel: 'cooking-fr' }), '1//secret-token');
    await state.channels.save({ ...record, appStatus: 'production' });
    assert.equal((await state.channels.get('cooking-fr')).appStatus, 'production');
    assert.deepEqual((await state.channels.list()).map((c) => c.name), ['cooking-fr', 'history', 'science']);
    await state.channels.remove('cooking-fr');
    await assert.rejects(state.channels.get('cooking-fr'), (err: Error & { code?: string; field?: string }) =>
      err.code === 'NOT_FOUND' && err.field === 'channel' && /known channels: history, science/.test(err.message) && /faceless channels add cooking-fr/.test(err.message));
    await assert.rejects(state.channels.remove('cooking-fr'), { code: 'NOT_FOUND' });
    await assert.rejects(state.channels.get('../etc'), { code: 'INVALID_INPUT', field: 'channel' });
    await assert.rejects(state.channels.save({ ...record, defaults: { ...record.defaults, slots: ['25:00'] } }), /defaults\.slots\.0 must be HH:MM/);
  });

  test(`${backend}: the quota ledger counts per project and Pacific day, and concurrent reserves from two ledgers never overspend`, async () => {
    const costs = QUOTA_COST_TABLES.legacy;
    const ledgers = [0, 1].map(() => new QuotaTable(handle.db, { clientId: 'concurrent-client', dailyQuota: 10_000, costs }));
    const now = at('2025-06-01T12:00:00Z');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => ledgers[i % 2]!.reserve([{ op: 'videos.insert', count: 1 }], now)));
    assert.equal(results.filter((r) => r.ok).length, 6);
    assert.equal((await ledgers[0]!.usage(now)).unitsUsed, 9600);
    const denied = results.find((r) => !r.ok);
    assert.equal(denied && !denied.ok && denied.waitUntil.toISOString(), '2025-06-02T07:00:00.000Z');
    const other = new QuotaTable(handle.db, { clientId: 'another-client', dailyQuota: 10_000, costs });
    assert.equal((await other.usage(now)).unitsUsed, 0, 'another project has its own quota');
    assert.equal((await ledgers[1]!.reserve([{ op: 'videos.insert', count: 1 }], at('2025-06-02T07:00:00Z'))).ok, true, 'the next Pacific day starts from zero');
    await other.markExhausted(now);
    assert.equal((await other.reserve([{ op: 'videos.list', count: 1 }], now)).ok, false);
    assert.equal((await other.usage(now)).remainingUnits, 0);
    const { rows } = await handle.db.query<{ project: string }>('SELECT DISTINCT project FROM youtube_quota_days');
    assert.ok(rows.every((r) => /^[0-9a-f]{16}$/.test(r.project)), 'the client id is stored only as a hash');
  });

  test(`${backend}: slots reserved at once by eight pipelines are eight different slots, and a pipeline keeps its own`, async () => {
    const now = at('2026-01-05T08:00:00Z');
    const day = 24 * 3600_000;
    const choose = (taken: Date[]): Date => {
      // The first whole day after now that nobody holds.
      for (let t = now.getTime() + day; ; t += day) if (!taken.some((d) => d.getTime() === t)) return new Date(t);
    };
    const slots = await Promise.all(Array.from({ length: 8 }, (_, i) => state.slots.reserve({
      target: 'youtube', channel: 'racing', pipelineId: `race-${i}`, now, planned: async () => [new Date(now.getTime() + day)], choose,
    })));
    assert.equal(new Set(slots.map((s) => s.getTime())).size, 8, slots.map((s) => s.toISOString()).join(', '));
    assert.ok(slots.every((s) => s.getTime() !== now.getTime() + day), 'a planned time is never reserved');
    const mine = await state.slots.reserve({ target: 'youtube', channel: 'racing', pipelineId: 'race-3', now, planned: async () => [], choose });
    assert.equal(mine.getTime(), slots[3]!.getTime());
    // The database refuses a second holder of a slot, whatever the code above it does.
    await assert.rejects(handle.db.query(
      `INSERT INTO publish_slots (target, channel, pipeline_id, publish_at, reserved_at) VALUES ('youtube', 'racing', 'intruder', $1, now())`, [slots[0]],
    ), /unique|duplicate/i);
    // Another target's channel of the same name has its own slots.
    const local = await state.slots.reserve({ target: 'local', channel: 'racing', pipelineId: 'race-0', now, planned: async () => [], choose });
    assert.equal(local.getTime(), now.getTime() + day);
  });

  test(`${backend}: publications and upload sessions are kept per channel and pipeline`, async () => {
    assert.equal(await state.publications.get('science', 'p-1'), undefined);
    await state.publications.put('science', 'p-1', { videoId: 'v1', done: false });
    await state.publications.put('science', 'p-1', { videoId: 'v1', done: true });
    assert.deepEqual(await state.publications.get('science', 'p-1'), { videoId: 'v1', done: true });
    assert.equal(await state.publications.get('history', 'p-1'), undefined);
    await state.sessions.put('science', 'p-1', { uri: 'https://upload/x', totalBytes: 3 });
    assert.deepEqual(await state.sessions.get('science', 'p-1'), { uri: 'https://upload/x', totalBytes: 3 });
    await state.sessions.delete('science', 'p-1');
    assert.equal(await state.sessions.get('science', 'p-1'), undefined);
    await state.videos.add('science', { pipelineId: 'p-1', videoId: 'v1', publishAt: '2026-12-01T15:00:00Z' });
    await state.videos.add('science', { pipelineId: 'p-1', videoId: 'v1', publishAt: '2026-12-01T15:00:00Z' });
    assert.equal((await state.videos.list('science')).filter((v) => v.videoId === 'v1').length, 1);
    assert.equal(await state.videos.channelOf('nope'), undefined);
  });
}
