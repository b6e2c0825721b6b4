import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PipelineEvent } from '@faceless/contracts';
import { MemoryEventBus } from '@faceless/infra';
import { createLogger } from '@faceless/runtime';
import { buildGatewayApp } from './gateway-app.ts';
import type { UpstreamAnswer, UpstreamCall } from './upstream-client.ts';

const event = (seq: number, name: PipelineEvent['name'], stage?: string): PipelineEvent =>
  ({ id: `e${seq}`, name, pipelineId: 'p-live', seq, at: '2026-01-01T00:00:00.000Z', ...(stage ? { stage } : {}), data: {} }) as PipelineEvent;

interface Frame { event: string; id?: string; data: Record<string, unknown> }

function frames(text: string): Frame[] {
  return text.split('\n\n').filter((block) => /^event: /m.test(block)).map((block) => {
    const field = (name: string): string | undefined => new RegExp(`^${name}: (.*)$`, 'm').exec(block)?.[1];
    const id = field('id');
    return { event: field('event') ?? '', ...(id ? { id } : {}), data: JSON.parse(field('data') ?? '{}') as Record<string, unknown> };
  });
}

/** A gateway on a fake orchestrator: p-live has started and is in its video stage; `stages(n)` is the nth status read's. */
async function liveGateway(stages: (read: number) => unknown[]) {
  const bus = new MemoryEventBus();
  const reads = { count: 0 };
  const fake = (call: UpstreamCall): Promise<UpstreamAnswer> => {
    if (call.path.startsWith('/pipelines/p-live/events')) {
      return Promise.resolve({ status: 200, body: { pipelineId: 'p-live', state: 'Video', events: [event(1, 'pipeline.started')] } });
    }
    if (call.path === '/pipelines/status/p-live') {
      reads.count++;
      return Promise.resolve({ status: 200, body: { pipelineId: 'p-live', state: 'Video', stages: stages(reads.count) } });
    }
    return Promise.resolve({ status: 404, body: { error: { code: 'NOT_FOUND', message: call.path } } });
  };
  const app = buildGatewayApp({ env: { AUTH_DISABLED: 'true' }, events: bus, callUpstream: fake, webRoot: false, logger: createLogger({ level: 'error' }) });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { bus, app, base, reads };
}

test('SSE: progress events (at most two a second, only on change) beside the seed events, which stay as they were', async () => {
  // 10, 20, 30, then held at 30: a held percent must send nothing more.
  const { bus, app, base, reads } = await liveGateway((read) => {
    const percent = Math.min(read, 3) * 10;
    return [{ stage: 'audio', status: 'completed' }, { stage: 'video', status: 'running', percent, note: `chunk ${percent}` }];
  });
  try {
    const res = await fetch(`${base}/api/pipelines/p-live/events`);
    assert.equal(res.status, 200);
    assert.ok(res.body);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const read = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
      }
    })();
    const started = Date.now();
    while (reads.count < 6 && Date.now() - started < 30_000) await new Promise((resolve) => setTimeout(resolve, 50));
    const elapsed = Date.now() - started;
    const polls = reads.count;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const heldCount = frames(text).filter((f) => f.event === 'progress').length;
    await bus.publish(event(2, 'pipeline.video.completed', 'video'));
    await bus.publish(event(3, 'pipeline.completed', 'abtest'));
    await read;

    const all = frames(text);
    const progress = all.filter((f) => f.event === 'progress');
    assert.deepEqual(all.filter((f) => f.event !== 'progress').map((f) => [f.event, f.id]), [
      ['pipeline.started', '1'], ['pipeline.video.completed', '2'], ['pipeline.completed', '3'],
    ], 'the seed events, in order, with their ids');
    assert.equal(heldCount, 3, 'one event per change: 10, 20, 30, then nothing while the percent holds');
    assert.equal(progress.length, heldCount, 'no progress event after the stage completed');
    assert.ok(progress.every((f) => f.id === undefined), 'progress events carry no id: Last-Event-ID stays a seq');
    assert.deepEqual(progress.map((f) => f.data.percent), [10, 20, 30]);
    assert.deepEqual(Object.keys(progress[0]?.data ?? {}).sort(), ['note', 'percent', 'pipelineId', 'stage']);
    assert.equal(progress[0]?.data.stage, 'video');
    // Polled at most twice a second.
    assert.ok(polls <= Math.ceil(elapsed / 450) + 1, `${polls} status reads in ${elapsed} ms`);
  } finally {
    await app.close();
  }
});

test('SSE: three watchers of one pipeline cost the orchestrator one status read a period, not three', async () => {
  const { bus, app, base, reads } = await liveGateway((read) => [{ stage: 'video', status: 'running', percent: read }]);
  try {
    const streams = await Promise.all([1, 2, 3].map(() => fetch(`${base}/api/pipelines/p-live/events`)));
    const texts = streams.map(async (res) => {
      assert.equal(res.status, 200);
      return res.text();
    });
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const elapsed = Date.now() - started;
    const polls = reads.count;
    await bus.publish(event(2, 'pipeline.completed', 'abtest'));
    const bodies = await Promise.all(texts);
    assert.ok(polls <= Math.ceil(elapsed / 450) + 1, `${polls} status reads in ${elapsed} ms for three streams`);
    for (const body of bodies) {
      assert.ok(frames(body).filter((f) => f.event === 'progress').length >= 2, 'each stream gets the progress');
      assert.equal(frames(body).at(-1)?.event, 'pipeline.completed');
    }
  } finally {
    await app.close();
  }
});
