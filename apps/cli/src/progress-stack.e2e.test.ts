import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { hashApiKey } from '@faceless/api-gateway';
import { sleep } from '@faceless/runtime';
import { startStack, type Stack } from './stack.ts';
import { freeStackPorts } from './stack-test-ports.ts';
import { localStackEnv } from './stack-test-env.ts';

// Progress over HTTP in the services mode: the orchestrator calls the video assembler on its route and reads
// its NDJSON progress; the status the gateway serves and its SSE stream show it while the video renders.
const PG = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const AMQP = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const suffix = randomBytes(4).toString('hex');
const schema = `faceless_progress_${suffix}`;
const API_KEY = `e2e-${randomBytes(16).toString('hex')}`;

let work: string | undefined;
let stack: Stack | undefined;
after(async () => {
  await stack?.stop();
  const db = new pg.Client({ connectionString: PG });
  await db.connect();
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.end();
  if (work) await rm(work, { recursive: true, force: true });
});

test('faceless stack: the running video stage\'s percent rises in the status, and the SSE stream carries it', { timeout: 420_000 }, async () => {
  work = await mkdtemp(join(tmpdir(), 'faceless-progress-stack-'));
  const db = new pg.Client({ connectionString: PG });
  await db.connect();
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.end();
  const ports = await freeStackPorts();
  stack = await startStack({
    ports,
    readyTimeoutMs: 90_000,
    env: localStackEnv({
      name: `progress-${suffix}`, work, amqpUrl: AMQP, databaseUrl: `${PG}?options=-c%20search_path%3D${schema}`, apiKeyHash: hashApiKey(API_KEY),
    }),
  });
  const gateway = stack.url('api-gateway');
  const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
  const start = await fetch(`${gateway}/api/pipelines/start`, { method: 'POST', headers, body: JSON.stringify({ topic: 'How glaciers carve valleys', durationSec: 40 }) });
  assert.equal(start.status, 202, await start.clone().text());
  const { pipelineId } = (await start.json()) as { pipelineId: string };

  const sseText = (async () => {
    const res = await fetch(`${gateway}/api/pipelines/${pipelineId}/events`, { headers: { authorization: headers.authorization } });
    assert.equal(res.status, 200);
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
    return text;
  })();

  const percents: number[] = [];
  let state = '';
  const deadline = Date.now() + 360_000;
  while (state !== 'Completed' && state !== 'Failed' && Date.now() < deadline) {
    const res = await fetch(`${gateway}/api/pipelines/status/${pipelineId}`, { headers });
    assert.equal(res.status, 200);
    const status = (await res.json()) as { state: string; error?: unknown; stages: { stage: string; status: string; percent?: number; note?: string }[] };
    state = status.state;
    const video = status.stages.find((s) => s.stage === 'video');
    if (video?.status === 'running' && video.percent !== undefined && video.percent !== percents.at(-1)) {
      percents.push(video.percent);
      assert.equal(typeof video.note, 'string');
    }
    await sleep(200);
  }
  assert.equal(state, 'Completed');
  assert.ok(percents.length >= 3, `the video stage showed ${percents.length} distinct percents over HTTP: ${percents.join(', ')}`);
  assert.deepEqual([...percents].sort((a, b) => a - b), percents, `rising: ${percents.join(', ')}`);

  const text = await Promise.race([sseText, sleep(30_000).then(() => { throw new Error('the SSE stream did not end'); })]);
  const progress = text.split('\n\n').filter((b) => /^event: progress$/m.test(b))
    .map((b) => JSON.parse(/^data: (.*)$/m.exec(b)?.[1] ?? '{}') as { stage: string; percent: number });
  assert.ok(progress.filter((p) => p.stage === 'video').length >= 2, `SSE progress: ${JSON.stringify(progress)}`);
  const seed = [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]).filter((n) => n !== 'progress');
  assert.equal(seed[0], 'pipeline.started');
  assert.equal(seed.at(-1), 'pipeline.completed');
});
