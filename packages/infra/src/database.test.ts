import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FacelessError } from '@faceless/runtime';
import { migrate, openDatabase, openFacelessDatabase, type Database, type Migration } from './database.ts';
import { createTestSchema, postgresUnreachable } from './testing/index.ts';

const MIGRATIONS: Migration[] = [
  { id: 'test-0001', sql: 'CREATE TABLE counters (name text PRIMARY KEY, n integer NOT NULL);' },
  { id: 'test-0002', sql: "INSERT INTO counters (name, n) VALUES ('hits', 0);" },
];

async function transactionBehaviour(db: Database): Promise<void> {
  await migrate(db, MIGRATIONS);
  await assert.rejects(db.transaction(async (tx) => {
    await tx.query(`UPDATE counters SET n = n + 100 WHERE name = 'hits'`);
    throw new Error('boom');
  }), /boom/);
  // Eight read-modify-writes at once under a row lock: none is lost.
  await Promise.all(Array.from({ length: 8 }, () => db.transaction(async (tx) => {
    const { rows } = await tx.query<{ n: number }>(`SELECT n FROM counters WHERE name = 'hits' FOR UPDATE`);
    await new Promise((r) => setTimeout(r, 5));
    await tx.query(`UPDATE counters SET n = $1 WHERE name = 'hits'`, [Number(rows[0]?.n) + 1]);
  })));
  const { rows } = await db.query<{ n: number }>(`SELECT n FROM counters WHERE name = 'hits'`);
  assert.equal(Number(rows[0]?.n), 8, 'the rolled-back +100 is gone and all eight increments count');
}

test('PGlite: transactions roll back on a throw and serialize read-modify-writes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'infra-db-'));
  const db = await openDatabase({ dataDir: join(dir, 'db') });
  try {
    await transactionBehaviour(db);
    assert.deepEqual(await migrate(db, MIGRATIONS), [], 'a second migrate applies nothing');
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('PGlite: one process shares one database per folder, closed by its last opener, and a second process is refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'infra-db-'));
  try {
    const a = await openFacelessDatabase({ FACELESS_DATA_DIR: dir });
    const b = await openDatabase({ dataDir: join(dir, 'db') });
    await a.exec('CREATE TABLE t (x integer)');
    await a.close();
    await b.query('INSERT INTO t VALUES (1)');
    assert.ok(existsSync(join(dir, 'db.lock')), 'the folder is locked while open');

    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
      import { openDatabase } from '@faceless/infra';
      try { await openDatabase({ dataDir: ${JSON.stringify(join(dir, 'db'))} }); console.log('opened'); }
      catch (err) { console.log(err.code, err.field, err.message); }
    `], { encoding: 'utf8', cwd: process.cwd() });
    assert.match(child.stdout, /^CONFLICT DATABASE_URL .*open in another process \(pid \d+\).*DATABASE_URL/, child.stderr);

    await b.close();
    assert.ok(!existsSync(join(dir, 'db.lock')), 'the lock goes with the last close');
    // A lock left by a process that no longer runs is taken over.
    await writeFile(join(dir, 'db.lock'), '999999999');
    const c = await openDatabase({ dataDir: join(dir, 'db') });
    assert.equal((await c.query<{ x: number }>('SELECT x FROM t')).rows[0]?.x, 1);
    await c.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a bad DATABASE_URL names the variable', async () => {
  await assert.rejects(openFacelessDatabase({ DATABASE_URL: 'mysql://db/x' }), (err: unknown) => err instanceof FacelessError && err.code === 'INVALID_OPTION' && err.field === 'DATABASE_URL');
});

const unreachable = await postgresUnreachable();
test('PostgreSQL: replicas migrating at once apply each migration once, without error', { skip: unreachable }, async () => {
  const schema = await createTestSchema();
  // Separate pools, as separate replicas would have: six opens of distinct URLs (a query string makes each one new).
  const dbs = await Promise.all(Array.from({ length: 6 }, (_, i) => openDatabase({ url: `${schema.url}&application_name=replica-${i}` })));
  try {
    const applied = await Promise.all(dbs.map((db) => migrate(db, MIGRATIONS)));
    assert.deepEqual(applied.flat().sort(), ['test-0001', 'test-0002'], `each migration applied by exactly one replica: ${JSON.stringify(applied)}`);
    const { rows } = await dbs[0]!.query<{ n: string }>(`SELECT count(*) AS n FROM counters`);
    assert.equal(Number(rows[0]?.n), 1, 'the seed row was inserted once');
    await dbs[0]!.exec('DELETE FROM counters');
    await dbs[0]!.exec("INSERT INTO counters (name, n) VALUES ('hits', 0)");
    await dbs[0]!.exec('DELETE FROM schema_migrations');
    await dbs[0]!.exec('DROP TABLE counters');
    await transactionBehaviour(dbs[1]!);
  } finally {
    await Promise.all(dbs.map((db) => db.close()));
    await schema.drop();
  }
});
