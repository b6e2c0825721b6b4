import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
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
  return reply.code(options.status ?? ERROR_CODES[options.code].status).type('application/json').send(body);
}

/** Parses a body with a contract; a failure is INVALID_INPUT naming the first bad field (unknown keys included). */
export function validateBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const describe = (issue: z.core.$ZodIssue): { field: string; text: string } => {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      const field = [...base, issue.keys[0] ?? ''].join('.');
      return { field, text: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${[...base, k].join('.')}"`).join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'}` };
    }
    const field = base.join('.');
    return { field, text: `${field || what}: ${issue.message}` };
  };
  const described = result.error.issues.map(describe);
  const field = described[0]?.field || undefined;
  throw new FacelessError('INVALID_INPUT', `invalid ${what}: ${described.map((d) => d.text).join('; ')}`, { field });
}

/** Maps Fastify's own request errors to the stable codes; bad input never becomes a 500. */
function fromFastifyError(err: FastifyError, bodyLimitBytes: number): { code: ErrorCodeName; message: string } | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'PAYLOAD_TOO_LARGE', message: `request body is larger than ${bodyLimitBytes} bytes (BODY_LIMIT_BYTES): send a smaller body` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'UNSUPPORTED_MEDIA_TYPE', message: `${err.message}: send the body as application/json` };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'INVALID_INPUT', message: 'the body is empty but content-type is application/json: send a JSON object' };
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

export function registerGatewayErrorHandler(app: FastifyInstance, options: { bodyLimitBytes: number; logger: Logger }): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isFacelessError(err)) {
      if (ERROR_CODES[err.code].status >= 500) options.logger.warn('request failed', { requestId: request.id, code: err.code, error: err.message });
      return sendError(reply, { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) });
    }
    const mapped = fromFastifyError(err, options.bodyLimitBytes);
    if (mapped) return sendError(reply, mapped);
    options.logger.error('unexpected error', { requestId: request.id, error: err.message, stack: err.stack });
    return sendError(reply, { code: 'INTERNAL', message: 'internal error in the api-gateway; the request id is in the logs' });
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}: see GET /docs for the routes` }));
}
