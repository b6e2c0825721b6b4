import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { EVENT_NAMES, PipelineRequest, STAGES, STAGE_KEYS, type StageKey } from '@faceless/contracts';
import { FolderStore, MemoryCheckpointStore, MemoryEventBus } from '@faceless/infra';
import { buildStageApp, createLogger, defineStage, type Stage } from '@faceless/runtime';
import { FAKE_STAGE_OUTPUTS } from './fake-stage-outputs.ts';
import { WordCountInput, WordCountOutput, wordCounter } from './fixtures/word-counter/stage.ts';
import { HttpStageClient } from './http-stage-client.ts';
import { InstancePool } from './instance-pool.ts';
import { runPipeline, type PipelineCheckpoint } from './pipeline-runner.ts';
import { toPipelineStatus } from './pipeline-status.ts';
import { SEED_CATALOG, type PipelineStage, type StageCatalog } from './stage-catalog.ts';
import { InProcessStageClient, type StageClient } from './stage-client.ts';

test('the seed catalog is the contract\'s stage list, in order, with the long timeout on the stages that grow with the video', () => {
  assert.deepEqual(SEED_CATALOG.map((s) => [s.key, s.service, s.port, s.route, s.state, s.event]), STAGES.map((s) => [s.key, s.service, s.port, s.route, s.state, s.event]));
  assert.deepEqual(SEED_CATALOG.filter((s) => s.timeout === 'long').map((s) => s.key), ['audio', 'video', 'upload']);
  assert.ok(SEED_CATALOG.every((s) => s.summary.length > 10 && !s.summary.includes('\n')));
  // Each builder gives its stage an input its own schema accepts, chained from the canned outputs.
  const request = PipelineRequest.parse({ topic: 'octopuses', channel: 'main' });
  for (const stage of SEED_CATALOG) {
    const input = stage.buildInput({ pipelineId: 'p1', request, outputPrefix: 'pipelines/p1/', outputs: FAKE_STAGE_OUTPUTS as never });
    const parsed = stage.input.safeParse(input);
    assert.ok(parsed.success, `${stage.key}: ${parsed.success ? '' : parsed.error.message}`);
  }
});

/** The one catalog entry that adds the word counter after the script: nothing else changes. */
const WORD_COUNT: PipelineStage<'word-count'> = {
  key: 'word-count', service: 'word-counter', port: 3010, route: '/words/count', state: 'Running', timeout: 'short',
  input: WordCountInput, output: WordCountOutput, summary: 'counts the words of the script (a fixture stage)',
  buildInput: ({ outputs, outputPrefix }) => {
    const script = outputs.script?.script;
    return { outputPrefix, text: [script?.hook, ...(script?.sections ?? []).map((s) => s.narration), script?.callToAction].join(' ') };
  },
  eventData: (output) => ({ words: (output as { words: number }).words }),
};
type Key = StageKey | 'word-count';
const CATALOG: StageCatalog<Key> = [...SEED_CATALOG.slice(0, 2), WORD_COUNT, ...SEED_CATALOG.slice(2)];

/** Seed stages that answer their canned outputs: the fixture's pipeline needs them, not their work. */
const fakeSeedStage = (key: StageKey): Stage => defineStage({ name: key, input: z.any(), output: z.any(), run: () => Promise.resolve(FAKE_STAGE_OUTPUTS[key]) });

let root: string;
const closers: (() => Promise<void>)[] = [];
before(async () => { root = await mkdtemp(join(tmpdir(), 'stage-catalog-')); });
after(async () => {
  for (const close of closers) await close();
  await rm(root, { recursive: true, force: true });
});

async function run(client: StageClient<Key>, id: string): Promise<{ cp: PipelineCheckpoint<Key>; events: string[] }> {
  const bus = new MemoryEventBus();
  const cp = await runPipeline({
    pipelineId: id, request: PipelineRequest.parse({ topic: 'octopuses' }), outputPrefix: `pipelines/${id}/`, catalog: CATALOG, client,
    checkpoints: new MemoryCheckpointStore<PipelineCheckpoint<Key>>(), bus, retry: { attempts: 1, baseDelayMs: 1 },
  });
  return { cp, events: bus.published.map((e) => e.name) };
}

test('a stage is added by its folder and one catalog entry: it runs between the seed\'s stages in process and over HTTP, and the seed\'s events stay as they were', async () => {
  const store = new FolderStore(root);
  const log = createLogger({ level: 'error' });
  const inProcess = new InProcessStageClient<Key>({
    stages: (key) => Promise.resolve(key === 'word-count' ? wordCounter : fakeSeedStage(key)), store, log, workRoot: root,
  });

  // Over HTTP: the word counter served by the runtime's stage host, the seed stages by one fake answering JSON by route.
  const counterApp = buildStageApp({ stage: wordCounter, route: WORD_COUNT.route, service: WORD_COUNT.service, createContext: () => ({ store }), logger: false });
  const counterUrl = await counterApp.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => counterApp.close());
  const seed = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const stage = STAGES.find((s) => s.route === req.url);
      res.writeHead(stage ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(stage ? FAKE_STAGE_OUTPUTS[stage.key] : {}));
    });
  });
  await new Promise<void>((resolve) => seed.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => { seed.close(() => resolve()); }));
  const seedUrl = `http://127.0.0.1:${(seed.address() as AddressInfo).port}`;
  const pools = Object.fromEntries([...STAGE_KEYS.map((k) => [k, new InstancePool([seedUrl])]), ['word-count', new InstancePool([counterUrl])]]) as Record<Key, InstancePool>;
  const http = new HttpStageClient<Key>({ catalog: CATALOG, pools });

  const a = await run(inProcess, 'p-in');
  const b = await run(http, 'p-http');
  for (const { cp, events } of [a, b]) {
    assert.equal(cp.state, 'Completed');
    assert.deepEqual(Object.keys(cp.stages), ['keywords', 'script', 'word-count', 'audio', 'video', 'thumbnail', 'metadata', 'upload', 'abtest']);
    assert.deepEqual(events, EVENT_NAMES.filter((n) => n !== 'pipeline.failed'), 'a stage without a seed event adds none');
    assert.equal((cp.stages['word-count']?.output as { words: number }).words, 3, 'its input was built from the script (hook, one section, call to action)');
    const shown = toPipelineStatus(cp, CATALOG).stages.find((s) => s.stage === 'word-count');
    assert.deepEqual([shown?.service, shown?.status, typeof shown?.durationMs], ['word-counter', 'completed', 'number'], 'the status lists it');
  }
  assert.equal(await readFile(join(root, 'pipelines/p-http/word-count.json'), 'utf8'), '{"words":3}');
  assert.equal(await readFile(join(root, 'pipelines/p-in/word-count.json'), 'utf8'), '{"words":3}');
});
