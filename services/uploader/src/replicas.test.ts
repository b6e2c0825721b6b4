import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { UploadOutput } from '@faceless/contracts';
import { FolderStore, openDatabase } from '@faceless/infra';
import { createTestSchema, postgresUnreachable } from '@faceless/infra/testing';
import { quotaProjectKey } from '@faceless/youtube';
import { startFakeGoogle } from '@faceless/youtube/testing';
import { buildApp } from './server.ts';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2_000)]);
const META = { title: 'x', description: 'About tides.', tags: ['tides'], hashtags: [], chapters: [], categoryId: '27', defaultLanguage: 'en' };

const unreachable = await postgresUnreachable();
test('two uploader replicas on one PostgreSQL: four uploads at once take four different slots, and the ledger counts all four', { skip: unreachable, timeout: 120_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'uploader-replicas-'));
  const schema = await createTestSchema();
  const dataDir = join(root, 'data');
  const fake = await startFakeGoogle({ dataDir, databaseUrl: schema.url });
  // A distinct application_name gives each replica its own pool, as two containers would have.
  const replicas = ['a', 'b'].map((name) => buildApp({
    env: { ...fake.env, DATABASE_URL: `${schema.url}&application_name=uploader-${name}`, LOG_LEVEL: 'error' },
    store: new FolderStore(join(root, 'store')),
    logger: false,
  }));
  try {
    await fake.addChannel('science', { defaults: { slots: ['15:00'] } });
    const store = new FolderStore(join(root, 'store'));
    const videos = await Promise.all([0, 1, 2, 3].map(async (i) => {
      const bytes = randomBytes(300_000 + i);
      await store.putBytes(`run-${i}/video.mp4`, bytes);
      await store.putBytes(`run-${i}/thumbnail.png`, PNG);
      return createHash('sha256').update(bytes).digest('hex');
    }));

    const responses = await Promise.all([0, 1, 2, 3].map((i) => replicas[i % 2]!.inject({
      method: 'POST', url: '/upload/youtube',
      payload: {
        outputPrefix: `run-${i}/`, pipelineId: `replica-pipe-${i}`, videoPath: `run-${i}/video.mp4`, thumbnailPath: `run-${i}/thumbnail.png`,
        metadata: { ...META, title: `Tides, part ${i}` }, channel: 'science',
      },
    })));
    const outputs = responses.map((r) => {
      assert.equal(r.statusCode, 200, r.body);
      return r.json<UploadOutput>();
    });

    assert.equal(new Set(outputs.map((o) => o.publishAt)).size, 4, `four different slots: ${outputs.map((o) => o.publishAt).join(', ')}`);
    assert.ok(outputs.every((o) => /T15:00:00\.000Z$/.test(o.publishAt)), 'each in the channel\'s 15:00 slot of its own day');
    assert.equal(fake.youtube.videos.length, 4, 'one video per pipeline');
    assert.deepEqual(outputs.map((o) => fake.youtube.videos.find((v) => v.id === o.videoId)?.sha256), videos, 'each upload byte-exact');

    const db = await openDatabase({ url: schema.url });
    try {
      const { rows } = await db.query<{ units: string; uploads: string }>(
        'SELECT sum(units_used) AS units FROM youtube_quota_days WHERE project = $1', [quotaProjectKey(fake.google.clientId)],
      );
      assert.equal(Number(rows[0]?.units), 4 * (1600 + 50), 'videos.insert + thumbnails.set of all four uploads');
      const slots = await db.query<{ n: string }>(`SELECT count(*) AS n FROM publish_slots WHERE target = 'youtube' AND channel = 'science'`);
      assert.equal(Number(slots.rows[0]?.n), 4);
    } finally {
      await db.close();
    }
    const files = await readdir(dataDir, { recursive: true }).catch(() => []);
    assert.deepEqual(files, [], 'no state file under FACELESS_DATA_DIR');
  } finally {
    await Promise.all(replicas.map((app) => app.close()));
    await fake.close();
    await schema.drop();
    await rm(root, { recursive: true, force: true });
  }
});
