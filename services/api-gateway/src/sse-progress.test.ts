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

test('SSE: progress events (at most two a second, only on change) beside the seed events, which stay as they were', async () => {
  const bus = new MemoryEventBus();
  let percent = 0;
  let statusCalls = 0;
  const fake = (call: UpstreamCall): Promise<UpstreamAnswer> => {
    if (call.path.startsWith('/pipelines/p-live/events')) {
      return Promise.resolve({ status: 200, body: { pipelineId: 'p-live', state: 'Video', events: [event(1, 'pipeline.started')] } });
    }
    if (call.path === '/pipelines/status/p-live') {
      statusCalls++;
      return Promise.resolve({
        status: 200,
        body: {
          pipelineId: 'p-live', state: 'Video',
          stages: [{ stage: 'audio', status: 'completed' }, { stage: 'video', status: 'running', percent, note: `chunk ${percent}` }],
        },
      });
    }
    return Promise.resolve({ status: 404, body: { error: { code: 'NOT_FOUND', message: call.path } } });
  };
  const app = buildGatewayApp({ env: { AUTH_DISABLED: 'true' }, events: bus, callUpstream: fake, webRoot: false, logger: createLogger({ level: 'error' }) });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
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
    // The percent climbs every 300 ms for 1.8 s, then holds: a held percent sends nothing more.
    while (Date.now() - started < 1800) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      percent += 10;
    }
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const heldCount = frames(text).filter((f) => f.event === 'progress').length;
    await bus.publish(event(2, 'pipeline.video.completed', 'video'));
    await bus.publish(event(3, 'pipeline.completed', 'abtest'));
    await read;

    const all = frames(text);
    const progress = all.filter((f) => f.event === 'progress');
    assert.deepEqual(all.filter((f) => f.event !== 'progress').map((f) => [f.event, f.id]), [
      ['pipeline.started', '1'], ['pipeline.video.completed', '2'], ['pipeline.completed', '3'],
    ], 'the seed events, in order, with their ids');
    assert.ok(progress.length >= 3, `got ${progress.length} progress events`);
    assert.equal(progress.length, heldCount, 'no progress event after the percent stopped changing or the stage completed');
    assert.ok(progress.every((f) => f.id === undefined), 'progress events carry no id: Last-Event-ID stays a seq');
    const percents = progress.map((f) => f.data.percent as number);
    assert.ok(percents.every((p, i) => i === 0 || p > (percents[i - 1] ?? 0)), `rising: ${percents.join(', ')}`);
    assert.deepEqual(Object.keys(progress[0]?.data ?? {}).sort(), ['note', 'percent', 'pipelineId', 'stage']);
    assert.equal(progress[0]?.data.stage, 'video');
    // Polled at most twice a second over the ~3 s the stream was open.
    assert.ok(statusCalls <= 8, `${statusCalls} status reads`);
  } finally {
    await app.close();
  }
});
