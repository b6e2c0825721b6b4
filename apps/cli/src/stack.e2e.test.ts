import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import amqp from 'amqplib';
import pg from 'pg';
import { EVENT_NAMES, type PipelineEvent } from '@faceless/contracts';
import { S3ObjectStore } from '@faceless/infra';
import { ffprobe, sleep } from '@faceless/runtime';
import { STACK_SERVICES, startStack, type Stack } from './stack.ts';

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
let stack: Stack | undefined;
let amqpConn: amqp.ChannelModel | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

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
  await stack?.stop();
  await amqpConn?.close().catch(() => {});
  const client = new pg.Client({ connectionString: PG });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
  await s3.close();
  await rm(work, { recursive: true, force: true });
});

test('a pipeline started at the gateway runs through the ten services and publishes exactly the seed\'s events', { timeout: 420_000 }, async () => {
  const { hashApiKey } = await import('@faceless/api-gateway');
  const ports: Record<string, number> = {};
  for (const s of STACK_SERVICES) ports[s.name] = await freePort();

  // Our own queue on the exchange, bound before anything is published.
  amqpConn = await amqp.connect(AMQP);
  const ch = await amqpConn.createChannel();
  await ch.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
  await ch.bindQueue(queue, exchange, 'pipeline.#');
  const events: PipelineEvent[] = [];
  await ch.consume(queue, (msg) => {
    if (!msg) return;
    events.push(JSON.parse(msg.content.toString('utf8')) as PipelineEvent);
    ch.ack(msg);
  });

  stack = await startStack({
    ports,
    readyTimeoutMs: 90_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      REDIS_URL: 'redis://127.0.0.1:6379',
      AMQP_URL: AMQP,
      EVENTS_EXCHANGE: exchange,
      EVENTS_OUTBOX: `e2e-${suffix}`,
      PIPELINE_QUEUE: `faceless-e2e-${suffix}`,
      CHECKPOINT_PREFIX: `faceless-e2e-${suffix}`,
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
    },
  });

  const gateway = stack.url('api-gateway');
  const auth = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
  const unauthorized = await fetch(`${gateway}/api/pipelines/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(unauthorized.status, 401);

  const start = await fetch(`${gateway}/api/pipelines/start`, { method: 'POST', headers: auth, body: JSON.stringify({ topic: 'Why the sky is blue', durationSec: 20 }) });
  assert.equal(start.status, 202, await start.clone().text());
  const { pipelineId } = (await start.json()) as { pipelineId: string };

  let status: { state: string; stages: { stage: string; status: string; output?: unknown }[]; error?: unknown } | undefined;
  const deadline = Date.now() + 360_000;
  while (Date.now() < deadline) {
    const r = await fetch(`${gateway}/api/pipelines/status/${pipelineId}`, { headers: auth });
    assert.equal(r.status, 200);
    status = (await r.json()) as typeof status;
    if (status?.state === 'Completed' || status?.state === 'Failed') break;
    await sleep(1000);
  }
  assert.equal(status?.state, 'Completed', JSON.stringify(status?.error ?? status));

  // Events go through the outbox: give the relay a moment after the last checkpoint.
  const until = Date.now() + 15_000;
  while (Date.now() < until && !events.some((e) => e.pipelineId === pipelineId && e.name === 'pipeline.completed')) await sleep(200);
  const ours = events.filter((e) => e.pipelineId === pipelineId);
  assert.deepEqual(ours.map((e) => e.name), EVENT_NAMES.filter((n) => n !== 'pipeline.failed'));
  assert.deepEqual(ours.map((e) => e.seq), ours.map((_, i) => i + 1));

  const video = status?.stages.find((s) => s.stage === 'video')?.output as { videoPath: string };
  assert.match(video.videoPath, new RegExp(`^pipelines/${pipelineId}/`));
  const store = new S3ObjectStore({ endpoint: s3Endpoint, bucket, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true });
  const local = join(work, 'video.mp4');
  await store.getFile(video.videoPath, local);
  await store.close();
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
});
