import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { ScriptGenerateInput } from '@faceless/contracts';
import { createLogger, type FacelessError } from '@faceless/runtime';
import { SCRIPT_JSON_SCHEMA, strictSchemaViolations } from '../script-json-schema.ts';
import { buildScriptMessages, createOpenAiScriptProvider, parseScriptContent, retryAfterMs } from './openai.ts';

const KEY = 'sk-test-1234567890abcdef';

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: { model: string; messages: { role: string; content: string }[]; response_format: { type: string; json_schema: { name: string; strict: boolean; schema: unknown } } };
}

type Reply = { status: number; body: unknown; headers?: Record<string, string> } | 'hang';

const GOOD_SCRIPT = {
  titleIdea: 'How Octopuses Think',
  hook: 'What if an arm could think for itself?',
  sections: [
    { heading: 'Nine brains, sort of', narration: 'An octopus has a central brain and a cluster of neurons in each arm.', visualKeywords: ['octopus', 'neurons', 'arm'] },
    { heading: 'Arms that decide on their own and keep going long after', narration: 'Each arm can taste, grab and react without waiting for the head.', visualKeywords: [] },
    { heading: 'Masters of disguise', narration: 'Their skin changes colour in a fraction of a second.', visualKeywords: ['skin', 'coral', 'reef', 'camouflage', 'extra'] },
  ],
  callToAction: 'Subscribe for more ocean weirdness.',
};

function completion(content: unknown, extra: { finish_reason?: string; refusal?: string | null } = {}): unknown {
  return {
    id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini',
    choices: [{ index: 0, finish_reason: extra.finish_reason ?? 'stop', message: { role: 'assistant', content: typeof content === 'string' ? content : JSON.stringify(content), refusal: extra.refusal ?? null } }],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}

/** A stand-in for POST /v1/chat/completions: replies from a queue, records what it received. */
async function fakeChat(): Promise<{ url: string; received: Received[]; reply: (...r: Reply[]) => void; close: () => Promise<void> }> {
  const received: Received[] = [];
  let queue: Reply[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.setEncoding('utf8').on('data', (c: string) => { raw += c; }).on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: JSON.parse(raw) as Received['body'] });
      const r = queue.length > 1 ? queue.shift()! : queue[0] ?? { status: 500, body: { error: { message: 'no reply queued' } } };
      if (r === 'hang') return;
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers }).end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    reply: (...r) => { queue = r; received.length = 0; },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

const server = await fakeChat();
after(() => server.close());

const provider = (over: { attempts?: number; apiKey?: string; baseUrl?: string; maxRetryAfterMs?: number; timeoutMs?: number } = {}) => createOpenAiScriptProvider({
  apiKey: over.apiKey ?? KEY, baseUrl: over.baseUrl ?? server.url, model: 'gpt-4o-mini', attempts: over.attempts ?? 3, retryBaseDelayMs: 1,
  ...(over.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: over.maxRetryAfterMs } : {}), ...(over.timeoutMs !== undefined ? { timeoutMs: over.timeoutMs } : {}),
});
const input = ScriptGenerateInput.parse({ topic: 'how octopuses think', lang: 'fr', durationSec: 60, keywords: ['pieuvre intelligence'] });
const ctx = (wordsPerMinute = 150) => ({ log: createLogger({ level: 'error' }), signal: new AbortController().signal, wordsPerMinute });

test('the schema satisfies strict mode, and the checker catches what breaks it', () => {
  assert.deepEqual(strictSchemaViolations(SCRIPT_JSON_SCHEMA), []);
  assert.deepEqual(strictSchemaViolations({
    type: 'object', required: ['a'], properties: { a: { type: 'string' }, b: { type: 'array', items: { type: 'object', properties: { c: { type: 'string' } }, required: ['c'] } } },
  }), ['$: additionalProperties must be false', '$.b: must be listed in required', '$.b[]: additionalProperties must be false']);
});

test('happy path: a strict json_schema request with model and bearer key; the answer is validated and recounted', async () => {
  server.reply({ status: 200, body: completion(GOOD_SCRIPT) });
  const script = await provider({ baseUrl: `${server.url}/v1/` }).write(input, ctx());
  const [req] = server.received;
  assert.ok(req);
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/v1/chat/completions');
  assert.equal(req.headers.authorization, `Bearer ${KEY}`);
  assert.match(String(req.headers['content-type']), /application\/json/);
  assert.equal(req.body.model, 'gpt-4o-mini');
  assert.equal(req.body.response_format.type, 'json_schema');
  assert.equal(req.body.response_format.json_schema.strict, true);
  assert.equal(req.body.response_format.json_schema.name, 'faceless_script');
  assert.deepEqual(req.body.response_format.json_schema.schema, SCRIPT_JSON_SCHEMA);
  const prompt = req.body.messages.map((m) => m.content).join('\n');
  assert.match(prompt, /French/);
  assert.match(prompt, /about 150 spoken words/);
  assert.match(prompt, /exactly 4 sections/);
  assert.match(prompt, /pieuvre intelligence/);

  assert.equal(script.lang, 'fr');
  assert.equal(script.wordCount, 8 + 14 + 12 + 10 + 5);
  assert.equal(script.estimatedDurationSec, 19.6);
  assert.ok(script.sections.every((s) => s.heading.length <= 40), 'long headings are cut for chapters');
  assert.equal(script.sections[1]?.heading, 'Arms that decide on their own and keep');
  assert.ok((script.sections[1]?.visualKeywords.length ?? 0) > 0, 'missing visuals are filled from the text');
  assert.equal(script.sections[2]?.visualKeywords.length, 4);
});

test('a refusal fails clearly and is not retried', async () => {
  server.reply({ status: 200, body: completion(null, { refusal: "I can't help with that." }) });
  await assert.rejects(provider().write(input, ctx()), (e: FacelessError) => e.code === 'PROVIDER_BAD_RESPONSE' && /refused.*I can't help with that/.test(e.message) && !e.retryable);
  assert.equal(server.received.length, 1);
});

test('an answer cut off at the token limit is asked again once, with a note; twice is an error', async () => {
  server.reply({ status: 200, body: completion('{"titleIdea": "How', { finish_reason: 'length' }) }, { status: 200, body: completion(GOOD_SCRIPT) });
  const script = await provider().write(input, ctx());
  assert.equal(script.titleIdea, 'How Octopuses Think');
  assert.equal(server.received.length, 2);
  assert.doesNotMatch(server.received[0]?.body.messages.at(-1)?.content ?? '', /cut off/);
  assert.match(server.received[1]?.body.messages.at(-1)?.content ?? '', /previous answer was cut off/);

  server.reply({ status: 200, body: completion('{"titleIdea": "How', { finish_reason: 'length' }) });
  await assert.rejects(provider().write(input, ctx()), (e: FacelessError) => e.code === 'PROVIDER_BAD_RESPONSE' && /finish_reason "length"/.test(e.message));
  assert.equal(server.received.length, 2);
});

test('429 is retried after Retry-After, then succeeds; persistent 429 is a retryable error', async () => {
  server.reply({ status: 429, headers: { 'retry-after': '0' }, body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } } }, { status: 200, body: completion(GOOD_SCRIPT) });
  const script = await provider().write(input, ctx());
  assert.equal(script.sections.length, 3);
  assert.equal(server.received.length, 2);

  server.reply({ status: 429, headers: { 'retry-after-ms': '5' }, body: { error: { message: 'Rate limit reached' } } });
  await assert.rejects(provider({ attempts: 2 }).write(input, ctx()), (e: FacelessError) => e.code === 'PROVIDER_RATE_LIMITED' && e.retryable);
  assert.equal(server.received.length, 2);

  server.reply({ status: 429, headers: { 'retry-after': '3600' }, body: { error: { message: 'slow down' } } });
  await assert.rejects(provider({ maxRetryAfterMs: 1000 }).write(input, ctx()), (e: FacelessError) => e.code === 'PROVIDER_RATE_LIMITED' && e.retryable);
  assert.equal(server.received.length, 1, 'a wait longer than the cap goes back to the orchestrator');

  server.reply({ status: 429, body: { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } } });
  await assert.rejects(provider().write(input, ctx()), (e: FacelessError) => e.code === 'PROVIDER_RATE_LIMITED' && !e.retryable && /billing/.test(e.message));
  assert.equal(server.received.length, 1);
});

test('500 is retried, and after the last attempt is a retryable PROVIDER_UNAVAILABLE', async () => {
  server.reply({ status: 500, body: { error: { message: 'The server had an error' } } }, { status: 200, body: completion(GOOD_SCRIPT) });
  await provider().write(input, ctx());
  assert.equal(server.received.length, 2);
  server.reply({ status: 503, body: 'upstream connect error' });
  await assert.rejects(provider().write(input, ctx()), (e: FacelessError) => e.code === 'PROVIDER_UNAVAILABLE' && e.retryable);
  assert.equal(server.received.length, 3);
});

test('malformed content and schema mismatches are PROVIDER_BAD_RESPONSE', async () => {
  server.reply({ status: 200, body: completion('Sure! Here is your script: ...') });
  await assert.rejects(provider().write(input, ctx()), (e: FacelessError) => e.code === 'PROVIDER_BAD_RESPONSE' && /not valid JSON/.test(e.message));
  server.reply({ status: 200, body: completion({ titleIdea: 'T', hook: 'H', sections: [], callToAction: 'C' }) });
  await assert.rejects(provider().write(input, ctx()), (e: FacelessError) => e.code === 'PROVIDER_BAD_RESPONSE' && /sections/.test(e.message));
  server.reply({ status: 200, body: { object: 'chat.completion', choices: [] } });
  await assert.rejects(provider().write(input, ctx()), (e: FacelessError) => e.code === 'PROVIDER_BAD_RESPONSE');
  server.reply({ status: 200, body: '<html>gateway</html>' });
  await assert.rejects(provider().write(input, ctx()), (e: FacelessError) => e.code === 'PROVIDER_BAD_RESPONSE');
  assert.throws(() => parseScriptContent(JSON.stringify({ ...GOOD_SCRIPT, hook: '' }), 'en'), (e: FacelessError) => e.code === 'PROVIDER_BAD_RESPONSE' && /hook/.test(e.message));
});

test('a bad key is PROVIDER_AUTH without echoing it; a missing model is INVALID_OPTION', async () => {
  server.reply({ status: 401, body: { error: { message: `Incorrect API key provided: ${KEY.slice(0, 8)}****cdef.`, type: 'invalid_request_error', code: 'invalid_api_key' } } });
  await assert.rejects(provider().write(input, ctx()), (e: FacelessError) => {
    assert.equal(e.code, 'PROVIDER_AUTH');
    assert.match(e.message, /OPENAI_API_KEY/);
    assert.ok(!e.message.includes(KEY.slice(0, 8)));
    return true;
  });
  assert.equal(server.received.length, 1);
  server.reply({ status: 404, body: { error: { message: 'The model `gpt-9` does not exist' } } });
  await assert.rejects(provider().write(input, ctx()), (e: FacelessError) => e.code === 'INVALID_OPTION' && /OPENAI_MODEL/.test(e.message));
  server.reply({ status: 200, body: completion(GOOD_SCRIPT) });
  await provider({ apiKey: '' }).write(input, ctx());
  assert.equal(server.received[0]?.headers.authorization, undefined, 'no key, no Authorization header (local servers)');
});

test('Retry-After is read as seconds, milliseconds or a date', () => {
  assert.equal(retryAfterMs(new Headers({ 'retry-after': '2' })), 2000);
  assert.equal(retryAfterMs(new Headers({ 'retry-after-ms': '150', 'retry-after': '2' })), 150);
  assert.equal(retryAfterMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4_000), 6_000);
  assert.equal(retryAfterMs(new Headers()), undefined);
  assert.match(buildScriptMessages(ScriptGenerateInput.parse({ topic: 't', durationSec: 180 }))[1]?.content ?? '', /about 450 spoken words.*\n.*exactly 6 sections/);
});

test('cancellation is CANCELLED at once; a server that never answers is a retryable timeout', async () => {
  server.reply('hang');
  const controller = new AbortController();
  const writing = provider().write(input, { ...ctx(), signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(writing, (e: FacelessError) => e.code === 'CANCELLED' && !e.retryable);
  assert.equal(server.received.length, 1);

  server.reply('hang');
  await assert.rejects(provider({ attempts: 2, timeoutMs: 100 }).write(input, ctx()), (e: FacelessError) => e.code === 'PROVIDER_UNAVAILABLE' && e.retryable && /did not answer within/.test(e.message));
  assert.equal(server.received.length, 2, 'a timeout is retried by our loop, once per attempt');
});

test('the SDK reads nothing from the environment: no organization, project or admin key reaches the server', async () => {
  const saved = { ...process.env };
  Object.assign(process.env, { OPENAI_ORG_ID: 'org-env', OPENAI_PROJECT_ID: 'proj-env', OPENAI_ADMIN_KEY: 'sk-admin-env-123456', OPENAI_BASE_URL: 'http://127.0.0.1:9' });
  try {
    server.reply({ status: 200, body: completion(GOOD_SCRIPT) });
    await provider({ apiKey: '' }).write(input, ctx());
    const headers = server.received[0]?.headers ?? {};
    assert.equal(headers.authorization, undefined);
    assert.equal(headers['openai-organization'], undefined);
    assert.equal(headers['openai-project'], undefined);
  } finally {
    for (const k of ['OPENAI_ORG_ID', 'OPENAI_PROJECT_ID', 'OPENAI_ADMIN_KEY', 'OPENAI_BASE_URL']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
});
