import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ErrorBody, type StageKey } from '@faceless/contracts';
import { ERROR_CODES, FacelessError, PROGRESS_STREAM_TYPE, parseJsonOrUndefined, traceCarrier, type Logger, type ProgressStreamLine } from '@faceless/runtime';
import type { InstancePool } from './instance-pool.ts';
import { serviceUrlEnvName } from './instance-pool.ts';
import { SEED_CATALOG, catalogStage, type StageCatalog } from './stage-catalog.ts';
import type { StageCallOptions, StageClient } from './stage-client.ts';

export const DEFAULT_LONG_TIMEOUT_MS = 15 * 60_000;
export const DEFAULT_SHORT_TIMEOUT_MS = 2 * 60_000;

export interface HttpStageClientOptions<K extends string = StageKey> {
  pools: Record<K, InstancePool>;
  /** Where each stage is served and its timeout class (default the seed's). */
  catalog?: StageCatalog<K>;
  /** Timeout of the long stages' calls: audio, video, upload (default 15 min). */
  longTimeoutMs?: number;
  /** Timeout of the other calls (default 2 min). */
  shortTimeoutMs?: number;
  log?: Logger;
}

/** Why one call to one instance did not give an answer: the instance is routed around. */
class InstanceUnreachable extends Error {}

/**
 * Calls each stage on its seed route, spread over the stage's instances. A connection that is
 * refused, reset or times out is tried once more on another instance within the same call;
 * what the runner then sees is a FacelessError whose retry flag says whether trying later can help.
 */
export class HttpStageClient<K extends string = StageKey> implements StageClient<K> {
  private readonly longTimeoutMs: number;
  private readonly shortTimeoutMs: number;
  private readonly catalog: StageCatalog<K>;

  constructor(private readonly options: HttpStageClientOptions<K>) {
    this.longTimeoutMs = options.longTimeoutMs ?? DEFAULT_LONG_TIMEOUT_MS;
    this.shortTimeoutMs = options.shortTimeoutMs ?? DEFAULT_SHORT_TIMEOUT_MS;
    this.catalog = options.catalog ?? (SEED_CATALOG as unknown as StageCatalog<K>);
  }

  timeoutFor(stage: K): number {
    return catalogStage(this.catalog, stage).timeout === 'long' ? this.longTimeoutMs : this.shortTimeoutMs;
  }

  async call(stage: K, input: unknown, options: StageCallOptions): Promise<unknown> {
    const info = catalogStage(this.catalog, stage);
    const pool = this.options.pools[stage];
    const tried = new Set<string>();
    const failures: string[] = [];
    const maxTries = Math.min(2, pool.size);
    for (let i = 0; i < maxTries; i++) {
      const base = pool.pick(tried);
      if (!base) break;
      tried.add(base);
      try {
        const result = await this.callInstance(base, stage, input, options);
        pool.markUp(base);
        return result;
      } catch (err) {
        if (options.signal.aborted) {
          throw new FacelessError('CANCELLED', `the ${stage} call was cancelled`, { cause: err });
        }
        if (err instanceof InstanceUnreachable) {
          pool.markDown(base);
          failures.push(`${base}: ${err.message}`);
          this.options.log?.warn('stage instance unreachable', { stage, instance: base, reason: err.message, pipelineId: options.pipelineId });
          continue;
        }
        if (err instanceof FacelessError && err.retryable) pool.markDown(base);
        throw err;
      }
    }
    throw new FacelessError(
      'STAGE_UNAVAILABLE',
      `${info.service} did not answer (${failures.join('; ')}): check that it runs and that ${serviceUrlEnvName(info.service)} points at it`,
    );
  }

  private async callInstance(base: string, stage: K, input: unknown, options: StageCallOptions): Promise<unknown> {
    const info = catalogStage(this.catalog, stage);
    const timeoutMs = this.timeoutFor(stage);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([options.signal, timeout]);
    const url = `${base}${info.route}`;
    let res: StageAnswer;
    try {
      res = await postStage(url, JSON.stringify(input), {
        'x-pipeline-id': options.pipelineId,
        'x-request-id': randomUUID(),
        // node:http's request imported by name is not patched by the instrumentation: the context goes by hand.
        ...traceCarrier(),
      }, { signal, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
    } catch (err) {
      if (options.signal.aborted) throw err;
      if (timeout.aborted) throw new InstanceUnreachable(`no answer within ${Math.round(timeoutMs / 1000)} s`, { cause: err });
      throw new InstanceUnreachable(networkReason(err), { cause: err });
    }
    if ('final' in res) {
      if ('result' in res.final) return res.final.result;
      throw errorFromBody(res.final.error);
    }
    const { status, text } = res;
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new FacelessError('INTERNAL', `${info.service} at ${base} answered ${status} with a body that is not JSON`, { cause: err });
      }
    }
    throw errorFromResponse(status, text, `${info.service} at ${base}`);
  }
}

/**
 * An ErrorBody's error as a FacelessError, keeping its code, field and retry decision, so a stage
 * behaves the same over HTTP as in process (an exhausted quota is not retried either way). Only a
 * body without `retryable` (an older service) falls back to the code's default, and a 5xx INTERNAL
 * to retryable.
 */
export function errorFromBody(error: ErrorBody['error'], status: number = ERROR_CODES[error.code].status): FacelessError {
  const { code, message, field } = error;
  const retryable = error.retryable ?? (ERROR_CODES[code].retryable || (status >= 500 && code === 'INTERNAL'));
  return new FacelessError(code, message, { retryable, ...(field ? { field } : {}) });
}

/** A stage's plain error answer as a FacelessError: its ErrorBody, or what its status says. */
export function errorFromResponse(status: number, text: string, where: string): FacelessError {
  const body = ErrorBody.safeParse(parseJsonOrUndefined(text));
  if (body.success) return errorFromBody(body.data.error, status);
  const snippet = text.slice(0, 200).replace(/\s+/g, ' ');
  if (status >= 500) {
    return new FacelessError('STAGE_UNAVAILABLE', `${where} answered ${status}${snippet ? `: ${snippet}` : ''}`, { retryable: true });
  }
  if (status === 429) return new FacelessError('RATE_LIMITED', `${where} answered 429: too many requests`);
  return new FacelessError('INTERNAL', `${where} answered ${status} without the error format${snippet ? `: ${snippet}` : ''}`);
}

function networkReason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The last line of a progress stream: the stage's result or its error. */
type FinalLine = Exclude<ProgressStreamLine, { progress: number }>;

type StageAnswer =
  | { status: number; text: string }
  | { status: number; final: FinalLine };

/** One line of a progress stream, or undefined for a line this client does not know. */
function parseStreamLine(line: string): ProgressStreamLine | undefined {
  const value = parseJsonOrUndefined(line);
  if (typeof value !== 'object' || value === null) return undefined;
  if ('result' in value) return { result: value.result };
  if ('error' in value) {
    const body = ErrorBody.safeParse(value);
    return body.success ? { error: body.data.error } : undefined;
  }
  if ('progress' in value && typeof value.progress === 'number' && value.progress >= 0 && value.progress <= 1) {
    const note = 'note' in value && typeof value.note === 'string' ? value.note : undefined;
    return { progress: value.progress, ...(note ? { note } : {}) };
  }
  return undefined;
}

/**
 * POST with node:http rather than fetch: fetch gives up on a response whose headers take over
 * 5 minutes, and a video render can take longer; here only our own timeout applies. It asks for
 * the progress stream (JSON as the fallback): progress lines go to onProgress as they come, and a
 * stream that ends without its final line rejects like a dropped connection.
 */
function postStage(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { signal: AbortSignal; onProgress?: (fraction: number, note?: string) => void },
): Promise<StageAnswer> {
  return new Promise((resolve, reject) => {
    const request = (url.startsWith('https:') ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: {
        ...headers,
        accept: `${PROGRESS_STREAM_TYPE}, application/json;q=0.9`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
      signal: options.signal,
    }, (res) => {
      const status = res.statusCode ?? 0;
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('the connection closed before the answer was complete')));
      const streamed = status >= 200 && status < 300 && (res.headers['content-type'] ?? '').startsWith(PROGRESS_STREAM_TYPE);
      if (!streamed) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status, text: Buffer.concat(chunks).toString('utf8') }));
        return;
      }
      res.setEncoding('utf8');
      let buffered = '';
      let final: FinalLine | undefined;
      const take = (line: string): void => {
        const parsed = line.trim() ? parseStreamLine(line) : undefined;
        if (!parsed || final) return;
        if ('progress' in parsed) options.onProgress?.(parsed.progress, parsed.note);
        else final = parsed;
      };
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let nl = buffered.indexOf('\n');
        while (nl >= 0) {
          take(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
          nl = buffered.indexOf('\n');
        }
      });
      res.on('end', () => {
        take(buffered);
        if (final) resolve({ status, final });
        else reject(new Error('the stream ended before the stage\'s result: the service stopped mid-stage'));
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}
