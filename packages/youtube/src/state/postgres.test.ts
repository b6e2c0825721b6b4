import { test } from 'node:test';
import { openDatabase } from '@faceless/infra';
import { createTestSchema, postgresUnreachable } from '@faceless/infra/testing';
import { stateSuite } from './state-suite.ts';

const unreachable = await postgresUnreachable();
if (unreachable) {
  test(`PostgreSQL tests skipped: ${unreachable}`, { skip: true }, () => {});
} else {
  stateSuite('PostgreSQL', async () => {
    const schema = await createTestSchema();
    const db = await openDatabase({ url: schema.url });
    return {
      db,
      async cleanup() {
        await db.close();
        await schema.drop();
      },
    };
  });
}
