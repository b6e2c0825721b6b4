import type { ErrorBody } from '@faceless/contracts';

/**
 * The streamed answer of a stage route, for a client that sends `Accept: application/x-ndjson`:
 * one JSON object a line, `{"progress":0.42,"note":"…"}` while the stage works, then exactly one
 * `{"result":…}` or `{"error":{…ErrorBody.error}}`. A client that asks for JSON gets the plain answer.
 */
export const PROGRESS_STREAM_TYPE = 'application/x-ndjson';

export type ProgressStreamLine =
  | { progress: number; note?: string }
  | { result: unknown }
  | { error: ErrorBody['error'] };

/** At most two progress lines a second: enough for a live percent, little enough for any proxy or log. */
export const PROGRESS_MIN_INTERVAL_MS = 500;
/** A stage that reports nothing for this long gets its last line repeated, so idle proxies keep the stream open. */
export const PROGRESS_KEEPALIVE_MS = 15_000;

/** Whether an Accept header asks for the progress stream (JSON stays the default). */
export function acceptsProgressStream(accept: string | string[] | undefined): boolean {
  const value = Array.isArray(accept) ? accept.join(',') : (accept ?? '');
  return value.split(',').some((part) => part.split(';')[0]?.trim().toLowerCase() === PROGRESS_STREAM_TYPE);
}

export interface ProgressThrottle {
  /** Offers a report; it is written now, or kept until the interval has passed. */
  report(fraction: number, note?: string): void;
  /** Stops the timers; a kept report is dropped (the result line follows). */
  stop(): void;
}

/**
 * Throttles progress lines to one per `minIntervalMs` (the latest report wins) and repeats the
 * last one after `keepaliveMs` of silence. Fractions are clamped to [0, 1] and never go backwards.
 */
export function progressThrottle(
  write: (line: { progress: number; note?: string }) => void,
  options: { minIntervalMs?: number; keepaliveMs?: number; now?: () => number } = {},
): ProgressThrottle {
  const minInterval = options.minIntervalMs ?? PROGRESS_MIN_INTERVAL_MS;
  const keepalive = options.keepaliveMs ?? PROGRESS_KEEPALIVE_MS;
  const now = options.now ?? Date.now;
  let last: { progress: number; note?: string } = { progress: 0 };
  let lastAt = -Infinity;
  let kept: { progress: number; note?: string } | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  const send = (line: { progress: number; note?: string }): void => {
    last = line;
    lastAt = now();
    write(line);
  };
  const idle = setInterval(() => {
    if (now() - lastAt >= keepalive) send(last);
  }, Math.max(1, Math.floor(keepalive / 2)));
  idle.unref();
  return {
    report(fraction, note) {
      if (stopped || !Number.isFinite(fraction)) return;
      const progress = Math.max(last.progress, kept?.progress ?? 0, Math.min(1, Math.max(0, fraction)));
      const line = { progress, ...(note ? { note } : {}) };
      const wait = lastAt + minInterval - now();
      if (wait <= 0) {
        send(line);
        return;
      }
      kept = line;
      flushTimer ??= setTimeout(() => {
        flushTimer = undefined;
        if (stopped || !kept) return;
        const next = kept;
        kept = undefined;
        send(next);
      }, wait);
    },
    stop() {
      stopped = true;
      clearInterval(idle);
      if (flushTimer) clearTimeout(flushTimer);
    },
  };
}
