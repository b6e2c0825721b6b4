import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { STAGES } from '@faceless/contracts';
import { sleep } from '@faceless/runtime';
import { startOtlpReceiver, type ReceivedSpan } from '@faceless/runtime/testing/otlp-receiver';
import { STACK_SERVICES, startStack, type Stack } from './stack.ts';
import { localStackEnv } from './stack-test-env.ts';
import { freeStackPorts } from './stack-test-ports.ts';
import { sseUntilClosed } from './http-test-client.ts';

// Issue 13's tracing, end to end: the ten services as processes exporting OTLP/HTTP JSON to a receiver
// inside this test; RabbitMQ, Redis and PostgreSQL real, the object store a folder.
const PG = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const AMQP = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const suffix = randomBytes(4).toString('hex');
const schema = `faceless_trace_${suffix}`;
const API_KEY = `e2e-${randomBytes(16).toString('hex')}`;

let work: string;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let stack: Stack | undefined;
const lines: { service: string; line: string }[] = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'faceless-tracing-'));
  receiver = await startOtlpReceiver();
  const db = new pg.Client({ connectionString: PG });
  await db.connect();
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.end();
});

after(async () => {
  await stack?.stop();
  await receiver.close();
  const db = new pg.Client({ connectionString: PG });
  await db.connect();
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.end();
  await rm(work, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };

async function startPipeline(gateway: string, request: Record<string, unknown>): Promise<string> {
  const r = await fetch(`${gateway}/api/pipelines/start`, { method: 'POST', headers: auth, body: JSON.stringify(request) });
  assert.equal(r.status, 202, await r.clone().text());
  return ((await r.json()) as { pipelineId: string }).pipelineId;
}

async function finalStatus(gateway: string, pipelineId: string): Promise<{ state: string; error?: { stage: string; code: string } }> {
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline) {
    const status = (await (await fetch(`${gateway}/api/pipelines/status/${pipelineId}`, { headers: auth })).json()) as { state: string; error?: { stage: string; code: string } };
    if (status.state === 'Completed' || status.state === 'Failed') return status;
    await sleep(500);
  }
  throw new Error(`pipeline ${pipelineId} did not end`);
}

/** The trace of a pipeline, named by its orchestrator span, once `done` holds for its spans (they come in batches). */
async function traceOf(pipelineId: string, done: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const root = receiver.spans.find((s) => s.name === 'pipeline' && s.attributes['faceless.pipeline.id'] === pipelineId);
    const spans = root ? receiver.spans.filter((s) => s.traceId === root.traceId) : [];
    if ((root && done(spans)) || Date.now() > deadline) return spans;
    await sleep(250);
  }
}

function isUnder(span: ReceivedSpan, ancestor: ReceivedSpan, byId: Map<string, ReceivedSpan>): boolean {
  for (let at = byId.get(span.parentSpanId); at; at = byId.get(at.parentSpanId)) if (at === ancestor) return true;
  return false;
}

const ALL_SERVICES = STACK_SERVICES.map((s) => s.name).sort();

test('one pipeline is one trace across the ten services, stages in the seed\'s order, ffmpeg under the video stage; a failed stage is an error span with its code; the run\'s log lines carry its trace id', { timeout: 300_000 }, async () => {
  const { hashApiKey } = await import('@faceless/api-gateway');
  stack = await startStack({
    ports: await freeStackPorts(),
    readyTimeoutMs: 90_000,
    onLine: (service, line) => lines.push({ service, line }),
    env: {
      ...localStackEnv({
        name: `trace-${suffix}`, work, amqpUrl: AMQP, databaseUrl: `${PG}?options=-c%20search_path%3D${schema}`, apiKeyHash: hashApiKey(API_KEY),
      }),
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    },
  });
  const gateway = stack.url('api-gateway');
  const completed = await startPipeline(gateway, { topic: 'Why the sky is blue', durationSec: 20 });
  const watched = sseUntilClosed(gateway, completed, { authorization: auth.authorization }, 150_000);
  // espeak-ng has no such voice: the audio stage refuses it (not retryable).
  const failed = await startPipeline(gateway, { topic: 'How bees find flowers', durationSec: 20, voice: 'no-such-voice' });
  const failure = await finalStatus(gateway, failed);
  assert.equal(failure.state, 'Failed');
  assert.equal(failure.error?.stage, 'audio');
  assert.equal((await finalStatus(gateway, completed)).state, 'Completed');
  assert.equal((await watched).at(-1)?.event, 'pipeline.completed');

  const spans = await traceOf(completed, (all) => new Set(all.map((s) => s.service)).size === ALL_SERVICES.length
    && all.some((s) => s.name === 'stage abtest' && s.endNs > 0n));
  assert.deepEqual([...new Set(spans.map((s) => s.service))].sort(), ALL_SERVICES, 'spans from all ten services in one trace');
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const root = spans.find((s) => !byId.has(s.parentSpanId));
  assert.equal(root?.service, 'api-gateway', 'the trace starts at the gateway');
  assert.equal(root?.kind, 2, 'with its server span');
  assert.equal(root?.name, 'POST /api/pipelines/start');
  assert.equal(spans.filter((s) => !byId.has(s.parentSpanId)).length, 1, 'every other span has its parent in the trace');

  const stageSpans = spans.filter((s) => s.service === 'orchestrator' && s.name.startsWith('stage ')).sort((a, b) => Number(a.startNs - b.startNs));
  assert.deepEqual([...new Set(stageSpans.map((s) => s.name))], STAGES.map((s) => `stage ${s.key}`), 'the stages in the seed\'s order');
  const videoStage = stageSpans.find((s) => s.name === 'stage video');
  assert.ok(videoStage);
  // The tts-renderer's loudness passes run ffmpeg too, under the audio stage.
  const ffmpeg = spans.filter((s) => s.name === 'ffmpeg' && s.service === 'video-assembler');
  assert.ok(ffmpeg.length > 0, 'the render\'s ffmpeg runs are spans');
  for (const run of ffmpeg) {
    assert.ok(isUnder(run, videoStage, byId), `ffmpeg (${String(run.attributes['faceless.step.summary'])}) is under the video stage`);
    assert.ok(run.endNs > run.startNs && String(run.attributes['faceless.step.summary']).length > 0);
  }
  const audioStage = stageSpans.find((s) => s.name === 'stage audio');
  assert.ok(audioStage && spans.some((s) => s.name === 'espeak-ng' && s.service === 'tts-renderer' && isUnder(s, audioStage, byId)), 'the speech synthesis is a span under the audio stage');
  assert.ok(spans.some((s) => s.service === 'orchestrator' && s.kind === 4), 'the events the orchestrator publishes are in the trace');
  assert.ok(spans.some((s) => s.service === 'api-gateway' && s.kind === 5), 'the gateway receives the events it streams to the SSE watcher in the trace');

  const failedSpans = await traceOf(failed, (all) => all.some((s) => s.name === 'stage audio' && s.status === 2));
  const audio = failedSpans.find((s) => s.name === 'stage audio' && s.status === 2);
  assert.equal(audio?.attributes['faceless.error.code'], failure.error?.code);
  assert.ok(failedSpans.some((s) => s.name === 'pipeline' && s.status === 2 && s.attributes['faceless.error.code'] === failure.error?.code));

  const traceId = audio?.traceId;
  const joined = lines.filter((l) => l.line.startsWith('{') && (JSON.parse(l.line) as { trace_id?: string }).trace_id === traceId)
    .map((l): Record<string, unknown> => ({ ...(JSON.parse(l.line) as Record<string, unknown>), service: l.service }));
  assert.ok(joined.some((l) => l.service === 'orchestrator' && l.pipelineId === failed), 'the orchestrator\'s lines carry the trace and pipeline ids');
  assert.ok(joined.some((l) => l.service === 'tts-renderer' && l.pipelineId === failed && typeof l.span_id === 'string'), 'so do the failing stage\'s');
  assert.ok(joined.some((l) => l.service === 'api-gateway'), 'and the gateway\'s');
});
