import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { FolderStore } from '@faceless/infra';
import { FacelessError } from './errors.ts';
import { acceptsProgressStream, progressThrottle } from './progress-stream.ts';
import { buildStageApp } from './serve-stage.ts';
import { sleep } from './retry.ts';
import { defineStage } from './stage.ts';

let root: string;
before(async () => { root = await mkdtemp(join(tmpdir(), 'progress-stream-')); });
after(async () => { await rm(root, { recursive: true, force: true }); });

const slow = defineStage({
  name: 'slow',
  input: z.strictObject({ steps: z.number().int().min(1), fail: z.boolean().default(false) }),
  output: z.strictObject({ done: z.number() }),
  async run(input, ctx) {
    for (let i = 1; i <= input.steps; i++) {
      await sleep(100);
      ctx.progress(i / input.steps, `step ${i}`);
    }
    if (input.fail) throw new FacelessError('PROVIDER_RATE_LIMITED', 'insufficient_quota: add credit', { retryable: false });
    return { done: input.steps };
  },
});

async function serve(): Promise<{ url: string; close: () => Promise<void> }> {
  const app = buildStageApp({ stage: slow, route: '/slow/run', service: 'slow', createContext: () => ({ store: new FolderStore(root) }), logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  assert.ok(address && typeof address === 'object');
  return { url: `http://127.0.0.1:${address.port}/slow/run`, close: () => app.close() };
}

async function post(url: string, body: unknown, accept?: string): Promise<{ status: number; type: string; lines: { at: number; value: Record<string, unknown> }[] }> {
  const started = Date.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) }, body: JSON.stringify(body) });
  const lines: { at: number; value: Record<string, unknown> }[] = [];
  const decoder = new TextDecoder();
  let buffered = '';
  assert.ok(res.body);
  for await (const chunk of res.body) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      lines.push({ at: Date.now() - started, value: JSON.parse(buffered.slice(0, nl)) as Record<string, unknown> });
      buffered = buffered.slice(nl + 1);
    }
  }
  if (buffered.trim()) lines.push({ at: Date.now() - started, value: JSON.parse(buffered) as Record<string, unknown> });
  return { status: res.status, type: res.headers.get('content-type') ?? '', lines };
}

test('acceptsProgressStream reads the Accept header', () => {
  assert.equal(acceptsProgressStream('application/x-ndjson, application/json;q=0.9'), true);
  assert.equal(acceptsProgressStream('application/json'), false);
  assert.equal(acceptsProgressStream(undefined), false);
  assert.equal(acceptsProgressStream(['text/html', 'Application/X-NDJSON; q=1']), true);
});

test('over real HTTP: progress lines while the stage runs (at most two a second, rising), then the result', async () => {
  const s = await serve();
  try {
    const { status, type, lines } = await post(s.url, { steps: 12 }, 'application/x-ndjson');
    assert.equal(status, 200);
    assert.match(type, /^application\/x-ndjson/);
    const progress = lines.filter((l) => 'progress' in l.value);
    const last = lines.at(-1);
    assert.deepEqual(last?.value, { result: { done: 12 } });
    const took = last?.at ?? 0;
    assert.ok(progress.length >= 2 && progress.length <= Math.floor(took / 500) + 2, `12 reports over ${took} ms gave ${progress.length} lines`);
    const fractions = progress.map((l) => l.value.progress as number);
    assert.deepEqual([...fractions].sort((a, b) => a - b), fractions, 'fractions never go back');
    assert.ok(fractions.every((f) => f > 0 && f <= 1));
    for (let i = 1; i < progress.length; i++) {
      assert.ok((progress[i]?.at ?? 0) - (progress[i - 1]?.at ?? 0) >= 400, 'lines are at least ~0.5 s apart');
    }
    assert.match(String(progress[0]?.value.note), /^step \d+$/);
    // The first line comes while the stage works, not with the result.
    assert.ok((progress[0]?.at ?? Infinity) < (last?.at ?? 0) - 500);
  } finally {
    await s.close();
  }
});

test('a failure after the stream opened is its last line, with the error\'s own retry decision', async () => {
  const s = await serve();
  try {
    const { status, lines } = await post(s.url, { steps: 2, fail: true }, 'application/x-ndjson');
    assert.equal(status, 200);
    const error = lines.at(-1)?.value.error as Record<string, unknown>;
    assert.equal(error.code, 'PROVIDER_RATE_LIMITED');
    assert.equal(error.retryable, false);
    assert.match(String(error.message), /insufficient_quota/);
    assert.equal(typeof error.requestId, 'string');
  } finally {
    await s.close();
  }
});

test('a JSON client gets today\'s answer; a bad body is a 400 ErrorBody even to a stream client', async () => {
  const s = await serve();
  try {
    const plain = await post(s.url, { steps: 1 });
    assert.equal(plain.status, 200);
    assert.match(plain.type, /^application\/json/);
    assert.deepEqual(plain.lines.map((l) => l.value), [{ done: 1 }]);
    const bad = await post(s.url, { steps: 0 }, 'application/x-ndjson');
    assert.equal(bad.status, 400);
    assert.match(bad.type, /^application\/json/);
    assert.equal((bad.lines[0]?.value.error as { field?: string }).field, 'steps');
  } finally {
    await s.close();
  }
});

test('progressThrottle: latest report wins within the interval; silence repeats the last line', async () => {
  const written: { progress: number; note?: string }[] = [];
  const t = progressThrottle((l) => written.push(l), { minIntervalMs: 60, keepaliveMs: 80 });
  t.report(0.1, 'a');
  t.report(0.2, 'b');
  t.report(0.15, 'c');
  assert.deepEqual(written, [{ progress: 0.1, note: 'a' }]);
  await sleep(75);
  // 0.15 came after 0.2: the fraction does not go back.
  assert.deepEqual(written[1], { progress: 0.2, note: 'c' });
  await sleep(200);
  t.stop();
  assert.ok(written.length >= 3, 'keepalive repeated the last line');
  assert.deepEqual(written.at(-1), { progress: 0.2, note: 'c' });
});
