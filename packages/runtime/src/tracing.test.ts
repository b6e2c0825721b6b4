import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { createLogger, withPipelineId } from './logger.ts';
import { FacelessError } from './errors.ts';
import { runProcess } from './process.ts';
import { startOtlpReceiver } from './testing/otlp-receiver.ts';
import { activeTraceIds, inSpan, startTracing, traceCarrier, tracingEnabled, type Tracing } from './tracing.ts';

test('tracingEnabled: on with an OTLP endpoint only, off with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none', () => {
  const endpoint = 'http://127.0.0.1:4318';
  assert.equal(tracingEnabled({}), false);
  assert.equal(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }), false);
  assert.equal(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }), true);
  assert.equal(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${endpoint}/v1/traces` }), true);
  assert.equal(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SDK_DISABLED: 'TRUE' }), false);
  assert.equal(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_TRACES_EXPORTER: 'none' }), false);
  assert.equal(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SDK_DISABLED: 'false', OTEL_TRACES_EXPORTER: 'otlp' }), true);
});

test('tracing off: no SDK, inSpan is a plain call, no carrier and no ids in log lines', async () => {
  assert.equal(startTracing({ serviceName: 'off', env: {} }).enabled, false);
  const lines: string[] = [];
  const log = createLogger({ write: (line) => lines.push(line) });
  const out = await inSpan('work', {}, async (span) => {
    assert.equal(span, undefined);
    log.info('inside');
    return traceCarrier();
  });
  assert.deepEqual(out, {});
  const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
  assert.equal(line.trace_id, undefined);
  assert.equal(line.pipelineId, undefined);
});

test('withPipelineId: every line inside carries the pipeline id, including a child logger\'s, and none outside', async () => {
  const lines: string[] = [];
  const log = createLogger({ write: (line) => lines.push(line) });
  await withPipelineId('p-1', async () => {
    await Promise.resolve();
    log.child({ stage: 'video' }).info('in the pipeline');
  });
  log.info('after');
  const [inside, outside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(inside?.pipelineId, 'p-1');
  assert.equal(inside?.stage, 'video');
  assert.equal(outside?.pipelineId, undefined);
});

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let tracing: Tracing;

before(async () => {
  receiver = await startOtlpReceiver();
  // The SDK reads its exporter settings from process.env.
  Object.assign(process.env, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50',
  });
});

after(async () => {
  await tracing.shutdown();
  await receiver.close();
});

test('tracing on (http/json): nested spans, a step per process run, a failure with its code, the ids in log lines, a carrier that continues the trace, fetch to a Fastify route', async () => {
  tracing = startTracing({ serviceName: 'tracing-test' });
  assert.equal(tracing.enabled, true);
  const lines: string[] = [];
  const log = createLogger({ write: (line) => lines.push(line) });
  let carrier: Record<string, string> = {};
  let ids: ReturnType<typeof activeTraceIds>;
  await withPipelineId('p-2', () => inSpan('pipeline', { attributes: { 'faceless.pipeline.id': 'p-2' } }, async () => {
    ids = activeTraceIds();
    log.info('running');
    await runProcess('ffprobe', ['-version']);
    carrier = traceCarrier();
    await assert.rejects(inSpan('stage video', {}, async () => {
      throw new FacelessError('MEDIA_FAILED', 'ffmpeg exited with code 1');
    }), /ffmpeg exited/);
  }));
  await inSpan('pipeline resumed', { parent: carrier }, async () => {});
  // Loaded once tracing runs, as the services' entry points have it (the SDK patches what loads after it).
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  app.get('/items/:id', async () => activeTraceIds() ?? {});
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const fromServer = await inSpan('client', {}, async () => (await fetch(`${url}/items/7`)).json()) as { trace_id?: string; span_id?: string };
  await app.close();
  await tracing.shutdown();

  const byName = new Map(receiver.spans.map((s) => [s.name, s]));
  const root = byName.get('pipeline');
  assert.ok(root, `spans: ${receiver.spans.map((s) => s.name).join(', ')}`);
  assert.equal(root.service, 'tracing-test');
  assert.equal(root.attributes['faceless.pipeline.id'], 'p-2');
  const step = byName.get('ffprobe');
  assert.equal(step?.parentSpanId, root.spanId, 'the process run is a child of the span it ran in');
  assert.equal(step?.attributes['faceless.step.summary'], '-version');
  assert.ok(step && step.endNs > step.startNs);
  const failed = byName.get('stage video');
  assert.equal(failed?.status, 2);
  assert.equal(failed?.attributes['faceless.error.code'], 'MEDIA_FAILED');
  assert.equal(byName.get('pipeline resumed')?.traceId, root.traceId, 'a carrier continues the trace');
  assert.match(carrier.traceparent ?? '', new RegExp(`^00-${root.traceId}-[0-9a-f]{16}-01$`));

  // The receiver's own requests (the exports) are server spans too, in traces of their own.
  const server = receiver.spans.find((s) => s.kind === 2 && s.traceId === byName.get('client')?.traceId);
  assert.ok(server, 'fetch carries the context to the server');
  assert.equal(server.name, 'GET /items/:id', 'a server span is named after its route');
  assert.equal(server.attributes['http.route'], '/items/:id');
  assert.deepEqual(fromServer, { trace_id: server.traceId, span_id: server.spanId }, 'the handler runs in the server span');

  const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
  assert.deepEqual([line.trace_id, line.span_id, line.pipelineId], [root.traceId, root.spanId, 'p-2']);
  assert.deepEqual(ids, { trace_id: root.traceId, span_id: root.spanId });
});

test('a service stopped with SIGTERM exports the spans its batch still held (the schedule delay is a minute here)', async () => {
  const sink = await startOtlpReceiver();
  const here = new URL('.', import.meta.url).pathname;
  const script = `
    import Fastify from 'fastify';
    import { startTracing, inSpan } from '${here}tracing.ts';
    import { startServer } from '${here}serve-stage.ts';
    startTracing({ serviceName: 'sigterm-test' });
    const url = await startServer(Fastify(), { port: 0, host: '127.0.0.1' });
    await inSpan('held until the exit', {}, async () => {});
    process.stdout.write('ready ' + url + '\\n');
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '60000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => { if (chunk.toString().includes('ready')) resolve(); });
      child.once('exit', (code) => reject(new Error(`exited ${code} before it was ready`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.ok(sink.spans.some((s) => s.name === 'held until the exit' && s.service === 'sigterm-test'), `spans: ${sink.spans.map((s) => s.name).join(', ')}`);
  } finally {
    child.kill('SIGKILL');
    await sink.close();
  }
});
