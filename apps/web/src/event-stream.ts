import { authHeaders, errorOf } from './api-client.ts';
import { SseParser, type SseMessage } from './sse-parser.ts';

export interface EventStreamOptions {
  url: string;
  onMessage: (message: SseMessage) => void;
  /** Asked when the stream ends without an error: false stops (e.g. the pipeline is finished). */
  shouldReconnect: () => Promise<boolean>;
  onError?: (err: unknown) => void;
  signal: AbortSignal;
}

const RETRY_MS = [1000, 2000, 5000, 10_000];

/**
 * Reads a server-sent-events stream with fetch(), because EventSource cannot send the Authorization
 * header. Reconnects with Last-Event-ID after a drop; a 401 stops (the app asks for a key).
 */
export async function readEventStream(options: EventStreamOptions): Promise<void> {
  const parser = new SseParser();
  let failures = 0;
  while (!options.signal.aborted) {
    try {
      const res = await fetch(options.url, {
        headers: {
          accept: 'text/event-stream',
          ...authHeaders(),
          ...(parser.lastEventId ? { 'last-event-id': parser.lastEventId } : {}),
        },
        signal: options.signal,
        cache: 'no-store',
      });
      if (!res.ok) {
        const err = await errorOf(res);
        if (res.status === 401 || res.status === 404) throw err;
        options.onError?.(err);
      } else if (res.body) {
        failures = 0;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const message of parser.feed(value)) options.onMessage(message);
        }
        if (!(await options.shouldReconnect())) return;
      }
    } catch (err) {
      if (options.signal.aborted) return;
      if (err instanceof Error && err.name === 'ApiError') {
        options.onError?.(err);
        return;
      }
      options.onError?.(err);
    }
    const wait = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)] ?? 10_000;
    failures++;
    await new Promise((resolve) => setTimeout(resolve, wait));
    if (!(await options.shouldReconnect())) return;
  }
}
