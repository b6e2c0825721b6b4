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
    [['frobnicate'], /frobnicate: unknown abtest command/],
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
  const created = await cli('create', '--video', 'vid9', '--variant', 'a:Title: with colon:a.jpg', '--variant', 'b:Other title', '--min-impressions', '500');
  assert.equal(created.code, 0, created.err);
  id = /created experiment ([0-9a-f-]{36})/.exec(created.out)?.[1] ?? '';
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.deepEqual(publisher.applied, [{ videoId: 'vid9', variant: { title: 'Title: with colon', thumbnailKey: join(dir, 'a.jpg') } }]);

  const missingThumb = await cli('create', '--video', 'vid9', '--variant', 'a:A:none.jpg', '--variant', 'b:B');
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
  assert.match(shown.out, /next rotation 2025-03-12T07:00:00.000Z: a/);

  const decided = await cli('evaluate', id);
  assert.equal(decided.code, 0, decided.err);
  assert.match(decided.out, /^decided: b applied for good \(b has a 100\.0% chance of the best CTR/);
  assert.deepEqual(publisher.applied.at(-1), { videoId: 'vid9', variant: { title: 'Other title' } });
  assert.match((await cli('show', id)).out, /decision .*: b applied/);

  const again = await cli('stop', id);
  assert.equal(again.code, 1);
  assert.match(again.err, /CONFLICT\] \(id\): experiment .* is decided already/);
  const unknown = await cli('show', 'ffffffff');
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /NOT_FOUND/);
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
  assert.match(first.out, /created experiment/);
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
