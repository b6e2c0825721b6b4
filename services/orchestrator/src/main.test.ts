import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FacelessError } from '@faceless/runtime';
import { STAGE_URL_ENV_NAMES, parseOrchestratorEnv } from './main.ts';

test('defaults work with no environment at all', () => {
  const cfg = parseOrchestratorEnv({});
  assert.equal(cfg.REDIS_URL, 'redis://127.0.0.1:6379');
  assert.equal(cfg.PIPELINE_QUEUE, 'faceless-pipelines');
  assert.equal(cfg.ORCHESTRATOR_CONCURRENCY, 2);
  assert.equal(cfg.STAGE_TIMEOUT_MS, 15 * 60_000);
  assert.equal(cfg.STAGE_SHORT_TIMEOUT_MS, 2 * 60_000);
  assert.equal(STAGE_URL_ENV_NAMES.length, 8);
  assert.ok(STAGE_URL_ENV_NAMES.includes('VIDEO_ASSEMBLER_URL'));
});

test('every bad variable is listed at once', () => {
  assert.throws(
    () => parseOrchestratorEnv({ REDIS_URL: 'localhost:6379', ORCHESTRATOR_CONCURRENCY: '0', STAGE_TIMEOUT_MS: 'soon', PIPELINE_QUEUE: '' }),
    (err: FacelessError) => err.code === 'INVALID_OPTION' && /REDIS_URL/.test(err.message) && /ORCHESTRATOR_CONCURRENCY/.test(err.message) && /STAGE_TIMEOUT_MS/.test(err.message),
  );
});
