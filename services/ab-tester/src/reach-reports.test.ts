import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openDatabase, type Database } from '@faceless/infra';
import { openYouTubeStateFromEnv, type YouTubeConfig } from '@faceless/youtube';
import { startFakeGoogle, type FakeGoogle, type FakeYouTube } from '@faceless/youtube/testing';
import { createAbTestService } from './ab-test-service.ts';
import { fetchReachReports } from './reach-reports.ts';
import { createRecordingPublisher } from './variant-publisher.ts';

let fake: FakeGoogle;
let youtube: FakeYouTube;
let root: string;
let db: Database;
let config: YouTubeConfig;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'ab-reach-'));
  db = await openDatabase({ dataDir: join(root, 'db') });
  fake = await startFakeGoogle({ dataDir: join(root, 'data') });
  ({ youtube, config } = fake);
  await fake.addChannel('science');
});
after(async () => {
  await db.close();
  await fake.close();
  await rm(root, { recursive: true, force: true });
});

const HEADER = 'date,channel_id,video_id,live_or_on_demand,subscribed_status,country_code,video_thumbnail_impressions,video_thumbnail_impressions_ctr';

test('reach reports of the channel are fetched and attributed to the variant live each Pacific day, once however often fetched', async () => {
  // Created at 2026-03-02 00:10 PST with no launch phase: variant a is live on the 2nd, b on the 3rd (24 h rotation at midnight Pacific).
  let clock = new Date('2026-03-02T08:10:00Z');
  const publisher = createRecordingPublisher();
  const service = createAbTestService({ database: () => Promise.resolve(db), publisher, now: () => clock, draws: 2000 });
  const { report } = await service.start({ pipelineId: 'reach-1', videoId: 'vidReach001', launchDays: 0, variants: [{ label: 'a', title: 'Title A' }, { label: 'b', title: 'Title B' }] });
  const state = await openYouTubeStateFromEnv(fake.env);
  await state.videos.add('science', { pipelineId: 'reach-1', videoId: 'vidReach001', publishAt: '2026-03-01T15:00:00Z' });
  await state.close();
  clock = new Date('2026-03-03T08:05:00Z');
  await service.tick();
  clock = new Date('2026-03-04T08:05:00Z');
  await service.tick();
  // A local video's experiment is left alone.
  await service.start({ pipelineId: 'reach-local', videoId: 'local-abcdefghijk', variants: [{ label: 'a', title: 'A' }, { label: 'b', title: 'B' }] });

  youtube.addReport({ startTime: '2026-03-02T08:00:00Z', endTime: '2026-03-03T08:00:00Z', csv: [HEADER,
    '20260302,UC1,vidReach001,on_demand,subscribed,US,1000,0.05',
    '20260302,UC1,vidReach001,on_demand,unsubscribed,FR,500,0.02',
    '20260302,UC1,someOtherVid,on_demand,subscribed,US,9000,0.5'].join('\n') });
  youtube.addReport({ startTime: '2026-03-03T08:00:00Z', endTime: '2026-03-04T08:00:00Z', csv: [HEADER,
    '20260303,UC1,vidReach001,on_demand,subscribed,US,1200,0.08'].join('\n') });

  const outcomes = await fetchReachReports({ config, service });
  const science = outcomes.find((o) => o.channel === 'science');
  assert.equal(science?.reports, 2);
  assert.equal(outcomes.find((o) => o.channel === 'local')?.skipped.length, 1);
  const show = async () => (await service.show(report.experiment.id)).variants;
  const byLabel = Object.fromEntries((await show()).map((v) => [v.label, v]));
  assert.equal(byLabel.a?.impressions, 1500);
  assert.equal(byLabel.a?.clicks, 50 + 10);
  assert.equal(byLabel.b?.impressions, 1200);
  assert.equal(byLabel.b?.clicks, 96);

  await fetchReachReports({ config, service });
  const again = Object.fromEntries((await show()).map((v) => [v.label, v.impressions]));
  assert.deepEqual(again, { a: 1500, b: 1200 }, 'fetching twice does not double count');
  assert.equal(youtube.jobs.length, 1, 'one reporting job for the channel');
});
