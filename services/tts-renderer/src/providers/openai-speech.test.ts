import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ffprobe } from '@faceless/runtime';
import { chooseProvider, parseTtsConfig } from '../config.ts';
import { createProvider } from '../index.ts';
import { segmentWords } from '../script-words.ts';
import { createEspeakProvider } from './espeak.ts';
import { createOpenAiSpeechProvider, OPENAI_VOICES, speechInputs } from './openai-speech.ts';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}
type Reply = { status: number; body: string; type: string; headers?: Record<string, string> } | 'speech';

const KEY = 'sk-test-do-not-log';
let server: Server;
let baseUrl: string;
let dir: string;
let speech: Buffer;
let received: Received[] = [];
let replies: Reply[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openai-speech-'));
  // Real speech with natural pauses: espeak-ng speaks what the fake API returns.
  const spoken = await createEspeakProvider().synthesize({
    segments: ['Why is the ocean blue? Water absorbs red light, and the rest looks blue.'],
    lang: 'en', speed: 1, workDir: dir, signal: new AbortController().signal,
  });
  speech = await readFile(spoken.audioFile);
  server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8').on('data', (c: string) => { raw += c; }).on('end', () => {
      received.push({ path: new URL(req.url ?? '/', 'http://x').pathname, headers: req.headers, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} });
      const reply = replies.shift() ?? 'speech';
      if (reply === 'speech') return res.writeHead(200, { 'content-type': 'audio/wav' }).end(speech);
      res.writeHead(reply.status, { 'content-type': reply.type, ...reply.headers }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

function reset(...next: Reply[]): void {
  received = [];
  replies = next;
}

const request = (segments: string[], extra: { voice?: string; speed?: number } = {}) => ({
  segments, lang: 'en' as const, speed: extra.speed ?? 1, workDir: dir, signal: new AbortController().signal, ...(extra.voice ? { voice: extra.voice } : {}),
});
const jsonError = (status: number, message: string, headers?: Record<string, string>): Reply => ({ status, type: 'application/json', body: JSON.stringify({ error: { message } }), ...(headers ? { headers } : {}) });

test('one request per segment; the script\'s words come back timed from the audio, in order', async () => {
  reset();
  const segments = ['Why is the ocean blue?', 'Water absorbs red light, and the rest looks blue.'];
  const provider = createOpenAiSpeechProvider({ apiKey: KEY, baseUrl, model: 'tts-x', defaultVoice: 'nova', segmentPauseMs: 300 });
  const out = await provider.synthesize(request(segments, { speed: 1.25 }));
  assert.equal(received.length, 2);
  for (const [i, r] of received.entries()) {
    assert.equal(r.path, '/v1/audio/speech');
    assert.equal(r.headers.authorization, `Bearer ${KEY}`);
    assert.deepEqual(r.body, { model: 'tts-x', voice: 'nova', input: segments[i], response_format: 'wav', speed: 1.25 });
  }
  assert.equal(out.voice, 'nova');
  assert.deepEqual(out.words.map((w) => [w.text, w.segment]), segmentWords(segments).map((w) => [w.text, w.segment]));
  const duration = Number((await ffprobe(out.audioFile)).format.duration);
  const one = speech.length > 44 ? (speech.length - 44) / 2 / speech.readUInt32LE(24) : 0;
  assert.ok(Math.abs(duration - (2 * one + 0.3)) < 0.05, `audio lasts ${duration}, expected ${2 * one + 0.3}`);
  for (const [i, w] of out.words.entries()) {
    assert.ok(w.end - w.start >= 0.039, `${w.text} lasts ${w.end - w.start}`);
    assert.ok(w.end <= duration + 1e-6);
    if (i > 0) assert.ok(w.start >= out.words[i - 1]!.end - 1e-9);
  }
  // The second segment's words start after the first response and the pause.
  assert.ok(out.words[5]!.start >= one + 0.3 - 1e-6, `second segment starts at ${out.words[5]!.start}`);
});

test('long text is split at sentence ends under the input limit', () => {
  const words = 'One two three. Four five six. Seven.'.split(' ');
  assert.deepEqual(speechInputs(words, 30).map((w) => w.join(' ')), ['One two three. Four five six.', 'Seven.']);
  assert.deepEqual(speechInputs(words, 16).map((w) => w.join(' ')), ['One two three.', 'Four five six.', 'Seven.']);
  assert.ok(speechInputs(['a'.repeat(10), 'b'.repeat(10)], 12).every((w) => w.join(' ').length <= 12));
});

test('401 is PROVIDER_AUTH, not retried, without the key', async () => {
  reset(jsonError(401, `Incorrect API key provided: ${KEY}`));
  const provider = createOpenAiSpeechProvider({ apiKey: KEY, baseUrl, retryBaseDelayMs: 1 });
  await assert.rejects(provider.synthesize(request(['Hello.'])), (err: Error & { code?: string; retryable?: boolean }) => {
    assert.equal(err.code, 'PROVIDER_AUTH');
    assert.equal(err.retryable, false);
    assert.match(err.message, /HTTP 401.*OPENAI_TTS_API_KEY/);
    assert.doesNotMatch(err.message, /sk-test/);
    return true;
  });
  assert.equal(received.length, 1);
});

test('429 then 200 is retried (Retry-After honoured); a persistent 429 stays retryable', async () => {
  reset(jsonError(429, 'Rate limit reached', { 'retry-after': '0.05' }));
  const provider = createOpenAiSpeechProvider({ apiKey: KEY, baseUrl, attempts: 3, retryBaseDelayMs: 1 });
  const started = Date.now();
  const out = await provider.synthesize(request(['Hello there.']));
  assert.ok(Date.now() - started >= 45, 'waited for Retry-After');
  assert.equal(received.length, 2);
  assert.deepEqual(out.words.map((w) => w.text), ['Hello', 'there.']);
  reset(jsonError(429, 'slow'), jsonError(429, 'slow'), jsonError(429, 'slow'));
  await assert.rejects(provider.synthesize(request(['Hello.'])), { code: 'PROVIDER_RATE_LIMITED', retryable: true });
  assert.equal(received.length, 3);
});

test('a persistent 503 is a retryable PROVIDER_UNAVAILABLE after every attempt', async () => {
  reset(jsonError(503, 'overloaded'), jsonError(503, 'overloaded'));
  const provider = createOpenAiSpeechProvider({ apiKey: KEY, baseUrl, attempts: 2, retryBaseDelayMs: 1 });
  await assert.rejects(provider.synthesize(request(['Hello.'])), { code: 'PROVIDER_UNAVAILABLE', retryable: true });
  assert.equal(received.length, 2);
});

test('an HTML page instead of audio is PROVIDER_BAD_RESPONSE', async () => {
  reset({ status: 200, type: 'text/html', body: '<!doctype html><html><body>Welcome to nginx</body></html>' });
  const provider = createOpenAiSpeechProvider({ apiKey: KEY, baseUrl, retryBaseDelayMs: 1 });
  await assert.rejects(provider.synthesize(request(['Hello.'])), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'PROVIDER_BAD_RESPONSE');
    assert.match(err.message, /text\/html/);
    return true;
  });
});

test('listVoices gives the documented voices', async () => {
  const provider = createOpenAiSpeechProvider({ apiKey: KEY, baseUrl });
  const voices = await provider.listVoices();
  assert.deepEqual(voices.map((v) => v.id), [...OPENAI_VOICES]);
  assert.ok(voices.some((v) => v.id === 'shimmer'));
});

test('TTS_PROVIDER=openai chooses it (key from OPENAI_API_KEY); never by default; no key for api.openai.com is refused', () => {
  assert.equal(chooseProvider(parseTtsConfig({ OPENAI_API_KEY: 'k' })), 'espeak');
  const config = parseTtsConfig({ TTS_PROVIDER: 'openai', OPENAI_API_KEY: 'k' });
  assert.equal(config.OPENAI_TTS_MODEL, 'gpt-4o-mini-tts');
  assert.equal(config.OPENAI_TTS_VOICE, 'alloy');
  assert.equal(createProvider(config).name, 'openai-speech');
  assert.equal(createProvider(parseTtsConfig({ TTS_PROVIDER: 'openai', OPENAI_TTS_BASE_URL: 'http://127.0.0.1:8880' })).name, 'openai-speech');
  assert.throws(() => parseTtsConfig({ TTS_PROVIDER: 'openai' }), /OPENAI_TTS_API_KEY: TTS_PROVIDER=openai needs an API key/);
});

test('a spent quota (429 insufficient_quota) is not retried; a refused request names the model and voice', async () => {
  reset({ status: 429, type: 'application/json', body: JSON.stringify({ error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } }) });
  const provider = createOpenAiSpeechProvider({ apiKey: KEY, baseUrl, attempts: 3, retryBaseDelayMs: 1 });
  await assert.rejects(provider.synthesize(request(['Hello.'])), (err: Error & { code?: string; retryable?: boolean }) => {
    assert.equal(err.code, 'PROVIDER_RATE_LIMITED');
    assert.equal(err.retryable, false);
    assert.match(err.message, /no quota left.*billing/);
    return true;
  });
  assert.equal(received.length, 1);
  reset(jsonError(400, "Invalid value for 'voice': 'robot'"));
  await assert.rejects(provider.synthesize(request(['Hello.'])), (err: Error & { code?: string }) => err.code === 'INVALID_INPUT' && /HTTP 400.*robot.*OPENAI_TTS_MODEL/.test(err.message));
  assert.equal(received.length, 1);
});

test('cancelling stops the request at once as CANCELLED', async () => {
  const hang = createServer(() => {});
  await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
  try {
    const provider = createOpenAiSpeechProvider({ apiKey: KEY, baseUrl: `http://127.0.0.1:${(hang.address() as AddressInfo).port}`, retryBaseDelayMs: 1 });
    const controller = new AbortController();
    const speaking = provider.synthesize({ ...request(['Hello.']), signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(speaking, { code: 'CANCELLED', retryable: false });
  } finally {
    hang.closeAllConnections();
    await new Promise<void>((resolve) => hang.close(() => resolve()));
  }
});
