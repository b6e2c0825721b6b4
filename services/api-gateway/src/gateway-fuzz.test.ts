/**
 * Property-based fuzz test of the gateway (issue 10): requests are generated from the served /openapi.json
 * (every operation, its path parameters, query and body schemas, then mutated: wrong types, missing and unknown
 * fields, huge and unicode strings, nulls, deep nesting, odd content types, auth variants, undocumented methods),
 * sent with inject, and raw-socket requests that inject cannot make (bad escapes, 64 KB of headers, absolute-form
 * targets, no Host, a body on TRACE). Every answer is checked against what the issue demands: no 5xx, the one
 * error format with x-request-id, no non-public route open without a key, 2xx bodies as documented.
 *
 * The seed is fixed so CI is deterministic; FUZZ_SEED=<n> explores other runs, FUZZ_RUNS=<n> changes their number.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { ErrorBody, KeywordsFetchOutput, PipelineEvent, PipelineStatus, ScriptGenerateOutput, StartPipelineResponse } from '@faceless/contracts';
import { FolderStore, MemoryEventBus } from '@faceless/infra';
import { createLogger } from '@faceless/runtime';
import { hashApiKey } from './api-keys.ts';
import { createArtifactLinkSigner } from './artifact-links.ts';
import { buildGatewayApp } from './gateway-app.ts';
import { loadGatewayConfig } from './gateway-config.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_203);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2400);
const RAW_RUNS = Math.max(50, Math.round(RUNS / 8));
const KEY = 'fz_3c1e0b9a7d2f48e6a5b4c3d2e1f0a9b8';
const BODY_LIMIT = 16 * 1024;

// ---------------------------------------------------------------- fake services behind the gateway

const at = '2026-12-03T10:00:00.000Z';
const KNOWN = 'p-1';
const FAILED = 'p-failed';
/** The signer of the gateway's artifact links, and a file it can serve. */
const LINK_SECRET = randomBytes(32);
const LINKS = createArtifactLinkSigner({ secret: LINK_SECRET });
/** The same secret an hour ago: its links are genuine and expired. */
const PAST_LINKS = createArtifactLinkSigner({ secret: LINK_SECRET, now: () => Date.now() - 3_600_000 });
const LINKED_VIDEO = `pipelines/${KNOWN}/video.mp4`;
const status = (id: string) => PipelineStatus.parse({
  pipelineId: id, state: 'Running', currentStage: 'script', request: { topic: 'octopus' },
  stages: [{ stage: 'keywords', service: 'keyword-fetcher', status: 'completed', durationMs: 12, attempts: 1 }], createdAt: at, updatedAt: at,
});
const events = (id: string) => [
  PipelineEvent.parse({ id: `${id}-1`, name: 'pipeline.started', pipelineId: id, seq: 1, at, data: {} }),
  PipelineEvent.parse({ id: `${id}-2`, name: 'pipeline.failed', pipelineId: id, seq: 2, at, stage: 'script', data: { code: 'CANCELLED' } }),
];
const keywordsAnswer = KeywordsFetchOutput.parse({ topic: 'octopus', provider: 'offline', keywords: [{ keyword: 'octopus', score: 90, reason: 'topic', source: 'offline' }] });
const scriptAnswer = ScriptGenerateOutput.parse({
  provider: 'template',
  script: {
    lang: 'en', titleIdea: 'How octopuses think', hook: 'Nine brains?', callToAction: 'Subscribe.', wordCount: 6, estimatedDurationSec: 3,
    sections: [{ heading: 'Brains', narration: 'Octopuses have nine brains.', visualKeywords: ['octopus'] }],
  },
});
const experiment = (id: string) => ({ id, pipelineId: KNOWN, videoId: 'local-1', status: 'running', rotationHours: 24, createdAt: at, updatedAt: at, endedAt: null });
const verdict = { status: 'continue', winner: null, leader: 'A', probabilityBest: { A: 0.6, B: 0.4 }, reason: 'not enough data' };
const abtestReport = (id: string) => ({
  experiment: {
    ...experiment(id),
    variants: ['A', 'B'].map((label, position) => ({ id: `${id}-${label}`, label, position, title: `title ${label}`, thumbnailKey: `pipelines/${KNOWN}/thumbnails/${label}.jpg` })),
    rotations: [{ variantId: `${id}-A`, startedAt: at, endedAt: null }],
  },
  live: 'A',
  variants: ['A', 'B'].map((label) => ({
    id: `${id}-${label}`, label, title: `title ${label}`, thumbnailKey: `pipelines/${KNOWN}/thumbnails/${label}.jpg`, impressions: 100, clicks: 5, ctr: 0.05,
    posterior: { alpha: 6, beta: 96, mean: 0.06, lower: 0.02, upper: 0.11 }, probabilityBest: 0.5, live: label === 'A',
  })),
  evaluation: verdict, plan: ['A', 'B', 'B', 'A'], decision: null, nextRotation: { at, variant: 'B' }, chart: 'A ####',
});

/** The ab-tester's experiment routes: any id but p-unknown is an experiment. */
function abtestAnswer(method: string, path: string): { status: number; body: unknown } {
  if (method === 'GET' && path === '/abtest') return { status: 200, body: { experiments: [{ ...experiment('exp-1'), variantCount: 2 }] } };
  const m = /^\/abtest\/([^/]+)(?:\/(metrics|metrics\/csv|evaluate|stop|rotate))?$/.exec(path);
  if (!m) return { status: 404, body: { error: { code: 'NOT_FOUND', message: `no route ${method} ${path}` } } };
  const [, id = '', verb] = m;
  if (id === 'p-unknown') return notFound(id);
  if (method === 'GET' && !verb) return { status: 200, body: abtestReport(id) };
  if (verb === 'metrics' || verb === 'metrics/csv') return { status: 200, body: { testId: id, imported: 1, replaced: 0, rows: [], skipped: [], source: verb === 'metrics' ? 'rows' : 'csv' } };
  if (verb === 'evaluate' || verb === 'stop') return { status: 200, body: { testId: id, status: verb === 'stop' ? 'stopped' : 'running', evaluation: verdict, decision: null } };
  return { status: 200, body: { testId: id, action: 'kept', live: 'A' } };
}

/** A WAV header and a few silent samples: what the fake tts-renderer answers to /voices/sample. */
const SAMPLE_WAV = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(40), Buffer.alloc(64)]);

const notFound = (what: string) => ({ status: 404, body: { error: { code: 'NOT_FOUND', message: `no pipeline ${what}` } } });

/** Paths the gateway may call, with the id it passes on: anything else is a path that escaped the API's shape. */
const UPSTREAM_PATHS = [
  /^\/pipelines\/start$/, /^\/pipelines\?limit=\d+&offset=\d+$/, /^\/health$/, /^\/keywords\/fetch$/, /^\/scripts\/generate$/,
  /^\/abtest(\?status=(running|stopped|decided))?$/, /^\/abtest\/[A-Za-z0-9_.-]{4,100}(\/(metrics|metrics\/csv|evaluate|stop|rotate))?$/,
  /^\/channels(\/oauth\/(start|complete))?$/, /^\/voices(\?lang=(en|fr|es|de|it|pt))?$/, /^\/voices\/sample$/,
  /^\/pipelines\/status\/(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}$/, /^\/pipelines\/(?!\.{1,2}\/)[A-Za-z0-9_.-]{1,100}\/(artifacts|retry|cancel|review|events\?after=\d+)$/,
];

function upstreamAnswer(method: string, url: string): { status: number; body: unknown } {
  const path = url.split('?')[0] ?? '';
  if (path === '/abtest' || path.startsWith('/abtest/')) return abtestAnswer(method, path);
  if (method === 'GET' && path === '/voices') return { status: 200, body: { voices: [{ id: 'fr', name: 'French (France)', lang: 'fr', provider: 'espeak-ng' }] } };
  if (method === 'GET' && path === '/channels') return { status: 200, body: { channels: [] } };
  if (method === 'POST' && path === '/channels/oauth/start') return { status: 200, body: { consentUrl: 'https://accounts.google.com/o/oauth2/v2/auth', expiresAt: at } };
  if (method === 'POST' && path === '/channels/oauth/complete') return { status: 200, body: { outcome: 'added', channel: 'science' } };
  if (method === 'POST' && path === '/pipelines/start') return { status: 202, body: StartPipelineResponse.parse({ pipelineId: KNOWN, state: 'Queued' }) };
  if (method === 'GET' && path === '/health') return { status: 200, body: { status: 'ok' } };
  if (method === 'POST' && path === '/keywords/fetch') return { status: 200, body: keywordsAnswer };
  if (method === 'POST' && path === '/scripts/generate') return { status: 200, body: scriptAnswer };
  if (method === 'GET' && path === '/pipelines') {
    const query = new URLSearchParams(url.split('?')[1] ?? '');
    const summary = { pipelineId: KNOWN, state: 'Running', topic: 'octopus', currentStage: 'script', completedStages: 1, createdAt: at, updatedAt: at };
    return { status: 200, body: { pipelines: [summary], limit: Number(query.get('limit')), offset: Number(query.get('offset')) } };
  }
  const statusOf = /^\/pipelines\/status\/([^/]+)$/.exec(path);
  if (method === 'GET' && statusOf) return statusOf[1] === KNOWN ? { status: 200, body: status(KNOWN) } : notFound(statusOf[1] ?? '');
  const action = /^\/pipelines\/([^/]+)\/(artifacts|retry|cancel|review|events)$/.exec(path);
  if (!action) return { status: 404, body: { error: { code: 'NOT_FOUND', message: `no route ${method} ${path}` } } };
  const [, id = '', verb] = action;
  if (id !== KNOWN && id !== FAILED) return notFound(id);
  if (verb === 'artifacts') {
    return { status: 200, body: { pipelineId: id, expiresInSec: 600, artifacts: [{ name: 'video', key: `pipelines/${id}/video.mp4`, location: `pipelines/${id}/video.mp4` }] } };
  }
  if (verb === 'retry') {
    return id === FAILED
      ? { status: 202, body: { pipelineId: id, state: 'Queued' } }
      : { status: 409, body: { error: { code: 'CONFLICT', message: `pipeline ${id} is Running: only a Failed pipeline can be retried` } } };
  }
  if (verb === 'cancel') return { status: 202, body: { pipelineId: id, state: 'Failed' } };
  if (verb === 'review') {
    return id === KNOWN
      ? { status: 202, body: { pipelineId: id, state: 'Queued' } }
      : { status: 409, body: { error: { code: 'NOT_IN_REVIEW', message: `pipeline ${id} is Failed, not waiting for review`, field: 'id' } } };
  }
  const afterSeq = Number(new URLSearchParams(url.split('?')[1] ?? '').get('after') ?? 0);
  return { status: 200, body: { state: 'Failed', events: events(id).filter((e) => e.seq > afterSeq) } };
}

// ---------------------------------------------------------------- what was sent and what came back

interface Sent {
  /** The documented operation the request was generated from ("GET /api/pipelines/status/{id}"), or raw. */
  op: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** The request carried a key the gateway must accept. */
  keyed: boolean;
  /** The request is the documented method on the documented path shape: its status must be documented. */
  documented: boolean;
  via: 'inject' | 'socket';
}
interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }
interface Exchange { sent: Sent; answer: Answer; route?: { method: string; url: string; isPublic: boolean } }

type JsonSchema = {
  type?: string | string[]; enum?: unknown[]; const?: unknown; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>; required?: string[]; additionalProperties?: boolean | JsonSchema; items?: JsonSchema;
  minItems?: number; maxItems?: number; minLength?: number; maxLength?: number; pattern?: string; format?: string;
  minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number; $ref?: string;
};
type Parameter = { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema?: JsonSchema };
type Operation = {
  operationId?: string; security?: unknown[]; parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
};
type OpenApi = { openapi: string; security?: unknown[]; paths: Record<string, Record<string, Operation>>; components?: Record<string, unknown> };
interface DocumentedOp { method: string; path: string; op: Operation; isPublic: boolean }

const exchanges: Exchange[] = [];
const upstreamCalls: { method: string; url: string }[] = [];
const logLines: string[] = [];
/** Every route as registered (onRoute), with its public flag and whether /openapi.json hides it. */
const routes: { method: string; url: string; isPublic: boolean; hidden: boolean }[] = [];
/** The route the router matched for each request id (onRequest), so a 2xx is judged by the route that answered it. */
const matched = new Map<string, { method: string; url: string; isPublic: boolean }>();

/** Requests are sent one at a time, so the route matched last is this answer's (request ids given by a client repeat). */
function record(sent: Sent, answer: Answer): void {
  const id = answer.headers['x-request-id'];
  const route = typeof id === 'string' ? matched.get(id) : undefined;
  matched.clear();
  exchanges.push({ sent, answer, ...(route ? { route } : {}) });
}
let fake: Server;
let app: FastifyInstance;
let dataDir: string;
let doc: OpenApi;
let ops: DocumentedOp[];
let origin: { host: string; port: number };

before(async () => {
  fake = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      upstreamCalls.push({ method: req.method ?? '', url: req.url ?? '' });
      // The tts-renderer's sample is the one answer that is bytes, not JSON.
      if (req.method === 'POST' && req.url === '/voices/sample') return void res.writeHead(200, { 'content-type': 'audio/wav' }).end(SAMPLE_WAV);
      const answer = upstreamAnswer(req.method ?? '', req.url ?? '');
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  const upstream = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  dataDir = await mkdtemp(join(tmpdir(), 'gateway-fuzz-'));
  const config = loadGatewayConfig({
    API_KEYS: `alice:${hashApiKey(KEY)}`,
    FACELESS_DATA_DIR: dataDir,
    ORCHESTRATOR_URL: upstream,
    AB_TESTER_URL: upstream,
    UPLOADER_URL: upstream,
    TTS_RENDERER_URL: upstream,
    KEYWORD_FETCHER_URL: upstream,
    SCRIPT_GENERATOR_URL: upstream,
    BODY_LIMIT_BYTES: String(BODY_LIMIT),
    // The limits have their own tests; here they would turn most answers into 429s.
    RATE_LIMIT_PER_MINUTE: '100000',
    AUTH_FAILURES_PER_MINUTE: '10000',
    UPSTREAM_TIMEOUT_MS: '5000',
  });
  await mkdir(join(dataDir, 'store', 'pipelines', KNOWN), { recursive: true });
  await writeFile(join(dataDir, 'store', LINKED_VIDEO), randomBytes(1000));
  await writeFile(join(dataDir, 'store', 'pipelines', KNOWN, 'captions.vtt'), 'WEBVTT\n');
  const webRoot = join(dataDir, 'web');
  await mkdir(join(webRoot, 'assets'), { recursive: true });
  await writeFile(join(webRoot, 'index.html'), '<!doctype html><html lang="en"><title>faceless</title><script type="module" src="/assets/app.js"></script></html>');
  await writeFile(join(webRoot, 'assets', 'app.js'), 'console.log("faceless");\n');
  app = buildGatewayApp({
    config, events: new MemoryEventBus(), webRoot,
    // A folder store's signed links, as in `faceless serve`: the content route is generated from the document too.
    artifactLinks: { signer: LINKS, store: new FolderStore(join(dataDir, 'store')) },
    logger: createLogger({ level: 'debug', write: (line) => { logLines.push(line); } }),
  });
  // Added before the routes' plugins load, so both hooks see every route and every request.
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      routes.push({ method, url: route.url, isPublic: route.config?.public === true, hidden: (route.schema as { hide?: boolean } | undefined)?.hide === true });
    }
  });
  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url;
    if (url !== undefined) matched.set(String(request.id), { method: request.method, url, isPublic: request.routeOptions.config.public === true });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  origin = { host: '127.0.0.1', port: (app.server.address() as AddressInfo).port };

  const served = await app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(served.statusCode, 200, served.body);
  doc = served.json<OpenApi>();
  ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({
    method: method.toUpperCase(), path, op, isPublic: Array.isArray(op.security ?? doc.security) && (op.security ?? doc.security ?? []).length === 0,
  })));
});

after(async () => {
  await app.close();
  await new Promise<void>((resolve) => fake.close(() => resolve()));
  await rm(dataDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------- arbitraries from the JSON schemas of the document

function resolve(schema: JsonSchema): JsonSchema {
  if (!schema.$ref) return schema;
  const target = schema.$ref.replace(/^#\//, '').split('/').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
  if (!target) throw new Error(`unresolvable $ref ${schema.$ref} in /openapi.json`);
  return resolve(target as JsonSchema);
}

const SAFE_INT = { min: -(2 ** 31), max: 2 ** 31 - 1 };

function integerIn(min: number, max: number): fc.Arbitrary<number> {
  const lo = Math.max(min, SAFE_INT.min);
  const hi = Math.min(max, SAFE_INT.max);
  return lo <= hi ? fc.oneof(fc.integer({ min: lo, max: hi }), fc.constantFrom(min, max)) : fc.constantFrom(min, max);
}

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.max(min, Math.min(schema.maxLength ?? 40, 80));
  const fits = (s: string) => [...s].length >= min && [...s].length <= (schema.maxLength ?? Number.MAX_SAFE_INTEGER);
  const formatted: Record<string, fc.Arbitrary<string>> = {
    'date-time': fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
    uri: fc.constantFrom('https://example.test/a', 'http://127.0.0.1:9/x'),
    url: fc.constantFrom('https://example.test/a', 'http://127.0.0.1:9/x'),
    email: fc.constant('someone@example.test'),
    uuid: fc.uuid(),
  };
  const format = schema.format ? formatted[schema.format] : undefined;
  if (format) return format;
  if (schema.pattern) {
    const re = new RegExp(schema.pattern, 'u');
    return fc.oneof(
      fc.stringMatching(re, { size: 'small' }),
      fc.string({ minLength: Math.max(1, min), maxLength: max, unit: 'grapheme' }),
      fc.string({ minLength: Math.max(1, min), maxLength: max, unit: 'grapheme-ascii' }),
    ).filter((s) => re.test(s) && fits(s));
  }
  return fc.oneof(
    fc.string({ minLength: min, maxLength: max, unit: 'grapheme-ascii' }),
    fc.string({ minLength: min, maxLength: max, unit: 'grapheme' }),
  ).filter(fits);
}

/** Values the schema accepts (as far as JSON Schema can say: zod refinements may still refuse some). */
function validValue(input: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(input);
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return fc.oneof(...choices.map((c) => validValue(c, depth + 1)));
  if (schema.allOf) return validValue(Object.assign({}, ...schema.allOf.map(resolve)) as JsonSchema, depth);
  const types = [schema.type ?? (schema.properties ? 'object' : schema.items ? 'array' : 'any')].flat();
  return fc.oneof(...types.map((type) => valueOfType(schema, type, depth)));
}

function valueOfType(schema: JsonSchema, type: string, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'object': {
      if (schema.properties) {
        const model = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, validValue(v, depth + 1)]));
        return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in model) });
      }
      const values = typeof schema.additionalProperties === 'object' ? validValue(schema.additionalProperties, depth + 1) : fc.jsonValue({ maxDepth: 1 });
      return fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), values, { maxKeys: depth > 2 ? 1 : 3 });
    }
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 4, minLength + 4));
      return fc.array(schema.items ? validValue(schema.items, depth + 1) : fc.jsonValue({ maxDepth: 1 }), { minLength, maxLength });
    }
    case 'string': return stringFor(schema);
    case 'integer': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? Math.floor(schema.exclusiveMinimum) + 1 : -1_000_000);
      const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? Math.ceil(schema.exclusiveMaximum) - 1 : 1_000_000);
      return integerIn(Math.ceil(min), Math.floor(max));
    }
    case 'number': {
      const min = schema.minimum ?? schema.exclusiveMinimum ?? -1e6;
      const max = schema.maximum ?? schema.exclusiveMaximum ?? 1e6;
      return fc.oneof(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), fc.constantFrom(min, max))
        .filter((n) => (schema.exclusiveMinimum === undefined || n > schema.exclusiveMinimum) && (schema.exclusiveMaximum === undefined || n < schema.exclusiveMaximum));
    }
    case 'boolean': return fc.boolean();
    case 'null': return fc.constant(null);
    default: return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Alternating arrays and objects `depth` deep, as JSON text (JSON.stringify itself overflows the stack on it). */
const nestedJson = (depth: number, leaf = '1'): string => {
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < depth; i++) {
    open.push(i % 2 === 0 ? '{"a":' : '[');
    close.push(i % 2 === 0 ? '}' : ']');
  }
  return `${open.join('')}${leaf}${close.reverse().join('')}`;
};
/** A marker that mutateObject replaces by nested JSON text of that depth. */
const NESTED = (depth: number) => ({ [NESTED_KEY]: depth });
const NESTED_KEY = '\u0000nested';
const stringify = (value: unknown): string =>
  JSON.stringify(value).replace(/\{"\\u0000nested":(\d+)\}/g, (_m, depth: string) => nestedJson(Number(depth)));

/** Values of the wrong type or outside the schema's limits. */
function wrongValue(input: JsonSchema): fc.Arbitrary<unknown> {
  const schema = resolve(input);
  const out: fc.Arbitrary<unknown>[] = [
    fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, -0, 1e308, '', 'x', [], {}, [null], { '': null }, '\u0000', '\uD800', '\u202Eevil', 'e\u0301', '💥'.repeat(3)),
    fc.jsonValue({ maxDepth: 3 }),
    fc.integer({ min: 1, max: 3000 }).map((d) => NESTED(d)),
  ];
  if (schema.maxLength !== undefined) out.push(fc.constantFrom('x'.repeat(schema.maxLength + 1), ' '.repeat(schema.maxLength + 1), `${'é'.repeat(schema.maxLength)} `));
  if (schema.minLength) out.push(fc.constant('y'.repeat(schema.minLength - 1)));
  if (schema.maximum !== undefined) out.push(fc.constantFrom(schema.maximum + 1, schema.maximum + 0.5, Number.MAX_SAFE_INTEGER + 2));
  if (schema.minimum !== undefined) out.push(fc.constantFrom(schema.minimum - 1, schema.minimum - 0.5));
  if (schema.enum) out.push(fc.constantFrom('not-in-the-list', String(schema.enum[0]).toUpperCase(), ` ${String(schema.enum[0])}`));
  if (schema.pattern) out.push(fc.constantFrom('   ', '\t\n', '../../etc/passwd', 'a/b', '%2e%2e'));
  return fc.oneof(...out);
}

const HUGE = 'A'.repeat(BODY_LIMIT + 10);
const UNKNOWN_FIELDS = ['colour', '__proto__', 'constructor', 'prototype', 'toString', '', ' ', 'é', '$where', 'topic '] as const;

function mutateObject(valid: unknown, field: string | undefined, mutation: string, extra: unknown): string {
  const object = (valid && typeof valid === 'object' && !Array.isArray(valid) ? { ...(valid as Record<string, unknown>) } : {}) as Record<string, unknown>;
  switch (mutation) {
    case 'drop': if (field) delete object[field]; return JSON.stringify(object);
    case 'wrong': if (field) object[field] = extra; return stringify(object);
    case 'null-all': return JSON.stringify(Object.fromEntries(Object.keys(object).map((k) => [k, null])));
    case 'huge': if (field) object[field] = HUGE; return JSON.stringify(object);
    case 'long-unicode': if (field) object[field] = '\u{1F600}\u0301\u200B'.repeat(700); return JSON.stringify(object);
    default: {
      // An unknown field, written by hand so that "__proto__" is a real own key of the JSON text.
      const text = JSON.stringify(object);
      const name = JSON.stringify(String(extra));
      return text === '{}' ? `{${name}:{"admin":true}}` : `${text.slice(0, -1)},${name}:{"admin":true}}`;
    }
  }
}

/** A request body for an operation: valid, mutated, or not JSON at all. */
type Body = { payload?: string; kind: string };

function bodyFor(schema: JsonSchema | undefined): fc.Arbitrary<Body> {
  const valid = schema ? validValue(schema) : fc.jsonValue({ maxDepth: 2 });
  const fields = schema ? Object.keys(resolve(schema).properties ?? {}) : [];
  const field = fields.length > 0 ? fc.constantFrom(...fields) : fc.constant(undefined);
  const wrongFor = (name: string | undefined) => {
    const property = name && schema ? resolve(schema).properties?.[name] : undefined;
    return property ? wrongValue(property) : wrongValue({});
  };
  return fc.oneof(
    { weight: 5, arbitrary: valid.map((v) => ({ payload: JSON.stringify(v), kind: 'valid' })) },
    { weight: 2, arbitrary: fc.tuple(valid, field).chain(([v, f]) => wrongFor(f).map((w) => ({ payload: mutateObject(v, f, 'wrong', w), kind: `wrong type/limit of ${f ?? '?'}` }))) },
    { weight: 1, arbitrary: fc.tuple(valid, field).map(([v, f]) => ({ payload: mutateObject(v, f, 'drop', undefined), kind: `without ${f ?? '?'}` })) },
    { weight: 1, arbitrary: fc.tuple(valid, fc.constantFrom(...UNKNOWN_FIELDS)).map(([v, name]) => ({ payload: mutateObject(v, undefined, 'unknown', name), kind: `unknown field ${name}` })) },
    { weight: 1, arbitrary: fc.tuple(valid, field, fc.constantFrom('huge', 'long-unicode', 'null-all')).map(([v, f, m]) => ({ payload: mutateObject(v, f, m, undefined), kind: `${m} ${f ?? ''}` })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ payload: JSON.stringify(v), kind: 'any JSON' })) },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 6000 }).map((d) => ({ payload: `{"topic":${nestedJson(d, '"x"')}}`, kind: `nested ${d}` })) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '', '{', '{"topic":', '{"topic":"octopus",}', '\uFEFF{"topic":"octopus"}', '{"topic":"a","topic":"b"}', '{"topic":NaN}', 'null', '[]', '"topic"',
        '{"topic":"octopus"} trailing', '{"topic":"\\ud800"}', `{"topic":"${'\\u0041'.repeat(300)}"}`, '\u0000', '{"a":1e99999}', '{"constructor":{"prototype":{"admin":true}}}',
      ).map((payload) => ({ payload, kind: 'malformed or odd JSON' })),
    },
    { weight: 1, arbitrary: fc.constant<Body>({ kind: 'no body' }) },
  );
}

/** encodeURIComponent, with lone surrogates (which it refuses) as U+FFFD. */
const encode = (text: string) => encodeURIComponent(text.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'));

const PARAM_VALUES = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(KNOWN, FAILED, 'p-unknown') },
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.-]{1,100}$/) },
  { weight: 1, arbitrary: fc.constantFrom('.', '..', '...', '.hidden') },
  { weight: 1, arbitrary: fc.constantFrom('a'.repeat(100), 'a'.repeat(101), 'b'.repeat(513), 'c'.repeat(3000)) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '%70-1', 'p%2D1', 'p%2d1', 'a%2Fb', '..%2f..%2fhealth', '..%2F..%2Fpipelines', '%2e%2e', '%2E%2E%2Fhealth', '%2e', 'a%00b', '%zz', '%', '%E0%A4%A',
      '%C3%A9', '%F0%9F%92%A5', 'p-1%20', '%20', 'p-1%3Fx%3D1', 'p-1%23frag', '%5C..%5Chealth', 'p-1;x=1', 'p-1%0d%0aX-Injected:%201',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('é', '💥', 'ｐ－１', '\u202Ep-1', 'p\u0000', ' ') },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }).map((text) => encode(text)) },
);

function fillPath(path: string, value: string): string {
  return path.replace(/\{[^}]+\}/g, value);
}

type Auth = { header?: string; keyed: boolean };
const AUTH: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<Auth>({ header: `Bearer ${KEY}`, keyed: true }, { header: `bearer ${KEY}`, keyed: true }) },
  {
    weight: 5,
    arbitrary: fc.constantFrom<Auth>(
      { keyed: false }, { header: '', keyed: false }, { header: 'Bearer', keyed: false }, { header: 'Bearer ', keyed: false },
      { header: 'Bearer not-the-key', keyed: false }, { header: `Bearer ${KEY}x`, keyed: false }, { header: `Bearer ${KEY.slice(0, -1)}`, keyed: false },
      { header: `Bearer ${KEY.toUpperCase()}`, keyed: false }, { header: `Basic ${Buffer.from(`alice:${KEY}`).toString('base64')}`, keyed: false },
      { header: KEY, keyed: false }, { header: `Token ${KEY}`, keyed: false }, { header: `Bearer ${KEY} ${KEY}`, keyed: false },
      { header: `Bearer ${'a'.repeat(8000)}`, keyed: false }, { header: `Bearer ${hashApiKey(KEY)}`, keyed: false }, { header: 'Bearer alice', keyed: false },
    ),
  },
);

const CONTENT_TYPES = fc.oneof(
  { weight: 8, arbitrary: fc.constant<string | undefined>('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom<string | undefined>(
      undefined, 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz', 'application/json; charset=latin1', 'application/vnd.api+json', 'application/json, text/plain', '', '*/*',
      'application/xml', 'application/octet-stream', 'application/jsonx', 'text/event-stream',
    ),
  },
);

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH', 'COPY', 'LOCK'] as const;

function queryFor(op: Operation): fc.Arbitrary<[string, string][]> {
  const documented = (op.parameters ?? []).filter((p) => p.in === 'query');
  const pairs = documented.map((p) => fc.oneof(
    { weight: 3, arbitrary: validValue(p.schema ?? {}).map((v) => [[p.name, String(v)]] as [string, string][]) },
    { weight: 2, arbitrary: wrongValue(p.schema ?? {}).map((v) => [[p.name, typeof v === 'string' ? v : stringify(v)]] as [string, string][]) },
    { weight: 1, arbitrary: fc.constantFrom<[string, string][]>([[p.name, '1'], [p.name, '2']], [[p.name, '']], [[`${p.name}[]`, '1']], [[p.name, '1e2']], [[p.name, '0x10']], [[p.name, '9'.repeat(400)]]) },
    { weight: 2, arbitrary: fc.constant<[string, string][]>([]) },
  ));
  const extra = fc.oneof(
    { weight: 4, arbitrary: fc.constant<[string, string][]>([]) },
    { weight: 1, arbitrary: fc.constantFrom<[string, string][]>([['api_key', KEY]], [['access_token', KEY]], [['key', KEY], ['token', KEY]], [['unknown', 'x']], [['__proto__', 'x']], [['', '']]) },
    { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 10, unit: 'grapheme' }), fc.string({ maxLength: 30, unit: 'grapheme' })).map(([k, v]) => [[k, v]] as [string, string][]) },
  );
  return fc.tuple(fc.tuple(...pairs), extra).map(([groups, more]) => [...groups.flat(), ...more]);
}

const encodeQuery = (pairs: [string, string][], raw: boolean) =>
  pairs.map(([k, v]) => (raw ? `${k}=${v}` : `${encode(k)}=${encode(v)}`)).join('&');

/** One generated request for one documented operation. */
function requestFor(entry: DocumentedOp): fc.Arbitrary<Sent> {
  const bodySchema = entry.op.requestBody?.content?.['application/json']?.schema;
  const hasParam = /\{[^}]+\}/.test(entry.path);
  return fc.record({
    method: fc.oneof({ weight: 6, arbitrary: fc.constant(entry.method) }, { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) }),
    param: hasParam ? PARAM_VALUES : fc.constant(''),
    query: queryFor(entry.op),
    rawQuery: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    auth: entry.isPublic ? fc.oneof(AUTH, fc.constant<Auth>({ keyed: false })) : AUTH,
    contentType: CONTENT_TYPES,
    body: bodySchema ? bodyFor(bodySchema) : fc.oneof({ weight: 3, arbitrary: fc.constant<Body>({ kind: 'no body' }) }, { weight: 1, arbitrary: bodyFor(undefined) }),
    requestId: fc.oneof({ weight: 5, arbitrary: fc.constant<string | undefined>(undefined) }, { weight: 1, arbitrary: fc.constantFrom('fuzz-1', 'a b', 'x'.repeat(300), '<script>', 'é', '') }),
    lastEventId: fc.oneof({ weight: 5, arbitrary: fc.constant<string | undefined>(undefined) }, { weight: 1, arbitrary: fc.constantFrom('1', '0', '-1', 'abc', '99999999999999999999', '1.5') }),
    accept: fc.constantFrom<string | undefined>(undefined, undefined, 'application/json', 'text/event-stream', 'text/html', '*/*', 'application/xml'),
  }).map((r) => {
    const path = hasParam ? fillPath(entry.path, r.param) : entry.path;
    const query = encodeQuery(r.query, r.rawQuery);
    const headers: Record<string, string> = {};
    if (r.auth.header !== undefined) headers.authorization = r.auth.header;
    if (r.body.payload !== undefined && r.contentType !== undefined) headers['content-type'] = r.contentType;
    if (r.requestId !== undefined) headers['x-request-id'] = r.requestId;
    if (r.lastEventId !== undefined) headers['last-event-id'] = r.lastEventId;
    if (r.accept !== undefined) headers.accept = r.accept;
    const url = `${path}${query ? `?${query}` : ''}`;
    // The documented method on a path the router maps to this operation (one segment per parameter).
    const decoded = safeDecode(r.param);
    const documented = r.method === entry.method && (!hasParam || (r.param !== '' && !r.param.includes('/') && decoded !== undefined && !decoded.includes('/') && r.param.length <= 100 && !['.', '..'].includes(r.param)));
    return {
      op: `${entry.method} ${entry.path}`, method: r.method, url, headers, keyed: r.auth.keyed, documented, via: 'inject' as const,
      ...(r.body.payload !== undefined && r.method !== 'HEAD' ? { payload: r.body.payload } : {}),
    };
  });
}

/** Genuine signed links (random ones never pass the signature), with and without ranges, expired, for a missing file. */
function linkRequest(entry: DocumentedOp): fc.Arbitrary<Sent> {
  return fc.record({
    key: fc.constantFrom(LINKED_VIDEO, `pipelines/${KNOWN}/captions.vtt`, `pipelines/${KNOWN}/gone.mp4`),
    expired: fc.boolean(),
    range: fc.constantFrom(undefined, 'bytes=0-99', 'bytes=500-', 'bytes=-10', 'bytes=0-0', 'bytes=2000-3000', 'bytes=5-2', 'bytes=0-1,5-9', 'items=0-5', 'bytes=x'),
    download: fc.boolean(),
    auth: fc.oneof(AUTH, fc.constant<Auth>({ keyed: false })),
    method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD'),
  }).map((r) => {
    const url = `${(r.expired ? PAST_LINKS : LINKS).sign(KNOWN, r.key, 600)}${r.download ? '&download=1' : ''}`;
    const headers: Record<string, string> = { ...(r.range ? { range: r.range } : {}), ...(r.auth.header !== undefined ? { authorization: r.auth.header } : {}) };
    return { op: `${entry.method} ${entry.path}`, method: r.method, url, headers, keyed: r.auth.keyed, documented: true, via: 'inject' as const };
  });
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

async function sendInject(sent: Sent): Promise<Answer | undefined> {
  try {
    const res = await app.inject({
      method: sent.method as 'GET',
      url: sent.url,
      headers: sent.headers,
      ...(sent.payload !== undefined ? { payload: sent.payload } : {}),
    });
    const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]));
    return { status: res.statusCode, headers, body: res.body };
  } catch (err) {
    // light-my-request refuses some requests itself (e.g. a URL it cannot parse): those never reach the gateway.
    if (err instanceof TypeError || (err as { code?: string }).code?.startsWith('ERR_')) return undefined;
    throw err;
  }
}

// ---------------------------------------------------------------- raw socket requests (what inject cannot send)

function rawRequest(text: string | Buffer, timeoutMs = 4000): Promise<Answer> {
  return new Promise((resolvePromise) => {
    const socket = connect(origin.port, origin.host);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => { socket.destroy(); finish(); }, timeoutMs);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const data = Buffer.concat(chunks);
      const head = data.indexOf('\r\n\r\n');
      if (head < 0) {
        // The connection closed without an HTTP answer: recorded as status 0, which the checks refuse.
        resolvePromise({ status: 0, headers: {}, body: `(no HTTP answer: ${data.length} bytes ${JSON.stringify(data.toString('latin1').slice(0, 100))})` });
        return;
      }
      // Interim answers (100 Continue) come before the real one.
      const interim = /^HTTP\/1\.[01] 1\d\d[^\r]*\r\n(?:[^\r]+\r\n)*\r\n/.exec(data.toString('latin1'));
      if (interim && interim[0].length < data.length) {
        chunks.splice(0, chunks.length, Buffer.from(data.subarray(interim[0].length)));
        done = false;
        finish();
        return;
      }
      const lines = data.subarray(0, head).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      let body: Buffer = data.subarray(head + 4);
      if (headers['transfer-encoding']?.includes('chunked')) body = dechunk(body);
      else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
      resolvePromise({ status, headers, body: body.toString('utf8') });
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', () => finish());
    socket.write(text);
  });
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

const rawText = (requestLine: string, headers: string[], body = '') =>
  `${requestLine}\r\n${[...headers, 'Connection: close'].join('\r\n')}\r\n\r\n${body}`;

/** Raw cases named in the issue, each: the request, whether it carries a valid key. */
type RawCase = { name: string; text: string | Buffer; keyed: boolean; status?: number[] };

function rawCases(): RawCase[] {
  const host = `Host: ${origin.host}:${origin.port}`;
  const key = `Authorization: Bearer ${KEY}`;
  const start = JSON.stringify({ topic: 'octopus' });
  const post = (target: string, headers: string[] = []) =>
    rawText(`POST ${target} HTTP/1.1`, [host, 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(start)}`, ...headers], start);
  const cases: RawCase[] = [
    { name: 'bad percent escape in a parameter', text: rawText('GET /api/pipelines/status/%zz HTTP/1.1', [host, key]), keyed: true, status: [400] },
    { name: 'truncated percent escape', text: rawText('GET /api/pipelines/status/%E0%A4%A HTTP/1.1', [host, key]), keyed: true },
    { name: 'bad percent escape in the path, no key', text: rawText('GET /api/%zz/pipelines HTTP/1.1', [host]), keyed: false },
    { name: 'bad percent escape in the query', text: rawText('GET /api/pipelines?limit=%zz HTTP/1.1', [host, key]), keyed: true },
    { name: '10 KB URL', text: rawText(`GET /api/pipelines/status/${'a'.repeat(10 * 1024)} HTTP/1.1`, [host, key]), keyed: true },
    { name: '10 KB query', text: rawText(`GET /api/pipelines?x=${'a'.repeat(10 * 1024)} HTTP/1.1`, [host, key]), keyed: true },
    { name: '64 KB of headers', text: rawText('GET /api/pipelines HTTP/1.1', [host, key, ...Array.from({ length: 64 }, (_, i) => `X-Pad-${i}: ${'p'.repeat(1000)}`)]), keyed: true, status: [431] },
    { name: 'one 20 KB header', text: rawText('GET /health HTTP/1.1', [host, `X-Big: ${'b'.repeat(20 * 1024)}`]), keyed: false, status: [431] },
    { name: 'TRACE with a body', text: rawText('TRACE /api/pipelines HTTP/1.1', [host, key, 'Content-Type: application/json', 'Content-Length: 2'], '{}'), keyed: true },
    { name: 'TRACE with a body, no key', text: rawText('TRACE /health HTTP/1.1', [host, 'Content-Length: 5'], 'hello'), keyed: false },
    { name: 'no Host header', text: rawText('GET /api/pipelines HTTP/1.1', [key]), keyed: true },
    { name: 'no Host header, public route', text: rawText('GET /health HTTP/1.1', []), keyed: false },
    { name: 'HTTP/1.0 without Host', text: rawText('GET /api/pipelines HTTP/1.0', []), keyed: false },
    { name: 'absolute-form target, no key', text: rawText('GET http://example.invalid/api/pipelines HTTP/1.1', [host]), keyed: false, status: [401, 404] },
    { name: 'absolute-form start, no key', text: post('http://example.invalid/api/pipelines/start'), keyed: false, status: [401, 404] },
    { name: 'absolute-form target, key', text: rawText('GET http://example.invalid/api/pipelines HTTP/1.1', [host, key]), keyed: true, status: [200] },
    { name: '/%61pi/pipelines, no key', text: rawText('GET /%61pi/pipelines HTTP/1.1', [host]), keyed: false, status: [401, 404] },
    { name: '/%61pi/pipelines/start, no key', text: post('/%61pi/pipelines/start'), keyed: false, status: [401, 404] },
    { name: '/%61pi/pipelines/p-1/events, no key', text: rawText('GET /%61pi/pipelines/p-1/events HTTP/1.1', [host]), keyed: false, status: [401, 404] },
    { name: '/api/pipelines/p-1/%63ancel, no key', text: post('/api/pipelines/p-1/%63ancel'), keyed: false, status: [401, 404] },
    { name: '//api/pipelines, no key', text: rawText('GET //api/pipelines HTTP/1.1', [host]), keyed: false },
    { name: '/api//pipelines, no key', text: rawText('GET /api//pipelines HTTP/1.1', [host]), keyed: false },
    { name: '/API/pipelines, no key', text: rawText('GET /API/pipelines HTTP/1.1', [host]), keyed: false },
    { name: '/api/pipelines/, no key', text: rawText('GET /api/pipelines/ HTTP/1.1', [host]), keyed: false },
    { name: '/api/./pipelines, no key', text: rawText('GET /api/./pipelines HTTP/1.1', [host]), keyed: false },
    { name: '/x/../api/pipelines, no key', text: rawText('GET /x/../api/pipelines HTTP/1.1', [host]), keyed: false },
    { name: '/health/../api/pipelines, no key', text: rawText('GET /health/../api/pipelines HTTP/1.1', [host]), keyed: false },
    { name: '/health/..%2fapi/pipelines, no key', text: rawText('GET /health/..%2fapi/pipelines HTTP/1.1', [host]), keyed: false },
    { name: '/api/pipelines;x=1, no key', text: rawText('GET /api/pipelines;x=1 HTTP/1.1', [host]), keyed: false },
    { name: '/api/pipelines%3F, no key', text: rawText('GET /api/pipelines%3F HTTP/1.1', [host]), keyed: false },
    { name: '/api/pipelines#x, no key', text: rawText('GET /api/pipelines#x HTTP/1.1', [host]), keyed: false },
    { name: 'asterisk-form OPTIONS', text: rawText('OPTIONS * HTTP/1.1', [host]), keyed: false },
    { name: 'authority-form CONNECT', text: rawText('CONNECT example.invalid:443 HTTP/1.1', [host]), keyed: false },
    { name: 'unknown method', text: rawText('FROB /api/pipelines HTTP/1.1', [host]), keyed: false },
    { name: 'lower-case method', text: rawText('get /api/pipelines HTTP/1.1', [host, key]), keyed: true },
    { name: 'malformed request line', text: rawText('GET  /api/pipelines  HTTP/1.1', [host]), keyed: false },
    { name: 'HTTP/2.0 in the request line', text: rawText('GET /health HTTP/2.0', [host]), keyed: false },
    { name: 'raw UTF-8 bytes in the path', text: Buffer.from(rawText('GET /api/pipelines/status/é💥 HTTP/1.1', [host, key]), 'utf8'), keyed: true },
    { name: 'control character in the path', text: rawText('GET /api/pipelines/status/a\u0001b HTTP/1.1', [host, key]), keyed: true },
    { name: 'header without colon', text: rawText('GET /api/pipelines HTTP/1.1', [host, key, 'NoColonHere']), keyed: true },
    { name: 'obs-fold header', text: rawText('GET /api/pipelines HTTP/1.1', [host, key, 'X-Fold: a', ' b']), keyed: true },
    { name: 'CR in a header value', text: rawText('GET /health HTTP/1.1', [host, 'X-Bad: a\rb']), keyed: false },
    { name: 'Content-Length and chunked together', text: rawText('POST /api/pipelines/start HTTP/1.1', [host, key, 'Content-Type: application/json', 'Content-Length: 4', 'Transfer-Encoding: chunked'], '0\r\n\r\n'), keyed: true },
    { name: 'two Content-Length headers', text: rawText('POST /api/pipelines/start HTTP/1.1', [host, key, 'Content-Type: application/json', 'Content-Length: 2', 'Content-Length: 3'], '{}'), keyed: true },
    { name: 'bad chunk size', text: rawText('POST /api/pipelines/start HTTP/1.1', [host, key, 'Content-Type: application/json', 'Transfer-Encoding: chunked'], 'zz\r\n{}\r\n0\r\n\r\n'), keyed: true },
    { name: 'negative Content-Length', text: rawText('POST /api/pipelines/start HTTP/1.1', [host, key, 'Content-Type: application/json', 'Content-Length: -1'], '{}'), keyed: true },
    { name: 'Expect: 100-continue', text: post('/api/pipelines/start', [key, 'Expect: 100-continue']), keyed: true },
    { name: 'unknown Expect', text: post('/api/pipelines/start', [key, 'Expect: 200-ok']), keyed: true },
    { name: 'key in the query only', text: rawText(`GET /api/pipelines?api_key=${KEY} HTTP/1.1`, [host]), keyed: false },
    { name: 'two Authorization headers', text: rawText('GET /api/pipelines HTTP/1.1', [host, 'Authorization: Bearer nope', key]), keyed: false },
    { name: 'Host with a bad port', text: rawText('GET /api/pipelines HTTP/1.1', ['Host: a:b:c', key]), keyed: true },
  ];
  return cases;
}

const RAW_SEGMENTS = ['api', 'API', '%61pi', 'pipelines', 'pipeline%73', 'status', 'start', 'events', 'artifacts', 'content', 'cancel', 'retry', KNOWN,
  '..', '.', '%2e%2e', '%2E', '', '%2f', '%2F', '%5c', '\\', ';', '%00', '%zz', '%', 'health', 'docs', 'openapi.json', 'metrics', 'é', '%C3%A9', '~', '*', 'http:'] as const;

const RAW_TARGET = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PATCH'),
  absolute: fc.constantFrom('', '', '', 'http://example.invalid', 'http://127.0.0.1', 'HTTP://EXAMPLE.INVALID'),
  segments: fc.array(fc.constantFrom(...RAW_SEGMENTS), { minLength: 1, maxLength: 6 }),
  leading: fc.constantFrom('/', '/', '/', '//', '/./'),
  trailing: fc.constantFrom('', '', '/', '?', '?limit=5', '#x', '?api_key=x'),
  keyed: fc.boolean(),
  body: fc.constantFrom('', '', '{"topic":"octopus"}', '{"topic":1}', '{'),
});

// ---------------------------------------------------------------- the checks every answer must pass

const header = (answer: Answer, name: string): string | undefined => {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
};
const describe = (e: Exchange) => {
  const { sent, answer } = e;
  const payload = sent.payload === undefined ? '' : ` body ${JSON.stringify(sent.payload.slice(0, 160))}${sent.payload.length > 160 ? `…(${sent.payload.length} chars)` : ''}`;
  const headers = Object.entries(sent.headers).map(([k, v]) => `${k}: ${v.length > 60 ? `${v.slice(0, 60)}…` : v}`).join(', ');
  const via = sent.via === 'socket' ? `${sent.op} (socket):` : 'inject';
  return `${via} ${sent.method} ${sent.url.length > 160 ? `${sent.url.slice(0, 160)}…(${sent.url.length} chars)` : sent.url} [${headers}]${payload} → ${answer.status} ${answer.body.slice(0, 200)}`;
};

/** Fails with the number of offending answers and the shortest few of them. */
function assertNone(what: string, offending: Exchange[], note: (e: Exchange) => string = () => ''): void {
  if (offending.length === 0) return;
  const shortest = [...offending].sort((a, b) => (a.sent.url.length + (a.sent.payload?.length ?? 0)) - (b.sent.url.length + (b.sent.payload?.length ?? 0)));
  const kinds = new Map<string, Exchange>();
  for (const e of shortest) {
    const kind = `${e.sent.op} ${e.sent.method} ${e.answer.status} ${note(e)}`;
    if (!kinds.has(kind)) kinds.set(kind, e);
  }
  const examples = [...kinds.values()].slice(0, 8).map((e) => `  - ${describe(e)}${note(e) ? `\n    ${note(e)}` : ''}`);
  assert.fail(`${offending.length} of ${exchanges.length} answers: ${what} (seed ${SEED}; FUZZ_SEED=<n> tries others)\n${examples.join('\n')}`);
}

function errorFormatProblem(e: Exchange): string | undefined {
  const { answer, sent } = e;
  if (answer.status < 400 || answer.status >= 500) return undefined;
  const type = header(answer, 'content-type') ?? '';
  if (!/^application\/json\b/.test(type)) return `content-type "${type}"`;
  if (sent.method === 'HEAD') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return 'body is not JSON';
  }
  const body = ErrorBody.safeParse(parsed);
  if (!body.success) return `not an ErrorBody: ${body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
  if (typeof body.data.error.requestId !== 'string' || body.data.error.requestId === '') return 'no error.requestId';
  if (body.data.error.requestId !== header(answer, 'x-request-id')) return `error.requestId ${body.data.error.requestId} ≠ x-request-id ${header(answer, 'x-request-id') ?? '(none)'}`;
  return undefined;
}

/** `/api/pipelines/:id/events` → `/api/pipelines/{id}/events`, `/*` → `/{*}` (what @fastify/swagger writes). */
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{*}');
const docOp = (method: string, url: string) => ops.find((o) => o.method === (method === 'HEAD' ? 'GET' : method) && o.path === openApiPath(url));

/** The route that answered is public by its flag and, when /openapi.json shows it, by its documented security too. */
function answeredByPublicRoute(e: Exchange): boolean {
  if (!e.route?.isPublic) return false;
  return docOp(e.route.method, e.route.url)?.isPublic ?? true;
}

const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
addFormats.default(ajv);
const validators = new Map<string, ValidateFunction>();
function validatorFor(schema: JsonSchema, id: string): ValidateFunction {
  let validate = validators.get(id);
  if (!validate) {
    validate = ajv.compile({ ...schema, $defs: (doc.components?.schemas as object | undefined) ?? {} });
    validators.set(id, validate);
  }
  return validate;
}

function documentedOp(sent: Sent): DocumentedOp | undefined {
  return sent.via === 'inject' && sent.documented ? ops.find((o) => `${o.method} ${o.path}` === sent.op) : undefined;
}

function successBodyProblem(e: Exchange): string | undefined {
  const { sent, answer } = e;
  if (answer.status < 200 || answer.status >= 300 || sent.method === 'HEAD' || answer.status === 204) return undefined;
  const entry = documentedOp(sent);
  if (!entry) return undefined;
  const response = entry.op.responses?.[String(answer.status)];
  if (!response) return `status ${answer.status} is not documented for ${sent.op}`;
  const type = (header(answer, 'content-type') ?? '').split(';')[0]?.trim() ?? '';
  const media = response.content?.[type];
  if (!media) return `content-type ${type} is not documented for ${sent.op} ${answer.status} (documented: ${Object.keys(response.content ?? {}).join(', ')})`;
  if (!media.schema) return undefined;
  const validate = validatorFor(media.schema, `${sent.op} ${answer.status} ${type}`);
  const values: unknown[] = [];
  try {
    if (type === 'application/json') values.push(JSON.parse(answer.body));
    else if (type === 'text/event-stream') for (const line of answer.body.split('\n')) if (line.startsWith('data:')) values.push(JSON.parse(line.slice(5)));
    else return undefined;
  } catch {
    return 'body is not JSON';
  }
  for (const value of values) if (!validate(value)) return `body does not match the documented schema: ${ajv.errorsText(validate.errors)}`;
  return undefined;
}

// ---------------------------------------------------------------- the tests

test('/openapi.json passes a real OpenAPI validator and documents every route with its security', async () => {
  const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1)?.slice(0, 3000));
  assert.ok(ops.length >= 10, `only ${ops.length} operations documented`);
  for (const entry of ops) {
    assert.ok(Array.isArray(entry.op.security ?? doc.security), `${entry.method} ${entry.path} has no security requirement, not even an empty one`);
  }
});

test(`${RUNS} requests generated from /openapi.json (seed ${SEED}) reach every operation`, async (t) => {
  const arbitrary = fc.oneof(...ops.map((entry) => (entry.path.endsWith('/artifacts/content')
    ? fc.oneof(requestFor(entry), linkRequest(entry))
    : requestFor(entry))));
  await fc.assert(fc.asyncProperty(arbitrary, async (sent) => {
    const answer = await sendInject(sent);
    if (answer) record(sent, answer);
  }), { numRuns: RUNS, seed: SEED, endOnFailure: true });
  const perOp = new Map(ops.map((o) => [`${o.method} ${o.path}`, 0]));
  for (const e of exchanges) perOp.set(e.sent.op, (perOp.get(e.sent.op) ?? 0) + 1);
  for (const [op, count] of perOp) assert.ok(count >= Math.min(50, RUNS / (ops.length * 4)), `${op}: only ${count} requests`);
  assert.ok(exchanges.length >= RUNS * 0.95, `${exchanges.length} of ${RUNS} generated requests could be sent`);
  const keyedOk = exchanges.filter((e) => e.sent.keyed && e.sent.documented && e.answer.status < 300).length;
  assert.ok(keyedOk >= RUNS / 20, `only ${keyedOk} requests got past validation: the generator hardly makes valid requests`);
  const statuses = new Map<string, Map<number, number>>();
  for (const e of exchanges) {
    const counts = statuses.get(e.sent.op) ?? new Map<number, number>();
    counts.set(e.answer.status, (counts.get(e.answer.status) ?? 0) + 1);
    statuses.set(e.sent.op, counts);
  }
  for (const [op, counts] of statuses) t.diagnostic(`${op}: ${[...counts].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(' ')}`);
  const neverOk = ops.filter((o) => o.method !== 'OPTIONS' && !exchanges.some((e) => e.sent.op === `${o.method} ${o.path}` && e.sent.documented && (e.answer.status >= 200 && e.answer.status < 300 || (e.answer.status === 303 && o.op.responses?.['303'] !== undefined))));
  assert.deepEqual(neverOk.map((o) => `${o.method} ${o.path}`), [], 'operations that no generated request reached with a 2xx (or their documented 303)');
});

test(`raw-socket requests: the issue's cases and ${RAW_RUNS} generated targets`, async () => {
  const unexpected: string[] = [];
  for (const c of rawCases()) {
    const answer = await rawRequest(c.text);
    if (c.status && !c.status.includes(answer.status)) unexpected.push(`${c.name}: ${answer.status}, expected ${c.status.join(' or ')}`);
    record({ op: `raw: ${c.name}`, method: c.text.toString().split(' ')[0] ?? '', url: c.text.toString().split(' ')[1] ?? '', headers: {}, keyed: c.keyed, documented: false, via: 'socket' }, answer);
  }
  const host = `Host: ${origin.host}:${origin.port}`;
  await fc.assert(fc.asyncProperty(RAW_TARGET, async (r) => {
    const target = `${r.absolute}${r.leading}${r.segments.join('/')}${r.trailing}`;
    const headers = [host, ...(r.keyed ? [`Authorization: Bearer ${KEY}`] : [])];
    if (r.body) headers.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(r.body)}`);
    const answer = await rawRequest(Buffer.from(rawText(`${r.method} ${target} HTTP/1.1`, headers, r.body), 'utf8'));
    record({ op: 'raw: generated target', method: r.method, url: target, headers: r.keyed ? { authorization: 'Bearer <key>' } : {}, keyed: r.keyed, documented: false, via: 'socket', ...(r.body ? { payload: r.body } : {}) }, answer);
  }), { numRuns: RAW_RUNS, seed: SEED });
  assert.deepEqual(unexpected, [], 'raw cases with a status the issue names');
});

test('at least 2,000 requests were answered', () => {
  assert.ok(exchanges.length >= 2000, `${exchanges.length} requests`);
});

function htmlHeadersProblem(e: Exchange): string | undefined {
  if (!/^text\/html\b/.test(header(e.answer, 'content-type') ?? '')) return undefined;
  const csp = header(e.answer, 'content-security-policy') ?? '';
  const script = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1] ?? /(?:^|;)\s*default-src ([^;]*)/.exec(csp)?.[1] ?? '';
  if (!csp) return 'no content-security-policy';
  if (/'unsafe-inline'|\*/.test(script) || script === '') return `script-src allows inline script: ${script}`;
  if (!/frame-ancestors/.test(csp)) return 'no frame-ancestors';
  if (header(e.answer, 'x-content-type-options') !== 'nosniff') return 'no x-content-type-options: nosniff';
  return undefined;
}

/** What every answer must satisfy: each returns what is wrong with one answer, or undefined. */
const INVARIANTS: { name: string; problem: (e: Exchange) => string | undefined }[] = [
  { name: 'no answer is a 5xx, and every request gets an answer', problem: (e) => (e.answer.status >= 100 && e.answer.status < 500 ? undefined : `status ${e.answer.status || 'none'}`) },
  { name: 'every answer carries x-request-id', problem: (e) => (header(e.answer, 'x-request-id') ? undefined : 'no x-request-id') },
  { name: 'every 4xx is the one error format: application/json { error: { code, message, requestId = x-request-id, field? } }', problem: errorFormatProblem },
  {
    name: 'no non-public route answers 2xx/3xx without a valid key',
    problem: (e) => (!e.sent.keyed && e.answer.status >= 200 && e.answer.status < 400 && !answeredByPublicRoute(e)
      ? `answered without a key by ${e.route ? `${e.route.method} ${e.route.url} (${e.route.isPublic ? 'public flag, documented with a key' : 'no public flag'})` : 'no route'}`
      : undefined),
  },
  { name: '2xx answers are documented and their JSON bodies (and SSE data) validate against the documented schema', problem: successBodyProblem },
  {
    name: 'every status a documented operation answers is in its documented responses',
    problem: (e) => {
      const entry = documentedOp(e.sent);
      return entry && entry.op.responses?.[String(e.answer.status)] === undefined
        ? `${e.answer.status} not documented for ${e.sent.op} (documented: ${Object.keys(entry.op.responses ?? {}).join(', ')})`
        : undefined;
    },
  },
  { name: 'every HTML answer has the security headers: a CSP without inline script, frame-ancestors, nosniff', problem: htmlHeadersProblem },
  { name: 'every 429 says when to retry (Retry-After)', problem: (e) => (e.answer.status === 429 && !header(e.answer, 'retry-after') ? 'no retry-after' : undefined) },
];

/**
 * Answers the gateway does not get right yet, each with what is wrong: they are left out of the invariants above
 * and checked by their own todo test, so the rest stays strict. Empty this list as they are fixed.
 */
const KNOWN_GAPS: { name: string; reason: string; matches: (e: Exchange) => boolean }[] = [];
const gapOf = (e: Exchange) => KNOWN_GAPS.find((gap) => gap.matches(e));

for (const invariant of INVARIANTS) {
  test(invariant.name, () => {
    assertNone(invariant.name, exchanges.filter((e) => !gapOf(e) && invariant.problem(e) !== undefined), (e) => invariant.problem(e) ?? '');
  });
}

test('the services behind the gateway are only called on the API\'s own paths (no traversal through an id)', () => {
  const escaped = upstreamCalls.filter((c) => !UPSTREAM_PATHS.some((re) => re.test(c.url)));
  assert.deepEqual(escaped.slice(0, 10), [], `${escaped.length} upstream calls outside the API's paths`);
});

test('the public flag of every route agrees with /openapi.json (security: [] exactly on the public routes)', () => {
  const disagreements: string[] = [];
  for (const route of routes) {
    if (route.hidden || route.method === 'HEAD') continue;
    const entry = docOp(route.method, route.url);
    if (!entry) disagreements.push(`${route.method} ${route.url} is not in /openapi.json and not hidden`);
    else if (entry.isPublic !== route.isPublic) disagreements.push(`${route.method} ${route.url}: public flag ${route.isPublic}, documented ${entry.isPublic ? 'security: []' : 'with a key'}`);
  }
  for (const entry of ops) {
    if (!routes.some((r) => r.method === entry.method && openApiPath(r.url) === entry.path)) disagreements.push(`${entry.method} ${entry.path} is documented but not registered`);
  }
  assert.deepEqual(disagreements, []);
});

test('no log line carries the API key, wherever the requests put it', () => {
  assert.ok(logLines.length >= exchanges.length / 2, `only ${logLines.length} log lines for ${exchanges.length} requests: is the request log on?`);
  const leaks = logLines.filter((line) => line.includes(KEY) || line.includes(KEY.toUpperCase()));
  assert.deepEqual(leaks.slice(0, 3), [], `${leaks.length} log lines carry the key`);
});

for (const gap of KNOWN_GAPS) {
  test(`known gap: ${gap.name}`, { todo: gap.reason }, () => {
    const mine = exchanges.filter((e) => gapOf(e) === gap);
    assert.ok(mine.length > 0, 'no request of this kind was sent');
    for (const invariant of INVARIANTS) assertNone(invariant.name, mine.filter((e) => invariant.problem(e) !== undefined), (e) => invariant.problem(e) ?? '');
  });
}
