import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import type { z } from 'zod';
import type { ErrorBody, ErrorCodeName } from '@faceless/contracts';
import { ERROR_CODES, FacelessError, isFacelessError, type Logger } from '@faceless/runtime';

export function sendError(reply: FastifyReply, options: { code: ErrorCodeName; message: string; field?: string; status?: number }): FastifyReply {
  const body: ErrorBody = {
    error: {
      code: options.code,
      message: options.message,
      ...(options.field ? { field: options.field } : {}),
      requestId: String(reply.request.id),
    },
  };
  reply.header('x-request-id', String(reply.request.id));
  return reply.code(options.status ?? ERROR_CODES[options.code].status).type('application/json').send(body);
}

/** One zod failure as INVALID_INPUT naming the first bad field (unknown keys included) and every problem. */
export function invalidInput(error: z.ZodError, what: string): FacelessError {
  const describe = (issue: z.core.$ZodIssue): { field: string; text: string } => {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      const field = [...base, issue.keys[0] ?? ''].join('.');
      return { field, text: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${[...base, k].join('.')}"`).join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'}` };
    }
    const field = base.join('.');
    return { field, text: `${field || what}: ${issue.message}` };
  };
  const described = error.issues.map(describe);
  const field = described[0]?.field || undefined;
  return new FacelessError('INVALID_INPUT', `invalid ${what}: ${described.map((d) => d.text).join('; ')}`, { field });
}

const PART_NAMES: Record<string, string> = { body: 'request body', params: 'path parameter', querystring: 'query string', headers: 'headers' };

/**
 * Fastify's validator compiler for the routes' zod schemas: the parsed value (defaults, trims) reaches the
 * handler; a failure is INVALID_INPUT in the one error format.
 */
export function zodValidatorCompiler({ schema, httpPart }: { schema: unknown; httpPart?: string }) {
  const zod = schema as z.ZodType;
  const what = PART_NAMES[httpPart ?? 'body'] ?? 'request';
  return (data: unknown): { value: unknown } | { error: Error } => {
    const result = zod.safeParse(data);
    return result.success ? { value: result.data } : { error: invalidInput(result.error, what) };
  };
}

/** Maps Fastify's own request errors to the stable codes; bad input never becomes a 500. */
function fromFastifyError(err: FastifyError, bodyLimitBytes: number): { code: ErrorCodeName; message: string; status?: number } | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'PAYLOAD_TOO_LARGE', message: `request body is larger than ${bodyLimitBytes} bytes (BODY_LIMIT_BYTES): send a smaller body` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported content-type: send the body as application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'INVALID_INPUT', message: 'the body is empty but content-type is application/json: send a JSON object' };
    case 'FST_ERR_BAD_URL':
      return { code: 'INVALID_INPUT', message: 'the path has a malformed percent-escape: encode it with encodeURIComponent' };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { code: 'INVALID_INPUT', status: 414, message: 'a path parameter is too long: use the pipelineId returned by POST /api/pipelines/start' };
    default:
      break;
  }
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return { code: 'INVALID_INPUT', message: `malformed JSON body: ${err.message}` };
  }
  const status = err.statusCode ?? 500;
  if (status === 413) return { code: 'PAYLOAD_TOO_LARGE', message: err.message };
  if (status === 415) return { code: 'UNSUPPORTED_MEDIA_TYPE', message: err.message };
  if (status >= 400 && status < 500) return { code: 'INVALID_INPUT', message: err.message };
  return undefined;
}

type ErrorHandlerOptions = { bodyLimitBytes: number; logger: Logger };

function handleError(err: FastifyError, request: FastifyRequest, reply: FastifyReply, options: ErrorHandlerOptions): FastifyReply {
  if (isFacelessError(err)) {
    if (ERROR_CODES[err.code].status >= 500) options.logger.warn('request failed', { requestId: request.id, code: err.code, error: err.message });
    return sendError(reply, { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) });
  }
  const validation = (err as { validation?: FastifySchemaValidationError[] }).validation;
  if (validation) return sendError(reply, { code: 'INVALID_INPUT', message: err.message });
  const mapped = fromFastifyError(err, options.bodyLimitBytes);
  if (mapped) return sendError(reply, mapped);
  options.logger.error('unexpected error', { requestId: request.id, error: err.message, stack: err.stack });
  return sendError(reply, { code: 'INTERNAL', message: 'internal error in the api-gateway; the request id is in the logs' });
}

/** The error, not-found and framework handlers: every answer Fastify makes itself has the one format too. */
export function registerGatewayErrorHandler(app: FastifyInstance, options: ErrorHandlerOptions): void {
  app.setErrorHandler((err: FastifyError, request, reply) => handleError(err, request, reply, options));
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, { code: 'NOT_FOUND', message: `no route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}: see GET /docs for the routes` }));
}

/** Fastify's `frameworkErrors` option: a malformed escape or an over-long parameter, answered in the one format. */
export function frameworkErrors(options: ErrorHandlerOptions) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    void handleError(err, request, reply, options);
  };
}

/**
 * Fastify's `clientErrorHandler` option: what Node's HTTP parser refuses before any route (an unknown method,
 * 431 headers, a malformed request line) still answers in the one format, with a request id.
 */
export function clientErrorHandler(err: { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message = status === 431
    ? 'the request headers are too large: send fewer or shorter headers'
    : status === 408 ? 'the request took too long to arrive: send it again' : 'malformed HTTP request: check the method, the request line and the headers';
  answerOnSocket(socket, status, message);
}

/** An answer in the one format written straight to a socket no route will see, which is then closed. */
export function answerOnSocket(socket: Socket | Duplex, status: number, message: string, extraHeaders = ''): void {
  const requestId = randomUUID();
  const body = JSON.stringify({ error: { code: 'INVALID_INPUT', message, requestId } } satisfies ErrorBody);
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\n${extraHeaders}connection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

/**
 * What Node answers by itself before Fastify sees the request, answered in the one format instead: CONNECT
 * (Node would close the socket without a word), an Expect other than 100-continue (Node's bare 417), and a
 * request without Host (the server is created with requireHostHeader: false so that this hook answers it).
 */
export function answerWhatNodeRefuses(server: Server): void {
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    answerOnSocket(socket, 405, 'CONNECT is not supported: this is an HTTP API, not a proxy', 'allow: GET, POST, OPTIONS\r\n');
  });
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const requestId = randomUUID();
    const expect = String(request.headers.expect ?? '').slice(0, 60);
    const body = JSON.stringify({ error: { code: 'INVALID_INPUT', message: `Expect: ${expect} is not supported: send the request without it (or with Expect: 100-continue)`, requestId } } satisfies ErrorBody);
    response.writeHead(417, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId, connection: 'close' });
    response.end(body);
  });
}
