import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FolderStore } from '@faceless/infra';
import { createLogger, ffprobe, runProcess } from '@faceless/runtime';
import { createStage } from '../index.ts';
import { segmentWords } from '../script-words.ts';
import { acceptsLanguageCode, createElevenLabsProvider, elevenLabsSpeed } from './elevenlabs.ts';

interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

type Reply = { status: number; json: unknown } | 'tts' | 'hang';

const KEY = 'test-key-do-not-log';
let server: Server;
let baseUrl: string;
let dir: string;
const mp3s: Buffer[] = [];
const mp3Seconds = [1, 1.5];
let received: Received[] = [];
let replies: Reply[] = [];
let ttsCalls = 0;

function ttsReply(text: string, call: number): unknown {
  const characters = [...text];
  const seconds = mp3Seconds[call % 2]!;
  const step = (seconds - 0.2) / characters.length;
  return {
    audio_base64: mp3s[call % 2]!.toString('base64'),
    alignment: {
      characters,
      character_start_times_seconds: characters.map((_, i) => Number((0.1 + i * step).toFixed(3))),
      character_end_times_seconds: characters.map((_, i) => Number((0.1 + (i + 1) * step).toFixed(3))),
    },
  };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'elevenlabs-'));
  for (const [i, seconds] of mp3Seconds.entries()) {
    const file = join(dir, `fixture-${i}.mp3`);
    await runProcess('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `sine=f=${300 + 200 * i}:r=44100:d=${seconds}`, '-c:a', 'libmp3lame', '-b:a', '128k', file]);
    mp3s.push(await readFile(file));
  }
  server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8').on('data', (c: string) => { raw += c; }).on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      received.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body });
      const reply = replies.shift() ?? 'tts';
      if (reply === 'hang') return;
      const { status, json } = reply === 'tts' ? { status: 200, json: ttsReply(String(body.text), ttsCalls++) } : reply;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
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
  ttsCalls = 0;
}

const request = (segments: string[], extra: { voice?: string } = {}) => ({
  segments, lang: 'fr' as const, speed: 1, workDir: dir, signal: new AbortController().signal, ...extra,
});

test('two requests: previous_text/next_text sent, the second chunk timed after the first', async () => {
  reset();
  const segments = ["Pourquoi l'océan est bleu ?", 'En 1990, un élève déçu.'];
  const provider = createElevenLabsProvider({ apiKey: KEY, baseUrl, maxChunkChars: 30 });
  const out = await provider.synthesize(request(segments, { voice: 'voice-123' }));

  assert.equal(received.length, 2);
  for (const r of received) {
    assert.equal(r.method, 'POST');
    assert.equal(r.path, '/v1/text-to-speech/voice-123/with-timestamps');
    assert.equal(r.query.get('output_format'), 'mp3_44100_128');
    assert.equal(r.headers['xi-api-key'], KEY);
    assert.equal(r.body.model_id, 'eleven_multilingual_v2');
    assert.deepEqual(r.body.voice_settings, { stability: 0.5, similarity_boost: 0.75, style: 0, use_speaker_boost: true, speed: 1 });
    assert.equal('language_code' in r.body, false, 'multilingual v2 refuses language_code');
  }
  assert.equal(received[0]!.body.text, "Pourquoi l'océan est bleu ?");
  assert.equal(received[1]!.body.text, 'En 1990, un élève déçu.');
  assert.equal(received[0]!.body.previous_text, undefined);
  assert.equal(received[0]!.body.next_text, 'En 1990, un élève déçu.');
  assert.equal(received[1]!.body.previous_text, "Pourquoi l'océan est bleu ?");
  assert.equal(received[1]!.body.next_text, undefined);

  assert.equal(out.voice, 'voice-123');
  assert.deepEqual(out.words.map((w) => [w.text, w.segment]), segmentWords(segments).map((w) => [w.text, w.segment]));
  const first = out.words.slice(0, 5);
  const second = out.words.slice(5);
  assert.ok(Math.abs(first[0]!.start - 0.1) < 0.01);
  assert.ok(first.every((w) => w.end <= 1));
  // The second chunk's first character is at 0.1 s of its own audio, after 1 s of the first chunk.
  assert.ok(Math.abs(second[0]!.start - 1.1) < 0.03, `second chunk starts at ${second[0]!.start}`);
  assert.ok(Math.abs(second.at(-1)!.end - 2.4) < 0.03, `second chunk ends at ${second.at(-1)!.end}`);

  const probe = await ffprobe(out.audioFile);
  assert.ok(Math.abs(Number(probe.format.duration) - 2.5) < 0.03, `audio lasts ${probe.format.duration}`);
});

test('language_code is sent only to models that accept it; speed is clamped to ElevenLabs range', async () => {
  assert.equal(acceptsLanguageCode('eleven_flash_v2_5'), true);
  assert.equal(acceptsLanguageCode('eleven_turbo_v2_5'), true);
  assert.equal(acceptsLanguageCode('eleven_multilingual_v2'), false);
  assert.equal(elevenLabsSpeed(2), 1.2);
  assert.equal(elevenLabsSpeed(0.5), 0.7);
  reset();
  const provider = createElevenLabsProvider({ apiKey: KEY, baseUrl, model: 'eleven_flash_v2_5', defaultVoice: 'dflt' });
  await provider.synthesize({ ...request(['Bonjour.']), speed: 1.5 });
  assert.equal(received.length, 1);
  assert.equal(received[0]!.path, '/v1/text-to-speech/dflt/with-timestamps');
  assert.equal(received[0]!.body.language_code, 'fr');
  assert.equal((received[0]!.body.voice_settings as { speed: number }).speed, 1.2);
});

test('401 becomes PROVIDER_AUTH, not retried, without the key in the message', async () => {
  reset({ status: 401, json: { detail: { status: 'invalid_api_key', message: 'Invalid API key' } } });
  const provider = createElevenLabsProvider({ apiKey: KEY, baseUrl, retryBaseDelayMs: 1 });
  await assert.rejects(provider.synthesize(request(['Bonjour.'])), (err: Error & { code?: string; retryable?: boolean }) => {
    assert.equal(err.code, 'PROVIDER_AUTH');
    assert.equal(err.retryable, false);
    assert.match(err.message, /HTTP 401.*invalid_api_key.*ELEVENLABS_API_KEY/);
    assert.doesNotMatch(err.message, new RegExp(KEY));
    return true;
  });
  assert.equal(received.length, 1);
});

test('429 is retried, and becomes a retryable PROVIDER_RATE_LIMITED when it persists', async () => {
  const limited = { status: 429, json: { detail: { status: 'too_many_concurrent_requests', message: 'slow down' } } };
  reset(limited);
  const provider = createElevenLabsProvider({ apiKey: KEY, baseUrl, attempts: 3, retryBaseDelayMs: 1 });
  const out = await provider.synthesize(request(['Bonjour tout le monde.']));
  assert.equal(received.length, 2);
  assert.equal(out.words.length, 4);

  reset(limited, limited, limited);
  await assert.rejects(provider.synthesize(request(['Bonjour.'])), { code: 'PROVIDER_RATE_LIMITED', retryable: true });
  assert.equal(received.length, 3);
});

test('5xx and a server that never answers are retryable PROVIDER_UNAVAILABLE', async () => {
  reset({ status: 503, json: { detail: 'overloaded' } });
  const provider = createElevenLabsProvider({ apiKey: KEY, baseUrl, attempts: 2, retryBaseDelayMs: 1, requestTimeoutMs: 300 });
  const out = await provider.synthesize(request(['Bonjour.']));
  assert.equal(received.length, 2);
  assert.equal(out.words.length, 1);
  reset('hang', 'hang');
  await assert.rejects(provider.synthesize(request(['Bonjour.'])), { code: 'PROVIDER_UNAVAILABLE', retryable: true });
  assert.equal(received.length, 2);
});

test('404 names the voice; a body without alignment is PROVIDER_BAD_RESPONSE', async () => {
  reset({ status: 404, json: { detail: { status: 'voice_not_found', message: 'not found' } } });
  const provider = createElevenLabsProvider({ apiKey: KEY, baseUrl, retryBaseDelayMs: 1 });
  await assert.rejects(provider.synthesize(request(['Bonjour.'], { voice: 'nope' })), { code: 'INVALID_INPUT', field: 'voice' });
  reset({ status: 200, json: { audio_base64: 'AAAA' } });
  await assert.rejects(provider.synthesize(request(['Bonjour.'])), { code: 'PROVIDER_BAD_RESPONSE' });
});

test('listVoices reads /v1/voices and keeps the voices that speak the language', async () => {
  reset({
    status: 200,
    json: {
      voices: [
        { voice_id: 'a', name: 'Anna', labels: { language: 'fr', gender: 'female' } },
        { voice_id: 'b', name: 'Bob', labels: { accent: 'american' }, verified_languages: [{ language: 'en' }] },
        { voice_id: 'c', name: 'Cleo', labels: {} },
      ],
    },
  });
  const provider = createElevenLabsProvider({ apiKey: KEY, baseUrl });
  const voices = await provider.listVoices('fr');
  assert.equal(received[0]!.method, 'GET');
  assert.equal(received[0]!.path, '/v1/voices');
  assert.equal(received[0]!.headers['xi-api-key'], KEY);
  assert.deepEqual(voices.map((v) => v.id), ['a', 'c']);
  assert.deepEqual(voices.map((v) => v.gender), ['female', undefined], 'the gender label, where ElevenLabs gives one');
});

test('the stage picks ElevenLabs when a key is set and normalises its audio', async () => {
  reset();
  const root = await mkdtemp(join(tmpdir(), 'elevenlabs-store-'));
  const workDir = await mkdtemp(join(tmpdir(), 'elevenlabs-work-'));
  try {
    const stage = createStage({ env: { ELEVENLABS_API_KEY: KEY, ELEVENLABS_BASE_URL: baseUrl, ELEVENLABS_VOICE_ID: 'env-voice' } });
    const script = { lang: 'en', titleIdea: 'Oceans', hook: 'Why is the sea blue?', sections: [{ heading: 'Light', narration: 'Water absorbs red light.' }], callToAction: 'Subscribe!', wordCount: 10, estimatedDurationSec: 4 };
    const out = await stage.execute({ outputPrefix: 'p/', script, lang: 'en' }, {
      store: new FolderStore(root), log: createLogger({ level: 'error' }), signal: new AbortController().signal, progress: () => {}, workDir,
    });
    assert.equal(out.provider, 'elevenlabs');
    assert.equal(out.voice, 'env-voice');
    assert.equal(received[0]!.path, '/v1/text-to-speech/env-voice/with-timestamps');
    assert.equal(received[0]!.body.text, 'Why is the sea blue?\n\nWater absorbs red light.\n\nSubscribe!');
    assert.equal(out.words.length, 10);
    assert.deepEqual(out.segments.map((s) => s.heading), ['Intro', 'Light', 'Outro']);
    const probe = await ffprobe(join(root, 'p/voice.wav'));
    assert.equal(probe.streams[0]?.sample_rate, '48000');
    assert.ok(Math.abs(out.durationSec - 1) < 0.05, `duration ${out.durationSec}`);
  } finally {
    await rm(root, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  }
});
