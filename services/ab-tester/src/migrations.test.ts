import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { migrate, openDatabase } from '@faceless/infra';
import { createExperimentRepo } from './experiment-repo.ts';
import { migrations } from './migrations.ts';

test('migration 0003: experiments made before keep round-robin; running ones on the old default move to the calibrated threshold', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ab-migrations-'));
  const db = await openDatabase({ dataDir: join(dir, 'db') });
  try {
    await migrate(db, migrations.slice(0, 2));
    const insert = `INSERT INTO experiments (id, pipeline_id, video_id, status, rotation_hours, created_at, updated_at, decision_threshold)
      VALUES ($1, $1, 'v', $2, 24, now(), now(), $3)`;
    await db.query(insert, ['old-running', 'running', 0.95]);
    await db.query(insert, ['old-stopped', 'stopped', 0.95]);
    await db.query(insert, ['old-chosen', 'running', 0.9]);
    assert.deepEqual(await migrate(db, migrations.slice(0, 3)), ['0003-time-aware-decision']);
    assert.deepEqual(await migrate(db, migrations), ['0004-experiment-channel']);
    assert.equal((await createExperimentRepo(db).get('old-running'))?.channel, undefined, 'an experiment made before has no channel');

    const repo = createExperimentRepo(db);
    const running = await repo.get('old-running');
    assert.equal(running?.design, 'round-robin');
    assert.deepEqual(running?.policy, { metric: 'ctr', threshold: 0.995, maxExpectedLoss: 0.005, minImpressionsPerVariant: 1000, minPeriodsPerVariant: 4, launchDays: 3 });
    assert.equal((await repo.get('old-stopped'))?.policy.threshold, 0.95, 'an ended experiment keeps what it was decided with');
    assert.equal((await repo.get('old-chosen'))?.policy.threshold, 0.9, 'a threshold someone chose stays');

    const { experiment } = await repo.create({
      pipelineId: 'new', videoId: 'v', rotationHours: 24, variants: [{ label: 'a' }, { label: 'b' }],
      policy: { metric: 'watch-time', launchDays: 0 }, now: new Date('2025-03-10T08:00:00Z'),
    });
    assert.equal(experiment.design, 'counterbalanced');
    assert.deepEqual(experiment.policy, { metric: 'watch-time', threshold: 0.995, maxExpectedLoss: 0.005, minImpressionsPerVariant: 1000, minPeriodsPerVariant: 4, launchDays: 0 });
    await assert.rejects(db.query("UPDATE experiments SET decision_metric = 'likes' WHERE pipeline_id = 'new'"));
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
});
