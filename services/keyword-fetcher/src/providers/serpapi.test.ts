import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { KeywordsFetchInput } from '@faceless/contracts';
import { createCollectingLogger, createLogger, type FacelessError } from '@faceless/runtime';
import { createResponseCache } from '../response-cache.ts';
import { createSerpApiKeywordProvider } from './serpapi.ts';

const API_KEY = 'test-serpapi-key-123';

const ANSWERS: Record<string, unknown> = {
  google_autocomplete: {
    search_metadata: { status: 'Success' },
    suggestions: [
      { value: 'coffee beans', relevance: 1250, type: 'QUERY' },
      { value: 'coffee near me', relevance: 900, type: 'QUERY' },
      { value: 'coffee grinder', relevance: 700, type: 'QUERY' },
    ],
  },
  youtube: {
    search_metadata: { status: 'Success' },
    video_results: [
      { title: 'Coffee beans explained', link: 'https://www.youtube.com/watch?v=a', channel: { name: 'Brew' }, published_date: '1 year ago', views: 1_234_567, length: '10:01' },
      { title: 'How coffee is made', link: 'https://www.youtube.com/watch?v=b', channel: { name: 'Farm' }, published_date: '2 years ago', views: 90_000, length: '7:30' },
    ],
  },
  google_trends: {
    search_metadata: { status: 'Success' },
    related_queries: {
      rising: [{ query: 'coffee beans', value: '+350%', extracted_value: 350 }, { query: 'mushroom coffee', value: 'Breakout', extracted_value: 30100 }],
      top: [{ query: 'coffee recipe', value: '100', extracted_value: 100 }, { query: 'coffee beans', value: '64', extracted_value: 64 }],
    },
  },
};

type Behaviour = (engine: string, res: ServerResponse) => boolean;

/** A stand-in for serpapi.com/search.json: answers each engine as documented; `behave` can replace an answer. */
async function fakeSerpApi(): Promise<{ url: string; requests: URL[]; behave: (b?: Behaviour) => void; close: () => Promise<void> }> {
  const requests: URL[] = [];
  let behaviour: Behaviour | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url);
    const engine = url.searchParams.get('engine') ?? '';
    res.setHeader('content-type', 'application/json');
    if (url.pathname !== '/search.json') return void res.writeHead(404).end('{"error":"not found"}');
    if (url.searchParams.get('api_key') !== API_KEY) {
      return void res.writeHead(401).end(JSON.stringify({ error: 'Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key' }));
    }
    if (behaviour?.(engine, res)) return;
    res.writeHead(200).end(JSON.stringify(ANSWERS[engine] ?? { error: `Unsupported \`${engine}\` search engine.` }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    behave: (b) => { behaviour = b; },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const server = await fakeSerpApi();
const dirs: string[] = [];
after(async () => {
  await server.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function provider(options: { apiKey?: string; dir?: string } = {}) {
  const dir = options.dir ?? await mkdtemp(join(tmpdir(), 'serpapi-cache-'));
  dirs.push(dir);
  return {
    dir,
    provider: createSerpApiKeywordProvider({
      apiKey: options.apiKey ?? API_KEY,
      baseUrl: `${server.url}/`,
      cache: createResponseCache({ dir, ttlMs: 24 * 3_600_000 }),
      retryBaseDelayMs: 1,
      now: () => new Date('2025-06-01T00:00:00Z'),
    }),
  };
}

const input = KeywordsFetchInput.parse({ topic: 'Coffee', lang: 'en', region: 'gb', limit: 10 });
const ctx = () => ({ log: createLogger({ level: 'error' }), signal: new AbortController().signal });

test('calls the three engines with their documented parameters and ranks the merged evidence', async () => {
  server.requests.length = 0;
  const { provider: p } = await provider();
  const out = await p.fetch(input, ctx());
  const byEngine = new Map(server.requests.map((u) => [u.searchParams.get('engine'), u.searchParams]));
  assert.deepEqual([...byEngine.keys()].sort(), ['google_autocomplete', 'google_trends', 'youtube']);
  for (const params of byEngine.values()) assert.equal(params.get('api_key'), API_KEY);
  const ac = byEngine.get('google_autocomplete')!;
  assert.deepEqual([ac.get('q'), ac.get('gl'), ac.get('hl')], ['coffee', 'gb', 'en']);
  const yt = byEngine.get('youtube')!;
  assert.deepEqual([yt.get('search_query'), yt.get('gl'), yt.get('hl')], ['coffee', 'gb', 'en']);
  const tr = byEngine.get('google_trends')!;
  assert.deepEqual([tr.get('q'), tr.get('data_type'), tr.get('date'), tr.get('gprop'), tr.get('geo')], ['coffee', 'RELATED_QUERIES', 'today 12-m', 'youtube', 'GB']);

  assert.ok(out.length >= input.limit, 'topped up to the limit with offline ideas');
  const beans = out.find((k) => k.keyword === 'coffee beans')!;
  assert.match(beans.reason, /autocomplete relevance 1250/);
  assert.match(beans.reason, /rising \+350% on YouTube/);
  assert.match(beans.reason, /top video for it has 1\.2M views/);
  const best = Math.max(...out.map((k) => k.score));
  assert.equal(beans.score, best, 'three sources agree on it: it ranks first');
  const offline = out.filter((k) => k.source === 'offline-expansion');
  assert.ok(offline.length > 0);
  const weakestLive = Math.min(...out.filter((k) => k.source.startsWith('serpapi')).map((k) => k.score));
  for (const k of offline) {
    assert.ok(k.score < weakestLive, 'offline ideas rank below anything with evidence');
    assert.match(k.reason, /^no search data found; /);
  }
});

test('a second call is served from the cache, in memory and on disk, without a request', async () => {
  server.requests.length = 0;
  const { provider: p, dir } = await provider();
  const first = await p.fetch(input, ctx());
  assert.equal(server.requests.length, 3);
  assert.deepEqual(await p.fetch(input, ctx()), first);
  assert.equal(server.requests.length, 3, 'the memory cache answered');
  const files = await readdir(dir);
  assert.equal(files.length, 3);
  const { provider: again } = await provider({ dir });
  assert.deepEqual(await again.fetch(input, ctx()), first);
  assert.equal(server.requests.length, 3, 'a new process reads the file cache');
  for (const f of files) assert.ok(!f.includes(API_KEY));
});

test('a 401 fails clearly as PROVIDER_AUTH without printing the key', async () => {
  const { provider: p } = await provider({ apiKey: 'wrong-key-456' });
  await assert.rejects(p.fetch(input, ctx()), (err: FacelessError) => {
    assert.equal(err.code, 'PROVIDER_AUTH');
    assert.equal(err.retryable, false);
    assert.match(err.message, /SERPAPI_API_KEY/);
    assert.ok(!err.message.includes('wrong-key-456'));
    return true;
  });
});

test('a 429 is a retryable PROVIDER_RATE_LIMITED', async () => {
  server.behave((_e, res) => { res.writeHead(429).end(JSON.stringify({ error: 'Your account has run out of searches.' })); return true; });
  try {
    const { provider: p } = await provider();
    await assert.rejects(p.fetch(input, ctx()), (err: FacelessError) => {
      assert.equal(err.code, 'PROVIDER_RATE_LIMITED');
      assert.equal(err.retryable, true);
      assert.match(err.message, /run out of searches/);
      return true;
    });
  } finally {
    server.behave();
  }
});

test('an engine error body or a 5xx only drops that engine, with a warning', async () => {
  const warnings: string[] = [];
  const log = createCollectingLogger((m, f) => warnings.push(`${m} ${JSON.stringify(f)}`));
  let trendsCalls = 0;
  server.behave((engine, res) => {
    if (engine === 'google_trends') {
      trendsCalls++;
      res.writeHead(200).end(JSON.stringify({ search_metadata: { status: 'Error' }, error: 'Google Trends hasn\'t responded in time.' }));
      return true;
    }
    if (engine === 'youtube') {
      res.writeHead(503).end('upstream down');
      return true;
    }
    return false;
  });
  try {
    const { provider: p, dir } = await provider();
    const out = await p.fetch(input, { log, signal: new AbortController().signal });
    assert.equal(trendsCalls, 1, 'an error body is not retried');
    const beans = out.find((k) => k.keyword === 'coffee beans')!;
    assert.match(beans.reason, /autocomplete relevance 1250/);
    assert.doesNotMatch(beans.reason, /rising|views/);
    assert.equal(warnings.length, 2);
    assert.ok(warnings.some((w) => w.includes('google_trends') && w.includes('PROVIDER_BAD_RESPONSE') && w.includes("hasn't responded")));
    assert.ok(warnings.some((w) => w.includes('youtube') && w.includes('PROVIDER_UNAVAILABLE')));
    assert.equal((await readdir(dir)).length, 1, 'failed answers are not cached');
  } finally {
    server.behave();
  }
});

test('"no results" is an empty answer; every engine failing is an error', async () => {
  server.behave((_e, res) => { res.writeHead(200).end(JSON.stringify({ error: "Google hasn't returned any results for this query." })); return true; });
  try {
    const { provider: p } = await provider();
    const out = await p.fetch(input, ctx());
    assert.equal(out.length, input.limit);
    assert.ok(out.every((k) => k.source === 'offline-expansion'));
  } finally {
    server.behave();
  }
  server.behave((_e, res) => { res.writeHead(500).end('{}'); return true; });
  try {
    const { provider: p } = await provider();
    await assert.rejects(p.fetch(input, ctx()), (err: FacelessError) => err.code === 'PROVIDER_UNAVAILABLE' && err.retryable);
  } finally {
    server.behave();
  }
});

test('an unreachable server is PROVIDER_UNAVAILABLE naming SERPAPI_URL', async () => {
  const p = createSerpApiKeywordProvider({ apiKey: API_KEY, baseUrl: 'http://127.0.0.1:9', cache: createResponseCache({ ttlMs: 1000 }), attempts: 1 });
  await assert.rejects(p.fetch(input, ctx()), (err: FacelessError) => err.code === 'PROVIDER_UNAVAILABLE' && /SERPAPI_URL/.test(err.message));
});
