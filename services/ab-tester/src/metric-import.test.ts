import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FacelessError } from '@faceless/runtime';
import { attributePeriod, csvFormat, normalizeRow, parseCsv, parseMetricsCsv, parseReachReport } from './metric-import.ts';

const fieldOf = (field: string) => (err: unknown): boolean => {
  assert.ok(err instanceof FacelessError, String(err));
  assert.equal(err.code, 'INVALID_INPUT', err.message);
  assert.equal(err.field, field, err.message);
  return true;
};

test('CSV records: quotes, escaped quotes, CRLF, BOM and a missing last newline', () => {
  assert.deepEqual(parseCsv('\ufeffa,b,c\r\n"x, y","say ""hi""",\r\n1,2,3'), [['a', 'b', 'c'], ['x, y', 'say "hi"', ''], ['1', '2', '3']]);
  assert.deepEqual(parseCsv('a\n\nb\n'), [['a'], ['b']]);
  assert.throws(() => parseCsv('a,"b\n'), fieldOf('csv'));
});

test('our CSV: per variant with periods, or by Pacific date without variant', () => {
  const rows = parseMetricsCsv([
    'variant,period_start,period_end,impressions,clicks,views,avg_view_duration_sec',
    'a,2025-03-10T07:00:00Z,2025-03-11T07:00:00Z,1200,60,50,41.5',
    'b,2025-03-11T07:00:00Z,2025-03-12T07:00:00Z,1100,33,,',
  ].join('\n'));
  assert.equal(rows.length, 2);
  assert.deepEqual({ ...rows[0], start: rows[0]!.start.toISOString(), end: rows[0]!.end.toISOString() }, {
    where: 'line 2', variant: 'a', start: '2025-03-10T07:00:00.000Z', end: '2025-03-11T07:00:00.000Z',
    impressions: 1200, clicks: 60, views: 50, avgViewDurationSec: 41.5,
  });
  assert.equal(rows[1]!.views, null);
  assert.equal(rows[1]!.avgViewDurationSec, null);

  const byDate = parseMetricsCsv('date,impressions,clicks\n2025-03-10,500,20\n');
  assert.equal(byDate[0]!.variant, undefined);
  assert.equal(byDate[0]!.start.toISOString(), '2025-03-10T07:00:00.000Z', 'a Pacific day in PDT');
  assert.equal(byDate[0]!.end.toISOString(), '2025-03-11T07:00:00.000Z');
});

test('bad CSVs name the column and the line', () => {
  assert.throws(() => parseMetricsCsv('variant,date,impressions\na,2025-03-10,5\n'), fieldOf('clicks'));
  assert.throws(() => parseMetricsCsv('variant,impressions,clicks\na,5,1\n'), fieldOf('date'));
  assert.throws(() => parseMetricsCsv('variant,date,impressions,clicks,ctr\na,2025-03-10,5,1,0.2\n'), fieldOf('ctr'));
  assert.throws(() => parseMetricsCsv('date,impressions,clicks\n2025-03-10,10,11\n'), (err: unknown) => fieldOf('clicks')(err) && /line 2/.test((err as Error).message));
  assert.throws(() => parseMetricsCsv('date,impressions,clicks\n2025-03-10,-1,0\n'), fieldOf('impressions'));
  assert.throws(() => parseMetricsCsv('date,impressions,clicks\n10/03/2025,5,1\n'), fieldOf('date'));
  assert.throws(() => parseMetricsCsv('period_start,period_end,impressions,clicks\n2025-03-11T00:00:00Z,2025-03-10T00:00:00Z,5,1\n'), fieldOf('period_end'));
  assert.throws(() => parseMetricsCsv('date,impressions,clicks\n2025-03-10,5\n'), fieldOf('csv'));
  assert.throws(() => parseMetricsCsv(''), fieldOf('csv'));
});

test('JSON rows need a date or both period ends', () => {
  assert.throws(() => normalizeRow({ impressions: 1, clicks: 0, periodStart: '2025-03-10T00:00:00Z' }, 'rows.0'), fieldOf('rows.0.periodEnd'));
  assert.throws(() => normalizeRow({ impressions: 1, clicks: 0, date: '2025-03-10', periodStart: '2025-03-10T00:00:00Z' }, 'rows.1'), fieldOf('rows.1.date'));
});

const REPORT = [
  'date,channel_id,video_id,live_or_on_demand,subscribed_status,country_code,video_thumbnail_impressions,video_thumbnail_impressions_ctr',
  '20250310,UC1,vid1,on_demand,subscribed,US,1000,0.0525',
  '20250310,UC1,vid1,on_demand,unsubscribed,FR,333,0.03',
  '20250310,UC1,other,on_demand,subscribed,US,9999,0.5',
  '20250311,UC1,vid1,on_demand,subscribed,US,800,0.041',
].join('\n');

test('a channel_reach_basic_a1 report gives one row per Pacific day for the video, clicks = round(impressions × ctr)', () => {
  assert.equal(csvFormat(parseCsv(REPORT)[0]!), 'reach-report');
  assert.equal(csvFormat(['variant', 'date', 'impressions', 'clicks']), 'metrics');
  const r = parseReachReport(REPORT, 'vid1');
  assert.equal(r.matched, 3);
  assert.equal(r.otherVideos, 1);
  assert.deepEqual(r.rows.map((x) => [x.start.toISOString(), x.impressions, x.clicks]), [
    ['2025-03-10T07:00:00.000Z', 1333, 53 + 10], // round(52.5) = 53, round(9.99) = 10
    ['2025-03-11T07:00:00.000Z', 800, 33], // round(32.8)
  ]);
  assert.equal(parseReachReport(REPORT, 'nope').rows.length, 0);
  assert.throws(() => parseReachReport('date,video_id,video_thumbnail_impressions\n', 'vid1'), fieldOf('video_thumbnail_impressions_ctr'));
  assert.throws(() => parseReachReport(REPORT.replace('0.041', '4.1'), 'vid1'), fieldOf('video_thumbnail_impressions_ctr'));
});

test('a period goes to the variant live for at least 95% of it, else it is skipped with the reason', () => {
  const labels: Record<string, string> = { A: 'a', B: 'b' };
  const label = (id: string): string => labels[id] ?? id;
  const day = { start: new Date('2025-03-11T07:00:00Z'), end: new Date('2025-03-12T07:00:00Z') };
  const windows = [
    { variantId: 'A', startedAt: '2025-03-10T18:00:00Z', endedAt: '2025-03-11T07:05:00Z' }, // rotated 5 min late
    { variantId: 'B', startedAt: '2025-03-11T07:05:00Z', endedAt: '2025-03-12T07:00:00Z' },
    { variantId: 'A', startedAt: '2025-03-12T07:00:00Z', endedAt: '2025-03-12T19:00:00Z' },
    { variantId: 'B', startedAt: '2025-03-12T19:00:00Z', endedAt: null },
  ];
  assert.deepEqual(attributePeriod(day, windows, label), { variantId: 'B' });
  const half = attributePeriod({ start: new Date('2025-03-12T07:00:00Z'), end: new Date('2025-03-13T07:00:00Z') }, windows, label);
  assert.ok('reason' in half);
  assert.match(half.reason, /several variants were live: a 50%, b 50%/);
  const first = attributePeriod({ start: new Date('2025-03-10T07:00:00Z'), end: new Date('2025-03-11T07:00:00Z') }, windows, label);
  assert.ok('reason' in first);
  assert.match(first.reason, /a was live for only 54%/);
  const before = attributePeriod({ start: new Date('2025-03-01T08:00:00Z'), end: new Date('2025-03-02T08:00:00Z') }, windows, label);
  assert.deepEqual(before, { reason: 'no variant of the experiment was live then' });
  // the open rotation counts up to the end of the period
  assert.deepEqual(attributePeriod({ start: new Date('2025-03-14T07:00:00Z'), end: new Date('2025-03-15T07:00:00Z') }, windows, label), { variantId: 'B' });
});
