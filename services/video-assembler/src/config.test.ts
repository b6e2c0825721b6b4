import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FacelessError } from '@faceless/runtime';
import { parseVideoAssemblerConfig, pexelsCacheDir } from './config.ts';
import { createStage } from './index.ts';

test('the configuration has working defaults with no environment at all', () => {
  const config = parseVideoAssemblerConfig({});
  assert.equal(config.VIDEO_ASSEMBLER_X264_PRESET, 'veryfast');
  assert.equal(config.VIDEO_ASSEMBLER_CRF, 21);
  assert.equal(config.VIDEO_ASSEMBLER_X264_PARAMS, 'subme=1:me=dia');
  assert.equal(config.VIDEO_ASSEMBLER_TRANSITIONS, 'crossfade');
  assert.throws(() => parseVideoAssemblerConfig({ VIDEO_ASSEMBLER_X264_PARAMS: 'subme 1' }), /VIDEO_ASSEMBLER_X264_PARAMS="subme 1": must be x264 options/);
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

test('Pexels is off without a key; its URL and cache folder have defaults under FACELESS_DATA_DIR', () => {
  const config = parseVideoAssemblerConfig({ PEXELS_API_KEY: '  ' });
  assert.equal(config.PEXELS_API_KEY, undefined);
  assert.equal(config.PEXELS_API_URL, 'https://api.pexels.com');
  assert.equal(pexelsCacheDir(config), join(homedir(), '.faceless', 'cache', 'pexels'));
  assert.equal(pexelsCacheDir(parseVideoAssemblerConfig({ FACELESS_DATA_DIR: '/srv/faceless' })), '/srv/faceless/cache/pexels');
  assert.equal(pexelsCacheDir(parseVideoAssemblerConfig({ FACELESS_DATA_DIR: '/srv/faceless', PEXELS_CACHE_DIR: '~/clips' })), join(homedir(), 'clips'));
  const keyed = parseVideoAssemblerConfig({ PEXELS_API_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789', PEXELS_API_URL: 'http://127.0.0.1:8080' });
  assert.equal(keyed.PEXELS_API_URL, 'http://127.0.0.1:8080');
  assert.equal(createStage({ env: { PEXELS_API_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789' } }).name, 'video-assembler');
});

test('bad Pexels variables are named, and the key itself is never repeated', () => {
  assert.throws(
    () => parseVideoAssemblerConfig({ PEXELS_API_KEY: 'short-key', PEXELS_API_URL: 'ftp://pexels' }),
    (err: unknown) => {
      assert.ok(err instanceof FacelessError);
      assert.equal(err.code, 'INVALID_OPTION');
      assert.match(err.message, /PEXELS_API_KEY=\(9 characters, not shown\): looks too short/);
      assert.match(err.message, /PEXELS_API_URL="ftp:\/\/pexels": must be an http\(s\) URL/);
      assert.ok(!err.message.includes('short-key'));
      return true;
    },
  );
});
