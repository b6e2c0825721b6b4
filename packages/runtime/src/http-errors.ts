import type { ErrorBody } from '@faceless/contracts';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { ERROR_CODES, isFacelessError, type ErrorCode } from './errors.ts';

/** What an error becomes on the wire: the HTTP status and the fields of ErrorBody. */
export interface ClassifiedError {
  status: number;
  code: ErrorCode;
  message: string;
  field?: string;
  /** The error's own retry decision (a FacelessError may override its code's default). */
  retryable: boolean;
}

const INTERNAL_MESSAGE = 'internal error: the service log has the details under this request id';

// Fastify's own errors: the body parser, the router and the request itself.
const FASTIFY_CODES: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'INVALID_INPUT', message: 'the request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'INVALID_INPUT', message: 'the request body is empty but content-type is application/json: send a JSON object' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'INVALID_INPUT', message: 'the content-length header does not match the body' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'the request body is larger than this service accepts' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported content-type: send application/json' },
  FST_ERR_NOT_FOUND: { code: 'NOT_FOUND', message: 'no such route' },
};

// Any other 4xx raised by Fastify or a plugin keeps its status with the closest code.
const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'INVALID_INPUT', 401: 'UNAUTHORIZED', 404: 'NOT_FOUND', 409: 'CONFLICT', 413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE', 422: 'LIMIT_EXCEEDED', 429: 'RATE_LIMITED',
};

function prop(err: unknown, key: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[key] : undefined;
}

/** Maps anything thrown to a status, code and a message safe to send (never a stack, never an unknown error's text). */
export function classifyError(err: unknown): ClassifiedError {
  if (isFacelessError(err)) {
    const status = ERROR_CODES[err.code].status;
    // INTERNAL often wraps an unexpected error whose text was never meant for clients.
    const message = err.code === 'INTERNAL' ? INTERNAL_MESSAGE : err.message;
    return { status, code: err.code, message, retryable: err.retryable, ...(err.field ? { field: err.field } : {}) };
  }
  const fstCode = prop(err, 'code');
  if (typeof fstCode === 'string') {
    const known = FASTIFY_CODES[fstCode];
    if (known) return { status: ERROR_CODES[known.code].status, retryable: ERROR_CODES[known.code].retryable, ...known };
  }
  if (prop(err, 'name') === 'AbortError') return { status: ERROR_CODES.CANCELLED.status, code: 'CANCELLED', message: 'the request was cancelled', retryable: false };
  const status = prop(err, 'statusCode');
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Fastify's 4xx messages are its own wording (e.g. JSON parse errors, schema validation), not secrets.
    const message = err instanceof Error && err.message ? err.message : 'bad request';
    if (prop(err, 'validation') !== undefined || err instanceof SyntaxError) return { status: 400, code: 'INVALID_INPUT', message, retryable: false };
    const code = STATUS_CODES[status] ?? 'INVALID_INPUT';
    return { status, code, message, retryable: ERROR_CODES[code].retryable };
  }
  return { status: 500, code: 'INTERNAL', message: INTERNAL_MESSAGE, retryable: false };
}

/**
 * The ErrorBody for an error; pure, so tests can check the mapping without a server. It carries
 * the error's retry decision, so a client over HTTP retries exactly what an in-process caller would.
 */
export function errorBody(err: unknown, requestId?: string): ErrorBody {
  const { code, message, field, retryable } = classifyError(err);
  return { error: { code, message, ...(field ? { field } : {}), ...(requestId ? { requestId } : {}), retryable } };
}

/** Logs the error a request ends with: a 5xx with its stack, a 4xx as one line naming the code and the field. */
export function logRequestError(log: Pick<FastifyBaseLogger, 'error' | 'info'>, err: unknown): ClassifiedError {
  const classified = classifyError(err);
  if (classified.status >= 500) log.error({ err }, 'request failed');
  else log.info({ code: classified.code, field: classified.field, reason: classified.message }, 'request rejected');
  return classified;
}

/** Every error and unknown route of the app answers with ErrorBody and the status of its code. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const classified = logRequestError(request.log, err);
    return reply.status(classified.status).send(errorBody(err, request.id));
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}`, requestId: request.id, retryable: false },
    };
    return reply.status(404).send(body);
  });
}
