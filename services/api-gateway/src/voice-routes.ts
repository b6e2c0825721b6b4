import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UpstreamAnswer } from './upstream-client.ts';

export interface VoiceRouteDeps {
  /** A call to the tts-renderer (its voice routes), with the request's id. */
  callTtsRenderer(request: FastifyRequest, rest: { method: 'GET' | 'POST'; path: string; body?: unknown; binary?: true }): Promise<UpstreamAnswer>;
  /** Sends a JSON upstream answer as it came (an error in the one format, with this request's id). */
  reply(res: FastifyReply, request: FastifyRequest, answer: UpstreamAnswer): FastifyReply;
}

/** Only an audio media type is passed on as it came: the page plays the bytes in an <audio>. */
const AUDIO_TYPE = /^audio\/[\w.+-]{1,50}$/;

/**
 * /api/voices (the tts-renderer's voices for a language) and /api/voices/sample (a few seconds of one of
 * them, as audio bytes), for the dashboard's voice choice with a sample to listen to.
 */
export function registerVoiceRoutes(api: FastifyInstance, deps: VoiceRouteDeps): void {
  api.get('/api/voices', async (request, res) => {
    const { lang } = request.query as { lang?: string };
    return deps.reply(res, request, await deps.callTtsRenderer(request, { method: 'GET', path: `/voices${lang ? `?lang=${lang}` : ''}` }));
  });

  api.post('/api/voices/sample', async (request, res) => {
    const answer = await deps.callTtsRenderer(request, { method: 'POST', path: '/voices/sample', body: request.body, binary: true });
    if (!answer.bytes) return deps.reply(res, request, answer);
    const type = answer.contentType?.split(';')[0]?.trim() ?? '';
    return res.code(answer.status)
      .type(AUDIO_TYPE.test(type) ? type : 'application/octet-stream')
      .header('cache-control', 'private, max-age=3600')
      .send(answer.bytes);
  });
}
