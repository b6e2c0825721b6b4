import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { PipelineStatus, ThumbnailGenerateOutput, UploadOutput } from '@faceless/contracts';
import { sseUntilClosed } from './http-test-client.ts';
import { startServe, type ServeHandle } from './serve-command.ts';
import { serveTestEnv } from './serve-test-env.ts';

const temps: string[] = [];
let served: ServeHandle | undefined;
after(async () => {
  await served?.close();
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

test('faceless serve: review before publishing through the gateway; a restart keeps Review; a rejection ends the event stream, an approval publishes the edits', { timeout: 480_000 }, async () => {
  const work = await mkdtemp(join(tmpdir(), 'faceless-serve-review-'));
  temps.push(work);
  const env = serveTestEnv(work);
  served = await startServe({ port: 0, host: '127.0.0.1', env });
  const api = (path: string, body?: object): Promise<Response> => fetch(`${served?.url ?? ''}/api/pipelines${path}`, body
    ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
    : {});
  const status = async (id: string): Promise<PipelineStatus> => (await api(`/status/${id}`)).json() as Promise<PipelineStatus>;
  const waitFor = async (id: string, state: string): Promise<PipelineStatus> => {
    const deadline = Date.now() + 200_000;
    for (;;) {
      const s = await status(id);
      if (s.state === state) return s;
      assert.ok(s.state !== 'Failed' && Date.now() < deadline, `pipeline ${id} is ${s.state}, waiting for ${state}: ${JSON.stringify(s.error)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  const start = async (topic: string): Promise<string> => {
    const res = await api('/start', { topic, durationSec: 15, review: true });
    assert.equal(res.status, 202);
    return ((await res.json()) as { pipelineId: string }).pipelineId;
  };

  const approveId = await start('Why octopuses have three hearts');
  const rejectId = await start('How squid change colour');
  const waiting = await waitFor(approveId, 'Review');
  await waitFor(rejectId, 'Review');
  assert.equal(waiting.review?.thumbnails, (waiting.stages.find((s) => s.stage === 'thumbnail')?.output as ThumbnailGenerateOutput).variants.length);
  assert.ok((waiting.review?.thumbnails ?? 0) >= 2 && waiting.review?.title, JSON.stringify(waiting.review));
  assert.deepEqual(waiting.stages.map((s) => s.status), [...Array(6).fill('completed'), 'pending', 'pending']);
  for (const s of waiting.stages.slice(0, 6)) {
    assert.ok(s.startedAt && s.endedAt && s.durationMs === Date.parse(s.endedAt) - Date.parse(s.startedAt), JSON.stringify(s));
  }

  // A restart: the pipelines in Review are not resumed (they wait for a person), and are still in Review.
  const dataDir = served.checkpointDir;
  await served.close();
  served = await startServe({ port: 0, host: '127.0.0.1', env });
  assert.equal(served.checkpointDir, dataDir);
  assert.deepEqual(served.resumed, []);
  assert.deepEqual([(await status(approveId)).state, (await status(rejectId)).state], ['Review', 'Review']);

  // Rejected: the event stream sends pipeline.failed and closes, as for any failure.
  const stream = sseUntilClosed(served.url, rejectId, {}, 30_000);
  await new Promise((r) => setTimeout(r, 300));
  const rejected = await api(`/${rejectId}/review`, { decision: 'reject', reason: 'the voice is too fast' });
  assert.deepEqual([rejected.status, ((await rejected.json()) as { state: string }).state], [202, 'Failed']);
  const names = (await stream).map((f) => f.event).filter((n) => n !== 'progress');
  assert.deepEqual([names.length, names.at(-1), names.filter((n) => n === 'pipeline.failed').length], [8, 'pipeline.failed', 1]);
  const failed = await status(rejectId);
  assert.deepEqual([failed.error?.stage, failed.error?.code], ['upload', 'REVIEW_REJECTED']);
  assert.match(failed.error?.message ?? '', /too fast/);

  // Approved with edits: published to the local channel with them.
  const approved = await api(`/${approveId}/review`, { decision: 'approve', title: 'Three hearts, reviewed', description: 'Checked by a person.', thumbnail: 1 });
  assert.deepEqual([approved.status, ((await approved.json()) as { state: string }).state], [202, 'Queued']);
  const done = await waitFor(approveId, 'Completed');
  const upload = done.stages.find((s) => s.stage === 'upload')?.output as UploadOutput;
  const record = JSON.parse(await readFile(join(served.storeDir, upload.recordPath ?? ''), 'utf8')) as { title: string; description: string; thumbnail: { key: string } };
  const thumbnails = (done.stages.find((s) => s.stage === 'thumbnail')?.output as ThumbnailGenerateOutput).variants;
  assert.deepEqual([record.title, record.description, record.thumbnail.key], ['Three hearts, reviewed', 'Checked by a person.', thumbnails[1]?.path]);
  const again = await api(`/${approveId}/review`, { decision: 'approve' });
  assert.equal(again.status, 409);
});
