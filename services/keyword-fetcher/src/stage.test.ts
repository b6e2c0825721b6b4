import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FolderStore } from '@faceless/infra';
import { createLogger, type FacelessError, type StageContext } from '@faceless/runtime';
import { createKeywordProvider, createStage, readKeywordConfig } from './index.ts';
import { rankKeywords } from './stage.ts';

const root = await mkdtemp(join(tmpdir(), 'keyword-stage-'));
after(() => rm(root, { recursive: true, force: true }));

function context(progress: [number, string?][] = []): StageContext {
  return {
    store: new FolderStore(join(root, 'store')),
    log: createLogger({ level: 'error' }),
    signal: new AbortController().signal,
    progress: (f, n) => progress.push([f, n]),
    workDir: root,
  };
}

test('with no environment the stage runs offline and returns ranked keywords with reasons', async () => {
  const stage = createStage({ env: {} });
  const progress: [number, string?][] = [];
  const out = await stage.execute({ topic: 'how octopuses think' }, context(progress)) as {
    provider: string; topic: string; keywords: { keyword: string; score: number; reason: string; source: string }[];
  };
  assert.equal(out.provider, 'offline');
  assert.equal(out.topic, 'how octopuses think');
  assert.equal(out.keywords.length, 15, 'the default limit');
  for (const k of out.keywords) {
    assert.ok(k.score > 0 && k.score <= 100);
    assert.ok(k.reason.length > 10);
  }
  for (let i = 1; i < out.keywords.length; i++) assert.ok(out.keywords[i - 1]!.score >= out.keywords[i]!.score);
  assert.equal(out.keywords[0]?.keyword, 'how octopuses think');
  assert.deepEqual(progress.map(([f]) => f), [0, 1]);

  const fr = await stage.execute({ topic: 'la photosynthèse', lang: 'fr', limit: 40 }, context()) as { keywords: { keyword: string }[] };
  assert.equal(fr.keywords.length, 40);
  assert.ok(fr.keywords.some((k) => k.keyword === "qu'est-ce que la photosynthèse"));
  assert.ok(fr.keywords.some((k) => k.keyword === 'photosynthèse pour débutants'));
});

test('bad input is rejected with the field named', async () => {
  await assert.rejects(createStage({ env: {} }).execute({ topic: 'x', limit: 5 }, context()), (err: FacelessError) => err.code === 'INVALID_INPUT' && err.field === 'limit');
});

test('ranking deduplicates across case and accents, keeping the best score', () => {
  const ranked = rankKeywords([
    { keyword: 'Café crème', score: 40, reason: 'a', source: 's' },
    { keyword: 'cafe creme', score: 70.04, reason: 'b', source: 's' },
    { keyword: 'espresso', score: 55, reason: 'c', source: 's' },
    { keyword: 'latte', score: 120, reason: 'd', source: 's' },
  ], 2);
  assert.deepEqual(ranked.map((k) => [k.keyword, k.score]), [['latte', 100], ['cafe creme', 70]]);
});

test('the environment picks the provider and lists every bad variable at once', () => {
  assert.equal(createKeywordProvider({}).name, 'offline');
  assert.equal(createKeywordProvider({ SERPAPI_API_KEY: 'k' }).name, 'serpapi');
  assert.equal(createKeywordProvider({ SERPAPI_API_KEY: 'k', KEYWORD_PROVIDER: 'offline' }).name, 'offline');
  assert.equal(createKeywordProvider({ SERPAPI_API_KEY: '' }).name, 'offline', 'an empty value is unset');
  const config = readKeywordConfig({ FACELESS_CACHE_DIR: '/tmp/fc' });
  assert.equal(config.serpApiUrl, 'https://serpapi.com');
  assert.equal(config.cacheDir, '/tmp/fc');
  assert.equal(config.cacheTtlMs, 24 * 3_600_000);
  assert.throws(() => readKeywordConfig({ KEYWORD_PROVIDER: 'serpapi', SERPAPI_URL: 'not a url', SERPAPI_TIMEOUT_MS: 'soon' }), (err: FacelessError) => {
    assert.equal(err.code, 'INVALID_OPTION');
    for (const name of ['SERPAPI_API_KEY', 'SERPAPI_URL', 'SERPAPI_TIMEOUT_MS']) assert.match(err.message, new RegExp(name));
    return true;
  });
});
