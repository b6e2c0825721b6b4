import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startServe, type ServeHandle } from './serve-command.ts';
import { serveTestEnv } from './serve-test-env.ts';

const temps: string[] = [];
let served: ServeHandle | undefined;
after(async () => {
  await served?.close();
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

interface StatusStage { stage: string; status: string; percent?: number; note?: string }

/** Reads an SSE stream to its end and keeps each event's name and data. */
async function collectSse(url: string, signal: AbortSignal): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const res = await fetch(url, { signal });
  assert.equal(res.status, 200);
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
  return text.split('\n\n').filter((b) => /^event: /m.test(b)).map((b) => ({
    event: /^event: (.*)$/m.exec(b)?.[1] ?? '',
    data: JSON.parse(/^data: (.*)$/m.exec(b)?.[1] ?? '{}') as Record<string, unknown>,
  }));
}

test('faceless serve: during the video stage the status shows a rising percent and the SSE stream carries progress events', { timeout: 300_000 }, async () => {
  const work = await mkdtemp(join(tmpdir(), 'faceless-progress-e2e-'));
  temps.push(work);
  // The status is read several times a second here, over the gateway's default 120 a minute.
  const env = serveTestEnv(work, { RATE_LIMIT_PER_MINUTE: '10000' });
  served = await startServe({ port: 0, host: '127.0.0.1', env });
  const base = served.url;
  const started = await fetch(`${base}/api/pipelines/start`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'How bees decide where to live', durationSec: 40 }),
  });
  assert.equal(started.status, 202);
  const { pipelineId } = (await started.json()) as { pipelineId: string };
  const sseAbort = new AbortController();
  const sse = collectSse(`${base}/api/pipelines/${pipelineId}/events`, sseAbort.signal);

  const videoPercents: number[] = [];
  const notes = new Set<string>();
  let state = '';
  const deadline = Date.now() + 240_000;
  while (state !== 'Completed' && state !== 'Failed' && Date.now() < deadline) {
    const res = await fetch(`${base}/api/pipelines/status/${pipelineId}`);
    assert.equal(res.status, 200);
    const status = (await res.json()) as { state: string; stages: StatusStage[] };
    state = status.state;
    const video = status.stages.find((s) => s.stage === 'video');
    if (video?.status === 'running' && video.percent !== undefined && video.percent !== videoPercents.at(-1)) {
      videoPercents.push(video.percent);
      if (video.note) notes.add(video.note);
    }
    for (const s of status.stages) if (s.status !== 'running') assert.equal(s.percent, undefined, `${s.stage} is ${s.status} yet shows a percent`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  assert.equal(state, 'Completed');
  assert.ok(videoPercents.length >= 3, `the video stage showed ${videoPercents.length} distinct percents: ${videoPercents.join(', ')}`);
  assert.deepEqual([...videoPercents].sort((a, b) => a - b), videoPercents, `rising: ${videoPercents.join(', ')}`);
  assert.ok(videoPercents.every((p) => p >= 0 && p <= 100));
  assert.ok(notes.size >= 1, 'the running stage says what it is doing');

  const events = await Promise.race([
    sse,
    new Promise<never>((_, reject) => setTimeout(() => { sseAbort.abort(); reject(new Error('the SSE stream did not end')); }, 10_000)),
  ]);
  const progress = events.filter((e) => e.event === 'progress');
  const videoProgress = progress.filter((e) => e.data.stage === 'video').map((e) => e.data.percent as number);
  assert.ok(videoProgress.length >= 2, `SSE carried ${videoProgress.length} video progress events`);
  assert.ok(progress.every((e) => e.data.pipelineId === pipelineId));
  const seedNames = events.filter((e) => e.event !== 'progress').map((e) => e.event);
  assert.equal(seedNames[0], 'pipeline.started');
  assert.equal(seedNames.at(-1), 'pipeline.completed');
  // Each progress event of a stage comes before that stage's completed event.
  const videoDone = events.findIndex((e) => e.event === 'pipeline.video.completed');
  assert.ok(events.every((e, i) => e.event !== 'progress' || e.data.stage !== 'video' || i < videoDone));
});
