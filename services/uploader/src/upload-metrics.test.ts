import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Fastify from 'fastify';
import { FolderStore, openDatabase } from '@faceless/infra';
import { createLogger, createMetrics, registerMetrics, type StageContext } from '@faceless/runtime';
import { QUOTA_COST_TABLES, QuotaTable, createChannelRecord, openYouTubeState, quotaProjectKey } from '@faceless/youtube';
import { startFakeGoogle } from '@faceless/youtube/testing';
import { YouTubeChannelTarget } from './providers/youtube-channel.ts';
import { createUploaderStage } from './stage.ts';
import { UploadMetrics } from './upload-metrics.ts';

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

const CHUNK = 256 * 1024;
const VIDEO = randomBytes(5 * CHUNK + 1234);
const NOW = '2026-03-10T08:00:00Z';

test('uploader metrics against the fake YouTube: uploads by outcome, acknowledged bytes, retries by reason, quota units and the project\'s gauges', async () => {
  const root = await mkdtemp(join(tmpdir(), 'upload-metrics-'));
  const fake = await startFakeGoogle({ dataDir: join(root, 'data') });
  const db = await openDatabase({ dataDir: join(root, 'db') });
  try {
    const { youtube, config } = fake;
    const refreshToken = await fake.authorize();
    const state = await openYouTubeState(db, { dataDir: join(root, 'data') });
    await state.channels.save(await createChannelRecord({ name: 'science', refreshToken, secretKey: config.secretKey, now: new Date(NOW), defaults: { slots: ['15:00'] } }));
    const store = new FolderStore(join(root, 'store'));
    for (const run of ['metrics-ok', 'metrics-failed']) {
      await store.putBytes(`${run}/video.mp4`, VIDEO);
      await store.putBytes(`${run}/thumbnail.png`, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2_000)]));
    }
    const ctx: StageContext = {
      store, log: createLogger({ level: 'error' }), signal: new AbortController().signal, progress: () => {}, workDir: await mkdtemp(join(root, 'work-')),
    };
    const ledger = new QuotaTable(db, { clientId: config.clientId ?? '', dailyQuota: 10_000, costs: QUOTA_COST_TABLES.legacy });
    const metrics = new UploadMetrics();
    const target = new YouTubeChannelTarget({
      config, state: async () => state, ledger, metrics, chunkBytes: CHUNK, sleep: async () => {}, now: () => new Date(NOW),
    });
    metrics.quotaFrom(() => target.quotaUsage());
    const app = Fastify();
    const appMetrics = createMetrics({ defaultMetrics: false, labels: { service: 'uploader' } });
    registerMetrics(app, appMetrics);
    metrics.attach(appMetrics.registry);
    const scrape = async (): Promise<string> => (await app.inject({ url: '/metrics' })).body;
    const stage = createUploaderStage({ targetFor: () => target, slots: ['09:00'], leadMinutes: 60, now: () => new Date(NOW) });
    const META = { title: 'Metrics', description: 'd', tags: ['t'], hashtags: [], chapters: [], categoryId: '15', defaultLanguage: 'en' };
    const input = (pipelineId: string) => ({ outputPrefix: `${pipelineId}/`, pipelineId, videoPath: `${pipelineId}/video.mp4`, thumbnailPath: `${pipelineId}/thumbnail.png`, metadata: { ...META, title: pipelineId }, channel: 'science' });

    assert.equal(sample(await scrape(), 'faceless_youtube_quota_units_used'), undefined, 'no ledger open before the first upload');

    // One 503 on the session start, one connection dropped mid-chunk: both retried, the file arrives whole.
    youtube.failNext(503, 1);
    youtube.dropConnectionMidChunk(CHUNK / 2);
    await stage.execute(input('metrics-ok'), ctx);
    let text = await scrape();
    assert.equal(sample(text, 'faceless_youtube_uploads_total', { channel: 'science', outcome: 'ok', service: 'uploader' }), 1);
    assert.equal(sample(text, 'faceless_youtube_upload_bytes_total', { channel: 'science' }), VIDEO.length, 'every byte acknowledged once');
    assert.equal(sample(text, 'faceless_youtube_upload_retries_total', { channel: 'science', reason: '503' }), 1);
    assert.equal(sample(text, 'faceless_youtube_upload_retries_total', { channel: 'science', reason: 'network' }), 1);
    assert.equal(sample(text, 'faceless_youtube_quota_units_total', { channel: 'science', operation: 'videos.insert' }), 1600);
    assert.equal(sample(text, 'faceless_youtube_quota_units_total', { channel: 'science', operation: 'thumbnails.set' }), 50);
    const project = quotaProjectKey(config.clientId ?? '');
    assert.equal(sample(text, 'faceless_youtube_quota_units_used', { project }), 1650);
    assert.equal(sample(text, 'faceless_youtube_quota_units_limit', { project }), 10_000);

    // A refusal that is not retried: a failed upload.
    youtube.refuseQuota('uploadLimitExceeded');
    await assert.rejects(stage.execute(input('metrics-failed'), ctx), { code: 'UPLOAD_LIMIT_EXCEEDED' });
    youtube.refuseQuota(undefined);
    text = await scrape();
    assert.equal(sample(text, 'faceless_youtube_uploads_total', { channel: 'science', outcome: 'failed' }), 1);
    assert.equal(sample(text, 'faceless_youtube_quota_units_total', { channel: 'science', operation: 'videos.insert' }), 3200, 'the second upload reserved its cost too');
    await app.close();
  } finally {
    await db.close();
    await fake.close();
    await rm(root, { recursive: true, force: true });
  }
});
