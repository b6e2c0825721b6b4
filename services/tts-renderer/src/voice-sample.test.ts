import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FolderStore } from '@faceless/infra';
import { ffprobe, type StageApp } from '@faceless/runtime';
import { createEspeakProvider } from './providers/espeak.ts';
import { buildApp } from './server.ts';
import { SAMPLE_TEXTS, type VoiceListing } from './voice-sample.ts';

let root: string;
let app: StageApp;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'voice-sample-test-'));
  app = buildApp({ env: {}, store: new FolderStore(join(root, 'store')), logger: false });
  await app.ready();
});
after(async () => {
  await app.close();
  await rm(root, { recursive: true, force: true });
});

async function probe(audio: Buffer): Promise<{ codec: string; duration: number }> {
  const file = join(root, `sample-${Date.now()}-${Math.random()}.wav`);
  await writeFile(file, audio);
  const info = await ffprobe(file);
  return { codec: info.streams[0]?.codec_name ?? '', duration: Number(info.format.duration) };
}

test('GET /voices?lang=fr lists only French espeak-ng voices, each with its provider', async () => {
  const res = await app.inject({ method: 'GET', url: '/voices?lang=fr' });
  assert.equal(res.statusCode, 200);
  const { voices } = res.json<{ voices: VoiceListing[] }>();
  assert.ok(voices.some((v) => v.id === 'fr'), 'the French (France) voice is listed');
  for (const v of voices) {
    assert.match(v.lang, /^fr(-|$)/, `${v.id} speaks ${v.lang}`);
    assert.equal(v.provider, 'espeak-ng');
  }
  const all = (await app.inject({ method: 'GET', url: '/voices' })).json<{ voices: VoiceListing[] }>().voices;
  assert.ok(all.length > voices.length * 5, `${all.length} voices in all, ${voices.length} French`);
});

test('GET /voices with a language outside the enum is 400 naming lang', async () => {
  const res = await app.inject({ method: 'GET', url: '/voices?lang=xx' });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json<{ error: { field: string } }>().error.field, 'lang');
});

test('POST /voices/sample answers a short PCM WAV, and the same bytes at once the second time', async () => {
  const started = performance.now();
  const first = await app.inject({ method: 'POST', url: '/voices/sample', payload: { lang: 'fr', voice: 'fr-be' } });
  const firstMs = performance.now() - started;
  assert.equal(first.statusCode, 200, first.body.slice(0, 300));
  assert.equal(first.headers['content-type'], 'audio/wav');
  const { codec, duration } = await probe(first.rawPayload);
  assert.match(codec, /^pcm_/);
  assert.ok(duration > 0.5 && duration < 6, `duration ${duration} s`);

  const again = performance.now();
  const second = await app.inject({ method: 'POST', url: '/voices/sample', payload: { lang: 'fr', voice: 'fr-be' } });
  const secondMs = performance.now() - again;
  assert.ok(second.rawPayload.equals(first.rawPayload), 'the cached sample is the same bytes');
  assert.ok(secondMs < firstMs / 2, `second call ${secondMs.toFixed(1)} ms, first ${firstMs.toFixed(1)} ms`);
});

test('a long text is cut to about five seconds', async () => {
  const text = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty twenty-one twenty-two';
  const res = await app.inject({ method: 'POST', url: '/voices/sample', payload: { lang: 'en', text } });
  assert.equal(res.statusCode, 200);
  const { duration } = await probe(res.rawPayload);
  assert.ok(duration < 6.5, `duration ${duration} s`);
});

test('an unknown voice is 400 INVALID_INPUT naming the field and how to list voices', async () => {
  const res = await app.inject({ method: 'POST', url: '/voices/sample', payload: { lang: 'en', voice: 'no-such-voice' } });
  assert.equal(res.statusCode, 400);
  const { error } = res.json<{ error: { code: string; field: string; message: string } }>();
  assert.equal(error.code, 'INVALID_INPUT');
  assert.equal(error.field, 'voice');
  assert.match(error.message, /GET \/api\/voices\?lang=en/);
});

test('an unknown field or an over-long text is 400 naming it', async () => {
  const extra = await app.inject({ method: 'POST', url: '/voices/sample', payload: { lang: 'en', speed: 2 } });
  assert.equal(extra.statusCode, 400);
  const long = await app.inject({ method: 'POST', url: '/voices/sample', payload: { lang: 'en', text: 'a'.repeat(201) } });
  assert.equal(long.statusCode, 400);
  assert.equal(long.json<{ error: { field: string } }>().error.field, 'text');
});

test('with an OpenAI-compatible provider, the sample is asked of it in the voice chosen, and its voices are listed', async () => {
  const spoken = await createEspeakProvider().synthesize({
    segments: ['This is how your video will sound.'], lang: 'en', speed: 1, workDir: root, signal: new AbortController().signal,
  });
  const speech = await readFile(spoken.audioFile);
  const received: { path: string; body: Record<string, unknown> }[] = [];
  const fake = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8').on('data', (c: string) => { raw += c; }).on('end', () => {
      received.push({ path: req.url ?? '', body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} });
      res.writeHead(200, { 'content-type': 'audio/wav' }).end(speech);
    });
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  const env = { TTS_PROVIDER: 'openai', OPENAI_TTS_BASE_URL: `http://127.0.0.1:${(fake.address() as AddressInfo).port}` };
  const openai = buildApp({ env, store: new FolderStore(join(root, 'store')), logger: false });
  try {
    const { voices } = (await openai.inject({ method: 'GET', url: '/voices?lang=de' })).json<{ voices: VoiceListing[] }>();
    assert.ok(voices.some((v) => v.id === 'nova' && v.provider === 'openai-speech' && v.lang === 'de'));

    const res = await openai.inject({ method: 'POST', url: '/voices/sample', payload: { lang: 'de', voice: 'nova' } });
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    assert.equal((await probe(res.rawPayload)).codec.startsWith('pcm_'), true);
    assert.deepEqual(received.map((r) => [r.path, r.body.voice, r.body.input]), [['/v1/audio/speech', 'nova', SAMPLE_TEXTS.de]]);

    const unknown = await openai.inject({ method: 'POST', url: '/voices/sample', payload: { lang: 'de', voice: 'fr-be' } });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json<{ error: { field: string } }>().error.field, 'voice');
    assert.equal(received.length, 1, 'an unknown voice never reaches the paid API');
  } finally {
    await openai.close();
    fake.closeAllConnections();
    await new Promise<void>((resolve) => fake.close(() => resolve()));
  }
});
