import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import send from '@fastify/send';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { FolderStore, readStorageConfig } from '@faceless/infra';
import { FacelessError } from '@faceless/runtime';
import { artifactContentType } from './artifact-media-types.ts';
import { sendError } from './gateway-errors.ts';

export { artifactContentType };

export type ArtifactLinkCheck = 'ok' | 'expired' | 'bad-signature';

export interface ArtifactLinkSigner {
  /** A path + query that fetches one artifact until `ttlSec` from now, with no Authorization header. */
  sign(pipelineId: string, key: string, ttlSec: number): string;
  verify(pipelineId: string, key: string, exp: number, sig: string): ArtifactLinkCheck;
  /** Seconds left before `exp` (0 when past). */
  remainingSec(exp: number): number;
}

export const ARTIFACT_CONTENT_PATH = '/api/pipelines/:id/artifacts/content';

const SIGNATURE_BYTES = 32;

/** Why a key may not be served for a pipeline, or undefined when it names a file of that pipeline's folder. */
export function artifactKeyProblem(pipelineId: string, key: string): string | undefined {
  const prefix = `pipelines/${pipelineId}/`;
  if (key.includes('\0') || key.includes('\\')) return 'must not contain NUL or backslashes';
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key)) return 'must be an object key, not an absolute path';
  if (key.split('/').some((part) => part === '..' || part === '.' || part === '')) return 'must not contain "..", "." or empty path segments';
  if (!key.startsWith(prefix) || key.length === prefix.length) return `must be a file under "${prefix}"`;
  return undefined;
}

/**
 * Short-lived download links for a folder store's artifacts, like S3 presigned URLs: a `<video src>` cannot send
 * an Authorization header, so the link carries its own credential, an HMAC-SHA256 of "pipelineId\nkey\nexp" under
 * a server secret. The secret never leaves the server; a link opens one file until `exp` (unix seconds).
 */
export function createArtifactLinkSigner(options: { secret: Buffer; now?: () => number }): ArtifactLinkSigner {
  if (options.secret.length < 16) throw new Error('artifact link secret must be at least 16 bytes: use randomBytes(32)');
  const now = options.now ?? Date.now;
  const nowSec = (): number => Math.floor(now() / 1000);
  const mac = (pipelineId: string, key: string, exp: number): Buffer =>
    createHmac('sha256', options.secret).update(`${pipelineId}\n${key}\n${exp}`).digest();

  return {
    sign(pipelineId, key, ttlSec) {
      const problem = artifactKeyProblem(pipelineId, key);
      if (problem) throw new Error(`cannot sign a link to "${key}" for pipeline "${pipelineId}": the key ${problem}`);
      if (!Number.isInteger(ttlSec) || ttlSec <= 0) throw new Error(`artifact link ttlSec must be a positive whole number of seconds, got ${ttlSec}`);
      const exp = nowSec() + ttlSec;
      const sig = mac(pipelineId, key, exp).toString('base64url');
      return `/api/pipelines/${encodeURIComponent(pipelineId)}/artifacts/content?key=${encodeURIComponent(key)}&exp=${exp}&sig=${sig}`;
    },
    verify(pipelineId, key, exp, sig) {
      const given = /^[A-Za-z0-9_-]{43}$/.test(sig) ? Buffer.from(sig, 'base64url') : undefined;
      // The last of 43 characters carries 2 unused bits: only the canonical spelling is accepted, so a link has one signature.
      if (!given || given.length !== SIGNATURE_BYTES || given.toString('base64url') !== sig || !Number.isSafeInteger(exp)) return 'bad-signature';
      if (!timingSafeEqual(given, mac(pipelineId, key, exp))) return 'bad-signature';
      // Expiry is told only to the holder of a genuine link: a forger learns nothing from it.
      return exp <= nowSec() ? 'expired' : 'ok';
    },
    remainingSec(exp) {
      return Math.max(0, exp - nowSec());
    },
  };
}

/** How long a link lives when the artifact list does not say (the orchestrator's default). */
export const DEFAULT_LINK_TTL_SEC = 900;

/**
 * An artifact list with the gateway's own signed link on every artifact the service behind it gave none (a folder
 * store cannot sign; S3 links are kept as they are). Keys outside the pipeline's folder get no link.
 */
export function withSignedLinks(pipelineId: string, body: unknown, signer: ArtifactLinkSigner): unknown {
  const list = body as { expiresInSec?: unknown; artifacts?: unknown } | undefined;
  if (!list || !Array.isArray(list.artifacts)) return body;
  const ttl = Number.isInteger(list.expiresInSec) && (list.expiresInSec as number) > 0 ? (list.expiresInSec as number) : DEFAULT_LINK_TTL_SEC;
  const artifacts = (list.artifacts as unknown[]).map((item) => {
    const artifact = item as { key?: unknown; url?: unknown };
    if (!artifact || typeof artifact.key !== 'string' || typeof artifact.url === 'string') return item;
    if (artifactKeyProblem(pipelineId, artifact.key)) return item;
    return { ...artifact, url: signer.sign(pipelineId, artifact.key, ttl) };
  });
  return { ...list, expiresInSec: ttl, artifacts };
}

function contentDisposition(key: string, download: boolean): string {
  if (!download) return 'inline';
  const name = basename(key);
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

type ContentQuery = { key?: unknown; exp?: unknown; sig?: unknown; download?: unknown };

export interface ArtifactContentRouteOptions {
  signer: ArtifactLinkSigner;
  /** The folder store (serve mode): where a key's bytes are on this machine. */
  store: { localPath(key: string): string };
  /** Says out loud that the route needs no API key: the link's signature is its credential. */
  public: true;
}

/**
 * `GET /api/pipelines/:id/artifacts/content?key&exp&sig[&download=1]`: one artifact's bytes with Range support
 * (a browser seeks a video with Range requests), through a link from `signer.sign`.
 */
export function registerArtifactContentRoute(app: FastifyInstance, options: ArtifactContentRouteOptions): void {
  const { signer, store } = options;
  app.get(ARTIFACT_CONTENT_PATH, { config: { public: true } }, async (request, reply): Promise<FastifyReply> => {
    const { id } = request.params as { id: string };
    const query = (request.query ?? {}) as ContentQuery;
    const key = typeof query.key === 'string' ? query.key : undefined;
    const sig = typeof query.sig === 'string' ? query.sig : '';
    const expText = typeof query.exp === 'string' || typeof query.exp === 'number' ? String(query.exp) : '';

    if (key === undefined || key === '') {
      return sendError(reply, { code: 'INVALID_INPUT', field: 'key', message: 'missing ?key=: use the url from GET /api/pipelines/{id}/artifacts' });
    }
    const problem = artifactKeyProblem(id, key);
    if (problem) return sendError(reply, { code: 'INVALID_INPUT', field: 'key', message: `key "${key.slice(0, 200)}" ${problem}` });

    const exp = /^\d{1,12}$/.test(expText) ? Number(expText) : Number.NaN;
    const check = sig && Number.isSafeInteger(exp) ? signer.verify(id, key, exp, sig) : 'bad-signature';
    if (check === 'bad-signature') {
      return sendError(reply, {
        code: 'UNAUTHORIZED', status: 403, field: 'sig',
        message: 'the link\'s signature is missing or does not match: use the url from GET /api/pipelines/{id}/artifacts as it is',
      });
    }
    if (check === 'expired') {
      return sendError(reply, {
        code: 'UNAUTHORIZED', status: 403, field: 'exp',
        message: 'this download link has expired: ask GET /api/pipelines/{id}/artifacts for a new link',
      });
    }

    const path = store.localPath(key);
    const result = await send(request.raw, `/${encodeURIComponent(basename(path))}`, {
      root: dirname(path),
      dotfiles: 'allow',
      index: false,
      cacheControl: false,
      contentType: false,
      acceptRanges: true,
    });
    if (result.type !== 'file') {
      if (result.type === 'directory' || result.statusCode === 404) {
        return sendError(reply, { code: 'NOT_FOUND', field: 'key', message: `no artifact "${key}" in the store: list them with GET /api/pipelines/{id}/artifacts` });
      }
      if (result.statusCode === 416) {
        reply.header('content-range', result.headers['Content-Range'] ?? '');
        return sendError(reply, { code: 'INVALID_INPUT', status: 416, message: `the Range "${String(request.headers.range).slice(0, 100)}" is outside the file: ask for bytes inside its length (see content-range)` });
      }
      if (result.statusCode === 412) {
        return sendError(reply, { code: 'CONFLICT', status: 412, message: 'the artifact changed since the If-Match / If-Unmodified-Since given: ask again without them' });
      }
      throw result.metadata.error;
    }
    const download = query.download === '1' || query.download === 1;
    return reply
      .code(result.statusCode)
      .headers(result.headers)
      .header('content-type', artifactContentType(key))
      .header('content-disposition', contentDisposition(key, download))
      .header('cache-control', `private, max-age=${signer.remainingSec(exp)}`)
      .send(result.stream);
  });
}

/**
 * The gateway's artifact links in the services mode: on a folder store (FACELESS_STORE_DIR, the stack on one
 * machine) the gateway signs and serves them; on S3 the orchestrator hands out S3's own links and this is
 * undefined. ARTIFACT_LINK_SECRET (32+ characters) lets several gateways accept each other's links; without it
 * each process draws a random secret, and its links end with it (the dashboard asks for fresh ones).
 */
export function artifactLinksFromEnv(env: Record<string, string | undefined>): { signer: ArtifactLinkSigner; store: FolderStore } | undefined {
  const storage = readStorageConfig(env);
  if (storage.kind !== 'folder') return undefined;
  const given = env.ARTIFACT_LINK_SECRET?.trim();
  if (given !== undefined && given !== '' && given.length < 32) {
    throw new FacelessError('INVALID_OPTION', `ARTIFACT_LINK_SECRET must be at least 32 characters (it has ${given.length}): make one with "openssl rand -base64 32", or unset it for a random secret per process`, { field: 'ARTIFACT_LINK_SECRET' });
  }
  const secret = given ? Buffer.from(given, 'utf8') : randomBytes(32);
  return { signer: createArtifactLinkSigner({ secret }), store: new FolderStore(storage.dir) };
}

/**
 * An A/B test report with a signed `thumbnailUrl` on each variant whose thumbnail is a file of the experiment's
 * pipeline (a folder store), so the dashboard can show the images without the key in a URL. In `faceless serve`
 * the stage records a thumbnail by its path on this machine: one inside the store folder is turned back into its
 * object key, so the answer names no server path.
 */
export function withThumbnailLinks(body: unknown, signer: ArtifactLinkSigner, storeRoot?: string, ttlSec = DEFAULT_LINK_TTL_SEC): unknown {
  const report = body as { experiment?: { pipelineId?: unknown }; variants?: unknown } | undefined;
  const pipelineId = report?.experiment?.pipelineId;
  if (!report || typeof pipelineId !== 'string' || !Array.isArray(report.variants)) return body;
  const variants = (report.variants as unknown[]).map((item) => {
    const variant = item as { thumbnailKey?: unknown };
    if (!variant || typeof variant.thumbnailKey !== 'string') return item;
    const key = storeKeyOf(variant.thumbnailKey, storeRoot);
    if (artifactKeyProblem(pipelineId, key)) return key === variant.thumbnailKey ? item : { ...variant, thumbnailKey: key };
    return { ...variant, thumbnailKey: key, thumbnailUrl: signer.sign(pipelineId, key, ttlSec) };
  });
  return { ...report, variants };
}

/** A path inside the store folder as its object key; anything else as it is. */
function storeKeyOf(pathOrKey: string, storeRoot: string | undefined): string {
  if (!storeRoot || !isAbsolute(pathOrKey)) return pathOrKey;
  const rel = relative(resolve(storeRoot), resolve(pathOrKey));
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : pathOrKey;
}
