import assert from 'node:assert/strict';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { ErrorBody } from '@faceless/contracts';
import { FolderStore } from '@faceless/infra';
import { FacelessError } from './errors.ts';
import { errorBody } from './http-errors.ts';
import { buildStageApp, readServerAddress, type ReadyResult } from './serve-stage.ts';
import { defineStage } from './stage.ts';

let root: string;
let store: FolderStore;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'serve-stage-'));
  store = new FolderStore(root);
});
after(async () => { await rm(root, { recursive: true, force: true }); });

const seen: { workDirs: string[]; aborted: Promise<string> | undefined; started: (() => void) | undefined } = { workDirs: [], aborted: undefined, started: undefined };

const Input = z.strictObject({ n: z.number().int(), mode: z.enum(['ok', 'rate', 'boom', 'wait']).default('ok'), outputPrefix: z.string().default('') });
const Output = z.strictObject({ doubled: z.number(), key: z.string() });
const fakeStage = defineStage({
  name: 'double',
  input: Input,
  output: Output,
  async run(input, ctx) {
    seen.workDirs.push(ctx.workDir);
    await access(ctx.workDir);
    ctx.progress(0.5, 'halfway');
    if (input.mode === 'rate') throw new FacelessError('PROVIDER_RATE_LIMITED', 'the provider said 429: wait a minute');
    if (input.mode === 'boom') throw new Error('connect to postgres://admin:hunter2@db failed');
    if (input.mode === 'wait') {
      seen.aborted = new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(String(ctx.signal.reason)), { once: true }));
      seen.started?.();
      await seen.aborted;
      throw new FacelessError('CANCELLED', 'cancelled');
    }
    const key = `${input.outputPrefix}double.json`;
    await ctx.store.putBytes(key, JSON.stringify({ n: input.n * 2 }));
    return { doubled: input.n * 2, key };
  },
});

function app(options: { ready?: () => Promise<ReadyResult>; lines?: string[] } = {}) {
  return buildStageApp({
    stage: fakeStage,
    route: '/double/run',
    service: 'doubler',
    createContext: () => ({ store }),
    bodyLimit: 256,
    ...(options.ready ? { ready: options.ready } : {}),
    logger: options.lines ? { level: 'debug', stream: { write: (l) => { options.lines?.push(l); } } } : false,
  });
}

function parseError(body: string): ErrorBody['error'] {
  return ErrorBody.parse(JSON.parse(body)).error;
}

test('valid input runs the stage: 200 with its output, the artifact in the store, the work folder removed', async () => {
  const a = app();
  const res = await a.inject({ method: 'POST', url: '/double/run', payload: { n: 21, outputPrefix: 'p/1/' } });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { doubled: 42, key: 'p/1/double.json' });
  assert.equal((await store.getBytes('p/1/double.json')).toString(), '{"n":42}');
  const dir = seen.workDirs.at(-1) ?? '';
  assert.ok(dir?.startsWith(tmpdir()), String(dir));
  await assert.rejects(access(dir), { code: 'ENOENT' });
  await a.close();
});

test('bad bodies are 4xx ErrorBody with code and field, never 500', async () => {
  const a = app();
  const cases: { name: string; res: Awaited<ReturnType<typeof a.inject>>; status: number; code: string; field?: string }[] = [
    { name: 'wrong type', res: await a.inject({ method: 'POST', url: '/double/run', payload: { n: 'two' } }), status: 400, code: 'INVALID_INPUT', field: 'n' },
    { name: 'unknown field', res: await a.inject({ method: 'POST', url: '/double/run', payload: { n: 1, extra: true } }), status: 400, code: 'INVALID_INPUT', field: 'extra' },
    { name: 'malformed JSON', res: await a.inject({ method: 'POST', url: '/double/run', headers: { 'content-type': 'application/json' }, payload: '{"n": 1,' }), status: 400, code: 'INVALID_INPUT' },
    { name: 'too large', res: await a.inject({ method: 'POST', url: '/double/run', payload: { n: 1, outputPrefix: 'x'.repeat(400) } }), status: 413, code: 'PAYLOAD_TOO_LARGE' },
    { name: 'text/plain', res: await a.inject({ method: 'POST', url: '/double/run', headers: { 'content-type': 'text/plain' }, payload: 'n=1' }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'unknown route', res: await a.inject({ method: 'GET', url: '/nope?x=1' }), status: 404, code: 'NOT_FOUND' },
    { name: 'rate limited', res: await a.inject({ method: 'POST', url: '/double/run', payload: { n: 1, mode: 'rate' } }), status: 503, code: 'PROVIDER_RATE_LIMITED' },
  ];
  for (const c of cases) {
    assert.equal(c.res.statusCode, c.status, `${c.name}: ${c.res.body}`);
    const err = parseError(c.res.body);
    assert.equal(err.code, c.code, c.name);
    assert.equal(err.field, c.field, c.name);
    assert.equal(err.requestId, c.res.headers['x-request-id'], c.name);
  }
  assert.match(parseError(cases[0]!.res.body).message, /n: .*expected number/i);
  assert.match(parseError(cases[6]!.res.body).message, /429/);
  await a.close();
});

test('an unexpected error is 500 INTERNAL with a generic message: no text, stack or secret of the original', async () => {
  const lines: string[] = [];
  const a = app({ lines });
  const res = await a.inject({ method: 'POST', url: '/double/run', payload: { n: 1, mode: 'boom' } });
  assert.equal(res.statusCode, 500);
  const err = parseError(res.body);
  assert.equal(err.code, 'INTERNAL');
  assert.doesNotMatch(res.body, /hunter2|postgres|at .*\.ts/);
  // The log keeps the details for the operator, less the password.
  assert.ok(lines.some((l) => l.includes('postgres://admin:[redacted]@db failed') && JSON.parse(l).requestId === err.requestId));
  assert.ok(!lines.some((l) => l.includes('hunter2')));
  await a.close();
});

test('x-request-id is honoured and echoed; logs carry the request and pipeline ids, not the authorization header', async () => {
  const lines: string[] = [];
  const a = app({ lines });
  const res = await a.inject({
    method: 'POST', url: '/double/run', payload: { n: 2 },
    headers: { 'x-request-id': 'req-abc.1', 'x-pipeline-id': 'pipe-42', authorization: 'Bearer sk-very-secret' },
  });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['x-request-id'], 'req-abc.1');
  const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const finished = records.find((r) => r.msg === 'stage finished');
  assert.equal(finished?.requestId, 'req-abc.1');
  assert.equal(finished?.pipelineId, 'pipe-42');
  assert.equal(finished?.outcome, 'ok');
  assert.ok(records.some((r) => r.msg === 'progress' && r.fraction === 0.5 && r.requestId === 'req-abc.1'));
  assert.ok(!lines.some((l) => l.includes('sk-very-secret')));
  // A header that could inject into logs is replaced by a generated id.
  const bad = await a.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'a b\nc' } });
  assert.match(String(bad.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  // Probes are not logged per request; stage calls are.
  assert.ok(!lines.some((l) => l.includes('"url":"/health"')));
  assert.ok(lines.some((l) => l.includes('"url":"/double/run"')));
  await a.close();
});

test('/health, /ready and /metrics', async () => {
  let ready: ReadyResult = false;
  const a = app({ ready: async () => ready });
  const health = await a.inject({ method: 'GET', url: '/health' });
  assert.equal(health.statusCode, 200);
  assert.deepEqual(health.json(), { status: 'ok', service: 'doubler' });

  const down = await a.inject({ method: 'GET', url: '/ready' });
  assert.equal(down.statusCode, 503);
  assert.equal(down.json().status, 'unavailable');
  assert.equal(typeof down.json().reason, 'string');
  ready = { ready: false, reason: 'bucket faceless unreachable' };
  assert.equal((await a.inject({ method: 'GET', url: '/ready' })).json().reason, 'bucket faceless unreachable');
  ready = true;
  assert.equal((await a.inject({ method: 'GET', url: '/ready' })).statusCode, 200);

  await a.inject({ method: 'POST', url: '/double/run', payload: { n: 3 } });
  await a.inject({ method: 'POST', url: '/double/run', payload: { n: 3, mode: 'rate' } });
  const metrics = await a.inject({ method: 'GET', url: '/metrics' });
  assert.equal(metrics.statusCode, 200);
  assert.match(String(metrics.headers['content-type']), /^text\/plain/);
  const sample = (name: string, labels: Record<string, string>): number | undefined => {
    for (const line of metrics.body.split('\n')) {
      const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
    }
    return undefined;
  };
  assert.equal(sample('http_requests_total', { service: 'doubler', method: 'POST', route: '/double/run', status: '200' }), 1);
  assert.equal(sample('http_requests_total', { method: 'POST', route: '/double/run', status: '503' }), 1);
  assert.equal(sample('http_requests_total', { method: 'GET', route: '/ready', status: '503' }), 2);
  assert.equal(sample('stage_duration_seconds_count', { service: 'doubler', stage: 'double', outcome: 'ok' }), 1);
  assert.equal(sample('stage_duration_seconds_count', { stage: 'double', outcome: 'error' }), 1);
  assert.match(metrics.body, /http_request_duration_seconds_bucket\{/);
  assert.match(metrics.body, /process_cpu_user_seconds_total/);
  await a.close();
});

test('a readiness check that throws or hangs is 503 with a reason that leaks nothing', async () => {
  const a = buildStageApp({
    stage: fakeStage, route: '/double/run', service: 'doubler', createContext: () => ({ store }), logger: false, readyTimeoutMs: 50,
    ready: () => Promise.reject(new Error('password authentication failed for user "admin"')),
  });
  const res = await a.inject({ method: 'GET', url: '/ready' });
  assert.equal(res.statusCode, 503);
  assert.doesNotMatch(res.body, /admin|password/);
  const hang = buildStageApp({
    stage: fakeStage, route: '/double/run', service: 'doubler', createContext: () => ({ store }), logger: false, readyTimeoutMs: 50,
    ready: () => new Promise(() => {}),
  });
  const res2 = await hang.inject({ method: 'GET', url: '/ready' });
  assert.equal(res2.statusCode, 503);
  assert.match(res2.json().reason, /50 ms/);
  await a.close();
  await hang.close();
});

test('the stage signal aborts when the client disconnects', async () => {
  const a = app();
  await a.listen({ port: 0, host: '127.0.0.1' });
  const address = a.server.address();
  assert.ok(address && typeof address === 'object');
  const started = new Promise<void>((resolve) => { seen.started = resolve; });
  const req = httpRequest({ host: '127.0.0.1', port: address.port, path: '/double/run', method: 'POST', headers: { 'content-type': 'application/json' } });
  req.on('error', () => {});
  req.end(JSON.stringify({ n: 1, mode: 'wait' }));
  await started;
  req.destroy();
  const reason = await seen.aborted;
  assert.match(String(reason), /disconnected/);
  await a.close();
});

test('errorBody maps codes without a server', () => {
  assert.deepEqual(errorBody(new FacelessError('NOT_FOUND', 'no pipeline p1', { field: 'pipelineId' }), 'r1'), {
    error: { code: 'NOT_FOUND', message: 'no pipeline p1', field: 'pipelineId', requestId: 'r1', retryable: false },
  });
  // The error's own decision travels, not its code's default: an exhausted quota is not worth retrying.
  const quota = new FacelessError('PROVIDER_RATE_LIMITED', 'insufficient_quota', { retryable: false });
  assert.equal(errorBody(quota).error.retryable, false);
  assert.equal(errorBody(new FacelessError('PROVIDER_RATE_LIMITED', '429')).error.retryable, true);
  assert.equal(errorBody(new TypeError('x')).error.retryable, false);
  assert.deepEqual(errorBody(new TypeError('x is undefined at secret.ts:1')).error.code, 'INTERNAL');
  assert.doesNotMatch(errorBody(new TypeError('x is undefined at secret.ts:1')).error.message, /secret/);
  assert.doesNotMatch(errorBody(new FacelessError('INTERNAL', 'token abc leaked')).error.message, /abc/);
  assert.equal(errorBody(Object.assign(new Error('too big'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 })).error.code, 'PAYLOAD_TOO_LARGE');
});

test('readServerAddress reads PORT and HOST, rejecting a bad PORT by name', () => {
  assert.deepEqual(readServerAddress({}, 3002), { port: 3002, host: '0.0.0.0' });
  assert.deepEqual(readServerAddress({ PORT: '4000', HOST: '127.0.0.1' }, 3002), { port: 4000, host: '127.0.0.1' });
  assert.throws(() => readServerAddress({ PORT: 'eighty' }, 3002), (e: unknown) => e instanceof FacelessError && e.field === 'PORT');
});
