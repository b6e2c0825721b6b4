import { test } from 'node:test';
import assert from 'node:assert/strict';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, FacelessError } from '@faceless/runtime';
import { FolderStore } from '@faceless/infra';
import { createStage, describeDatabaseTarget, readDatabaseTarget } from './index.ts';
import { toInt, toIso, toIsoOrNull } from './row-values.ts';

test('the database is PGlite under FACELESS_DATA_DIR by default, PostgreSQL when DATABASE_URL is set', () => {
  assert.deepEqual(readDatabaseTarget({}), { dataDir: join(homedir(), '.faceless', 'db') });
  assert.deepEqual(readDatabaseTarget({ FACELESS_DATA_DIR: '/srv/faceless', DATABASE_URL: '' }), { dataDir: '/srv/faceless/db' });
  assert.deepEqual(readDatabaseTarget({ FACELESS_DATA_DIR: '~/data' }), { dataDir: join(homedir(), 'data', 'db') });
  assert.deepEqual(readDatabaseTarget({ DATABASE_URL: 'postgres://u:p@db:5432/faceless', FACELESS_DATA_DIR: '/x' }), { url: 'postgres://u:p@db:5432/faceless' });
  assert.throws(() => readDatabaseTarget({ DATABASE_URL: 'mysql://db/x' }), (err: unknown) => err instanceof FacelessError && err.code === 'INVALID_OPTION' && err.field === 'DATABASE_URL');
});

test('database locations are described without credentials', () => {
  assert.equal(describeDatabaseTarget({ url: 'postgres://user:hunter2@db.internal:6543/faceless?sslmode=require' }), 'PostgreSQL at db.internal:6543/faceless');
  assert.equal(describeDatabaseTarget({ dataDir: '/d/db' }), 'the embedded database in /d/db');
});

test('an unreachable PostgreSQL is a retryable STORAGE_FAILED that does not leak the password', async () => {
  const stage = createStage({ env: { DATABASE_URL: 'postgres://user:hunter2@127.0.0.1:1/faceless' } });
  const ctx = { store: new FolderStore(tmpdir()), log: createLogger({ level: 'error' }), signal: new AbortController().signal, progress: () => {}, workDir: tmpdir() };
  const input = { pipelineId: 'p', videoId: 'v', variants: [{ label: 'a', title: 'A' }, { label: 'b', title: 'B' }] };
  await assert.rejects(stage.execute(input, ctx), (err: unknown) => {
    assert.ok(err instanceof FacelessError);
    assert.equal(err.code, 'STORAGE_FAILED');
    assert.equal(err.retryable, true);
    assert.match(err.message, /PostgreSQL at 127.0.0.1:1\/faceless: .*ECONNREFUSED/);
    assert.doesNotMatch(err.message, /hunter2/);
    return true;
  });
});

test('int8 and timestamps read the same from both drivers', () => {
  assert.equal(toInt('9007199254740991'), 9007199254740991);
  assert.equal(toInt(42), 42);
  assert.equal(toInt(42n), 42);
  assert.throws(() => toInt('9007199254740993'), /integer/);
  assert.throws(() => toInt(null), /integer/);
  assert.equal(toIso(new Date('2025-03-10T08:00:00Z')), '2025-03-10T08:00:00.000Z');
  assert.equal(toIso('2025-03-10 10:00:00+02'), '2025-03-10T08:00:00.000Z');
  assert.equal(toIsoOrNull(null), null);
  assert.throws(() => toIso('soon'), /timestamp/);
});
