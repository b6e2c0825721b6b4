import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../database.ts';
import { createTestSchema } from './postgres-schema.ts';

export interface TestDatabase {
  db: Database;
  cleanup(): Promise<void>;
}

/**
 * A database of its own for a test file: PGlite in a temporary folder (one per file: creating one costs seconds
 * and hundreds of MB), or a fresh schema on the test PostgreSQL, checked to be the one every pooled connection uses.
 */
export async function openTestDatabase(kind: 'pglite' | 'postgres'): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const dir = await mkdtemp(join(tmpdir(), 'faceless-pglite-'));
    const db = await openDatabase({ dataDir: join(dir, 'db') });
    return {
      db,
      async cleanup() {
        await db.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = await createTestSchema();
  const db = await openDatabase({ url: schema.url });
  const { rows } = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
  if (rows[0]?.schema !== schema.schema) throw new Error(`search_path was not applied: current schema is ${rows[0]?.schema}`);
  return {
    db,
    async cleanup() {
      await db.close();
      await schema.drop();
    },
  };
}
