import assert from 'node:assert/strict';
import { connect } from 'node:net';

/** One raw HTTP/1.1 request (for request targets fetch would normalise), answered as text once the server closes. */
export function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => { answer += chunk; });
    socket.on('end', () => resolve(answer)).on('error', reject);
    socket.setTimeout(10_000, () => { socket.destroy(); reject(new Error(`no answer to ${text.split('\r\n')[0]}`)); });
  });
}

/** Spellings of a protected path that a router may decode or normalise: none may be served without a key. */
export function bypassTargets(pipelineId: string): string[] {
  return [`/%61pi/pipelines`, `/%61pi/pipelines/${pipelineId}/events`, `//api/pipelines`, `/api/./pipelines`, `http://example.invalid/api/pipelines`, `/API/pipelines`];
}

/** Asserts that every bypass spelling gets a 4xx with x-request-id from the gateway on this port. */
export async function assertBypassesRefused(port: number, pipelineId: string): Promise<void> {
  for (const target of bypassTargets(pipelineId)) {
    const answer = await rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    assert.ok(/^HTTP\/1\.1 4\d\d /.test(answer), `${target} without a key: ${answer.split('\r\n')[0]}`);
    assert.match(answer, /x-request-id: /i, `${target}: the answer carries x-request-id`);
  }
}

export interface SseFrame { event: string; id?: string }

/** Reads a pipeline's SSE stream until the gateway closes it (it must, after pipeline.completed or pipeline.failed). */
export async function sseUntilClosed(gateway: string, pipelineId: string, headers: Record<string, string> = {}, timeoutMs = 60_000): Promise<SseFrame[]> {
  const res = await fetch(`${gateway}/api/pipelines/${pipelineId}/events`, { headers, signal: AbortSignal.timeout(timeoutMs) });
  assert.equal(res.status, 200);
  const text = await res.text();
  return text.split('\n\n').filter((block) => /^event: /m.test(block)).map((block) => {
    const id = /^id: (.*)$/m.exec(block)?.[1];
    return { event: /^event: (.*)$/m.exec(block)?.[1] ?? '', ...(id ? { id } : {}) };
  });
}
