import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ErrorBody, KeywordsFetchOutput } from '@faceless/contracts';
import { FolderStore } from '@faceless/infra';
import { buildApp } from './server.ts';

test('POST /keywords/fetch serves the offline provider; bad input is a 400 naming the field', async () => {
  const root = await mkdtemp(join(tmpdir(), 'keyword-server-'));
  const app = buildApp({ env: {}, store: new FolderStore(root), logger: false });
  try {
    const res = await app.inject({ method: 'POST', url: '/keywords/fetch', payload: { topic: 'home coffee roasting', limit: 12 } });
    assert.equal(res.statusCode, 200, res.body);
    const out = KeywordsFetchOutput.parse(res.json());
    assert.equal(out.topic, 'home coffee roasting');
    assert.ok(out.keywords.length >= 10 && out.keywords.length <= 12, `got ${out.keywords.length} keywords`);
    assert.ok(out.keywords.some((k) => /coffee|roast/i.test(k.keyword)));

    const bad = await app.inject({ method: 'POST', url: '/keywords/fetch', payload: { topic: 'coffee', limit: 500 } });
    assert.equal(bad.statusCode, 400);
    const err = ErrorBody.parse(bad.json()).error;
    assert.equal(err.code, 'INVALID_INPUT');
    assert.equal(err.field, 'limit');

    const health = await app.inject({ method: 'GET', url: '/health' });
    assert.deepEqual(health.json(), { status: 'ok', service: 'keyword-fetcher' });
    assert.equal((await app.inject({ method: 'GET', url: '/ready' })).statusCode, 200);
  } finally {
    await app.close();
    await rm(root, { recursive: true, force: true });
  }
});
