import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FacelessError } from '@faceless/runtime';
import { parseVideoAssemblerConfig } from './config.ts';
import { createStage } from './index.ts';

test('the configuration has working defaults with no environment at all', () => {
  const config = parseVideoAssemblerConfig({});
  assert.equal(config.VIDEO_ASSEMBLER_X264_PRESET, 'veryfast');
  assert.equal(config.VIDEO_ASSEMBLER_CRF, 21);
  assert.equal(config.VIDEO_ASSEMBLER_CHUNK_SEC, 30);
  assert.ok(config.VIDEO_ASSEMBLER_CONCURRENCY >= 1 && config.VIDEO_ASSEMBLER_CONCURRENCY <= 4);
  assert.equal(createStage({ env: {} }).name, 'video-assembler');
  assert.equal(parseVideoAssemblerConfig({ VIDEO_ASSEMBLER_CRF: '', VIDEO_ASSEMBLER_CONCURRENCY: '3' }).VIDEO_ASSEMBLER_CONCURRENCY, 3);
});

test('a bad configuration names every bad variable at once', () => {
  assert.throws(
    () => createStage({ env: { VIDEO_ASSEMBLER_X264_PRESET: 'ludicrous', VIDEO_ASSEMBLER_CRF: '99', VIDEO_ASSEMBLER_CONCURRENCY: 'two' } }),
    (err: unknown) => {
      assert.ok(err instanceof FacelessError);
      assert.equal(err.code, 'INVALID_OPTION');
      for (const name of ['VIDEO_ASSEMBLER_X264_PRESET="ludicrous"', 'VIDEO_ASSEMBLER_CRF="99"', 'VIDEO_ASSEMBLER_CONCURRENCY="two"']) {
        assert.ok(err.message.includes(name), `${name} in: ${err.message}`);
      }
      return true;
    },
  );
});
