import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderStore, openDatabase, type Database } from '@faceless/infra';
import { FacelessError, type StageApp } from '@faceless/runtime';
import type { ExperimentReport, EvaluateResult, ImportResult, RotationOutcome } from './ab-test-service.ts';
import { buildApp } from './server.ts';
import { createRecordingPublisher, type VariantPublisher } from './variant-publisher.ts';

// One PGlite for the file (creating one takes seconds); ABTEST_PG_URL=postgres://… runs the same on PostgreSQL in a fresh schema.
const pgUrl = process.env.ABTEST_PG_URL;
const schema = `abtest_routes_${process.pid}`;
let dir: string;
let db: Database;
let app: StageApp;
let clock = new Date('2025-03-10T18:00:00Z'); // 11:00 PDT
let failNext = false;
const recorder = createRecordingPublisher();
const publisher: VariantPublisher = {
  async applyVariant(input) {
    if (failNext) {
      failNext = false;
      throw new FacelessError('PROVIDER_UNAVAILABLE', 'YouTube answered 503 to thumbnails.set');
    }
    await recorder.applyVariant(input);
  },
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ab-routes-'));
  if (pgUrl) {
    const admin = await openDatabase({ url: pgUrl });
    await admin.exec(`CREATE SCHEMA ${schema}`);
    await admin.close();
    db = await openDatabase({ url: `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}` });
  } else {
    db = await openDatabase({ dataDir: join(dir, 'db') });
  }
  const store = new FolderStore(join(dir, 'store'));
  await store.putBytes('run/a.jpg', Buffer.from([0xff, 0xd8, 0xff]));
  app = buildApp({ env: { AB_ROTATE_INTERVAL_SEC: '0' }, store, openDatabase: () => Promise.resolve(db), publisher, now: () => clock, draws: 4000, logger: false });
});
after(async () => {
  await app.close();
  if (pgUrl) await db.exec(`DROP SCHEMA ${schema} CASCADE`);
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

async function call<T>(method: 'GET' | 'POST', url: string, body?: unknown, contentType?: string): Promise<{ status: number; body: T }> {
  const res = await app.inject({
    method, url,
    ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': contentType ?? 'application/json' } } : {}),
  });
  return { status: res.statusCode, body: res.json() };
}

type ErrorAnswer = { error: { code: string; field?: string; message: string } };
const variants = [{ label: 'a', title: 'Title A', thumbnailPath: 'run/a.jpg' }, { label: 'b', title: 'Title B' }];
let testId = '';

test('bad experiments are refused with the field, before anything is sent to YouTube', async () => {
  const one = await call<ErrorAnswer>('POST', '/abtest', { videoId: 'vid1', variants: variants.slice(0, 1) });
  assert.equal(one.status, 400);
  assert.equal(one.body.error.code, 'INVALID_INPUT');
  assert.equal(one.body.error.field, 'variants');
  assert.match(one.body.error.message, /at least two variants/);
  const missing = await call<ErrorAnswer>('POST', '/abtest', { videoId: 'vid1', variants: [variants[0], { label: 'b', thumbnailPath: 'run/none.jpg' }] });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.field, 'variants.1.thumbnailPath');
  const outside = await call<ErrorAnswer>('POST', '/abtest', { videoId: 'vid1', variants: [{ label: 'a', thumbnailPath: '/etc/passwd' }, variants[1]] });
  assert.equal(outside.status, 404);
  assert.equal(outside.body.error.field, 'variants.0.thumbnailPath');
  const hourly = await call<ErrorAnswer>('POST', '/abtest', { videoId: 'vid1', variants, rotationHours: 0 });
  assert.equal(hourly.body.error.field, 'rotationHours');
  assert.equal(recorder.applied.length, 0);
});

test('creating applies the first variant and plans the next rotation at midnight Pacific', async () => {
  const launched = await call<ExperimentReport>('POST', '/abtest', { videoId: 'vid0', variants, metric: 'watch-time' });
  assert.equal(launched.status, 201, JSON.stringify(launched.body));
  // by default the first variant stays live through a 3-day launch, then ABBA BAAB…
  assert.deepEqual(launched.body.nextRotation, { at: '2025-03-11T07:00:00.000Z', variant: 'a' });
  assert.equal(launched.body.plan.join('').slice(0, 11), 'aaa' + 'abba' + 'baab');
  assert.equal(launched.body.experiment.design, 'counterbalanced');
  assert.deepEqual(launched.body.experiment.policy, { metric: 'watch-time', threshold: 0.995, maxExpectedLoss: 0.005, minImpressionsPerVariant: 1000, minPeriodsPerVariant: 4, launchDays: 3 });
  assert.match(launched.body.evaluation.reason, /^waiting for data on a, b after the launch/);
  assert.equal((await call<EvaluateResult>('POST', `/abtest/${launched.body.experiment.id}/stop`)).status, 200);
  recorder.applied.length = 0;

  const res = await call<ExperimentReport>('POST', '/abtest', { videoId: 'vid1', variants, threshold: 0.9, minImpressionsPerVariant: 5000, launchDays: 0 });
  assert.equal(res.status, 201);
  testId = res.body.experiment.id;
  assert.equal(res.body.experiment.status, 'running');
  assert.equal(res.body.experiment.policy.threshold, 0.9);
  assert.equal(res.body.live, 'a');
  assert.deepEqual(res.body.nextRotation, { at: '2025-03-11T07:00:00.000Z', variant: 'b' });
  assert.deepEqual(recorder.applied, [{ videoId: 'vid1', variant: { title: 'Title A', thumbnailKey: 'run/a.jpg' } }]);

  const list = await call<{ experiments: { id: string; variantCount: number }[] }>('GET', '/abtest?status=running');
  assert.deepEqual(list.body.experiments.map((e) => [e.id, e.variantCount]), [[testId, 2]]);
  assert.equal((await call<ErrorAnswer>('GET', '/abtest?status=paused')).body.error.field, 'status');
  const byPrefix = await call<ExperimentReport>('GET', `/abtest/${testId.slice(0, 8)}`);
  assert.equal(byPrefix.body.experiment.id, testId);
  const unknown = await call<ErrorAnswer>('GET', '/abtest/00000000-0000-0000-0000-000000000000');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'NOT_FOUND');
});

test('rotation: nothing before the period ends; a failed apply changes nothing and the next tick retries; ticks are idempotent', async () => {
  assert.deepEqual((await call<RotationOutcome>('POST', `/abtest/${testId}/rotate`)).body, { testId, action: 'kept', live: 'a' });
  assert.equal(recorder.applied.length, 1);

  clock = new Date('2025-03-11T07:02:00Z');
  failNext = true;
  const failed = await call<RotationOutcome>('POST', `/abtest/${testId}/rotate`);
  assert.equal(failed.body.action, 'failed');
  assert.equal(failed.body.planned, 'b');
  assert.equal(failed.body.error?.code, 'PROVIDER_UNAVAILABLE');
  let shown = await call<ExperimentReport>('GET', `/abtest/${testId}`);
  assert.equal(shown.body.live, 'a');
  assert.equal(shown.body.experiment.rotations.length, 1);

  assert.deepEqual((await call<RotationOutcome>('POST', `/abtest/${testId}/rotate`)).body, { testId, action: 'rotated', live: 'b' });
  assert.deepEqual((await call<RotationOutcome>('POST', `/abtest/${testId}/rotate`)).body, { testId, action: 'kept', live: 'b' });
  assert.deepEqual(recorder.applied.at(-1), { videoId: 'vid1', variant: { title: 'Title B' } });
  shown = await call<ExperimentReport>('GET', `/abtest/${testId}`);
  assert.deepEqual(shown.body.experiment.rotations.map((r) => [shown.body.experiment.variants.find((v) => v.id === r.variantId)?.label, r.startedAt, r.endedAt]), [
    ['a', '2025-03-10T18:00:00.000Z', '2025-03-11T07:02:00.000Z'],
    ['b', '2025-03-11T07:02:00.000Z', null],
  ]);

  // ABBA: b stays live on the third day; two ticks at once after the next midnight: one rotation
  clock = new Date('2025-03-12T07:00:30Z');
  assert.deepEqual((await call<RotationOutcome>('POST', `/abtest/${testId}/rotate`)).body, { testId, action: 'kept', live: 'b' });
  clock = new Date('2025-03-13T07:00:30Z');
  const [t1, t2] = await Promise.all([
    app.inject({ method: 'POST', url: `/abtest/${testId}/rotate` }),
    app.inject({ method: 'POST', url: `/abtest/${testId}/rotate` }),
  ]);
  assert.deepEqual([t1.json<RotationOutcome>().live, t2.json<RotationOutcome>().live], ['a', 'a']);
  shown = await call<ExperimentReport>('GET', `/abtest/${testId}`);
  assert.equal(shown.body.experiment.rotations.length, 3);
  assert.equal(shown.body.experiment.rotations.filter((r) => r.endedAt === null).length, 1);
  assert.equal(shown.body.live, 'a');
});

const REPORT = [
  'date,channel_id,video_id,live_or_on_demand,subscribed_status,country_code,video_thumbnail_impressions,video_thumbnail_impressions_ctr',
  '20250310,UC1,vid1,on_demand,subscribed,US,400,0.05',
  '20250311,UC1,vid1,on_demand,subscribed,US,1000,0.06',
  '20250311,UC1,vid1,on_demand,unsubscribed,US,500,0.04',
  '20250312,UC1,vid1,on_demand,subscribed,US,1200,0.03',
  '20250312,UC1,other,on_demand,subscribed,US,7777,0.5',
].join('\n');

test('a reach report is attributed to the variant live each Pacific day; re-importing replaces', async () => {
  const first = await call<ImportResult>('POST', `/abtest/${testId}/metrics/csv`, REPORT, 'text/csv');
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.source, 'reach-report');
  assert.deepEqual(first.body.reachReport, { matched: 4, otherVideos: 1 });
  assert.deepEqual(first.body.rows.map((r) => [r.variant, r.periodStart, r.impressions, r.clicks]), [
    ['b', '2025-03-11T07:00:00.000Z', 1500, 80],
    ['b', '2025-03-12T07:00:00.000Z', 1200, 36],
  ]);
  assert.equal(first.body.skipped.length, 1);
  assert.match(first.body.skipped[0]!.reason, /a was live for only 54%/);
  assert.equal(first.body.replaced, 0);

  const again = await call<ImportResult>('POST', `/abtest/${testId}/metrics/csv`, REPORT, 'text/csv');
  assert.equal(again.body.imported, 2);
  assert.equal(again.body.replaced, 2);
  const shown = await call<ExperimentReport>('GET', `/abtest/${testId}`);
  assert.deepEqual(shown.body.variants.map((v) => [v.label, v.impressions, v.clicks, v.periods]), [['a', 0, 0, 0], ['b', 2700, 116, 2]]);
  assert.equal(shown.body.variants[1]!.ctr, 116 / 2700);
});

test('JSON and CSV rows: per variant, overlaps skipped, unknown variants and wrong content types refused', async () => {
  const rows = await call<ImportResult>('POST', `/abtest/${testId}/metrics`, { rows: [
    { variant: 'b', date: '2025-03-13', impressions: 900, clicks: 45, views: 40, avgViewDurationSec: 30 },
    { variant: 'a', periodStart: '2025-03-12T19:00:00Z', periodEnd: '2025-03-12T20:00:00Z', impressions: 50, clicks: 1 },
  ] });
  assert.equal(rows.body.imported, 1);
  assert.equal(rows.body.skipped.length, 1);
  assert.match(rows.body.skipped[0]!.reason, /overlaps b's period 2025-03-12T07:00:00.000Z/);

  const csv = await call<ImportResult>('POST', `/abtest/${testId}/metrics/csv`,
    'variant,period_start,period_end,impressions,clicks,views,avg_view_duration_sec\nb,2025-03-14T07:00:00Z,2025-03-15T07:00:00Z,100,5,10,50\n', 'text/csv');
  assert.equal(csv.body.imported, 1);
  const shown = await call<ExperimentReport>('GET', `/abtest/${testId}`);
  const b = shown.body.variants.find((v) => v.label === 'b')!;
  assert.equal(b.impressions, 3700);
  assert.equal(b.views, 50);
  assert.equal(b.avgViewDurationSec, (40 * 30 + 10 * 50) / 50);

  const unknown = await call<ErrorAnswer>('POST', `/abtest/${testId}/metrics`, { rows: [{ variant: 'z', date: '2025-03-13', impressions: 1, clicks: 0 }] });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.error.field, 'variant');
  assert.match(unknown.body.error.message, /variants are a, b/);
  const json = await call<ErrorAnswer>('POST', `/abtest/${testId}/metrics/csv`, { rows: [] });
  assert.equal(json.status, 415);
  const badCsv = await call<ErrorAnswer>('POST', `/abtest/${testId}/metrics/csv`, 'date,impressions,clicks\n2025-03-20,5,9\n', 'text/csv');
  assert.equal(badCsv.body.error.field, 'clicks');
});

test('evaluate continues on thin data, then decides, applies the winner for good and records why', async () => {
  const thin = await call<EvaluateResult>('POST', `/abtest/${testId}/evaluate`);
  assert.equal(thin.body.status, 'running');
  assert.equal(thin.body.decision, null);
  assert.match(thin.body.evaluation.reason, /^waiting for data on a after the launch: 4 periods from 2025-03-11 to 2025-03-14/);

  // a fresh experiment on its planned rotation (launch, then ABBA BAAB ABBA), a clearly better b
  clock = new Date('2025-04-01T07:00:00Z');
  const created = await call<ExperimentReport>('POST', '/abtest', { videoId: 'vid3', variants });
  const id = created.body.experiment.id;
  const plan = created.body.plan;
  const day = (d: number): string => `2025-04-${String(d + 1).padStart(2, '0')}`;
  const rows = Array.from({ length: 15 }, (_, d) => ({ variant: plan[d]!, date: day(d), impressions: 20_000, clicks: plan[d] === 'a' ? 800 : 1200 }));
  const imported = await call<ImportResult>('POST', `/abtest/${id}/metrics`, { rows });
  assert.equal(imported.body.imported, 15, JSON.stringify(imported.body));
  clock = new Date('2025-04-18T10:00:00Z');
  const decided = await call<EvaluateResult>('POST', `/abtest/${id}/evaluate`);
  assert.equal(decided.body.status, 'decided', decided.body.evaluation?.reason);
  assert.equal(decided.body.decision?.winner, 'b');
  assert.ok((decided.body.decision?.probabilityBest ?? 0) > 0.99);
  assert.match(decided.body.decision?.reason ?? '', /^b vs a: CTR \+(49|50)\.\d% \(95% interval \+\d\d\.\d% to \+\d\d\.\d%\), 100\.0% chance of being best, expected loss 0\.00%, over 12 periods from 2025-04-04 to 2025-04-15 \(3 launch rows left out\)$/);
  assert.deepEqual(recorder.applied.at(-1), { videoId: 'vid3', variant: { title: 'Title B' } });

  const shown = await call<ExperimentReport>('GET', `/abtest/${id}`);
  assert.equal(shown.body.experiment.status, 'decided');
  assert.equal(shown.body.experiment.endedAt, '2025-04-18T10:00:00.000Z');
  assert.equal(shown.body.live, null);
  assert.ok(shown.body.experiment.rotations.every((r) => r.endedAt !== null));
  assert.equal(shown.body.decision?.winner, 'b');
  assert.ok(Math.abs((shown.body.evaluation.lift ?? 0) - 0.5) < 0.01);
  assert.equal(shown.body.nextRotation, null);
  assert.match(shown.body.chart, /^a \|.*\n^b \|/m);
  assert.equal((await call<ErrorAnswer>('POST', `/abtest/${id}/evaluate`)).body.error.code, 'CONFLICT');
  assert.equal((await call<ErrorAnswer>('POST', `/abtest/${id}/stop`)).status, 409);
  const tick = await call<RotationOutcome>('POST', `/abtest/${id}/rotate`);
  assert.equal(tick.status, 409);
});

test('stop by hand, with a chosen winner applied', async () => {
  const created = await call<ExperimentReport>('POST', '/abtest', { videoId: 'vid2', variants: [{ label: 'x', title: 'X' }, { label: 'y', title: 'Y' }], rotationHours: 1 });
  const id = created.body.experiment.id;
  const bad = await call<ErrorAnswer>('POST', `/abtest/${id}/stop`, { winner: 'nope' });
  assert.equal(bad.body.error.field, 'winner');
  const stopped = await call<EvaluateResult>('POST', `/abtest/${id}/stop`, { winner: 'y' });
  assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
  assert.equal(stopped.body.status, 'stopped');
  assert.equal(stopped.body.decision?.reason, 'stopped by hand');
  assert.equal(stopped.body.decision?.winner, 'y');
  assert.deepEqual(recorder.applied.at(-1), { videoId: 'vid2', variant: { title: 'Y' } });
  const shown = await call<ExperimentReport>('GET', `/abtest/${id}`);
  assert.equal(shown.body.experiment.status, 'stopped');
  assert.equal(shown.body.decision?.reason, 'stopped by hand');
});

test('/metrics counts the experiments by status in the database, and drops the counts when it does not answer', async () => {
  const { rows } = await db.query<{ status: string; n: number | string }>('SELECT status, count(*) AS n FROM experiments GROUP BY status');
  const inDb = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  assert.ok((inDb.running ?? 0) > 0 && (inDb.decided ?? 0) > 0 && (inDb.stopped ?? 0) > 0, JSON.stringify(inDb));
  const text = (await app.inject({ url: '/metrics' })).body;
  for (const status of ['running', 'decided', 'stopped']) {
    assert.match(text, new RegExp(`^faceless_abtest_experiments\\{status="${status}",service="ab-tester"\\} ${inDb[status]}$`, 'm'));
  }

  const down = buildApp({
    env: { AB_ROTATE_INTERVAL_SEC: '0' }, store: new FolderStore(join(dir, 'store')), logger: false,
    openDatabase: () => Promise.reject(new FacelessError('STORAGE_FAILED', 'database unreachable')),
  });
  try {
    const res = await down.inject({ url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /^# TYPE faceless_abtest_experiments gauge$/m);
    assert.doesNotMatch(res.body, /^faceless_abtest_experiments\{/m);
  } finally {
    await down.close();
  }
});
