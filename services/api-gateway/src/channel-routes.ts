import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FacelessError } from '@faceless/runtime';
import { CHANNEL_NAME } from './gateway-routes.ts';
import type { UpstreamAnswer } from './upstream-client.ts';

export const CHANNEL_CALLBACK_PATH = '/api/channels/oauth/callback';

export interface ChannelRouteDeps {
  /** A call to the uploader (its channel routes), with the request's id. */
  callUploader(request: FastifyRequest, rest: { method: 'GET' | 'POST'; path: string; body?: unknown }): Promise<UpstreamAnswer>;
  /** Sends an upstream answer as it came (an error in the one format, with this request's id). */
  reply(res: FastifyReply, request: FastifyRequest, answer: UpstreamAnswer): FastifyReply;
  /** PUBLIC_URL: the gateway as browsers reach it; absent, the request's own protocol and Host. */
  publicUrl?: string;
}

/** The uploader's answer to a completed consent. */
interface Completed {
  outcome: 'added' | 're-authorized' | 'denied';
  channel: string;
  /** Google's error, on a denial: access_denied when the user clicked Cancel. */
  error?: string;
}

function completed(body: unknown): Completed {
  const b = body as Partial<Completed> | undefined;
  if (!b || !['added', 're-authorized', 'denied'].includes(b.outcome ?? '') || typeof b.channel !== 'string' || !CHANNEL_NAME.test(b.channel)) {
    throw new FacelessError('PROVIDER_BAD_RESPONSE', 'the uploader answered the channel authorization without an outcome and a channel name');
  }
  return b as Completed;
}

/**
 * /api/channels (list) and adding a channel from the browser: `oauth/start` asks the uploader for Google's
 * consent URL with this gateway's callback as redirect URI; `oauth/callback` is public (Google's redirect
 * carries no key), so the uploader's single-use, ten-minute state is its only credential. The callback hands
 * state, code and error to the uploader in a POST body, never in a URL, and sends the browser back to the
 * Channels page; the request log keeps the path only.
 */
export function registerChannelRoutes(api: FastifyInstance, deps: ChannelRouteDeps): void {
  api.get('/api/channels', async (request, res) =>
    deps.reply(res, request, await deps.callUploader(request, { method: 'GET', path: '/channels' })));

  api.post('/api/channels/oauth/start', async (request, res) => {
    const { name } = request.body as { name: string };
    const origin = deps.publicUrl ?? `${request.protocol}://${request.host}`;
    const body = { name, redirectUri: `${origin}${CHANNEL_CALLBACK_PATH}` };
    return deps.reply(res, request, await deps.callUploader(request, { method: 'POST', path: '/channels/oauth/start', body }));
  });

  api.get(CHANNEL_CALLBACK_PATH, async (request, res) => {
    const { state, code, error } = request.query as { state?: string; code?: string; error?: string };
    const answer = await deps.callUploader(request, { method: 'POST', path: '/channels/oauth/complete', body: { state, code, error } });
    if (answer.status >= 400) {
      // A bad state is answered as it is. Past it (Google refused the code, a setting is missing) the person is
      // sent back to the page with the error's code; the message is in the uploader's log.
      const failure = (answer.body as { error?: { code?: unknown; field?: unknown } } | undefined)?.error;
      if (failure?.field === 'state' || typeof failure?.code !== 'string' || !/^[A-Z_]{1,40}$/.test(failure.code)) return deps.reply(res, request, answer);
      return res.code(303).header('location', `/channels?failed=${failure.code}`).header('cache-control', 'no-store').send();
    }
    const done = completed(answer.body);
    // Google's other errors (invalid_scope, admin_policy_enforced…) are named to the page; only plain words pass.
    const reason = done.outcome === 'denied' && done.error !== 'access_denied' && /^[a-z_]{1,40}$/.test(done.error ?? '') ? `&reason=${done.error}` : '';
    const back = done.outcome === 'denied' ? `/channels?denied=${done.channel}${reason}` : `/channels?added=${done.channel}`;
    return res.code(303).header('location', back).header('cache-control', 'no-store').send();
  });
}
