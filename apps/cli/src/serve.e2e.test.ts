import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EVENT_NAMES } from '@faceless/contracts';
import type { PipelineCheckpoint } from '@faceless/pipeline';
import { ffprobe } from '@faceless/runtime';
import { startServe, type ServeHandle } from './serve-command.ts';
import { serveTestEnv } from './serve-test-env.ts';

const temps: string[] = [];
let served: ServeHandle | undefined;
after(async () => {
  await served?.close();
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

/** Reads an SSE stream to its end (the gateway closes it after the final event). */
async function collectSse(url: string, signal: AbortSignal): Promise<{ names: string[]; seqs: number[] }> {
  const res = await fetch(url, { signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
  const names = [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1] ?? '');
  const seqs = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  return { names, seqs };
}

test('faceless serve: a pipeline through the gateway API, in one process, on the embedded defaults', { timeout: 300_000 }, async () => {
  const work = await mkdtemp(join(tmpdir(), 'faceless-serve-e2e-'));
  temps.push(work);
  const dataDir = join(work, 'data');
  const env = serveTestEnv(work);
  served = await startServe({ port: 0, host: '127.0.0.1', env });
  const base = served.url;
  assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(served.authDisabled, true);
  assert.equal(served.storeDir, join(dataDir, 'store'));

  // Bad input answers like the gateway: unknown field → 400 with the field; unknown id → 404.
  const bad = await fetch(`${base}/api/pipelines/start`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'x', colour: 'red' }),
  });
  assert.equal(bad.status, 400);
  const badBody = (await json(bad)).error as { code: string; field?: string };
  assert.deepEqual([badBody.code, badBody.field], ['INVALID_INPUT', 'colour']);
  const missing = await fetch(`${base}/api/pipelines/status/no-such-pipeline`);
  assert.equal(missing.status, 404);
  assert.equal(((await json(missing)).error as { code: string }).code, 'NOT_FOUND');
  assert.equal((await fetch(`${base}/ready`)).status, 200);

  // The direct keyword route runs the stage in process.
  const kw = await fetch(`${base}/api/keywords/fetch`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'octopus hearts' }),
  });
  assert.equal(kw.status, 200);
  assert.ok(((await json(kw)).keywords as unknown[]).length >= 1);

  const started = await fetch(`${base}/api/pipelines/start`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'Why octopuses have three hearts', durationSec: 20 }),
  });
  assert.equal(started.status, 202);
  const { pipelineId, state } = (await json(started)) as { pipelineId: string; state: string };
  assert.equal(state, 'Queued');

  const sseAbort = new AbortController();
  const sse = collectSse(`${base}/api/pipelines/${pipelineId}/events`, sseAbort.signal);

  const deadline = Date.now() + 240_000;
  let status: Record<string, unknown> = {};
  for (;;) {
    const res = await fetch(`${base}/api/pipelines/status/${pipelineId}`);
    assert.equal(res.status, 200);
    status = await json(res);
    if (status.state === 'Completed' || status.state === 'Failed') break;
    assert.ok(Date.now() < deadline, `pipeline still ${String(status.state)} after 240 s`);
    await new Promise((r) => setTimeout(r, 1500));
  }
  assert.equal(status.state, 'Completed', JSON.stringify(status));

  const timer = setTimeout(() => sseAbort.abort(), 10_000);
  const events = await sse;
  clearTimeout(timer);
  const expected = EVENT_NAMES.filter((n) => n !== 'pipeline.failed');
  // progress events (no id) come beside the seed's events, which keep their names, order and ids
  assert.ok(events.names.includes('progress'), 'progress events while the stages work');
  assert.deepEqual(events.names.filter((n) => n !== 'progress'), expected, 'the seed events, in order, ending with pipeline.completed');
  assert.deepEqual(events.seqs, expected.map((_, i) => i + 1));

  const list = await json(await fetch(`${base}/api/pipelines`));
  assert.equal((list.pipelines as { pipelineId: string }[])[0]?.pipelineId, pipelineId);

  // Artifacts live in the folder store under pipelines/<id>/, the checkpoint in the pipelines folder.
  const cp = JSON.parse(await readFile(join(served.checkpointDir, `${pipelineId}.json`), 'utf8')) as PipelineCheckpoint;
  const video = cp.stages.video?.output as { videoPath: string };
  assert.ok(video.videoPath.startsWith(`pipelines/${pipelineId}/`), video.videoPath);
  const probe = await ffprobe(join(served.storeDir, video.videoPath));
  const v = probe.streams.find((s) => s.codec_type === 'video');
  assert.equal(v?.codec_name, 'h264');
  assert.ok(Number(probe.format.duration) > 10, `video lasts ${probe.format.duration} s`);

  await served.close();
  await assert.rejects(fetch(`${base}/health`), 'no longer listening');
});
