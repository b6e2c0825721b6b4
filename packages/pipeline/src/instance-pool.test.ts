import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FacelessError } from '@faceless/runtime';
import {
  InstancePool, createStagePools, expandInstances, parseInstanceUrls, refreshStagePools, serviceUrlEnvName,
} from './instance-pool.ts';
import { SEED_CATALOG, type PipelineStage, type StageCatalog } from './stage-catalog.ts';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

test('round robin over the instances', () => {
  const pool = new InstancePool(['http://a:1', 'http://b:1/', 'http://c:1']);
  assert.deepEqual([1, 2, 3, 4, 5].map(() => pool.pick()), ['http://a:1', 'http://b:1', 'http://c:1', 'http://a:1', 'http://b:1']);
  assert.equal(pool.pick(new Set(['http://c:1', 'http://a:1'])), 'http://b:1');
  assert.equal(pool.pick(new Set(pool.urls)), undefined);
});

test('a failed instance sits out a cool-off that doubles up to the cap, then comes back', () => {
  const c = clock();
  const pool = new InstancePool(['http://a:1', 'http://b:1'], { coolOffMs: 5_000, maxCoolOffMs: 12_000, now: c.now });
  pool.markDown('http://a:1');
  assert.deepEqual([1, 2, 3].map(() => pool.pick()), ['http://b:1', 'http://b:1', 'http://b:1']);
  c.advance(4_999);
  assert.equal(pool.isUp('http://a:1'), false);
  c.advance(1);
  assert.equal(pool.isUp('http://a:1'), true);
  pool.markDown('http://a:1'); // second failure in a row: 10 s
  c.advance(9_999);
  assert.equal(pool.isUp('http://a:1'), false);
  c.advance(1);
  assert.equal(pool.isUp('http://a:1'), true);
  pool.markDown('http://a:1'); // third: 20 s capped at 12 s
  c.advance(12_000);
  assert.equal(pool.isUp('http://a:1'), true);
  pool.markUp('http://a:1');
  pool.markDown('http://a:1'); // success reset the count: 5 s again
  c.advance(5_000);
  assert.equal(pool.isUp('http://a:1'), true);
});

test('all down: the least recently failed instance is tried', () => {
  const c = clock();
  const pool = new InstancePool(['http://a:1', 'http://b:1', 'http://c:1'], { now: c.now });
  pool.markDown('http://b:1');
  c.advance(10);
  pool.markDown('http://a:1');
  c.advance(10);
  pool.markDown('http://c:1');
  assert.equal(pool.pick(), 'http://b:1');
  assert.equal(pool.pick(new Set(['http://b:1'])), 'http://a:1');
});

test('URL lists from the environment', () => {
  assert.equal(serviceUrlEnvName('video-assembler'), 'VIDEO_ASSEMBLER_URL');
  assert.deepEqual(parseInstanceUrls(' http://a:3005/, http://b:3005 ,', 'http://x'), ['http://a:3005', 'http://b:3005']);
  assert.deepEqual(parseInstanceUrls(undefined, 'http://127.0.0.1:3005'), ['http://127.0.0.1:3005']);
  assert.throws(() => parseInstanceUrls('video-assembler:3005', 'http://x', 'VIDEO_ASSEMBLER_URL'),
    (err: FacelessError) => err.code === 'INVALID_OPTION' && err.field === 'VIDEO_ASSEMBLER_URL' && /only http/.test(err.message));
  assert.throws(() => parseInstanceUrls('http://a, nope', 'http://x', 'X_URL'), /"nope", which is not a URL/);
});

test('one DNS name with several addresses becomes one instance per address', async () => {
  const lookup = (host: string): Promise<{ address: string; family: number }[]> => Promise.resolve(
    host === 'video-assembler'
      ? [{ address: '10.0.0.2', family: 4 }, { address: '10.0.0.3', family: 4 }, { address: 'fd00::4', family: 6 }]
      : [{ address: '10.0.0.9', family: 4 }],
  );
  assert.deepEqual(await expandInstances(['http://video-assembler:3005'], lookup),
    ['http://10.0.0.2:3005', 'http://10.0.0.3:3005', 'http://[fd00::4]:3005']);
  assert.deepEqual(await expandInstances(['http://single:3005'], lookup), ['http://single:3005']);
  assert.deepEqual(await expandInstances(['http://127.0.0.1:3005'], lookup), ['http://127.0.0.1:3005']);
  assert.deepEqual(await expandInstances(['http://gone:1'], () => Promise.reject(new Error('ENOTFOUND'))), ['http://gone:1']);
  assert.deepEqual(await expandInstances(['http://a:1', 'http://b:1'], lookup), ['http://a:1', 'http://b:1']);

  const pools = await createStagePools({ KEYWORD_FETCHER_URL: 'http://k1:3002,http://k2:3002', VIDEO_ASSEMBLER_URL: 'http://video-assembler:3005' }, { lookup });
  assert.deepEqual(pools.keywords.urls, ['http://k1:3002', 'http://k2:3002']);
  assert.equal(pools.video.size, 3);
  assert.deepEqual(pools.abtest.urls, ['http://127.0.0.1:3009']);
  await assert.rejects(createStagePools({ UPLOADER_URL: 'uploader:3008', AB_TESTER_URL: 'ftp://x' }),
    (err: FacelessError) => err.code === 'INVALID_OPTION' && /UPLOADER_URL/.test(err.message) && /AB_TESTER_URL/.test(err.message));
});

test('the stage host names are resolved again: new replicas join, gone ones leave, a failed lookup changes nothing', async () => {
  let addresses = ['10.0.0.2', '10.0.0.3'];
  let fail = false;
  const lookup = (host: string): Promise<{ address: string; family: number }[]> => {
    if (fail) return Promise.reject(new Error('EAI_AGAIN'));
    return Promise.resolve(host === 'video-assembler' ? addresses.map((address) => ({ address, family: 4 })) : [{ address: '10.0.0.9', family: 4 }]);
  };
  let clock = 1_000;
  const pools = await createStagePools({ VIDEO_ASSEMBLER_URL: 'http://video-assembler:3005', KEYWORD_FETCHER_URL: 'http://k1:3002,http://k2:3002' }, { lookup, now: () => clock });
  pools.video.markDown('http://10.0.0.3:3005');

  addresses = ['10.0.0.3', '10.0.0.4', '10.0.0.5'];
  assert.deepEqual(await refreshStagePools(pools, lookup), ['video']);
  assert.deepEqual(pools.video.urls, ['http://10.0.0.3:3005', 'http://10.0.0.4:3005', 'http://10.0.0.5:3005']);
  assert.equal(pools.video.isUp('http://10.0.0.3:3005'), false, 'a replica that stays keeps its cool-off');
  assert.deepEqual(pools.keywords.urls, ['http://k1:3002', 'http://k2:3002'], 'a list of URLs is taken as written');
  clock += 60_000;
  const picked = new Set([pools.video.pick(), pools.video.pick(), pools.video.pick()]);
  assert.deepEqual([...picked].sort(), pools.video.urls.slice().sort(), 'every replica is called');

  fail = true;
  assert.deepEqual(await refreshStagePools(pools, lookup), []);
  assert.equal(pools.video.size, 3, 'a failed lookup keeps the instances');
  fail = false;
  assert.deepEqual(await refreshStagePools(pools, lookup), [], 'nothing changed');
});

test('the pools are the catalog\'s: a stage a catalog adds gets its own from <SERVICE>_URL, its port on loopback by default', async () => {
  const wordCount = { ...SEED_CATALOG[0]!, key: 'word-count', service: 'word-counter', port: 3010 } as PipelineStage<string>;
  const catalog: StageCatalog<string> = [...SEED_CATALOG, wordCount];
  const pools = await createStagePools({ WORD_COUNTER_URL: 'http://127.0.0.1:4010,http://127.0.0.1:4011' }, { catalog });
  assert.deepEqual(Object.keys(pools), ['keywords', 'script', 'audio', 'video', 'thumbnail', 'metadata', 'upload', 'abtest', 'word-count']);
  assert.deepEqual(pools['word-count']?.urls, ['http://127.0.0.1:4010', 'http://127.0.0.1:4011']);
  assert.deepEqual((await createStagePools({}, { catalog }))['word-count']?.urls, ['http://127.0.0.1:3010']);
  await assert.rejects(createStagePools({ WORD_COUNTER_URL: 'word-counter:3010' }, { catalog }), (err: FacelessError) => /WORD_COUNTER_URL/.test(err.message));
});
