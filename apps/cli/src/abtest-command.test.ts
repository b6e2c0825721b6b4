import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecordingPublisher } from '@faceless/ab-tester';
import { parseVariantSpec, runAbtestCommand } from './abtest-command.ts';

let dir: string;
let clock = new Date('2025-03-10T18:00:00Z');
const publisher = createRecordingPublisher();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'abtest-cli-'));
  await writeFile(join(dir, 'a.jpg'), Buffer.from([0xff, 0xd8, 0xff]));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runAbtestCommand(argv, {
    env: { FACELESS_DATA_DIR: join(dir, 'data') }, cwd: dir, publisher, now: () => clock, draws: 4000,
    stdout: { write: (t: string) => { out += t; } }, stderr: { write: (t: string) => { err += t; } },
  });
  return { code, out, err };
}

test('variant specs: label, title (colons allowed) and an image path', () => {
  assert.deepEqual(parseVariantSpec('a', '/w'), { label: 'a' });
  assert.deepEqual(parseVariantSpec('a:Why: the truth', '/w'), { label: 'a', title: 'Why: the truth' });
  assert.deepEqual(parseVariantSpec('a:Why: the truth:thumbs/a.JPG', '/w'), { label: 'a', title: 'Why: the truth', thumbnailPath: '/w/thumbs/a.JPG' });
  assert.deepEqual(parseVariantSpec('b::/x/b.png', '/w'), { label: 'b', thumbnailPath: '/x/b.png' });
  assert.deepEqual(parseVariantSpec('b:b.png', '/w'), { label: 'b', thumbnailPath: '/w/b.png' });
  assert.throws(() => parseVariantSpec(':title', '/w'), /--variant/);
});

test('usage errors name the option and exit 2 without touching the database', async () => {
  const cases: [string[], RegExp][] = [
    [[], /^$/],
    [['frobnicate'], /frobnicate: unknown command; see "faceless abtest --help"/],
    [['creat'], /creat: unknown command; did you mean create\?/],
    [['create', '--vidoe', 'v'], /--vidoe: unknown option; did you mean --video\? \(see "faceless abtest create --help"\)/],
    [['show', 'a', 'b'], /b: unexpected argument for "faceless abtest show"/],
    [['create', '--video', 'v', '--variant', 'a:A'], /--variant: an experiment needs at least two variants, got 1/],
    [['create', '--variant', 'a:A', '--variant', 'b:B'], /--video: missing/],
    [['create', '--video', 'v', '--variant', 'a:A', '--variant', 'b:B', '--hours', '0'], /--hours: "0" is not a whole number of hours/],
    [['create', '--video', 'v', '--variant', 'a:A', '--variant', 'b:B', '--threshold', '2'], /--threshold/],
    [['create', '--from', join(dir, 'nowhere')], /--from: cannot read .*pipeline\.json \(ENOENT\)/],
    [['list', '--status', 'paused'], /--status: "paused" is not one of running, stopped, decided/],
    [['list', '--colour'], /--colour/],
    [['show'], /<id>: missing/],
    [['import', 'abcd'], /<file.csv>: missing/],
    [['import', 'abcd', 'nope.csv'], /<file.csv>: cannot read nope.csv \(ENOENT\)/],
    [['decide'], /<metrics.csv>: missing/],
    [['decide', 'nope.csv'], /<metrics.csv>: cannot read nope.csv \(ENOENT\)/],
    [['decide', 'x.csv', '--metric', 'views'], /--metric: "views" is not one of ctr, watch-time/],
    [['decide', 'x.csv', '--launch-days=-1'], /--launch-days: "-1" is not a number of days/],
    [['decide', 'x.csv', '--threshold', '0.3'], /--threshold/],
    [['create', '--video', 'v', '--variant', 'a', '--variant', 'b', '--metric', 'likes'], /--metric/],
  ];
  for (const [argv, message] of cases) {
    const r = await cli(...argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err, message, argv.join(' '));
  }
  assert.equal(publisher.applied.length, 0);
  assert.equal((await cli('--help')).code, 0);
});

let id = '';

test('create, rotate, import, show with the chart, evaluate to a decision', async () => {
  const created = await cli('create', '--video', 'vid9', '--variant', 'a:Title: with colon:a.jpg', '--variant', 'b:Other title', '--min-impressions', '500', '--launch-days', '0');
  assert.equal(created.code, 0, created.err);
  id = /created experiment ([0-9a-f-]{36})/.exec(created.out)?.[1] ?? '';
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.deepEqual(publisher.applied, [{ videoId: 'vid9', variant: { title: 'Title: with colon', thumbnailKey: join(dir, 'a.jpg') } }]);

  const missingThumb = await cli('create', '--video', 'vid10', '--variant', 'a:A:none.jpg', '--variant', 'b:B');
  assert.equal(missingThumb.code, 1);
  assert.match(missingThumb.err, /NOT_FOUND\] \(variants\.0\.thumbnailPath\)/);

  const list = await cli('list');
  assert.match(list.out, new RegExp(`^${id.slice(0, 8)}\\s+running\\s+vid9\\s+2\\s+24 h`, 'm'));

  clock = new Date('2025-03-11T07:01:00Z');
  const rotated = await cli('rotate');
  assert.equal(rotated.code, 0, rotated.err);
  assert.match(rotated.out, new RegExp(`${id.slice(0, 8)}  rotated  live: b`));
  assert.match((await cli('rotate')).out, /kept {2}live: b/);

  const csv = join(dir, 'metrics.csv');
  await writeFile(csv, [
    'variant,date,impressions,clicks,views,avg_view_duration_sec',
    'a,2025-03-10,3000,90,80,35.5',
    ',2025-03-11,3000,180,,',
  ].join('\n'));
  const imported = await cli('import', id.slice(0, 8), csv);
  assert.equal(imported.code, 0, imported.err);
  assert.match(imported.out, /imported 2 periods \(0 replaced\) from the CSV/);
  assert.match(imported.out, /^ {2}b {2}2025-03-11T07:00:00.000Z → 2025-03-12T07:00:00.000Z {2}180\/3,000$/m);

  const shown = await cli('show', id.slice(0, 8));
  assert.equal(shown.code, 0, shown.err);
  assert.match(shown.out, /^a\s+1\s+3,000\s+90\s+3\.00%/m);
  assert.match(shown.out, /^b\s+\*\s+1\s+3,000\s+180\s+6\.00%/m);
  assert.match(shown.out, /^a \|.*\[.*\*.*\].*\| 3\.03%/m, 'a chart line per variant');
  assert.match(shown.out, /^b \|.*\| 6\.03%/m);
  assert.match(shown.out, /^lift: b vs a \+\d+\.\d% CTR \(95% interval [−+]\d+\.\d% to \+\d+\.\d%\), P\(best\) \d+\.\d%, expected loss \d+\.\d\d%$/m);
  assert.match(shown.out, /^decides on CTR; launch 0 days left out; counterbalanced rotation$/m);
  assert.match(shown.out, /^plan: abbabaababba/m);
  assert.match(shown.out, /next rotation 2025-03-12T07:00:00.000Z: b/);
  const early = await cli('evaluate', id);
  assert.match(early.out, /^still running: .*waiting for 4 periods per variant \(a has 1, b has 1\)/);

  // the next ten days on the plan (abba baab ab), b twice as clicked
  const order = 'abbabaababba';
  await writeFile(csv, ['variant,date,impressions,clicks', ...Array.from({ length: 10 }, (_, i) => {
    const v = order[i + 2]!;
    return `${v},2025-03-${String(12 + i).padStart(2, '0')},3000,${v === 'a' ? 90 : 180}`;
  })].join('\n'));
  assert.equal((await cli('import', id, csv)).code, 0);
  const decided = await cli('evaluate', id);
  assert.equal(decided.code, 0, decided.err);
  assert.match(decided.out, /^decided: b applied for good \(b vs a: CTR \+\d+\.\d% .*100\.0% chance of being best/);
  assert.deepEqual(publisher.applied.at(-1), { videoId: 'vid9', variant: { title: 'Other title' } });
  assert.match((await cli('show', id)).out, /decision .*: b applied/);

  const again = await cli('stop', id);
  assert.equal(again.code, 1);
  assert.match(again.err, /CONFLICT\] \(id\): experiment .* is decided already/);
  const unknown = await cli('show', 'ffffffff');
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /NOT_FOUND/);
});

/** Daily rows: 3 launch days of a, then abba baab …, b's CTR `lift` times a's, with a launch that doubles the CTR. */
function periodCsv(days: number, lift: number): string {
  const order = 'aaa' + 'abbabaab'.repeat(8);
  const lines = ['variant,period_start,period_end,impressions,clicks,views,avg_view_duration_sec'];
  for (let d = 0; d < days; d++) {
    const start = new Date(Date.UTC(2025, 4, 1 + d, 7));
    const end = new Date(Date.UTC(2025, 4, 2 + d, 7));
    const v = order[d]!;
    const ctr = 0.05 * (1 + Math.exp(-d / 2)) * (v === 'b' ? lift : 1);
    lines.push(`${v},${start.toISOString()},${end.toISOString()},10000,${Math.round(10000 * ctr)},${Math.round(9000 * ctr)},${v === 'b' ? 50 : 120}`);
  }
  return lines.join('\n');
}

test('decide: the verdict on a CSV with no experiment, as JSON, sequential, or on watch time', async () => {
  const file = join(dir, 'periods.csv');
  await writeFile(file, periodCsv(27, 1.25));
  const json = await cli('decide', file, '--json');
  assert.equal(json.code, 0, json.err);
  const v = JSON.parse(json.out) as Record<string, unknown>;
  assert.deepEqual(Object.keys(v).slice(0, 8), ['status', 'winner', 'stoppedAt', 'lift', 'interval', 'probabilityBest', 'expectedLoss', 'reason']);
  assert.equal(v.status, 'winner');
  assert.equal(v.winner, 'b');
  assert.equal(v.stoppedAt, '2025-05-28T07:00:00.000Z');
  assert.ok(Math.abs((v.lift as number) - 0.25) < 0.02, `lift ${String(v.lift)}`);
  const [lo, hi] = v.interval as [number, number];
  assert.ok(lo > 0.15 && hi < 0.35 && lo < (v.lift as number) && (v.lift as number) < hi);
  assert.ok((v.probabilityBest as Record<string, number>).b! > 0.995);
  assert.ok((v.expectedLoss as Record<string, number>).b! < 0.001);

  const sequential = JSON.parse((await cli('decide', file, '--json', '--sequential')).out) as Record<string, unknown>;
  assert.equal(sequential.winner, 'b');
  assert.ok(Date.parse(sequential.stoppedAt as string) < Date.parse('2025-05-28T07:00:00.000Z'), `stopped at ${String(sequential.stoppedAt)}`);

  const text = await cli('decide', file, '--sequential');
  assert.match(text.out, /^winner: b, the test would have stopped after the period ending 2025-05-\d\dT07:00:00.000Z$/m);
  assert.match(text.out, /^lift: b vs a \+2\d\.\d% CTR \(95% interval/m);
  assert.match(text.out, /^b\s+\d+\s+[\d,]+\s+[\d,]+\s+\d+\.\d\d%\s+\d+\.\d%/m);

  // b is clicked 25 % more but watched 50 s against 120 s: on watch time a wins
  const watch = JSON.parse((await cli('decide', file, '--json', '--metric', 'watch-time')).out) as Record<string, unknown>;
  assert.equal(watch.winner, 'a');
  assert.equal(watch.metric, 'watch-time');

  await writeFile(file, periodCsv(27, 1));
  const same = JSON.parse((await cli('decide', file, '--json', '--sequential')).out) as Record<string, unknown>;
  assert.equal(same.status, 'continue');
  assert.equal(same.winner, null);
  assert.equal(same.stoppedAt, null);

  await writeFile(file, 'date,impressions,clicks\n2025-05-01,100,5\n');
  const noVariant = await cli('decide', file);
  assert.equal(noVariant.code, 2);
  assert.match(noVariant.err, /line 2 has no variant: "decide" has no experiment/);
});

test('create --from a make run folder, once per run, then stop by hand with a winner', async () => {
  const out = join(dir, 'run');
  await mkdir(join(out, 'thumbnails'), { recursive: true });
  for (const v of ['t1', 't2', 't3']) await writeFile(join(out, 'thumbnails', `${v}.jpg`), Buffer.from([0xff, 0xd8]));
  await writeFile(join(out, 'pipeline.json'), JSON.stringify({
    pipelineId: 'run-123',
    stages: {
      thumbnail: { output: { variants: ['t1', 't2', 't3'].map((v) => ({ id: v, path: `thumbnails/${v}.jpg` })) } },
      metadata: { output: { metadata: { title: 'Main title', titleAlternatives: ['Second title'] } } },
      upload: { output: { videoId: 'local-77' } },
    },
  }));
  const first = await cli('create', '--from', out, '--hours', '1');
  assert.equal(first.code, 0, first.err);
  assert.match(first.out, /created experiment [0-9a-f-]{36} for video local-77/);
  assert.match(first.out, /rotating every 1 h/);
  assert.match(first.out, /^t3\s.*Main title \/ .*thumbnails\/t3\.jpg$/m, 'titles repeat over the thumbnails');
  assert.deepEqual(publisher.applied.at(-1), { videoId: 'local-77', variant: { title: 'Main title', thumbnailKey: join(out, 'thumbnails', 't1.jpg') } });
  const applied = publisher.applied.length;
  const second = await cli('create', '--from', out);
  assert.match(second.out, /the run already has experiment/);
  assert.equal(publisher.applied.length, applied, 'nothing applied for an existing experiment');

  const runId = /experiment ([0-9a-f-]{36})/.exec(first.out)?.[1] ?? '';
  const badWinner = await cli('stop', runId, '--winner', 'zz');
  assert.equal(badWinner.code, 1);
  assert.match(badWinner.err, /\(winner\).*its variants are t1, t2, t3/);
  const stopped = await cli('stop', runId, '--winner', 't2');
  assert.equal(stopped.code, 0, stopped.err);
  assert.match(stopped.out, /^stopped: t2 applied for good \(stopped by hand\)/);
  assert.match((await cli('list', '--status', 'stopped')).out, new RegExp(runId.slice(0, 8)));
});

test('create --from D --video <id>: the YouTube copy gets its own experiment; one experiment per video', async () => {
  const out = join(dir, 'published');
  await mkdir(join(out, 'thumbnails'), { recursive: true });
  for (const v of ['t1', 't2']) await writeFile(join(out, 'thumbnails', `${v}.jpg`), Buffer.from([0xff, 0xd8]));
  const record = {
    pipelineId: 'run-456',
    stages: {
      thumbnail: { output: { variants: ['t1', 't2'].map((v) => ({ id: v, path: `thumbnails/${v}.jpg` })) } },
      metadata: { output: { metadata: { title: 'Main title', titleAlternatives: ['Second title'] } } },
      upload: { output: { videoId: 'local-88' } },
      abtest: { output: { testId: '' } },
    },
  };
  await writeFile(join(out, 'pipeline.json'), JSON.stringify(record));
  // "faceless make" started the run's experiment on its local video, and wrote its id in pipeline.json
  const local = await cli('create', '--from', out);
  assert.equal(local.code, 0, local.err);
  const localId = /created experiment ([0-9a-f-]{36}) for video local-88/.exec(local.out)?.[1] ?? '';
  assert.ok(localId, local.out);
  record.stages.abtest.output.testId = localId;
  await writeFile(join(out, 'pipeline.json'), JSON.stringify(record));

  // "faceless publish" uploaded it to YouTube as yt-abc and printed this command
  const applied = publisher.applied.length;
  const youtube = await cli('create', '--from', out, '--video', 'yt-abc');
  assert.equal(youtube.code, 0, youtube.err);
  const ytId = /^created experiment ([0-9a-f-]{36}) for video yt-abc; t1 is live$/m.exec(youtube.out)?.[1] ?? '';
  assert.ok(ytId && ytId !== localId, youtube.out);
  assert.match(youtube.out, /^video yt-abc, rotating every day/m);
  assert.deepEqual(publisher.applied.slice(applied), [{ videoId: 'yt-abc', variant: { title: 'Main title', thumbnailKey: join(out, 'thumbnails', 't1.jpg') } }]);

  // again: the same experiment, nothing sent to YouTube; without --video, the run's own
  const again = await cli('create', '--from', out, '--video', 'yt-abc');
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, new RegExp(`^the run already has experiment ${ytId} for video yt-abc$`, 'm'));
  const own = await cli('create', '--from', out);
  assert.match(own.out, new RegExp(`^the run already has experiment ${localId} for video local-88$`, 'm'));
  assert.equal(publisher.applied.length, applied + 1);

  // a second experiment on the same video is refused, naming the running one and the way out
  const clash = await cli('create', '--video', 'yt-abc', '--variant', 'a:A', '--variant', 'b:B');
  assert.equal(clash.code, 1);
  assert.match(clash.err, new RegExp(`CONFLICT\\] \\(video\\): video yt-abc already has running experiment ${ytId} \\(of run run-456@yt-abc\\).*faceless abtest stop ${ytId.slice(0, 8)}`));
  const list = await cli('list', '--status', 'running');
  assert.match(list.out, new RegExp(`^${ytId.slice(0, 8)}\\s+running\\s+yt-abc`, 'm'));
  assert.match(list.out, new RegExp(`^${localId.slice(0, 8)}\\s+running\\s+local-88`, 'm'));
});
