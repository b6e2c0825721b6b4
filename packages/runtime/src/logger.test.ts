import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { z } from 'zod';
import { FolderStore } from '@faceless/infra';
import { createLogger, fastifyLoggerOptions, isSecretName, redactUrl } from './logger.ts';
import { buildStageApp, loggerFromPino } from './serve-stage.ts';
import { defineStage } from './stage.ts';

const SECRETS = ['S3CRET-header', 'S3CRET-field', 'S3CRET-query', 'S3CRET-nested', 'S3CRET-child', 'S3CRET-msg', 'S3CRET-error', 'S3CRET-userinfo', 'S3CRET-cookie', 'S3CRET-base'];
const FACELESS_KEY = `fk_${'A'.repeat(43)}`;

function assertNoSecret(lines: readonly string[]): void {
  assert.ok(lines.length > 0, 'something was logged');
  for (const line of lines) {
    for (const s of [...SECRETS, FACELESS_KEY]) assert.ok(!line.includes(s), `"${s}" in a log line: ${line}`);
  }
}

test('createLogger: JSON lines with level and ISO time; secrets in fields, headers, nested objects, errors, URLs and messages are censored, other fields kept', () => {
  const lines: string[] = [];
  const levels: string[] = [];
  const log = createLogger({ level: 'debug', base: { service: 'svc', clientSecret: 'S3CRET-base' }, write: (line, level) => { lines.push(line); levels.push(level); } });
  log.info('request', {
    keyword: 'octopus', path: '/api/pipelines', method: 'GET', status: 200,
    url: '/api/pipelines?api_key=S3CRET-query&limit=5',
    apiKey: 'S3CRET-field',
    headers: { authorization: 'Bearer S3CRET-header', cookie: 'session=S3CRET-cookie', 'x-api-key': FACELESS_KEY, accept: 'application/json' },
    request: { options: { auth: { password: 'S3CRET-nested' } }, list: [{ refresh_token: 'S3CRET-nested' }] },
  });
  log.child({ token: 'S3CRET-child', stage: 'upload' }).warn('calling https://www.googleapis.com/upload?uploadType=resumable&key=S3CRET-msg', {
    error: new Error('connect to postgres://faceless:S3CRET-userinfo@db/faceless failed (https://cdn.example/v.mp4?sig=S3CRET-error)'),
  });
  log.error(`the client sent Authorization: Bearer ${FACELESS_KEY}`);
  log.debug('counts', { tokenCount: 120, tokens: 900, keyId: 'ci-bot', keysFile: '/data/api-keys.json', constraint: 'fk_variants_experiment_id_references_experiments' });

  assertNoSecret(lines);
  assert.deepEqual(levels, ['info', 'warn', 'error', 'debug']);
  const [first, second, , fourth] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(first?.level, 'info');
  assert.equal(first?.msg, 'request');
  assert.ok(!Number.isNaN(Date.parse(String(first?.time))) && String(first?.time).endsWith('Z'));
  assert.equal(first?.service, 'svc');
  assert.equal(first?.clientSecret, '[redacted]');
  assert.equal(first?.keyword, 'octopus', 'keyword is not a key');
  assert.equal(first?.path, '/api/pipelines');
  assert.equal(first?.url, '/api/pipelines?api_key=[redacted]&limit=5');
  assert.deepEqual(first?.headers, { authorization: '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]', accept: 'application/json' });
  assert.equal(second?.stage, 'upload');
  assert.equal(second?.token, '[redacted]');
  assert.equal(second?.msg, 'calling https://www.googleapis.com/upload?uploadType=resumable&key=[redacted]');
  assert.match(JSON.stringify(second?.error), /postgres:\/\/faceless:\[redacted\]@db\/faceless failed/);
  assert.deepEqual([fourth?.tokenCount, fourth?.tokens, fourth?.keyId, fourth?.keysFile, fourth?.constraint], [120, 900, 'ci-bot', '/data/api-keys.json', 'fk_variants_experiment_id_references_experiments']);
});

test('createLogger: below its level nothing is written; a child keeps its fields', () => {
  const lines: string[] = [];
  const log = createLogger({ level: 'warn', write: (line) => lines.push(line) });
  log.debug('no');
  log.info('no');
  log.warn('yes', { n: 1 });
  log.child({ a: 1 }).error('yes too');
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { msg: string }).msg), ['yes', 'yes too']);
  assert.equal((JSON.parse(lines[1] ?? '{}') as { a: number }).a, 1);
});

test('field names: a secret by its words, not by a substring', () => {
  for (const name of ['apiKey', 'api_key', 'x-api-key', 'API_KEY', 'FACELESS_SECRET_KEY', 'key', 'keys', 'accessToken', 'refresh_token', 'token', 'clientSecret', 'password', 'authorization', 'cookie', 'set-cookie', 'credentials', 'signature', 'privateKey', 'secretAccessKey']) {
    assert.equal(isSecretName(name), true, name);
  }
  for (const name of ['keyword', 'keywords', 'tokens', 'tokenCount', 'keyId', 'keysFile', 'authDisabled', 'monkeyCount', 'stage', 'code', 'path', 'url', 'tokenExpiresAt', 'keyName']) {
    assert.equal(isSecretName(name), false, name);
  }
});

test('redactUrl: secret query parameters (any case, percent-encoded, nested in another URL) and userinfo passwords, the rest as written', () => {
  const cases: [string, string][] = [
    ['/api/pipelines?api_key=abc&limit=5', '/api/pipelines?api_key=[redacted]&limit=5'],
    ['/x?apikey=a&key=b&token=c&access_token=d&refresh_token=e&code=f&client_secret=g&password=h&secret=i&sig=j&signature=k', '/x?apikey=[redacted]&key=[redacted]&token=[redacted]&access_token=[redacted]&refresh_token=[redacted]&code=[redacted]&client_secret=[redacted]&password=[redacted]&secret=[redacted]&sig=[redacted]&signature=[redacted]'],
    ['https://b.s3.amazonaws.com/v.mp4?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIA%2F2024&X-Amz-Signature=ff00', 'https://b.s3.amazonaws.com/v.mp4?X-Amz-Algorithm=AWS4&X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]'],
    ['/cb?state=s1&CODE=4/0Ab#access_token=t1&token_type=bearer', '/cb?state=s1&CODE=[redacted]#access_token=[redacted]&token_type=bearer'],
    ['/x?%61pi_key=abc', '/x?%61pi_key=[redacted]'],
    ['/login?next=https%3A%2F%2Fx.io%2F%3Fkey%3Dabc%26q%3D2&keyword=tea', '/login?next=https%3A%2F%2Fx.io%2F%3Fkey%3D[redacted]%26q%3D2&keyword=tea'],
    ['redis://:pw1@cache:6379/0', 'redis://:[redacted]@cache:6379/0'],
    ['amqp://guest:guest@127.0.0.1:5672', 'amqp://guest:[redacted]@127.0.0.1:5672'],
    ['/search?q=key&keyword=token&pageToken=p2', '/search?q=key&keyword=token&pageToken=[redacted]'],
    ['/plain/path', '/plain/path'],
    ['/x?key=', '/x?key='],
  ];
  for (const [input, expected] of cases) assert.equal(redactUrl(input), expected, input);
});

const echo = defineStage({
  name: 'echo',
  input: z.strictObject({ text: z.string(), apiKey: z.string().optional() }),
  output: z.strictObject({ text: z.string() }),
  async run(input, ctx) {
    ctx.log.info('stage input', { input, headers: { authorization: `Bearer ${input.apiKey ?? ''}` } });
    if (input.text === 'fail') throw new Error(`upstream refused https://api.example/v1?api_key=${input.apiKey ?? ''}`);
    return { text: input.text };
  },
});

test('Fastify with fastifyLoggerOptions: request URLs, headers, 404s, errors and route logs carry no secret', async () => {
  const lines: string[] = [];
  const app = Fastify({ logger: fastifyLoggerOptions({ level: 'debug', base: { service: 'gw' }, stream: { write: (l) => { lines.push(l); } } }) });
  app.get('/api/things', async (request) => {
    request.log.info({ headers: request.headers, query: request.query }, 'handling');
    loggerFromPino(request.log).child({ refreshToken: 'S3CRET-child' }).info('nested', { deep: { a: { clientSecret: 'S3CRET-nested' } } });
    return { ok: true };
  });
  app.get('/api/boom', async (request) => {
    throw new Error(`cannot reach ${request.url}`);
  });
  const headers = { authorization: 'Bearer S3CRET-header', cookie: 'sid=S3CRET-cookie', 'x-api-key': FACELESS_KEY };
  await app.inject({ url: '/api/things?api_key=S3CRET-query&token=S3CRET-query&page=2', headers });
  await app.inject({ url: '/nowhere?access_token=S3CRET-query&code=S3CRET-query', headers });
  await app.inject({ url: '/api/boom?client_secret=S3CRET-error', headers });
  await app.close();

  assertNoSecret(lines);
  const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(records.every((r) => r.service === 'gw' && typeof r.level === 'string'));
  const incoming = records.find((r) => r.msg === 'incoming request');
  assert.deepEqual((incoming?.req as { method: string; url: string } | undefined)?.url, '/api/things?api_key=[redacted]&token=[redacted]&page=2');
  const handling = records.find((r) => r.msg === 'handling');
  assert.equal((handling?.query as { page: string } | undefined)?.page, '2', 'harmless fields are kept');
  assert.ok(records.some((r) => r.msg === 'request completed' && (r.res as { statusCode: number }).statusCode === 200));
  assert.ok(records.some((r) => r.level === 'error' && JSON.stringify(r.err).includes('/api/boom?client_secret=[redacted]')));
});

test('a stage service (buildStageApp) logs no secret sent in its body, headers or query', async () => {
  const lines: string[] = [];
  const app = buildStageApp({
    stage: echo, route: '/echo/run', service: 'echo', createContext: () => ({ store: new FolderStore('/tmp') }),
    logger: { level: 'debug', stream: { write: (l) => { lines.push(l); } } },
  });
  const headers = { authorization: 'Bearer S3CRET-header', cookie: 'a=S3CRET-cookie' };
  const ok = await app.inject({ method: 'POST', url: '/echo/run?key=S3CRET-query', headers, payload: { text: 'hi', apiKey: 'S3CRET-field' } });
  assert.equal(ok.statusCode, 200);
  const failed = await app.inject({ method: 'POST', url: '/echo/run', headers, payload: { text: 'fail', apiKey: FACELESS_KEY } });
  assert.equal(failed.statusCode, 500);
  await app.close();
  assertNoSecret(lines);
  assert.ok(lines.some((l) => l.includes('"text":"hi"')), 'the rest of the input is logged');
  assert.ok(lines.some((l) => l.includes('upstream refused https://api.example/v1?api_key=[redacted]')));
});
