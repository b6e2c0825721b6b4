import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { STAGES } from '@faceless/contracts';
import type { PipelineCheckpoint } from '@faceless/pipeline';

const BIN = fileURLToPath(new URL('../bin/faceless.js', import.meta.url));
const work = await mkdtemp(join(tmpdir(), 'faceless-e2e-timings-'));
after(() => rm(work, { recursive: true, force: true }));

const outDir = join(work, 'out');
const env = { ...process.env, FACELESS_DATA_DIR: join(work, 'data'), LOCAL_CHANNEL_DIR: join(work, 'channels'), FACELESS_CACHE_DIR: join(work, 'cache') };
const make = async (...extra: string[]): Promise<string> => {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'make', 'Why cats purr', '--duration', '15', '--out', outDir, ...extra], { env, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
};

interface Row { stage: string; wall: string; share?: string; step?: string }

/** The waterfall's rows after its header, up to the total; undefined when there is no waterfall. */
function waterfall(stdout: string): Row[] | undefined {
  const lines = stdout.split('\n');
  const header = lines.findIndex((l) => /^stage\s+wall\s+share\s+slowest step$/.test(l));
  if (header < 0) return undefined;
  const rows: Row[] = [];
  for (const line of lines.slice(header + 1)) {
    const m = /^(\S+)\s+(resumed|[\d.]+ s|\d+ m \d\d s)(?:\s+(\d+ %))?(?:\s+[█▏][█▏ ]*?)?(?:\s{2,}(.+))?$/.exec(line);
    assert.ok(m, `a waterfall row: "${line}"`);
    const [, stage = '', wall = '', share, step] = m;
    if (stage === 'total') break;
    rows.push({ stage, wall, ...(share ? { share } : {}), ...(step ? { step } : {}) });
  }
  return rows;
}

const seconds = (wall: string): number => {
  const m = /^(?:(\d+) m )?([\d.]+) s$/.exec(wall);
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : Number.NaN;
};

/** Makes the next run redo the thumbnail stage alone: the others are kept from the checkpoint. */
async function forgetThumbnail(): Promise<void> {
  const path = join(outDir, 'pipeline.json');
  const cp = JSON.parse(await readFile(path, 'utf8')) as PipelineCheckpoint;
  const { thumbnail: _t, ...stages } = cp.stages;
  await writeFile(path, JSON.stringify({ ...cp, stages, state: 'Thumbnail', currentStage: 'thumbnail' }));
}

test('make --timings prints a waterfall of every stage after the summary; the video\'s slowest step is an ffmpeg run', { timeout: 300_000 }, async () => {
  const stdout = await make('--timings');
  const rows = waterfall(stdout);
  assert.ok(rows, stdout);
  assert.ok(stdout.indexOf('run record') < stdout.indexOf('slowest step'), 'the waterfall comes after the summary');
  assert.deepEqual(rows.map((r) => r.stage), STAGES.map((s) => s.key));
  for (const row of rows) assert.ok(seconds(row.wall) >= 0 && row.share, `${row.stage} ran: ${row.wall} ${row.share}`);
  const video = rows.find((r) => r.stage === 'video');
  assert.ok(video && seconds(video.wall) > 0, `video took ${video?.wall}`);
  assert.match(video.step ?? '', /^ffmpeg [\d.]+ s \(/);
  const shares = rows.reduce((sum, r) => sum + Number.parseInt(r.share ?? '0', 10), 0);
  assert.equal(shares, 100);
  assert.ok(!stdout.includes('\x1b['), 'plain text when stdout is not a terminal');
});

test('a resumed make shows the kept stages as resumed; without --timings there is no waterfall', { timeout: 300_000 }, async () => {
  await forgetThumbnail();
  const resumed = await make('--timings');
  assert.match(resumed, /Resuming the run/);
  const rows = waterfall(resumed);
  assert.ok(rows, resumed);
  for (const row of rows) {
    if (row.stage === 'thumbnail') assert.ok(seconds(row.wall) > 0 && row.share === '100 %', `thumbnail ${row.wall} ${row.share}`);
    else assert.equal(row.wall, 'resumed', row.stage);
  }
  assert.equal(rows.length, STAGES.length);

  await forgetThumbnail();
  const plain = await make();
  assert.match(plain, /Done\. Here is what faceless made/);
  assert.equal(waterfall(plain), undefined);
  assert.doesNotMatch(plain, /slowest step/);
});
