import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { checkScriptWriter, formatChecks } from './doctor.ts';

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
const stop = (server: Server): Promise<void> => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); });

async function closedUrl(): Promise<string> {
  const { server, url } = await listen(() => {});
  await stop(server);
  return url;
}

test('doctor says when a local Ollama answers, which model make will use and how to pick another', async () => {
  const { server, url } = await listen((req, res) => {
    if (req.url === '/v1/models') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ id: 'nomic-embed-text' }, { id: 'llama3.2:latest' }] }));
    res.writeHead(404).end();
  });
  try {
    const check = await checkScriptWriter({ OLLAMA_BASE_URL: url, LMSTUDIO_BASE_URL: await closedUrl(), LOCAL_LLM_PROBE_TIMEOUT_MS: '3000' });
    assert.equal(check.ok, true);
    assert.match(check.detail, new RegExp(`Ollama answers at ${url}: faceless make writes the script with llama3\\.2:latest \\(SCRIPT_PROVIDER=auto\\)`));
    assert.match(check.hint ?? '', /LOCAL_LLM_MODEL/);
    assert.match(formatChecks([check]), /✓ script writer .*\n {4}tip: another model/);
  } finally {
    await stop(server);
  }
});

test('with no local server the templates write, and doctor says how to get better scripts with no paid key', async () => {
  const check = await checkScriptWriter({ OLLAMA_BASE_URL: await closedUrl(), LMSTUDIO_BASE_URL: await closedUrl() });
  assert.equal(check.ok, true);
  assert.equal(check.required, false);
  assert.match(check.detail, /offline templates/);
  assert.match(check.hint ?? '', /ollama pull llama3\.2/);
  assert.match((await checkScriptWriter({ OPENAI_API_KEY: 'sk-x' })).detail, /chat API at https:\/\/api\.openai\.com, model gpt-4o-mini/);
  const bad = await checkScriptWriter({ OLLAMA_BASE_URL: 'ftp://x' });
  assert.equal(bad.ok, false);
  assert.match(bad.detail, /OLLAMA_BASE_URL/);
});
