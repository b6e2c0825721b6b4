import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { FolderStore } from '@faceless/infra';
import { FacelessError, buildStageApp, createLogger, defineStage, sleep, type Stage } from '@faceless/runtime';
import { HttpStageClient } from './http-stage-client.ts';
import { InstancePool } from './instance-pool.ts';
import type { PipelineStage } from './stage-catalog.ts';
import { InProcessStageClient, type StageClient } from './stage-client.ts';

/**
 * One table of stage behaviours run through both stage clients: the in-process one and the HTTP
 * one against a real stage server on loopback. Each row's outcome (output, or error code, retry
 * decision and field), its progress reports and its cancellation must be the same for both.
 */

const Behaviour = z.enum(['success', 'retryable', 'permanent', 'quota', 'bucket', 'unexpected', 'progress', 'wait']);
const Input = z.strictObject({ behaviour: Behaviour, n: z.number().int().default(1) });
const Output = z.strictObject({ doubled: z.number() });

let started: (() => void) | undefined;
let abortsSeen = 0;
const behaviours: Stage = defineStage({
  name: 'behaviours',
  input: Input,
  output: Output,
  async run(input, ctx) {
    switch (input.behaviour) {
      case 'success': return { doubled: input.n * 2 };
      case 'retryable': throw new FacelessError('PROVIDER_UNAVAILABLE', 'the provider answered 503');
      case 'permanent': throw new FacelessError('MEDIA_FAILED', 'ffmpeg: invalid data found when processing input');
      // A code whose default is retryable, decided otherwise by the stage.
      case 'quota': throw new FacelessError('PROVIDER_RATE_LIMITED', 'insufficient_quota: add credit to the account', { retryable: false });
      case 'bucket': throw new FacelessError('STORAGE_FAILED', 'the bucket "media" does not exist', { retryable: false });
      case 'unexpected': throw new TypeError('cannot read properties of undefined');
      case 'progress':
        // Spaced wider than the HTTP stream's 500 ms, so both clients see every report.
        for (const f of [0.25, 0.5, 0.75, 1]) {
          ctx.progress(f, `step ${f * 4}`);
          await sleep(600);
        }
        return { doubled: input.n * 2 };
      case 'wait':
        ctx.progress(0.1, 'waiting');
        started?.();
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
        abortsSeen++;
        throw new FacelessError('CANCELLED', 'stopped');
    }
  },
});

/** The catalog entry of the behaviour stage: what the HTTP client reads to reach it. */
const entry: PipelineStage<'behaviours'> = {
  key: 'behaviours', service: 'behaviour-fixture', port: 0, route: '/fixture/behave', state: 'Running', timeout: 'short',
  input: Input, output: Output, summary: 'answers as its input says (conformance fixture)',
  buildInput: () => ({ behaviour: 'success' }), eventData: () => ({}),
};

type Outcome = { output: unknown } | { code: string; retryable: boolean; field?: string };

const ROWS: { name: string; input: unknown; expect: Outcome }[] = [
  { name: 'success', input: { behaviour: 'success', n: 21 }, expect: { output: { doubled: 42 } } },
  { name: 'retryable failure', input: { behaviour: 'retryable' }, expect: { code: 'PROVIDER_UNAVAILABLE', retryable: true } },
  { name: 'permanent failure', input: { behaviour: 'permanent' }, expect: { code: 'MEDIA_FAILED', retryable: false } },
  { name: 'exhausted quota (retryable code, not retried)', input: { behaviour: 'quota' }, expect: { code: 'PROVIDER_RATE_LIMITED', retryable: false } },
  { name: 'missing bucket (retryable code, not retried)', input: { behaviour: 'bucket' }, expect: { code: 'STORAGE_FAILED', retryable: false } },
  { name: 'unexpected error', input: { behaviour: 'unexpected' }, expect: { code: 'INTERNAL', retryable: false } },
  { name: 'invalid input', input: { behaviour: 'dance' }, expect: { code: 'INVALID_INPUT', retryable: false, field: 'behaviour' } },
];

async function outcome(client: StageClient<'behaviours'>, input: unknown): Promise<Outcome> {
  try {
    return { output: await client.call('behaviours', input, { pipelineId: 'p-conf', signal: new AbortController().signal }) };
  } catch (err) {
    assert.ok(err instanceof FacelessError, `a FacelessError, not ${String(err)}`);
    return { code: err.code, retryable: err.retryable, ...(err.field ? { field: err.field } : {}) };
  }
}

let root: string;
let server: { url: string; close: () => Promise<void> };
const clients: Record<'in-process' | 'http', StageClient<'behaviours'>> = {} as Record<'in-process' | 'http', StageClient<'behaviours'>>;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'stage-conformance-'));
  const store = new FolderStore(root);
  const app = buildStageApp({ stage: behaviours, route: entry.route, service: entry.service, createContext: () => ({ store }), logger: false });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  server = { url, close: () => app.close() };
  clients['in-process'] = new InProcessStageClient<'behaviours'>({ stages: () => Promise.resolve(behaviours), store, log: createLogger({ level: 'error' }), workRoot: root });
  clients.http = new HttpStageClient<'behaviours'>({ catalog: [entry], pools: { behaviours: new InstancePool([url]) }, shortTimeoutMs: 10_000 });
});
after(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('both stage clients keep one contract', () => {
  for (const row of ROWS) {
    test(row.name, async () => {
      const inProcess = await outcome(clients['in-process'], row.input);
      const http = await outcome(clients.http, row.input);
      assert.deepEqual(inProcess, row.expect, 'in process');
      assert.deepEqual(http, row.expect, 'over HTTP');
    });
  }

  test('progress: the same rising fractions and notes, while the stage works', async () => {
    const seen: Record<string, { fraction: number; note: string | undefined }[]> = {};
    await Promise.all((['in-process', 'http'] as const).map(async (name) => {
      const reports: { fraction: number; note: string | undefined }[] = [];
      seen[name] = reports;
      const out = await clients[name].call('behaviours', { behaviour: 'progress', n: 2 }, {
        pipelineId: 'p-conf', signal: new AbortController().signal, onProgress: (fraction, note) => reports.push({ fraction, note }),
      });
      assert.deepEqual(out, { doubled: 4 });
    }));
    const expected = [0.25, 0.5, 0.75, 1].map((f) => ({ fraction: f, note: `step ${f * 4}` }));
    assert.deepEqual(seen['in-process'], expected);
    assert.deepEqual(seen.http, expected);
  });

  test('cancellation: the caller\'s abort ends a running call with CANCELLED, not retryable, and the stage sees it', async () => {
    for (const name of ['in-process', 'http'] as const) {
      const controller = new AbortController();
      const running = new Promise<void>((resolve) => { started = resolve; });
      const result = clients[name].call('behaviours', { behaviour: 'wait' }, { pipelineId: 'p-conf', signal: controller.signal });
      await running;
      const before = abortsSeen;
      controller.abort();
      await assert.rejects(result, (err: unknown) => err instanceof FacelessError && err.code === 'CANCELLED' && !err.retryable, name);
      // Over HTTP the stage hears it when the server sees the connection close.
      for (let i = 0; i < 50 && abortsSeen === before; i++) await sleep(20);
      assert.equal(abortsSeen, before + 1, `${name}: the stage's signal aborted`);
    }
  });
});
