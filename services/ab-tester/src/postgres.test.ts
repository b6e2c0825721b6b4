import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import pg from 'pg';
import { openDatabase } from '@faceless/infra';
import { experimentSuite } from './experiment-suite.ts';

const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.end().catch(() => {});
  }
}

const unreachable = await reachable();
if (unreachable) {
  test(`PostgreSQL tests skipped: no server at ${url.replace(/\/\/[^@/]*@/, '//')} (${unreachable}); start PostgreSQL or set TEST_DATABASE_URL`, { skip: true }, () => {});
} else {
  // Each run gets its own schema, chosen through search_path at connection start so every pooled connection uses it.
  experimentSuite(async () => {
    const schema = `faceless_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const db = await openDatabase({ url: `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}` });
    const { rows } = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
    if (rows[0]?.schema !== schema) throw new Error(`search_path was not applied: current schema is ${rows[0]?.schema}`);
    return {
      db,
      async cleanup() {
        await db.close();
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      },
    };
  });
}
