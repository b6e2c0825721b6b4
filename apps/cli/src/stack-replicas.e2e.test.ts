import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { plannedPosition, rotationPlanOf, type RotationDesign } from '@faceless/ab-tester';
import { hashApiKey } from '@faceless/api-gateway';
import type { UploadOutput } from '@faceless/contracts';
import { createTestSchema, type TestSchema } from '@faceless/infra/testing';
import { sleep } from '@faceless/runtime';
import { QUOTA_COST_TABLES, quotaProjectKey } from '@faceless/youtube';
import { startFakeGoogle, type FakeGoogle } from '@faceless/youtube/testing';
import { channelsCommand } from './channels-command.ts';
import { startStack, type Stack } from './stack.ts';
import { freePort, freeStackPorts } from './stack-test-ports.ts';

// Issue 11's deployed stack, with replicas: two uploaders and two A/B testers on one PostgreSQL, real Redis and
// RabbitMQ, the fake Google standing in for OAuth and YouTube. One stack serves both tests (its start is the
// slow part); the second adds to the videos of the first, so each test counts only its own pipelines.
const AMQP = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const suffix = randomBytes(4).toString('hex');
const API_KEY = `e2e-${randomBytes(16).toString('hex')}`;
const CHANNEL = 'science';
const auth = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };

let work: string;
let schema: TestSchema;
let fake: FakeGoogle;
let stack: Stack;
let gateway: string;
const restarted: string[] = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'faceless-replicas-'));
  schema = await createTestSchema();
  fake = await startFakeGoogle({ dataDir: join(work, 'data'), databaseUrl: schema.url });
  const ports = await freeStackPorts();
  stack = await startStack({
    ports: { ...ports, uploader: [ports.uploader ?? 0, await freePort()], 'ab-tester': [ports['ab-tester'] ?? 0, await freePort()] },
    replicas: { uploader: 2, 'ab-tester': 2 },
    readyTimeoutMs: 120_000,
    supervise: { baseDelayMs: 300, onRestarted: (label) => restarted.push(label) },
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      ...fake.env,
      REDIS_URL: 'redis://127.0.0.1:6379',
      AMQP_URL: AMQP,
      EVENTS_EXCHANGE: `faceless.replicas.${suffix}`,
      EVENTS_OUTBOX: `replicas-${suffix}`,
      PIPELINE_QUEUE: `faceless-replicas-${suffix}`,
      CHECKPOINT_PREFIX: `faceless-replicas-${suffix}`,
      FACELESS_STORE_DIR: join(work, 'store'),
      FACELESS_CACHE_DIR: join(work, 'cache'),
      LOCAL_CHANNEL_DIR: join(work, 'channels'),
      API_KEYS: `e2e:${hashApiKey(API_KEY)}`,
      RATE_LIMIT_PER_MINUTE: '100000',
      STAGE_RETRY_BASE_MS: '500',
      ORCHESTRATOR_CONCURRENCY: '4',
      // Uploads counted apart (uploads_used), so the ledger's count of videos is exact.
      YOUTUBE_QUOTA_COSTS: 'uploads-bucket',
      AB_ROTATE_INTERVAL_SEC: '1',
      AB_REPORTS_INTERVAL_SEC: '0',
    },
  });
  gateway = stack.url('api-gateway');
  // As an operator adds a channel to a deployment: `faceless channels add` with the stack's DATABASE_URL and key.
  const out: string[] = [];
  const code = await channelsCommand(['add', CHANNEL, '--slots', '15:00'], fake.env, {
    write: (text) => out.push(text), note: () => {}, signal: AbortSignal.timeout(30_000),
    openBrowser: (url) => { fake.google.approve(url).catch(() => {}); },
  });
  assert.equal(code, 0, out.join(''));
});

after(async () => {
  await stack?.stop();
  await fake?.close();
  await schema?.drop();
  await rm(work, { recursive: true, force: true });
});

type Status = { state: string; stages: { stage: string; status: string; attempts?: number; output?: unknown }[]; error?: unknown };

async function startPipeline(topic: string): Promise<string> {
  const start = await fetch(`${gateway}/api/pipelines/start`, { method: 'POST', headers: auth, body: JSON.stringify({ topic, durationSec: 15, channel: CHANNEL }) });
  assert.equal(start.status, 202, await start.clone().text());
  return ((await start.json()) as { pipelineId: string }).pipelineId;
}

async function finished(pipelineId: string, timeoutMs = 400_000): Promise<Status> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await fetch(`${gateway}/api/pipelines/status/${pipelineId}`, { headers: auth });
    assert.equal(r.status, 200);
    const status = (await r.json()) as Status;
    if (status.state === 'Completed' || status.state === 'Failed') return status;
    if (Date.now() > deadline) throw new Error(`timed out; last status ${JSON.stringify(status)}`);
    await sleep(500);
  }
}

function outputOf<T>(status: Status, stage: string): T {
  const output = status.stages.find((s) => s.stage === stage)?.output;
  assert.ok(output, `${stage} has an output`);
  return output as T;
}

/** The pipeline's video on the fake YouTube, checked against the file the video assembler wrote. */
async function assertUploadedOnce(status: Status): Promise<UploadOutput> {
  assert.equal(status.state, 'Completed', JSON.stringify(status.error ?? status));
  const upload = outputOf<UploadOutput>(status, 'upload');
  assert.equal(upload.target, 'youtube');
  const { videoPath } = outputOf<{ videoPath: string }>(status, 'video');
  const artifact = createHash('sha256').update(await readFile(join(work, 'store', videoPath))).digest('hex');
  const onYouTube = fake.youtube.videos.filter((v) => v.id === upload.videoId);
  assert.equal(onYouTube.length, 1);
  assert.equal(onYouTube[0]?.sha256, artifact, 'the video on YouTube is byte for byte the rendered one');
  return upload;
}

/** Sum of one metric's samples whose labels include `labels`, from a service's /metrics. */
async function metric(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

async function query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  const db = new pg.Client({ connectionString: schema.url });
  await db.connect();
  try {
    return (await db.query<T>(sql, params)).rows;
  } finally {
    await db.end();
  }
}

/** Hours to move an experiment's start back so that, now and for the next minutes, its plan has another variant live. */
function ageForAnotherVariant(e: { created_at: Date; rotation_hours: number; rotation_design: RotationDesign; launch_days: number }): number {
  const plan = rotationPlanOf({ design: e.rotation_design, rotationHours: e.rotation_hours, policy: { launchDays: Number(e.launch_days) } });
  const positionAt = (hours: number, now: Date): number => plannedPosition({
    startedAt: new Date(e.created_at.getTime() - hours * 3_600_000), now, rotationHours: e.rotation_hours, variantCount: 2, plan,
  }).position;
  const now = Date.now();
  const hours = Array.from({ length: 60 * 24 }, (_, h) => h + 1).find((h) => positionAt(h, new Date(now)) !== 0 && positionAt(h, new Date(now + 120_000)) !== 0);
  assert.ok(hours, `some age of experiment plans another variant: ${JSON.stringify(plan)}`);
  return hours;
}

async function jsonFilesUnder(dir: string): Promise<string[]> {
  const files = await readdir(dir, { recursive: true }).catch(() => []);
  return files.map(String).filter((f) => f.endsWith('.json'));
}

test('two uploaders and two A/B testers: four pipelines with a channel, started together, upload four videos byte-exact into four slots; the ledger counts four; a rotation happens on the timer; no JSON state file', { timeout: 600_000 }, async () => {
  const ids = await Promise.all(['tides', 'volcanoes', 'glaciers', 'coral reefs'].map((t) => startPipeline(`How ${t} work`)));
  const statuses = await Promise.all(ids.map((id) => finished(id)));
  const uploads = [];
  for (const s of statuses) uploads.push(await assertUploadedOnce(s));
  assert.equal(fake.youtube.videos.length, 4, 'one video per pipeline, none twice');
  assert.equal(new Set(uploads.map((u) => u.publishAt)).size, 4, `four different slots: ${uploads.map((u) => u.publishAt).join(', ')}`);
  assert.ok(uploads.every((u) => u.publishAt.endsWith('T15:00:00.000Z')), 'each in the channel\'s 15:00 slot');

  // Both replicas of each service did part of the work.
  for (const url of stack.urls('uploader')) {
    assert.ok(await metric(url, 'faceless_youtube_uploads_total', { outcome: 'ok' }) >= 1, `${url} uploaded`);
  }
  for (const url of stack.urls('ab-tester')) {
    assert.ok(await metric(url, 'http_requests_total', { route: '/abtests/create', status: '200' }) >= 1, `${url} created an experiment`);
  }

  const [quota] = await query<{ uploads_used: number; units_used: number }>(
    'SELECT uploads_used, units_used FROM youtube_quota_days WHERE project = $1', [quotaProjectKey(fake.google.clientId)],
  );
  assert.equal(Number(quota?.uploads_used), 4, 'the ledger in PostgreSQL counts the four uploads');
  assert.ok(Number(quota?.units_used) >= 4 * (100 + 50), `and their units: ${quota?.units_used}`);

  // Time passes for the experiments (they started days ago, so another variant is due): the A/B testers' timer
  // rotates each one, once, and the new variant's thumbnail is what YouTube shows.
  const experiments = await query<{ id: string; video_id: string; created_at: Date; rotation_hours: number; rotation_design: RotationDesign; launch_days: number }>(
    'SELECT id, video_id, created_at, rotation_hours, rotation_design, launch_days FROM experiments WHERE pipeline_id = ANY($1)', [ids],
  );
  assert.equal(experiments.length, 4);
  for (const e of experiments) {
    const hours = ageForAnotherVariant(e);
    await query('UPDATE experiments SET created_at = created_at - make_interval(hours => $1) WHERE id = $2', [hours, e.id]);
    await query('UPDATE rotations SET started_at = started_at - make_interval(hours => $1) WHERE experiment_id = $2', [hours, e.id]);
  }

  const rotationsOf = () => query<{ experiment_id: string; label: string; thumbnail_key: string | null; ended_at: Date | null }>(
    `SELECT r.experiment_id, v.label, v.thumbnail_key, r.ended_at FROM rotations r JOIN variants v ON v.id = r.variant_id
     WHERE r.experiment_id = ANY($1) ORDER BY r.started_at`, [experiments.map((e) => e.id)],
  );
  const deadline = Date.now() + 30_000;
  while ((await rotationsOf()).length < 8 && Date.now() < deadline) await sleep(500);
  await sleep(2500); // a few more ticks of both replicas: none rotates again
  const rotations = await rotationsOf();
  for (const e of experiments) {
    const mine = rotations.filter((r) => r.experiment_id === e.id);
    assert.equal(mine.length, 2, `experiment ${e.id}: the launch variant, then one rotation (${mine.map((r) => r.label).join(', ')})`);
    const live = mine.find((r) => r.ended_at === null);
    assert.ok(live && live.label !== mine[0]?.label, 'another variant is live');
    assert.ok(live.thumbnail_key, 'the variant has a thumbnail');
    const file = isAbsolute(live.thumbnail_key) ? live.thumbnail_key : join(work, 'store', live.thumbnail_key);
    assert.deepEqual(fake.youtube.videos.find((v) => v.id === e.video_id)?.thumbnail?.bytes, await readFile(file), 'YouTube shows the new variant\'s thumbnail');
  }

  assert.deepEqual(await jsonFilesUnder(join(work, 'data')), [], 'no JSON state file under FACELESS_DATA_DIR');
  assert.deepEqual(restarted, [], 'nothing died');
});

test('an uploader replica killed with SIGKILL while the bytes flow: both pipelines complete with one video each, and the stack starts the replica again by itself', { timeout: 600_000 }, async () => {
  const before = fake.youtube.videos.length;
  const insertUnits = QUOTA_COST_TABLES['uploads-bucket'].units['videos.insert'];
  // An upload reserves its videos.insert when it begins (a resumed one does not again).
  const inserts = async (url: string): Promise<number> => (await metric(url, 'faceless_youtube_quota_units_total', { operation: 'videos.insert' })) / insertUnits;
  const ended = async (url: string): Promise<number> => metric(url, 'faceless_youtube_uploads_total');
  const urls = stack.urls('uploader');
  const started = await Promise.all(urls.map(async (u) => (await inserts(u)) - (await ended(u))));
  // About 2 s a megabyte: long enough to kill a replica while its upload runs.
  fake.youtube.slowUploads(500_000);
  try {
    const ids = await Promise.all(['comets', 'auroras'].map((t) => startPipeline(`Where ${t} come from`)));
    // Wait for a chunk past its first 256 KiB, then find the replica whose upload has begun and not ended.
    const deadline = Date.now() + 400_000;
    let victim: number | undefined;
    while (victim === undefined && Date.now() < deadline) {
      if (fake.youtube.uploadsInFlight().some((u) => u.bytes > 300_000)) {
        const busy = await Promise.all(urls.map(async (u, k) => (await inserts(u)) - (await ended(u)) - (started[k] ?? 0)));
        victim = busy.findIndex((n) => n > 0);
        if (victim < 0) victim = undefined;
      }
      if (victim === undefined) await sleep(100);
    }
    assert.ok(victim !== undefined, 'an upload was under way');
    const cut = fake.youtube.uploadsInFlight().map((u) => u.uploadId);
    stack.kill('uploader', victim);

    const statuses = await Promise.all(ids.map((id) => finished(id)));
    for (const s of statuses) await assertUploadedOnce(s);
    assert.equal(fake.youtube.videos.length, before + 2, 'one video per pipeline, none made twice');
    const resumed = fake.youtube.sessions.filter((x) => cut.includes(x.uploadId) && x.videoId !== undefined);
    assert.equal(resumed.length, cut.length, 'each upload session cut off was resumed to its end by the other replica');
    const until = Date.now() + 60_000;
    while (restarted.length === 0 && Date.now() < until) await sleep(200);
    assert.deepEqual(restarted, [`uploader#${victim + 1}`], 'the killed replica, and only it, was started again by the stack');
    assert.equal((await fetch(`${stack.url('uploader', victim)}/ready`)).status, 200, 'it answers again');
  } finally {
    fake.youtube.slowUploads(undefined);
  }
  assert.deepEqual(await jsonFilesUnder(join(work, 'data')), [], 'no JSON state file under FACELESS_DATA_DIR');
});
