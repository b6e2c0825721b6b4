import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { speakingRate } from '@faceless/contracts';
import { createCollectingLogger, type StageContext } from '@faceless/runtime';
import { FolderStore } from '@faceless/infra';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStage } from '../index.ts';
import { targetWordCount } from '../script-stats.ts';
import { chatModelOf, probeLocalChatServers } from './local-chat-server.ts';

interface Seen { method: string; path: string; body: { model?: string; messages?: { content: string }[] } }

const SCRIPT = {
  titleIdea: 'How Octopuses Think',
  hook: 'What if an arm could think for itself?',
  sections: [
    { heading: 'Nine brains', narration: 'An octopus has a central brain and a cluster of neurons in each arm.', visualKeywords: ['octopus'] },
    { heading: 'Arms that decide', narration: 'Each arm can taste, grab and react without waiting for the head.', visualKeywords: ['arm'] },
    { heading: 'Disguise', narration: 'Their skin changes colour in a fraction of a second.', visualKeywords: ['skin'] },
    { heading: 'Escapes', narration: 'They squeeze through any gap wider than their beak.', visualKeywords: ['jar'] },
  ],
  callToAction: 'Subscribe for more ocean weirdness.',
};

// Probes wait up to 3 s here (300 ms by default): a test machine under load must not turn a live server into "none".

/** A stand-in for a local OpenAI-compatible server: Ollama (`/api/tags` only, like before 0.1.33) or LM Studio-like (`/v1/models`). */
async function fakeLocalServer(options: { models: string[]; oldOllama?: boolean; chatStatus?: number }): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8').on('data', (c: string) => { raw += c; }).on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      seen.push({ method: req.method ?? '', path, body: raw ? (JSON.parse(raw) as Seen['body']) : {} });
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (path === '/v1/models' && !options.oldOllama) return json(200, { object: 'list', data: options.models.map((id) => ({ id, object: 'model' })) });
      if (path === '/api/tags' && options.oldOllama) return json(200, { models: options.models.map((name) => ({ name })) });
      if (path === '/v1/chat/completions') {
        if (options.chatStatus && options.chatStatus !== 200) return json(options.chatStatus, { error: { message: 'model crashed' } });
        return json(200, { choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: JSON.stringify(SCRIPT), refusal: null } }] });
      }
      json(404, { error: 'not found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => close(server) };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

/** An address where nothing listens: a port taken from the system, then released. */
async function closedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await close(server);
  return `http://127.0.0.1:${port}`;
}

const root = await mkdtemp(join(tmpdir(), 'local-chat-'));
after(() => rm(root, { recursive: true, force: true }));
const context = (warnings: string[] = []): StageContext => ({
  store: new FolderStore(join(root, 'store')), log: createCollectingLogger((m) => warnings.push(m)),
  signal: new AbortController().signal, progress: () => {}, workDir: root,
});

test('the probe finds Ollama by /api/tags and LM Studio by /v1/models, and skips embedding models', async () => {
  const ollama = await fakeLocalServer({ models: ['nomic-embed-text:latest', 'llama3.2:latest'], oldOllama: true });
  const lmstudio = await fakeLocalServer({ models: ['qwen2.5-7b-instruct'] });
  try {
    const found = await probeLocalChatServers({ ollamaUrl: ollama.url, lmStudioUrl: `${lmstudio.url}/v1/`, probeTimeoutMs: 3000 });
    assert.deepEqual(found.map((s) => [s.kind, s.baseUrl, s.models.length]), [['ollama', ollama.url, 2], ['lmstudio', `${lmstudio.url}/v1`, 1]]);
    assert.equal(chatModelOf(found[0]!), 'llama3.2:latest');
    assert.equal(chatModelOf(found[0]!, 'mistral'), 'mistral', 'LOCAL_LLM_MODEL wins');
    assert.deepEqual(await probeLocalChatServers({ ollamaUrl: await closedUrl(), lmStudioUrl: await closedUrl(), probeTimeoutMs: 3000 }), []);
  } finally {
    await Promise.all([ollama.close(), lmstudio.close()]);
  }
});

test('SCRIPT_PROVIDER=auto (the default) writes with a local server that answers, sized at the voice\'s pace', async () => {
  const ollama = await fakeLocalServer({ models: ['llama3.2:latest'] });
  try {
    const stage = createStage({ env: { OLLAMA_BASE_URL: ollama.url, LMSTUDIO_BASE_URL: await closedUrl(), LOCAL_LLM_PROBE_TIMEOUT_MS: '3000' } });
    const out = await stage.execute({ topic: 'how octopuses think', lang: 'fr', durationSec: 60, voiceSpeed: 1.2 }, context());
    assert.equal(out.provider, 'ollama:llama3.2:latest');
    assert.equal(out.script.hook, SCRIPT.hook);
    const chat = ollama.seen.find((s) => s.path === '/v1/chat/completions');
    assert.equal(chat?.body.model, 'llama3.2:latest');
    const words = targetWordCount(60, speakingRate('espeak', 'fr', 1.2));
    assert.match(chat?.body.messages?.map((m) => m.content).join('\n') ?? '', new RegExp(`about ${words} spoken words`));
  } finally {
    await ollama.close();
  }
});

test('a local server that fails while writing falls back to the templates with a warning; none at all means templates', async () => {
  const broken = await fakeLocalServer({ models: ['llama3.2'], chatStatus: 500 });
  try {
    const warnings: string[] = [];
    const stage = createStage({ env: { LMSTUDIO_BASE_URL: broken.url, OLLAMA_BASE_URL: await closedUrl(), OPENAI_MAX_ATTEMPTS: '1', LOCAL_LLM_PROBE_TIMEOUT_MS: '3000' } });
    const out = await stage.execute({ topic: 'how octopuses think', lang: 'en', durationSec: 30 }, context(warnings));
    assert.equal(out.provider, 'template');
    assert.ok(broken.seen.some((s) => s.path === '/v1/chat/completions'), 'the local server was asked first');
    assert.ok(warnings.some((w) => /lmstudio:llama3\.2 failed; writing the script with template/.test(w)), warnings.join('\n'));
  } finally {
    await broken.close();
  }
  const none = createStage({ env: { OLLAMA_BASE_URL: await closedUrl(), LMSTUDIO_BASE_URL: await closedUrl() } });
  assert.equal((await none.execute({ topic: 'tea', durationSec: 30 }, context())).provider, 'template');
});

test('a faster voice gets a longer script for the same duration', async () => {
  const stage = createStage({ env: { SCRIPT_PROVIDER: 'offline' } });
  const normal = await stage.execute({ topic: 'why the sky is blue', durationSec: 60 }, context());
  const fast = await stage.execute({ topic: 'why the sky is blue', durationSec: 60, voiceSpeed: 1.4 }, context());
  assert.ok(fast.script.wordCount > normal.script.wordCount * 1.25, `${fast.script.wordCount} vs ${normal.script.wordCount} words`);
  assert.ok(Math.abs(fast.script.estimatedDurationSec - 60) <= 6, `${fast.script.estimatedDurationSec} s`);
  // ElevenLabs speaks at most 1.2×: a script for 1.5× would be too long for it.
  const eleven = createStage({ env: { SCRIPT_PROVIDER: 'offline', TTS_PROVIDER: 'elevenlabs', ELEVENLABS_API_KEY: 'k' } });
  const capped = await eleven.execute({ topic: 'why the sky is blue', durationSec: 60, voiceSpeed: 1.5 }, context());
  const target = targetWordCount(60, speakingRate('elevenlabs', 'en', 1.2));
  assert.ok(Math.abs(capped.script.wordCount - target) <= target * 0.06, `${capped.script.wordCount} words, ${target} at ElevenLabs' 1.2×`);
});
