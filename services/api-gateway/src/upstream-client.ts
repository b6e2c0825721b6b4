import { ErrorBody } from '@faceless/contracts';
import { FacelessError } from '@faceless/runtime';

export interface UpstreamCall {
  /** Service name for messages, e.g. "orchestrator". */
  service: string;
  /** Env variable holding baseUrl, named in messages so the fix is obvious. */
  envName: string;
  baseUrl: string;
  method: 'GET' | 'POST';
  /** Path with query, already encoded. */
  path: string;
  body?: unknown;
  /** Sends `body`, a string, as it is with this content type (a CSV) instead of as JSON. */
  contentType?: string;
  requestId: string;
  timeoutMs: number;
  /** The answer may be bytes (a voice sample): a success that is not JSON comes back in `bytes`. */
  binary?: true;
}

/** What came back: a success body, or an upstream ErrorBody to pass through with its status. */
export interface UpstreamAnswer {
  status: number;
  body: unknown;
  /** A binary call's success, as sent, with its content type. */
  bytes?: Buffer;
  contentType?: string;
}

/** A binary call's answer to pass on as bytes: a success whose content type is not JSON (errors stay JSON). */
export function isBinaryAnswer(call: Pick<UpstreamCall, 'binary'>, status: number, contentType: string | undefined): boolean {
  return call.binary === true && status >= 200 && status < 300 && !/^application\/json\b/i.test(contentType ?? '');
}

/**
 * Calls a service behind the gateway. Down or timed out → STAGE_UNAVAILABLE; an ErrorBody answer is
 * returned as is; a 5xx without an ErrorBody → STAGE_UNAVAILABLE; any other unreadable answer → PROVIDER_BAD_RESPONSE.
 */
export async function callUpstream(call: UpstreamCall): Promise<UpstreamAnswer> {
  const url = `${call.baseUrl.replace(/\/$/, '')}${call.path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: call.method,
      headers: {
        accept: 'application/json',
        'x-request-id': call.requestId,
        ...(call.body !== undefined ? { 'content-type': call.contentType ?? 'application/json' } : {}),
      },
      ...(call.body !== undefined ? { body: requestBody(call) } : {}),
      signal: AbortSignal.timeout(call.timeoutMs),
    });
  } catch (err) {
    const reason = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')
      ? `did not answer within ${call.timeoutMs} ms`
      : `is not reachable (${describeNetworkError(err)})`;
    throw new FacelessError('STAGE_UNAVAILABLE', `${call.service} at ${call.baseUrl} ${reason}: start it or fix ${call.envName}`, { cause: err });
  }

  const contentType = response.headers.get('content-type') ?? undefined;
  if (isBinaryAnswer(call, response.status, contentType)) {
    return { status: response.status, body: undefined, bytes: Buffer.from(await response.arrayBuffer()), ...(contentType ? { contentType } : {}) };
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  if (response.ok) {
    if (text.length > 0 && body === undefined) {
      throw new FacelessError('PROVIDER_BAD_RESPONSE', `${call.service} answered ${response.status} with a body that is not JSON`);
    }
    return { status: response.status, body };
  }
  if (ErrorBody.safeParse(body).success) return { status: response.status, body };
  if (response.status >= 500) {
    throw new FacelessError('STAGE_UNAVAILABLE', `${call.service} at ${call.baseUrl} answered ${response.status}: check its logs`);
  }
  throw new FacelessError('PROVIDER_BAD_RESPONSE', `${call.service} answered ${response.status} without the error format`);
}

/** The bytes a call sends: a string as it is when the call names its content type, else JSON. */
export function requestBody(call: Pick<UpstreamCall, 'body' | 'contentType'>): string {
  return call.contentType !== undefined && typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
}

function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
