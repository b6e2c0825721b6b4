import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FacelessError } from '@faceless/runtime';
import { startFakeYouTube } from '../testing/fake-youtube.ts';
import { REACH_REPORT_TYPE } from './reporting.ts';
import { countingTokens, instantSleep } from './test-helpers.ts';
import { createYouTubeClient } from './youtube-client.ts';

const CSV = 'date,channel_id,video_id,video_thumbnail_impressions,video_thumbnail_impressions_ctr\n20250101,UCx,abc,1200,0.051\n';

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const fake = await startFakeYouTube({ pageSize: 2 });
  t.after(() => fake.close());
  const { sleep, delays } = instantSleep();
  const client = createYouTubeClient({ apiUrl: fake.url, uploadUrl: fake.url, reportingUrl: `${fake.url}/`, tokens: countingTokens(), retry: { sleep, random: () => 0.5 } });
  return { fake, client, delays };
}

test('ensureReachJob creates the channel_reach_basic_a1 job once, then finds it', async (t) => {
  const { fake, client } = await setup(t);
  const created = await client.ensureReachJob();
  assert.equal(created.reportTypeId, REACH_REPORT_TYPE);
  const found = await client.ensureReachJob();
  assert.equal(found.id, created.id);
  assert.equal(fake.jobs.length, 1);
  assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path}`), ['GET /v1/jobs', 'POST /v1/jobs', 'GET /v1/jobs']);
});

test('ensureReachJob finds the job on a later page of jobs.list', async (t) => {
  const { fake, client } = await setup(t);
  for (const type of ['channel_basic_a2', 'channel_combined_a2', 'channel_demographics_a1']) {
    const res = await fetch(`${fake.url}/v1/jobs`, { method: 'POST', headers: { authorization: 'Bearer x' }, body: JSON.stringify({ reportTypeId: type }) });
    assert.equal(res.status, 200);
  }
  const reachId = (await client.ensureReachJob()).id;
  const before = fake.requests.length;
  assert.equal((await client.ensureReachJob()).id, reachId);
  assert.deepEqual(fake.requests.slice(before).map((r) => r.query.pageToken ?? ''), ['', '2'], 'two pages of two jobs');
});

test('listReports follows the pages and keeps only reports created after the given time; downloadReport returns the CSV text', async (t) => {
  const { fake, client } = await setup(t);
  const job = await client.ensureReachJob();
  const days = ['2025-01-01', '2025-01-02', '2025-01-03', '2025-01-04', '2025-01-05'];
  for (const d of days) fake.addReport({ startTime: `${d}T08:00:00Z`, endTime: `${d}T08:00:00Z`, createTime: `${d}T20:00:00Z`, csv: `${CSV}# ${d}\n` });
  fake.addReport({ reportTypeId: 'channel_basic_a2', startTime: '2025-01-05T08:00:00Z', endTime: '2025-01-06T08:00:00Z', csv: 'other' });

  const all = await client.listReports(job.id);
  assert.deepEqual(all.map((r) => r.startTime.slice(0, 10)), days);
  const recent = await client.listReports(job.id, { createdAfter: new Date('2025-01-02T21:00:00Z') });
  assert.deepEqual(recent.map((r) => r.startTime.slice(0, 10)), days.slice(2));
  assert.equal(fake.requests.filter((r) => r.path.endsWith('/reports') && r.query.createdAfter === '2025-01-02T21:00:00.000Z').length, 2, 'three reports on pages of two');

  const text = await client.downloadReport(recent[0]!.downloadUrl);
  assert.equal(text, `${CSV}# 2025-01-03\n`);
  assert.equal(fake.requests.at(-1)!.headers.authorization, 'Bearer');
});

test('downloadReport does not send the token to another host; an unknown job is NOT_FOUND', async (t) => {
  const { fake, client } = await setup(t);
  await assert.rejects(client.downloadReport('https://example.com/v1/media/x?alt=media'), (err: FacelessError) => err.code === 'PROVIDER_BAD_RESPONSE' && /example\.com/.test(err.message));
  assert.equal(fake.requests.length, 0);
  await assert.rejects(client.listReports('nojob'), (err: FacelessError) => err.code === 'NOT_FOUND' && /reports\.list/.test(err.message));
});

test('a Reporting API 503 is retried, then the reports arrive', async (t) => {
  const { fake, client, delays } = await setup(t);
  const job = await client.ensureReachJob();
  fake.addReport({ startTime: '2025-01-01T08:00:00Z', endTime: '2025-01-02T08:00:00Z', csv: CSV });
  fake.failNext(503, 1);
  assert.equal((await client.listReports(job.id)).length, 1);
  assert.deepEqual(delays, [750]);
});
