import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The test server: TEST_DATABASE_URL, else the local PostgreSQL the project's tests use. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why the test server cannot be used (to skip with), or undefined when it answers. */
export async function postgresUnreachable(url = TEST_DATABASE_URL): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return `no PostgreSQL at ${url.replace(/\/\/[^@/]*@/, '//')} (${(err as Error).message || String(err)}); start it or set TEST_DATABASE_URL`;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface TestSchema {
  /** A URL whose every connection works in the schema (search_path set at connection start). */
  url: string;
  schema: string;
  drop(): Promise<void>;
}

/** A fresh schema on the test server, so that tests sharing one server never see each other's tables. */
export async function createTestSchema(url = TEST_DATABASE_URL): Promise<TestSchema> {
  const schema = `faceless_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  return {
    url: `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}
