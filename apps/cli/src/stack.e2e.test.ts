import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import amqp from 'amqplib';
import pg from 'pg';
import { EVENT_NAMES, type PipelineEvent } from '@faceless/contracts';
import { ffprobe, sleep } from '@faceless/runtime';
import { startStack, type Stack, type SuperviseOptions } from './stack.ts';
import { freePort, freeStackPorts } from './stack-test-ports.ts';
import { assertBypassesRefused, sseUntilClosed } from './http-test-client.ts';

// The seed's "Flux d'exécution d'un Pipeline", end to end: ten services as processes on loopback, real Redis,
// RabbitMQ and PostgreSQL, s3rver standing in for MinIO.
const S3rver = createRequire(import.meta.url)('s3rver') as new (o: Record<string, unknown>) => { run(): Promise<AddressInfo>; close(): Promise<void> };
const PG = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const AMQP = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const suffix = randomBytes(4).toString('hex');
const bucket = `faceless-e2e-${suffix}`;
const schema = `faceless_e2e_${suffix}`;
const exchange = `faceless.e2e.${suffix}`;
const API_KEY = `e2e-${randomBytes(16).toString('hex')}`;

let work: string;
let s3: InstanceType<typeof S3rver>;
let s3Endpoint: string;
const stacks: Stack[] = [];
const amqpConns: amqp.ChannelModel[] = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'faceless-stack-'));
  s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(work, 's3'), configureBuckets: [{ name: bucket }] });
  const addr = await s3.run();
  s3Endpoint = `http://127.0.0.1:${addr.port}`;
  const client = new pg.Client({ connectionString: PG });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
});

after(async () => {
  await Promise.all(stacks.map((st) => st.stop()));
  await Promise.all(amqpConns.map((c) => c.close().catch(() => {})));
  const client = new pg.Client({ connectionString: PG });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
  await s3.close();
  await rm(work, { recursive: true, force: true });
});

interface Run { stack: Stack; events: PipelineEvent[]; auth: Record<string, string>; gateway: string }

/** Binds our own queue to the run's exchange, then starts the ten services. */
async function launch(name: string, amqpUrl = AMQP, extraEnv: Record<string, string> = {}, supervise?: SuperviseOptions): Promise<Run> {
  const { hashApiKey } = await import('@faceless/api-gateway');
  const ports = await freeStackPorts();
  const ex = `${exchange}.${name}`;
  const conn = await amqp.connect(AMQP);
  amqpConns.push(conn);
  const ch = await conn.createChannel();
  await ch.assertExchange(ex, 'topic', { durable: true });
  const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
  await ch.bindQueue(queue, ex, 'pipeline.#');
  const events: PipelineEvent[] = [];
  await ch.consume(queue, (msg) => {
    if (!msg) return;
    events.push(JSON.parse(msg.content.toString('utf8')) as PipelineEvent);
    ch.ack(msg);
  });
  const stack = await startStack({
    ports,
    readyTimeoutMs: 90_000,
    ...(supervise ? { supervise } : {}),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      REDIS_URL: 'redis://127.0.0.1:6379',
      AMQP_URL: amqpUrl,
      EVENTS_EXCHANGE: ex,
      EVENTS_OUTBOX: `e2e-${suffix}-${name}`,
      PIPELINE_QUEUE: `faceless-e2e-${suffix}-${name}`,
      CHECKPOINT_PREFIX: `faceless-e2e-${suffix}-${name}`,
      DATABASE_URL: `${PG}?options=-c%20search_path%3D${schema}`,
      S3_ENDPOINT: s3Endpoint,
      S3_BUCKET: bucket,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
      LOCAL_CHANNEL_DIR: join(work, 'channels'),
      FACELESS_CACHE_DIR: join(work, 'cache'),
      FACELESS_DATA_DIR: join(work, 'data'),
      API_KEYS: `e2e:${hashApiKey(API_KEY)}`,
      STAGE_RETRY_BASE_MS: '200',
      // The status polls (about 200 a minute) and every stack of this file share one key and one Redis.
      RATE_LIMIT_PER_MINUTE: '100000',
      ...extraEnv,
    },
  });
  stacks.push(stack);
  return { stack, events, gateway: stack.url('api-gateway'), auth: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' } };
}

type Status = { state: string; currentStage?: string; stages: { stage: string; status: string; attempts?: number; startedAt?: string; output?: unknown }[]; error?: unknown };

async function startPipeline(run: Run, topic: string): Promise<string> {
  const start = await fetch(`${run.gateway}/api/pipelines/start`, { method: 'POST', headers: run.auth, body: JSON.stringify({ topic, durationSec: 20 }) });
  assert.equal(start.status, 202, await start.clone().text());
  return ((await start.json()) as { pipelineId: string }).pipelineId;
}

async function pollStatus(run: Run, pipelineId: string, until: (s: Status) => boolean, timeoutMs = 360_000): Promise<Status> {
  const deadline = Date.now() + timeoutMs;
  let status: Status | undefined;
  while (Date.now() < deadline) {
    const r = await fetch(`${run.gateway}/api/pipelines/status/${pipelineId}`, { headers: run.auth });
    assert.equal(r.status, 200);
    status = (await r.json()) as Status;
    if (until(status) || status.state === 'Completed' || status.state === 'Failed') return status;
    await sleep(300);
  }
  throw new Error(`timed out; last status ${JSON.stringify(status)}`);
}

/** The run's events for one pipeline once pipeline.completed has arrived (the outbox relays shortly after the checkpoint). */
async function eventsOf(run: Run, pipelineId: string, waitMs = 30_000): Promise<PipelineEvent[]> {
  const until = Date.now() + waitMs;
  while (Date.now() < until && !run.events.some((e) => e.pipelineId === pipelineId && e.name === 'pipeline.completed')) await sleep(200);
  // Delivery is at least once (a publish cut off before its confirm is sent again): consumers dedupe by event id.
  const seen = new Set<string>();
  return run.events.filter((e) => e.pipelineId === pipelineId && !seen.has(e.id) && seen.add(e.id));
}

const keyOnly = (run: Run): Record<string, string> => ({ authorization: run.auth.authorization ?? '' });

const SEED_SEQUENCE = EVENT_NAMES.filter((n) => n !== 'pipeline.failed');

/** A TCP relay to RabbitMQ that can be cut and restored, to stand for a broker outage. */
async function brokerProxy(): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const target = new URL(AMQP);
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const open = (): Promise<void> => new Promise((resolve) => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port || 5672), target.hostname);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const end = (): void => { client.destroy(); upstream.destroy(); };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const cut = (): Promise<void> => new Promise((resolve) => {
    for (const sock of sockets) sock.destroy();
    sockets.clear();
    if (!server) return resolve();
    server.close(() => resolve());
    server = undefined;
  });
  await open();
  return { url: `amqp://${target.username}:${target.password}@127.0.0.1:${port}`, cut, restore: open, close: cut };
}

test('a pipeline started at the gateway runs through the ten services and publishes exactly the seed\'s events', { timeout: 420_000 }, async () => {
  const run = await launch('happy');
  const unauthorized = await fetch(`${run.gateway}/api/pipelines/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(unauthorized.status, 401);

  const pipelineId = await startPipeline(run, 'Why the sky is blue');
  // Issue 10's bypasses, against the deployed gateway: no spelling of a protected path is served without a key.
  await assertBypassesRefused(Number(new URL(run.gateway).port), pipelineId);
  // A second pipeline cancelled right after its start (queued or in its first stage) ends for its watchers.
  const cancelled = await startPipeline(run, 'A pipeline nobody wants');
  const cancel = await fetch(`${run.gateway}/api/pipelines/${cancelled}/cancel`, { method: 'POST', headers: keyOnly(run) });
  assert.equal(cancel.status, 202, await cancel.clone().text());
  const cancelledStream = await sseUntilClosed(run.gateway, cancelled, keyOnly(run));
  assert.equal(cancelledStream.filter((f) => f.event === 'pipeline.failed').length, 1, cancelledStream.map((f) => f.event).join(','));
  assert.equal(cancelledStream.filter((f) => f.id !== undefined).at(-1)?.event, 'pipeline.failed');

  const status = await pollStatus(run, pipelineId, () => false);
  assert.equal(status.state, 'Completed', JSON.stringify(status.error ?? status));
  const ours = await eventsOf(run, pipelineId);
  assert.deepEqual(ours.map((e) => e.name), SEED_SEQUENCE);
  assert.deepEqual(ours.map((e) => e.seq), ours.map((_, i) => i + 1));
  // A subscriber that connects after the end receives the whole sequence from the stored history, then the stream closes.
  const late = await sseUntilClosed(run.gateway, pipelineId, keyOnly(run));
  assert.deepEqual(late.filter((f) => f.id !== undefined).map((f) => f.event), SEED_SEQUENCE);
  const resumed = await sseUntilClosed(run.gateway, pipelineId, { ...keyOnly(run), 'last-event-id': '3' });
  assert.deepEqual(resumed.filter((f) => f.id !== undefined).map((f) => f.event), SEED_SEQUENCE.slice(3));

  const video = status.stages.find((s) => s.stage === 'video')?.output as { videoPath: string };
  assert.match(video.videoPath, new RegExp(`^pipelines/${pipelineId}/`));
  // The video is offered for download through a short-lived signed URL.
  const artifacts = await fetch(`${run.gateway}/api/pipelines/${pipelineId}/artifacts`, { headers: run.auth });
  assert.equal(artifacts.status, 200);
  const listed = (await artifacts.json()) as { artifacts: { name: string; key: string; url?: string }[] };
  const download = listed.artifacts.find((a) => a.name === 'video');
  assert.equal(download?.key, video.videoPath);
  assert.match(download?.url ?? '', /X-Amz-Expires=900/);
  const local = join(work, 'video.mp4');
  await writeFile(local, Buffer.from(await (await fetch(download?.url ?? '')).arrayBuffer()));
  const probe = await ffprobe(local);
  const v = probe.streams.find((s) => s.codec_type === 'video');
  assert.equal(v?.codec_name, 'h264');
  assert.equal(v?.profile, 'High');
  assert.ok(probe.streams.some((s) => s.codec_type === 'audio' && s.codec_name === 'aac'));
  assert.ok(Number(probe.format.duration) > 10);

  const db = new pg.Client({ connectionString: PG });
  await db.connect();
  const { rows } = await db.query(`SELECT id FROM ${schema}.experiments WHERE pipeline_id = $1`, [pipelineId]);
  await db.end();
  assert.equal(rows.length, 1);
  await run.stack.stop();
});

test('a stage service killed mid-render and started again by the stack\'s supervisor, and the broker away for part of the run: the pipeline completes, nothing is run twice before it, no event is lost or reordered', { timeout: 420_000 }, async () => {
  const proxy = await brokerProxy();
  try {
    const restarted: string[] = [];
    const run = await launch('faults', proxy.url, { STAGE_RETRY_BASE_MS: '1500' }, { baseDelayMs: 300, onRestarted: (name) => restarted.push(name) });
    const pipelineId = await startPipeline(run, 'How bees find flowers');

    // The broker goes away while the first stages run: events wait in the outbox.
    await pollStatus(run, pipelineId, (s) => ['Keywords', 'Script', 'Audio'].includes(s.state));
    await proxy.cut();

    // The video-assembler dies while it renders, and comes back.
    const rendering = await pollStatus(run, pipelineId, (s) => s.state === 'Video');
    assert.equal(rendering.state, 'Video');
    await sleep(1500);
    run.stack.kill('video-assembler');
    // Nobody restarts it here: the supervisor does, as `faceless stack` does.
    const until = Date.now() + 90_000;
    while (!restarted.includes('video-assembler') && Date.now() < until) await sleep(200);
    assert.deepEqual(restarted, ['video-assembler'], 'the killed service, and only it, was started again');
    await sleep(3000);
    await proxy.restore();

    const status = await pollStatus(run, pipelineId, () => false);
    assert.equal(status.state, 'Completed', JSON.stringify(status.error ?? status));
    for (const stage of ['keywords', 'script', 'audio']) {
      assert.equal(status.stages.find((s) => s.stage === stage)?.attempts, 1, `${stage} ran once`);
    }
    assert.ok((status.stages.find((s) => s.stage === 'video')?.attempts ?? 0) >= 2, 'the video stage was retried');

    const ours = await eventsOf(run, pipelineId, 60_000);
    assert.deepEqual(ours.map((e) => e.name), SEED_SEQUENCE, 'every event once, in the seed order');
    assert.deepEqual(ours.map((e) => e.seq), ours.map((_, i) => i + 1));
    await run.stack.stop();
  } finally {
    await proxy.close();
  }
});
