import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, stdSerializers, type LoggerOptions, type Logger as PinoLogger } from 'pino';
import { activeTraceIds } from './tracing.ts';

/** Structured logger: JSON lines for services, silent or pretty for the CLI. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

type Level = 'debug' | 'info' | 'warn' | 'error';

const CENSOR = '[redacted]';

/**
 * A field name that holds a secret: one of its words (camelCase, snake_case, kebab-case) ends in
 * key/token/secret/password or is authorization, cookie, credential or signature — `apiKey`,
 * `x-api-key`, `refresh_token`, `set-cookie`, `FACELESS_SECRET_KEY` — unless the name ends in a word
 * that says it is about a secret rather than the secret (`keyId`, `tokenCount`, `keysFile`). `keyword`
 * is not a secret, nor are `tokens` (counts of an LLM's tokens).
 */
const SECRET_WORD = /^(?:\w*(?:keys?|token|secrets?|passwords?|passwd|passphrase)|authorization|cookies?|credentials?|signature|sig|pwd)$/;
const HARMLESS_LAST_WORD = /^(?:id|ids|count|counts|length|limit|name|names|type|file|path|dir|url|expires|expiry|ttl|at)$/;

export function isSecretName(name: string): boolean {
  const words = name.split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/).filter(Boolean).map((w) => w.toLowerCase());
  const last = words.at(-1);
  if (words.length > 1 && last && HARMLESS_LAST_WORD.test(last)) return false;
  return words.some((w) => SECRET_WORD.test(w));
}

/** Query parameters whose value is a credential: OAuth, API keys, signed links (S3, GCS). */
const SECRET_PARAMS = new Set([
  'api_key', 'apikey', 'api-key', 'key', 'token', 'access_token', 'refresh_token', 'id_token', 'code', 'client_secret',
  'password', 'secret', 'sig', 'signature', 'x-amz-signature', 'x-amz-credential', 'x-amz-security-token',
  'x-goog-signature', 'x-goog-credential',
]);

function isSecretParam(rawName: string): boolean {
  let name = rawName;
  try {
    name = decodeURIComponent(rawName);
  } catch {
    // a bad escape: judge the name as written
  }
  name = name.toLowerCase().replace(/\[\]$/, '');
  return SECRET_PARAMS.has(name) || isSecretName(name);
}

// A parameter's name after ?, &, ; or # (or their percent escapes, as in a URL passed inside another's
// query); its value runs to the next separator, or to a quote or backslash when the URL sits in a JSON line.
const PARAM_START = /([?&;#]|%3f|%26|%23)((?:(?!%26|%23|%3f)[\w.%[\]-])+?)(=|%3d)/gi;
const PARAM_VALUE = /(?:(?!%26|%23)[^&#\s"'\\<>])*/y;
const USER_INFO = /\b([a-z][a-z\d+.-]*:\/\/[^/\s:@"'\\]*):[^/\s@"'\\]+@/gi;

/**
 * The URL (or any text holding URLs) with the values of secret-like query parameters — `api_key`,
 * `key`, `token`, `access_token`, `code`, `client_secret`, `sig`, `X-Amz-Signature`… — and the password
 * of `scheme://user:password@` replaced by `[redacted]`. Other parameters stay as written, and a URL
 * inside another's value (`?next=https%3A…%3Fkey%3D…`) is looked into as well.
 */
export function redactUrl(url: string): string {
  if (!url.includes('=') && !url.includes('@') && !/%3d/i.test(url)) return url;
  let out = '';
  let done = 0;
  for (const m of url.matchAll(PARAM_START)) {
    const valueStart = m.index + m[0].length;
    if (m.index < done || !isSecretParam(m[2] ?? '')) continue;
    PARAM_VALUE.lastIndex = valueStart;
    const end = valueStart + (PARAM_VALUE.exec(url)?.[0].length ?? 0);
    if (end === valueStart) continue;
    out += `${url.slice(done, valueStart)}${CENSOR}`;
    done = end;
  }
  return `${out}${url.slice(done)}`.replace(USER_INFO, `$1:${CENSOR}@`);
}

const BEARER = /\b(Bearer)\s+[\w.~+/-]+=*/gi;
/** Our own API keys (`fk_` and 43 base64url characters), wherever they appear in a line. */
const FACELESS_KEY = /\bfk_[\w-]{43}(?![\w-])/g;

/** Every secret a whole log line can show without a field name: in URLs, bearer tokens, our keys. */
function redactLine(line: string): string {
  return redactUrl(line).replace(BEARER, `$1 ${CENSOR}`).replace(FACELESS_KEY, CENSOR);
}

/** An object literal, or a dictionary on a null-rooted prototype (Fastify's parsed query string). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === Object.prototype || proto === null || Object.getPrototypeOf(proto) === null;
}

function redactValue(value: unknown, seen: WeakSet<object>): unknown {
  if (value instanceof Error) return redactValue({ ...stdSerializers.err(value) }, seen);
  if (Array.isArray(value)) {
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    return value.map((v) => redactValue(v, seen));
  }
  if (!isPlainObject(value)) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretName(k) ? CENSOR : redactValue(v, seen);
  return out;
}

/**
 * The fields with the value of every secret-named field replaced, at any depth (`headers.authorization`,
 * `options.apiKey`); errors become plain `{ type, message, stack }`. Objects of other classes (a
 * request, a stream) are left to the logger's serializers.
 */
export function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  return redactValue(fields, new WeakSet()) as Record<string, unknown>;
}

const pipelineScope = new AsyncLocalStorage<string>();

/** Runs `fn` so that every log line written inside it, in any logger, carries `pipelineId`. */
export function withPipelineId<T>(pipelineId: string, fn: () => T): T {
  return pipelineScope.run(pipelineId, fn);
}

/**
 * What joins a line to its trace and pipeline: `trace_id` and `span_id` of the active span (when
 * tracing is on and one is active) and the `pipelineId` of the work in progress (withPipelineId).
 */
function correlationFields(): Record<string, string> {
  const pipelineId = pipelineScope.getStore();
  const ids = activeTraceIds();
  if (!ids && pipelineId === undefined) return {};
  return { ...ids, ...(pipelineId === undefined ? {} : { pipelineId }) };
}

/** Header paths pino censors itself as well, in what the serializers return. */
const REDACT_PATHS = [
  'authorization', 'cookie', '["set-cookie"]', '["x-api-key"]',
  ...['headers', 'req.headers', 'res.headers', 'request.headers', 'response.headers'].flatMap((at) => [
    `${at}.authorization`, `${at}.cookie`, `${at}["set-cookie"]`, `${at}["x-api-key"]`, `${at}["proxy-authorization"]`,
  ]),
];

/**
 * The pino options every faceless log line is written with, by createLogger and by Fastify: JSON
 * lines with a level name and an ISO time; secret-named fields censored at any depth; secret query
 * parameters, Authorization values and faceless keys censored in the whole line, the message included;
 * the trace and pipeline ids of the work in progress added (correlationFields).
 */
function baseOptions(level: string, base: Record<string, unknown>): LoggerOptions {
  return {
    level,
    base: redactFields(base),
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: correlationFields,
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => redactFields(bindings),
      log: (object) => redactFields(object),
    },
    // formatters.log has made errors plain objects already: pino's own err serializer would call them "Object".
    serializers: { err: (err: unknown) => (err instanceof Error ? redactValue(err, new WeakSet()) : err) },
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    hooks: { streamWrite: redactLine },
  };
}

export function createLogger(options: {
  level?: Level;
  base?: Record<string, unknown>;
  /** Each line without its newline, and its level; stderr by default. */
  write?: (line: string, level: Level) => void;
} = {}): Logger {
  const write = options.write;
  let current: Level = 'info';
  const destination = write
    ? { write: (line: string) => write(line.endsWith('\n') ? line.slice(0, -1) : line, current) }
    : { write: (line: string) => process.stderr.write(line) };
  const root = pino(baseOptions(options.level ?? 'info', options.base ?? {}), destination);
  const wrap = (log: PinoLogger): Logger => {
    const emit = (level: Level, msg: string, fields?: Record<string, unknown>): void => {
      current = level;
      log[level](fields ?? {}, msg);
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      // pino applies formatters.bindings to the root's bindings only.
      child: (fields) => wrap(log.child(redactFields(fields))),
    };
  };
  return wrap(root);
}

interface RequestLike {
  method?: string;
  url?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remoteAddress?: string; remotePort?: number };
}

/**
 * The `logger` option of a Fastify app: the same JSON lines and redaction as createLogger, and a
 * request serializer that logs the method, the URL with its secret parameters censored, and the
 * client address, never the headers.
 */
export function fastifyLoggerOptions(options: {
  level?: string;
  base?: Record<string, unknown>;
  stream?: { write(line: string): void };
}): LoggerOptions & { stream?: { write(line: string): void } } {
  const base = baseOptions(options.level ?? 'info', options.base ?? {});
  return {
    ...base,
    serializers: {
      ...base.serializers,
      req: (req: RequestLike) => ({
        method: req.method,
        url: redactUrl(req.url ?? ''),
        remoteAddress: req.ip ?? req.socket?.remoteAddress,
        remotePort: req.socket?.remotePort,
      }),
      headers: (headers: Record<string, unknown>) => redactFields(headers),
    },
    ...(options.stream ? { stream: options.stream } : {}),
  };
}

/** Collects warnings for a person to read; drops the rest. */
export function createCollectingLogger(onWarn: (msg: string, fields?: Record<string, unknown>) => void): Logger {
  const noop = (): void => {};
  const self: Logger = {
    debug: noop,
    info: noop,
    warn: (m, f) => onWarn(m, f),
    error: (m, f) => onWarn(m, f),
    child: () => self,
  };
  return self;
}
