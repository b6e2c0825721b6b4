import { z } from 'zod';
import { ErrorBody } from '@faceless/contracts';
import type { GatewayRouteDoc } from './gateway-routes.ts';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'INVALID_INPUT: malformed JSON, wrong type, unknown field (error.field names it)',
  401: 'UNAUTHORIZED: missing or wrong API key',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE: send application/json',
  429: 'RATE_LIMITED: see the Retry-After header',
  503: 'STAGE_UNAVAILABLE: the service behind the gateway is down or timed out',
};

type JsonSchema = Record<string, unknown>;

function componentSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** The OpenAPI 3.1 document of the gateway, request and response bodies generated from the zod contracts. */
export function buildOpenApiDocument(routes: readonly GatewayRouteDoc[], options: { version: string; serverUrl?: string }): Record<string, unknown> {
  const schemas: Record<string, JsonSchema> = { ErrorBody: componentSchema(ErrorBody, 'output') };
  const paths: Record<string, Record<string, unknown>> = {};
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

  for (const route of routes) {
    if (route.body) schemas[route.body.name] = componentSchema(route.body.schema, 'input');
    if (route.response.name && route.response.schema) schemas[route.response.name] = componentSchema(route.response.schema, 'output');

    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1], in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,128}$' },
    }));
    const errorStatuses = [...new Set([...route.errors, ...(route.auth ? [401, 429] : [])])].sort((a, b) => a - b);
    const contentType = route.response.contentType ?? 'application/json';
    const responses: Record<string, unknown> = {
      [String(route.response.status)]: {
        description: route.response.description,
        content: { [contentType]: { schema: route.response.name ? ref(route.response.name) : (contentType === 'application/json' ? { type: 'object' } : { type: 'string' }) } },
      },
    };
    for (const status of errorStatuses) {
      responses[String(status)] = {
        description: ERROR_DESCRIPTIONS[status] ?? 'error',
        content: { 'application/json': { schema: ref('ErrorBody') } },
        ...(status === 429 ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'seconds to wait' } } } : {}),
      };
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      summary: route.summary,
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: ref(route.body.name) } } } } : {}),
      responses,
      security: route.auth ? [{ bearer: [] }] : [],
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'faceless API gateway', version: options.version, description: 'Topic in, published faceless video out. Errors share one body: { error: { code, message, field?, requestId } }.' },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    paths,
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer <key>' } },
    },
    security: [{ bearer: [] }],
  };
}
