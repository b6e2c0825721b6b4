import { test } from 'node:test';
import { openTestDatabase, postgresUnreachable } from '@faceless/infra/testing';
import { experimentSuite } from './experiment-suite.ts';

const unreachable = await postgresUnreachable();
if (unreachable) {
  test(`PostgreSQL tests skipped: ${unreachable}`, { skip: true }, () => {});
} else {
  // Each run gets its own schema, chosen through search_path at connection start so every pooled connection uses it.
  experimentSuite(() => openTestDatabase('postgres'));
}
