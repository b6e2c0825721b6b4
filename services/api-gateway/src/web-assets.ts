import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm install` builds the dashboard (apps/web/dist) in a clone of the repository. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../apps/web/dist/', import.meta.url));

/**
 * The dashboard's page policy: everything from this origin, no inline script or style, media and images may also
 * be blob:/data:, nothing may frame it. Signed artifact URLs must therefore be same-origin (the gateway's content route).
 */
export const DASHBOARD_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' blob: data:", "media-src 'self' blob:",
  "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'",
].join('; ');

const HTML_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // The page names the hashed files of the current build: always ask whether it changed.
  'cache-control': 'no-cache',
} as const;

/** The routes registerWebAssets adds (besides the HEAD twins Fastify adds): public, and not API routes. */
export const WEB_ASSET_ROUTES = [
  { method: 'GET', url: '/' },
  { method: 'GET', url: '/*' },
  { method: 'GET', url: '/assets/*' },
] as const;

/** Paths the gateway answers itself: never the dashboard, even for a browser. */
const RESERVED = /^\/(?:api|docs|openapi\.json|health|ready|metrics)(?:\/|$)/;

function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return /\btext\/html\b|\bapplication\/xhtml\+xml\b/i.test(accept);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/**
 * Serves the built dashboard: hashed files under /assets/ with a year-long immutable cache, and index.html (no-cache,
 * with the CSP and security headers) at `/` and at every client-side route such as `/pipelines/<id>`: any GET
 * outside /api, /docs, /openapi.json, /health, /ready and /metrics that accepts text/html. Other GETs fall through
 * to the app's not-found handler. A missing build answers 503 with the command that makes it.
 */
export function registerWebAssets(app: FastifyInstance, options: { root: string }): void {
  const indexPath = join(options.root, 'index.html');
  const assetsDir = join(options.root, 'assets');
  let index: Promise<string | undefined> | undefined;
  // Read once; a missing build is looked for again at the next request (e.g. built after the server started).
  const loadIndex = async (): Promise<string | undefined> => {
    index ??= readFile(indexPath, 'utf8').catch(() => undefined);
    const html = await index;
    if (html === undefined) index = undefined;
    return html;
  };

  app.register(async (scope) => {
    if (await exists(assetsDir)) {
      await scope.register(fastifyStatic, {
        root: assetsDir,
        prefix: '/assets/',
        index: false,
        decorateReply: false,
        immutable: true,
        maxAge: '365d',
        setHeaders: (reply) => {
          reply.header('x-content-type-options', 'nosniff');
        },
      });
    }

    const page = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const path = request.url.split('?')[0] ?? '/';
      if (RESERVED.test(path) || path.startsWith('/assets/') || (path !== '/' && !wantsHtml(request))) {
        reply.callNotFound();
        return reply;
      }
      const html = await loadIndex();
      reply.headers(HTML_HEADERS).type('text/html; charset=utf-8');
      if (html === undefined) {
        return reply.code(503).send(
          '<!doctype html><html lang="en"><meta charset="utf-8"><title>faceless: dashboard not built</title>'
          + '<p>The dashboard is not built. Run <code>npm run build -w apps/web</code> (a fresh <code>npm install</code> does it), then reload.</p></html>',
        );
      }
      return reply.send(html);
    };
    scope.get('/', page);
    scope.get('/*', page);
  });
}
