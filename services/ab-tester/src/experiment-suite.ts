// Shared by the PGlite and PostgreSQL test files: the same behaviour on both databases.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderStore, migrate, type Database } from '@faceless/infra';
import { createLogger, FacelessError, type StageContext } from '@faceless/runtime';
import { createAbTestService } from './ab-test-service.ts';
import { createAbTesterStage, createExperimentRepo, createStage, migrations } from './index.ts';

export interface SuiteDatabase {
  db: Database;
  /** Closes the database and removes what the suite created. */
  cleanup(): Promise<void>;
}

const TABLES = ['decisions', 'experiments', 'metric_periods', 'rotations', 'schema_migrations', 'variants'];

export function experimentSuite(open: () => Promise<SuiteDatabase>): void {
  let handle: SuiteDatabase;
  let dir: string;
  let ctx: StageContext;
  const opened: string[] = [];

  before(async () => {
    handle = await open();
    dir = await mkdtemp(join(tmpdir(), 'ab-tester-test-'));
    const store = new FolderStore(join(dir, 'store'));
    for (const name of ['a.jpg', 'b.jpg', 'c.jpg']) await store.putBytes(`run/${name}`, Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
    ctx = { store, log: createLogger({ level: 'error' }), signal: new AbortController().signal, progress: () => {}, workDir: dir };
  });
  after(async () => {
    await handle.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const run = Math.random().toString(36).slice(2, 8);
  const input = (pipelineId: string, count = 3): Record<string, unknown> => ({
    pipelineId: `${run}-${pipelineId}`,
    videoId: `video-${pipelineId}`,
    variants: ['a', 'b', 'c'].slice(0, count).map((l, i) => ({ label: l, thumbnailPath: `run/${l}.jpg`, title: `Title ${i}` })),
  });
  const stage = () => createStage({
    env: {},
    openDatabase: () => {
      opened.push('open');
      return Promise.resolve(handle.db);
    },
  });

  test('the stage migrates on first use and creates a running experiment with the first variant live', async () => {
    const now = new Date('2025-03-10T08:00:00.000Z');
    const out = await createAbTesterStage({ database: () => Promise.resolve(handle.db), now: () => now }).execute({ ...input('first'), rotationHours: 12 }, ctx);
    assert.equal(out.status, 'running');
    assert.deepEqual(out.variants.map((v) => v.label), ['a', 'b', 'c']);
    assert.equal(new Set(out.variants.map((v) => v.id)).size, 3);

    const { rows } = await handle.db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name",
    );
    assert.deepEqual(rows.map((r) => r.table_name), TABLES);
    assert.deepEqual(await migrate(handle.db, migrations), [], 'a second migrate applies nothing');

    const got = await createExperimentRepo(handle.db).get(out.testId);
    assert.ok(got);
    assert.equal(got.pipelineId, `${run}-first`);
    assert.equal(got.videoId, 'video-first');
    assert.equal(got.rotationHours, 12);
    assert.equal(got.createdAt, now.toISOString());
    assert.equal(got.endedAt, null);
    // A folder store's thumbnails are recorded by absolute path (found later from any directory).
    const stored = (name: string): string => join(dir, 'store', 'run', name);
    assert.deepEqual(got.variants.map((v) => [v.id, v.position, v.label, v.thumbnailKey, v.title]), [
      [out.variants[0]?.id, 0, 'a', stored('a.jpg'), 'Title 0'],
      [out.variants[1]?.id, 1, 'b', stored('b.jpg'), 'Title 1'],
      [out.variants[2]?.id, 2, 'c', stored('c.jpg'), 'Title 2'],
    ]);
    assert.equal(got.rotations.length, 1);
    assert.deepEqual({ ...got.rotations[0], id: undefined }, { id: undefined, experimentId: out.testId, variantId: out.variants[0]?.id, startedAt: now.toISOString(), endedAt: null });
  });

  test('the channel a YouTube upload names is kept on the experiment and handed to the publisher at each rotation', async () => {
    let clock = new Date('2025-03-10T08:00:00.000Z');
    const out = await createAbTesterStage({ database: () => Promise.resolve(handle.db), now: () => clock })
      .execute({ ...input('channel', 2), channel: 'science-en', rotationHours: 1, launchDays: 0 }, ctx);
    const repo = createExperimentRepo(handle.db);
    assert.equal((await repo.get(out.testId))?.channel, 'science-en');
    assert.equal((await repo.get((await createAbTesterStage({ database: () => Promise.resolve(handle.db) }).execute(input('no-channel', 2), ctx)).testId))?.channel, undefined, 'a local upload names none');
    const applied: Array<{ videoId: string; channel?: string }> = [];
    const service = createAbTestService({
      database: () => Promise.resolve(handle.db), now: () => clock,
      publisher: { applyVariant: ({ videoId, channel }) => { applied.push({ videoId, ...(channel ? { channel } : {}) }); return Promise.resolve(); } },
    });
    clock = new Date('2025-03-10T09:30:00.000Z');
    await service.tick();
    assert.ok(applied.some((a) => a.videoId === 'video-channel' && a.channel === 'science-en'), JSON.stringify(applied));
  });

  test('creating again for the same pipeline returns the same experiment and variants', async () => {
    const s = stage();
    const first = await s.execute(input('again'), ctx);
    const second = await s.execute(input('again'), ctx);
    const fromNewStage = await stage().execute({ ...input('again'), videoId: 'other' }, ctx);
    assert.deepEqual(second, first);
    assert.deepEqual(fromNewStage, first);
    const repo = createExperimentRepo(handle.db);
    const listed = await repo.listByPipeline(`${run}-again`);
    assert.equal(listed.length, 1);
    // count(*) is int8: a string from pg, a number from PGlite, a number from the repo.
    assert.equal(listed[0]?.variantCount, 3);
    assert.equal(listed[0]?.videoId, 'video-again');
    assert.equal((await repo.get(first.testId))?.rotations.length, 1);
  });

  test('concurrent creations for one pipeline make one experiment', async () => {
    const outs = await Promise.all([stage().execute(input('race'), ctx), stage().execute(input('race'), ctx), stage().execute(input('race'), ctx)]);
    assert.deepEqual(outs[1], outs[0]);
    assert.deepEqual(outs[2], outs[0]);
    const { rows } = await handle.db.query('SELECT count(*) AS n FROM variants v JOIN experiments e ON e.id = v.experiment_id WHERE e.pipeline_id = $1', [`${run}-race`]);
    assert.equal(Number(rows[0]?.n), 3);
  });

  test('the database is opened lazily, once', async () => {
    const before = opened.length;
    const s = stage();
    assert.equal(opened.length, before, 'createStage opens nothing');
    await s.execute(input('lazy-1', 2), ctx);
    await s.execute(input('lazy-2', 2), ctx);
    assert.equal(opened.length, before + 1);
  });

  test('bad inputs are refused and nothing is stored', async () => {
    const bad = async (raw: Record<string, unknown>, field: string, code = 'INVALID_INPUT'): Promise<void> => {
      await assert.rejects(stage().execute(raw, ctx), (err: unknown) => {
        assert.ok(err instanceof FacelessError, String(err));
        assert.equal(err.code, code, err.message);
        assert.equal(err.field, field, err.message);
        return true;
      });
      assert.deepEqual(await createExperimentRepo(handle.db).listByPipeline(String(raw.pipelineId)), []);
    };
    await bad(input('one', 1), 'variants');
    await bad({ ...input('dup'), variants: [{ label: 'a', title: 'x' }, { label: 'a', title: 'y' }] }, 'variants.1.label');
    await bad({ ...input('empty'), variants: [{ label: 'a', title: 'x' }, { label: 'b' }] }, 'variants.1');
    await bad({ ...input('missing'), variants: [{ label: 'a', title: 'x' }, { label: 'b', thumbnailPath: 'run/nope.jpg' }] }, 'variants.1.thumbnailPath', 'NOT_FOUND');
  });

  test('get and listByPipeline on unknown ids find nothing', async () => {
    const repo = createExperimentRepo(handle.db);
    assert.equal(await repo.get('00000000-0000-0000-0000-000000000000'), undefined);
    assert.deepEqual(await repo.listByPipeline('no-such-pipeline'), []);
  });

  test('the tables for later issues take metrics beyond 2^32 and decisions, and enforce their checks', async () => {
    const out = await stage().execute(input('metrics', 2), ctx);
    const [a, b] = out.variants;
    assert.ok(a && b);
    const big = 2 ** 40;
    await handle.db.query(
      `INSERT INTO metric_periods (id, variant_id, period_start, period_end, impressions, clicks, views, avg_view_duration_sec, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $4)`,
      ['m1', a.id, '2025-03-10T00:00:00Z', '2025-03-11T00:00:00Z', big, 1234, 900, 41.5],
    );
    await handle.db.query('INSERT INTO decisions (id, experiment_id, winner_variant_id, probability_best, expected_loss, reason, decided_at) VALUES ($1, $2, $3, $4, $5, $6, now())',
      [`d-${out.testId}`, out.testId, b.id, 0.97, 0.0004, 'b beats a']);
    const { rows } = await handle.db.query('SELECT impressions, clicks, avg_view_duration_sec FROM metric_periods WHERE id = $1', ['m1']);
    assert.equal(Number(rows[0]?.impressions), big);
    assert.equal(Number(rows[0]?.clicks), 1234);
    assert.equal(rows[0]?.avg_view_duration_sec, 41.5);
    await assert.rejects(handle.db.query("UPDATE experiments SET status = 'paused' WHERE id = $1", [out.testId]), /check constraint/);
  });
}
