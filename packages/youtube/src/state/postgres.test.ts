import { test } from 'node:test';
import { openTestDatabase, postgresUnreachable } from '@faceless/infra/testing';
import { stateSuite } from './state-suite.ts';

const unreachable = await postgresUnreachable();
if (unreachable) {
  test(`PostgreSQL tests skipped: ${unreachable}`, { skip: true }, () => {});
} else {
  stateSuite('PostgreSQL', () => openTestDatabase('postgres'));
}
