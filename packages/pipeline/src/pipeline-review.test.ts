import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENT_NAMES, PipelineRequest, PipelineStatus, type StageKey } from '@faceless/contracts';
import { MemoryCheckpointStore, MemoryEventBus, MemoryEventHistory } from '@faceless/infra';
import type { FacelessError } from '@faceless/runtime';
import { FAKE_STAGE_OUTPUTS } from './fake-stage-outputs.ts';
import { InProcessPipelineQueue } from './in-process-queue.ts';
import { newCheckpoint, runPipeline, type PipelineCheckpoint } from './pipeline-runner.ts';
import { toPipelineStatus } from './pipeline-status.ts';
import { decideReview } from './review-decision.ts';
import type { StageClient } from './stage-client.ts';

const OUTPUTS = FAKE_STAGE_OUTPUTS;
const reviewed = PipelineRequest.parse({ topic: 'octopuses', review: true });
const fast = { attempts: 1, baseDelayMs: 1 };

function recordingClient(): StageClient & { calls: { stage: StageKey; input: unknown }[] } {
  const calls: { stage: StageKey; input: unknown }[] = [];
  return {
    calls,
    call(stage, input) {
      calls.push({ stage, input });
      return Promise.resolve(OUTPUTS[stage]);
    },
  };
}

function setup() {
  const checkpoints = new MemoryCheckpointStore<PipelineCheckpoint>();
  const bus = new MemoryEventBus();
  const history = new MemoryEventHistory();
  const client = recordingClient();
  const run = (id: string, request = reviewed) => runPipeline({ pipelineId: id, request, client, checkpoints, bus, history, retry: fast });
  return { checkpoints, bus, history, client, run };
}

const isCode = (code: string, field?: string) => (err: FacelessError) => err.code === code && (field === undefined || err.field === field);

test('a pipeline started with review runs every stage before the upload, then waits in Review with no event of its own', async () => {
  const { checkpoints, bus, client, run } = setup();
  const cp = await run('r1');
  assert.equal(cp.state, 'Review');
  assert.deepEqual(client.calls.map((c) => c.stage), ['keywords', 'script', 'audio', 'video', 'thumbnail', 'metadata']);
  assert.deepEqual(bus.published.map((e) => e.name), EVENT_NAMES.slice(0, 7), 'the seed\'s events up to pipeline.metadata.completed, nothing more');
  assert.deepEqual((await checkpoints.load('r1'))?.state, 'Review', 'saved: a restart finds it in Review');

  const status = toPipelineStatus(cp);
  assert.equal(PipelineStatus.safeParse(status).success, true);
  assert.deepEqual(status.review, { title: 'T', titles: ['T', 'T2'], description: '', thumbnails: 2, thumbnail: 0 });
  assert.deepEqual(status.stages.map((s) => s.status), [...Array(6).fill('completed'), 'pending', 'pending'], 'the upload waits; it has not started');
  assert.equal(status.currentStage, 'upload');

  // Run again (a stale job, a restart): it stays in Review and calls nothing.
  assert.equal((await run('r1')).state, 'Review');
  assert.equal(client.calls.length, 6);
  assert.equal(bus.published.length, 7);
});

test('approved with edits: queued again, it resumes at the upload (no stage runs twice) with the title, description and thumbnail chosen', async () => {
  const { checkpoints, bus, history, client, run } = setup();
  await run('r2');
  const queued: string[] = [];
  const state = await decideReview((await checkpoints.load('r2'))!, { decision: 'approve', title: 'Octopuses, edited', description: 'By hand.', thumbnail: 1 }, {
    checkpoints, bus, history, enqueue: (id) => { queued.push(id); return Promise.resolve(); },
  });
  assert.deepEqual([state, queued, (await checkpoints.load('r2'))?.state], ['Queued', ['r2'], 'Queued']);

  const done = await run('r2');
  assert.equal(done.state, 'Completed');
  assert.deepEqual(client.calls.slice(6).map((c) => c.stage), ['upload', 'abtest']);
  const upload = client.calls[6]?.input as { thumbnailPath: string; metadata: { title: string; description: string; titleAlternatives: string[] } };
  assert.equal(upload.metadata.title, 'Octopuses, edited');
  assert.equal(upload.metadata.description, 'By hand.');
  assert.equal(upload.thumbnailPath, 'thumbnails/thumb-2.jpg');
  // The A/B test starts with what was uploaded live: the chosen thumbnail first, under the edited title.
  const abtest = client.calls[7]?.input as { variants: { label: string; thumbnailPath: string; title: string }[] };
  assert.deepEqual(abtest.variants.map((v) => [v.label, v.thumbnailPath, v.title]), [['B', 'thumbnails/thumb-2.jpg', 'Octopuses, edited'], ['A', 'thumbnails/thumb-1.jpg', 'T']]);
  assert.deepEqual(bus.published.map((e) => e.name), EVENT_NAMES.filter((n) => n !== 'pipeline.failed'), 'the seed\'s sequence, once each');
  assert.deepEqual(bus.published.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('approved as proposed: the upload gets the metadata stage\'s own title and thumbnail', async () => {
  const { checkpoints, bus, history, client, run } = setup();
  await run('r3');
  await decideReview((await checkpoints.load('r3'))!, { decision: 'approve' }, { checkpoints, bus, history, enqueue: () => Promise.resolve() });
  await run('r3');
  const upload = client.calls.find((c) => c.stage === 'upload')?.input as { thumbnailPath: string; metadata: { title: string } };
  assert.deepEqual([upload.metadata.title, upload.thumbnailPath], ['T', 'thumbnails/thumb-1.jpg']);
});

test('a decision is refused with NOT_IN_REVIEW when the pipeline does not wait for one, and INVALID_INPUT naming thumbnail out of range', async () => {
  const { checkpoints, bus, history, run } = setup();
  const deps = { checkpoints, bus, history, enqueue: () => Promise.resolve() };
  const plain = await run('r4', PipelineRequest.parse({ topic: 'octopuses' }));
  assert.equal(plain.state, 'Completed');
  await assert.rejects(decideReview(plain, { decision: 'approve' }, deps), (err: FacelessError) =>
    isCode('NOT_IN_REVIEW', 'id')(err) && /started without "review": true/.test(err.message));
  const waiting = await run('r5');
  await assert.rejects(decideReview(waiting, { decision: 'approve', thumbnail: 2 }, deps), (err: FacelessError) =>
    isCode('INVALID_INPUT', 'thumbnail')(err) && /made 2 thumbnails/.test(err.message));
  assert.equal((await checkpoints.load('r5'))?.state, 'Review', 'a refused decision changes nothing');
  const early = newCheckpoint('r7', reviewed, 'pipelines/r7/', new Date().toISOString());
  await assert.rejects(decideReview({ ...early, state: 'Audio' }, { decision: 'approve' }, deps), (err: FacelessError) =>
    isCode('NOT_IN_REVIEW', 'id')(err) && /still running: decide once its state is Review/.test(err.message));
});

test('rejected: Failed at the upload with REVIEW_REJECTED and one pipeline.failed, even when two decisions race; a retry waits in Review again without running a stage', async () => {
  const { checkpoints, bus, history, client } = setup();
  const queue = new InProcessPipelineQueue({ client, checkpoints, bus, history, retry: fast });
  await checkpoints.save('r6', newCheckpoint('r6', reviewed, 'pipelines/r6/', new Date().toISOString()));
  await queue.enqueue('r6');
  await queue.idle();
  assert.equal((await checkpoints.load('r6'))?.state, 'Review');

  const decisions = await Promise.allSettled([
    queue.review('r6', { decision: 'reject', reason: 'the hook is off-topic' }),
    queue.review('r6', { decision: 'reject' }),
  ]);
  assert.deepEqual(decisions.map((d) => d.status).sort(), ['fulfilled', 'rejected']);
  const refused = decisions.find((d) => d.status === 'rejected');
  assert.equal((refused?.reason as FacelessError).code, 'NOT_IN_REVIEW');
  await assert.rejects(queue.review('r6', { decision: 'approve' }), (err: FacelessError) => isCode('NOT_IN_REVIEW', 'id')(err) && /rejected already/.test(err.message));

  const failed = bus.published.filter((e) => e.name === 'pipeline.failed');
  assert.equal(failed.length, 1);
  assert.equal(failed[0]?.stage, 'upload');
  assert.equal(failed[0]?.data.code, 'REVIEW_REJECTED');
  const cp = await checkpoints.load('r6');
  assert.deepEqual([cp?.state, cp?.error?.stage, cp?.error?.code], ['Failed', 'upload', 'REVIEW_REJECTED']);
  assert.match(cp?.error?.message ?? '', /off-topic|rejected at review$/);
  assert.deepEqual(await history.read('r6'), bus.published);

  // A retry (as POST /pipelines/:id/retry does it) runs no stage: it is back in Review.
  await checkpoints.save('r6', { ...cp!, state: 'Retry' });
  await queue.enqueue('r6');
  await queue.idle();
  assert.equal((await checkpoints.load('r6'))?.state, 'Review');
  assert.equal(client.calls.length, 6);
  await queue.close();
});

test('in process, a pipeline in Review holds no slot: with concurrency 1 the next one completes while it waits, and approval completes it', async () => {
  const { checkpoints, bus, history, client } = setup();
  const queue = new InProcessPipelineQueue({ client, checkpoints, bus, history, retry: fast, concurrency: 1 });
  const at = new Date().toISOString();
  await checkpoints.save('first', newCheckpoint('first', reviewed, 'pipelines/first/', at));
  await checkpoints.save('second', newCheckpoint('second', PipelineRequest.parse({ topic: 'squid' }), 'pipelines/second/', at));
  await queue.enqueue('first');
  await queue.enqueue('second');
  await queue.idle();
  assert.deepEqual([(await checkpoints.load('first'))?.state, (await checkpoints.load('second'))?.state], ['Review', 'Completed']);
  assert.deepEqual([queue.active(), queue.queued()], [[], []]);

  assert.equal(await queue.review('first', { decision: 'approve', title: 'Edited' }), 'Queued');
  await queue.idle();
  assert.equal((await checkpoints.load('first'))?.state, 'Completed');
  const uploads = client.calls.filter((c) => c.stage === 'upload').map((c) => (c.input as { pipelineId: string; metadata: { title: string } }));
  assert.deepEqual(uploads.map((u) => [u.pipelineId, u.metadata.title]), [['second', 'T'], ['first', 'Edited']]);
  await queue.close();
});

test('a pipeline cancelled while in Review ends Failed (CANCELLED) at the upload with one pipeline.failed; a decision after it meets NOT_IN_REVIEW', async () => {
  const { checkpoints, bus, history, client } = setup();
  const queue = new InProcessPipelineQueue({ client, checkpoints, bus, history, retry: fast });
  await checkpoints.save('r7', newCheckpoint('r7', reviewed, 'pipelines/r7/', new Date().toISOString()));
  await queue.enqueue('r7');
  await queue.idle();
  assert.equal(await queue.cancel('r7'), 'dequeued');
  const cp = await checkpoints.load('r7');
  assert.deepEqual([cp?.state, cp?.error?.stage, cp?.error?.code], ['Failed', 'upload', 'CANCELLED']);
  assert.deepEqual(bus.published.filter((e) => e.name === 'pipeline.failed').map((e) => e.stage), ['upload']);
  await assert.rejects(queue.review('r7', { decision: 'approve' }), isCode('NOT_IN_REVIEW'));
  await queue.close();
});
