import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { PipelineEvent } from '@faceless/contracts';
import type { PipelineEventHistory } from '@faceless/pipeline';
import { assertBypassesRefused, sseUntilClosed } from './http-test-client.ts';
import { startServe, type ServeHandle } from './serve-command.ts';
import { serveTestEnv } from './serve-test-env.ts';

const temps: string[] = [];
const handles: ServeHandle[] = [];
after(async () => {
  for (const h of handles) await h.close();
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    assert.ok(Date.now() < end, `${what} not reached after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('faceless serve: cancelled pipelines, queued or running, end with one pipeline.failed, kept in a history that outlives a restart; mediaDir outside MEDIA_ROOTS is refused', { timeout: 120_000 }, async () => {
  const work = await mkdtemp(join(tmpdir(), 'faceless-serve-cancel-'));
  temps.push(work);
  const env = serveTestEnv(work, { SERVE_CONCURRENCY: '1' });
  const served = await startServe({ port: 0, host: '127.0.0.1', env });
  handles.push(served);
  const api = (path: string, init?: RequestInit): Promise<Response> => fetch(`${served.url}/api${path}`, init);
  const start = async (body: Record<string, unknown>): Promise<Response> =>
    api('/pipelines/start', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const seen: PipelineEvent[] = [];
  served.bus.subscribe((e) => seen.push(e));

  const refused = await start({ topic: 'octopuses', mediaDir: work });
  assert.equal(refused.status, 400);
  const error = ((await refused.json()) as { error: { code: string; field?: string; message: string } }).error;
  assert.deepEqual([error.code, error.field], ['INVALID_INPUT', 'mediaDir']);
  assert.match(error.message, /MEDIA_ROOTS/);

  const running = ((await (await start({ topic: 'why octopuses have three hearts', durationSec: 20 })).json()) as { pipelineId: string }).pipelineId;
  const queued = ((await (await start({ topic: 'why cats purr', durationSec: 20 })).json()) as { pipelineId: string }).pipelineId;
  await until(() => Promise.resolve(seen.some((e) => e.pipelineId === running && e.name === 'pipeline.started')), 30_000, 'the first pipeline running');
  assert.deepEqual(served.queue.queued(), [queued]);

  for (const id of [queued, queued, running, running]) {
    const res = await api(`/pipelines/${id}/cancel`, { method: 'POST' });
    assert.equal(res.status, 202, await res.text());
  }
  await served.queue.idle();
  const failed = (id: string): PipelineEvent[] => seen.filter((e) => e.pipelineId === id && e.name === 'pipeline.failed');
  assert.deepEqual(failed(queued).map((e) => [e.seq, e.stage, e.data.code]), [[1, 'keywords', 'CANCELLED']]);
  assert.deepEqual(failed(running).map((e) => e.data.code), ['CANCELLED']);
  assert.equal(seen.filter((e) => e.pipelineId === running).at(-1)?.name, 'pipeline.failed');

  const history = async (h: ServeHandle, id: string): Promise<PipelineEventHistory> => {
    const res = await h.orchestrator.inject({ method: 'GET', url: `/pipelines/${id}/events` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<PipelineEventHistory>();
  };
  for (const id of [queued, running]) {
    assert.deepEqual(await history(served, id), { pipelineId: id, state: 'Failed', events: seen.filter((e) => e.pipelineId === id) });
  }
  assert.ok((await readdir(served.checkpointDir)).includes(`${running}.events.jsonl`), 'the history file beside the checkpoint');

  await served.close();
  const again = await startServe({ port: 0, host: '127.0.0.1', env });
  handles.push(again);
  assert.deepEqual(again.resumed, [], 'cancelled pipelines are not resumed');
  assert.deepEqual((await history(again, running)).events, seen.filter((e) => e.pipelineId === running), 'the history outlives a restart');
});

test('faceless serve with a key: every spelling of a protected path is refused without it; a cancelled pipeline\'s SSE stream ends with pipeline.failed, and a late subscriber gets it too', { timeout: 120_000 }, async () => {
  const { hashApiKey } = await import('@faceless/api-gateway');
  const work = await mkdtemp(join(tmpdir(), 'faceless-serve-keyed-'));
  temps.push(work);
  const key = `serve-${randomBytes(16).toString('hex')}`;
  const served = await startServe({
    port: 0, host: '127.0.0.1',
    env: serveTestEnv(work, { API_KEYS: `tester:${hashApiKey(key)}`, SERVE_CONCURRENCY: '1' }),
  });
  handles.push(served);
  const auth = { authorization: `Bearer ${key}` };
  const noKey = await fetch(`${served.url}/api/pipelines/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"topic":"x"}' });
  assert.equal(noKey.status, 401);
  const started = await fetch(`${served.url}/api/pipelines/start`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'why cats purr', durationSec: 20 }) });
  assert.equal(started.status, 202, await started.clone().text());
  const { pipelineId } = (await started.json()) as { pipelineId: string };
  await assertBypassesRefused(Number(new URL(served.url).port), pipelineId);

  const watching = sseUntilClosed(served.url, pipelineId, auth);
  const cancel = await fetch(`${served.url}/api/pipelines/${pipelineId}/cancel`, { method: 'POST', headers: auth });
  assert.equal(cancel.status, 202, await cancel.clone().text());
  for (const frames of [await watching, await sseUntilClosed(served.url, pipelineId, auth)]) {
    const seed = frames.filter((f) => f.id !== undefined).map((f) => f.event);
    assert.equal(seed.at(-1), 'pipeline.failed', seed.join(','));
    assert.equal(seed.filter((e) => e === 'pipeline.failed').length, 1);
  }
});
