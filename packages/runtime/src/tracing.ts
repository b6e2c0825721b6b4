import { subscribe } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import {
  SpanKind, SpanStatusCode, context, propagation, trace, type Attributes, type Context, type Link, type Span,
} from '@opentelemetry/api';
import type * as SdkNode from '@opentelemetry/sdk-node';
import type * as HttpInstrumentationModule from '@opentelemetry/instrumentation-http';
import type * as UndiciInstrumentationModule from '@opentelemetry/instrumentation-undici';
import type * as PgInstrumentationModule from '@opentelemetry/instrumentation-pg';
import type * as AmqplibInstrumentationModule from '@opentelemetry/instrumentation-amqplib';
import { stepChannel, type StepContext } from './steps.ts';

type Env = Record<string, string | undefined>;

/** The W3C trace context of a piece of work, as carried in job data, message headers and records. */
export type TraceCarrier = Record<string, string>;

export interface Tracing {
  readonly enabled: boolean;
  /** Exports the spans still buffered; call before the process exits. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, shutdown: async () => {} };
let started: Tracing = OFF;

/**
 * Tracing is on when an OTLP endpoint is configured and neither OTEL_SDK_DISABLED=true nor
 * OTEL_TRACES_EXPORTER=none turns it off: the OpenTelemetry convention, so that a process with no
 * OTEL_* variables loads no SDK at all.
 */
export function tracingEnabled(env: Env): boolean {
  const set = (name: string): boolean => (env[name]?.trim() ?? '') !== '';
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if ((env.OTEL_TRACES_EXPORTER ?? '').split(',').map((s) => s.trim()).includes('none')) return false;
  return set('OTEL_EXPORTER_OTLP_ENDPOINT') || set('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
}

/**
 * Starts the OpenTelemetry Node SDK for this process (once): the OTLP exporter the OTEL_* variables
 * choose (http/protobuf by default, http/json, grpc), W3C propagation, the http, undici (fetch), pg
 * and amqplib instrumentations, and a span for every `runStep` (each ffmpeg, ffprobe or
 * espeak run). OTEL_SERVICE_NAME wins over `serviceName`. Off, it returns at once and loads nothing:
 * the SDK is required only here, synchronously, so that it is running before the modules it
 * patches are evaluated (see the tracing section of docs/decisions.md).
 */
export function startTracing(options: { serviceName: string; env?: Env }): Tracing {
  const env = options.env ?? process.env;
  if (started.enabled || !tracingEnabled(env)) return started;
  const require = createRequire(import.meta.url);
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof SdkNode;
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof HttpInstrumentationModule;
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof UndiciInstrumentationModule;
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof PgInstrumentationModule;
  const { AmqplibInstrumentation } = require('@opentelemetry/instrumentation-amqplib') as typeof AmqplibInstrumentationModule;
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME?.trim() || options.serviceName,
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes every few seconds would bury the pipelines' spans.
        ignoreIncomingRequestHook: (req) => PROBE_PATHS.has((req.url ?? '').split('?')[0] ?? ''),
      }),
      new UndiciInstrumentation({
        ignoreRequestHook: (req) => PROBE_PATHS.has(req.path.split('?')[0] ?? ''),
      }),
      new PgInstrumentation({ requireParentSpan: true }),
      new AmqplibInstrumentation(),
    ],
    // Logs go to stdout as JSON lines (read by the log agent), not through OTLP.
    logRecordProcessors: [],
  });
  sdk.start();
  subscribeSteps();
  nameServerSpansByRoute();
  // A command that ends by itself (faceless make, a bench) exports its last spans before it exits.
  process.once('beforeExit', () => { void sdk.shutdown().catch(() => {}); });
  started = { enabled: true, shutdown: () => sdk.shutdown() };
  return started;
}

const PROBE_PATHS = new Set(['/health', '/ready', '/metrics']);

const tracer = () => trace.getTracer('faceless');

/** One span per step on the 'faceless:step' channel, a child of the span active where the step was started. */
function subscribeSteps(): void {
  const spans = new WeakMap<StepContext, Span>();
  stepChannel.subscribe({
    start(step) {
      spans.set(step, tracer().startSpan(step.name, { attributes: { 'faceless.step.summary': step.summary } }));
    },
    end() {},
    asyncStart() {},
    asyncEnd(step) {
      spans.get(step)?.end();
      spans.delete(step);
    },
    error(step) {
      const span = spans.get(step);
      if (span) recordSpanError(span, step.error);
    },
  });
}

/**
 * Names each HTTP server span after its Fastify route (`POST /api/pipelines/start`, with `http.route`),
 * which only Fastify knows: its handler channel fires in the request's context, where the server span
 * is the active one.
 */
function nameServerSpansByRoute(): void {
  subscribe('tracing:fastify.request.handler:start', (message) => {
    const { request, route } = message as { request?: { method?: string }; route?: { url?: string } };
    const span = trace.getActiveSpan();
    if (!span || !route?.url || !request?.method) return;
    // Only the HTTP server span, and only once: an app called in-process (faceless serve's gateway injects into the
    // orchestrator's app) runs inside another span, which keeps its own name.
    const sdkSpan = span as unknown as { kind?: SpanKind; attributes?: Record<string, unknown> };
    if (sdkSpan.kind !== SpanKind.SERVER || sdkSpan.attributes?.['http.route'] !== undefined) return;
    span.setAttribute('http.route', route.url);
    span.updateName(`${request.method} ${route.url}`);
  });
}

/**
 * Exports the spans still buffered (at most `timeoutMs`), for a service that is about to exit on SIGTERM: the
 * batch processor would otherwise lose up to its schedule delay of spans. Nothing to do when tracing is off.
 */
export async function flushTracing(timeoutMs = 2_000): Promise<void> {
  if (!started.enabled) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    started.shutdown().catch(() => undefined),
    new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); }),
  ]);
  clearTimeout(timer);
}

/** Marks a span failed: status ERROR, the exception, and the FacelessError code as `faceless.error.code`. */
export function recordSpanError(span: Span, err: unknown): void {
  const error = err instanceof Error ? err : new Error(String(err));
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') span.setAttribute('faceless.error.code', code);
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}

/** The active trace context as W3C headers (`traceparent`, `tracestate`); empty when nothing is traced. */
export function traceCarrier(): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The context a carrier describes (the active one when it describes none). */
export function contextFromCarrier(carrier: Readonly<Record<string, unknown>> | undefined): Context {
  if (!carrier) return context.active();
  const headers: TraceCarrier = {};
  for (const [k, v] of Object.entries(carrier)) if (typeof v === 'string') headers[k] = v;
  return propagation.extract(context.active(), headers);
}

/** Runs `fn` in the context a carrier describes: work done later on behalf of a traced request. */
export function withCarrierContext<T>(carrier: Readonly<Record<string, unknown>> | undefined, fn: () => T): T {
  return carrier ? context.with(contextFromCarrier(carrier), fn) : fn();
}

export interface SpanOptions {
  attributes?: Attributes;
  kind?: 'internal' | 'producer' | 'consumer' | 'client';
  /** The parent, from a carrier (job data, message headers); the active context by default. */
  parent?: Readonly<Record<string, unknown>> | undefined;
  /** A trace this span follows from without being its child (an event sent long after its pipeline). */
  links?: Link[];
}

const KINDS = { internal: SpanKind.INTERNAL, producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER, client: SpanKind.CLIENT } as const;

/**
 * Runs `fn` in a new active span that ends when it settles; a failure marks it (recordSpanError) and
 * is rethrown. With tracing off it is a plain call.
 */
export function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (!started.enabled) return fn(undefined);
  const parent = options.parent ? contextFromCarrier(options.parent) : context.active();
  const span = tracer().startSpan(name, {
    kind: KINDS[options.kind ?? 'internal'],
    ...(options.attributes ? { attributes: options.attributes } : {}),
    ...(options.links ? { links: options.links } : {}),
  }, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn(span);
    } catch (err) {
      recordSpanError(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The link to the trace a carrier describes, if it describes one. */
export function linkFromCarrier(carrier: Readonly<Record<string, unknown>> | undefined): Link | undefined {
  const spanContext = carrier ? trace.getSpanContext(contextFromCarrier(carrier)) : undefined;
  return spanContext && trace.isSpanContextValid(spanContext) ? { context: spanContext } : undefined;
}

/** The ids of the active span, for log lines; undefined when none is recording. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  const spanContext = trace.getSpanContext(context.active());
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
